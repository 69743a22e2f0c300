"""The spider's routing, offline: Scrapy ``HtmlResponse`` objects in, what it yields out
(documents, ITA leads, requests with their ``meta``), no reactor and no server.

The page path of ``SiteSpider.parse`` awaits nothing from Twisted when the renderer is off,
so an asyncio loop drives it; documents (read in a worker thread) are covered by the crawls.
"""

from __future__ import annotations

import asyncio

import scrapy
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

import oitcheck.crawler.settings as ours
from oitcheck.crawler.spiders.site import SiteSpider
from oitcheck.model import Document, IndexLead
from oitcheck.pages import Link

SITE = "http://www.tambon.go.th"


def spider(**settings) -> SiteSpider:
    project = {k: getattr(ours, k) for k in dir(ours) if k.isupper()}  # the project's settings, as a crawl has them
    crawler = get_crawler(SiteSpider, {**project, "OITCHECK_OCR": False, "OITCHECK_JS": False, **settings})
    return SiteSpider.from_crawler(crawler, url=SITE, year="2568")


def respond(url: str, html: str, **meta) -> HtmlResponse:
    request = Request(url, meta={"anchor": "", "found_on": "", **meta})
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def run(s: SiteSpider, response: HtmlResponse) -> list:
    async def collect():
        return [out async for out in s.parse(response)]
    return asyncio.run(collect())


def split(out: list) -> tuple[list[Document], list[IndexLead], list[scrapy.Request]]:
    return ([x for x in out if isinstance(x, Document)], [x for x in out if isinstance(x, IndexLead)],
            [x for x in out if isinstance(x, scrapy.Request)])


ITA_PAGE = ("<html><head><title>ITA 2568</title></head><body><h1>การเปิดเผยข้อมูลสาธารณะ (OIT) ปี 2568</h1>"
            + "".join(f'<p>O{n} รายการที่ {n} <a href="/ita/o{n}.pdf">เอกสาร</a></p>' for n in range(1, 7))
            + "</body></html>")


def test_an_ita_index_page_gives_one_lead_per_coded_link_and_is_no_evidence():
    s = spider()
    docs, leads, requests = split(run(s, respond(f"{SITE}/ita", ITA_PAGE, anchor="ITA")))
    (doc,) = docs
    assert doc.is_ita_index and doc.anchors == ["ITA"]
    assert [(x.code, x.url) for x in leads] == [(f"O{n}", f"{SITE}/ita/o{n}.pdf") for n in range(1, 7)]
    assert {x.found_on for x in leads} == {f"{SITE}/ita"}
    # Each linked file is fetched carrying its item code, its link text and where it was met.
    by_url = {r.url: r.meta for r in requests}
    assert by_url[f"{SITE}/ita/o3.pdf"]["index_code"] == "O3"
    # A generic link text ("เอกสาร") is labelled by its row, not by the page's heading.
    assert by_url[f"{SITE}/ita/o3.pdf"]["anchor"] == "o3 รายการที่ 3 เอกสาร"
    assert by_url[f"{SITE}/ita/o3.pdf"]["found_on"] == f"{SITE}/ita"
    assert s.crawler.stats.get_value("oitcheck/ita_index_pages") == 1


def test_a_link_given_for_two_items_is_a_lead_for_each(monkeypatch):
    # The renderer gives one file for O5 and O6 (Link.also); the spider turns it into two leads.
    import oitcheck.crawler.spiders.site as site

    s = spider()

    async def render(url, reason, page):
        for link in page.links:
            if link.url.endswith("o5.pdf"):
                link.also = ["O6"]
        return page

    class Renderer:
        limits = None

        def available(self):
            return True

    s.renderer = Renderer()
    monkeypatch.setattr(s, "render", render)
    monkeypatch.setattr(site, "needs_browser", lambda *a, **k: "controls")
    _, leads, _ = split(run(s, respond(f"{SITE}/ita", ITA_PAGE)))
    assert [x.code for x in leads if x.url.endswith("o5.pdf")] == ["O5", "O6"]


def test_a_plain_page_gives_no_leads_and_no_item_codes_and_links_after_a_stray_end_tag_are_followed():
    html = ("<html><body><h1>ข่าวประชาสัมพันธ์</h1><a href='/news/1'>O1 ข่าวที่หนึ่ง</a></body></html>"
            "<div><a href='/news/2'>ข่าวที่สอง</a></div>")  # content after </html>, as server-side includes leave it
    docs, leads, requests = split(run(spider(), respond(f"{SITE}/news", html)))
    assert not docs[0].is_ita_index and leads == []
    assert {r.url: r.meta["index_code"] for r in requests} == {f"{SITE}/news/1": None, f"{SITE}/news/2": None}


def test_pictures_on_a_page_about_an_item_are_read_as_its_documents_up_to_a_bound():
    from oitcheck.crawler.spiders.site import CONTENT_IMAGES

    pngs = "".join(f"<img src='/img/chart{n}.png' alt='แผนภูมิ {n}'>" for n in range(CONTENT_IMAGES + 2))
    html = f"<html><body><h1>โครงสร้างองค์กร</h1>{pngs}</body></html>"
    _, _, requests = split(run(spider(), respond(f"{SITE}/structure", html)))
    images = [r for r in requests if r.meta.get("content_image")]
    assert [r.url for r in images] == [f"{SITE}/img/chart{n}.png" for n in range(CONTENT_IMAGES)]
    assert {r.meta["anchor"] for r in images} == {"โครงสร้างองค์กร"}  # labelled by the page's heading
    assert images[0].meta["alt"] == "แผนภูมิ 0"


def test_a_page_too_large_is_a_per_url_error_not_a_crash():
    from oitcheck.crawler.spiders.site import HTML_MAX
    from oitcheck.model import CrawlError

    out = run(spider(), respond(f"{SITE}/huge", "<html><body>" + "ก" * (HTML_MAX // 3 + 10) + "</body></html>",
                                found_on=f"{SITE}/"))
    (err,) = out
    assert isinstance(err, CrawlError) and err.url == f"{SITE}/huge" and err.reason == "page too large"
    assert err.found_on == f"{SITE}/"


def test_an_off_site_page_is_read_but_its_links_are_not_followed():
    docs, _, requests = split(run(spider(), respond("https://drive.example.org/plan", ITA_PAGE.replace("ITA", "แผน"),
                                                    off_site=True)))
    assert docs[0].off_site and requests == []


def test_the_link_model_keeps_codes_given_for_two_items():
    # The shape the spider reads: one Link, its own code and the further codes given for it.
    link = Link(f"{SITE}/a.pdf", "เอกสาร", "O5", also=["O6"])
    assert (link.code, *link.also) == ("O5", "O6")


def test_an_online_form_offered_for_an_item_is_its_evidence_as_a_link_and_is_not_fetched():
    # A real เทศบาลนคร's home page: the card "บริการ E-Service" links a Google Form. The form's
    # host was fetched like a document (and could not be reached), so the item was missed.
    from oitcheck.crawler.middlewares import LinkAdmission

    s = spider(OITCHECK_YEAR=2568, DEPTH_LIMIT=5)
    admission = LinkAdmission.from_crawler(s.crawler)
    s.crawler.spider = s
    form = "https://docs.google.com/forms/d/e/1FAIpQLSf/viewform"
    html = (f"<html><body><h1>เทศบาลนครทดสอบ</h1><h2>ช่องทางการให้บริการ</h2><a href='{form}'>บริการ E-Service</a>"
            "<a href='https://docs.google.com/forms/d/e/2x/viewform'>แบบสอบถามความคิดเห็นเรื่องงานวัด</a>"
            # A survey's questionnaire names the satisfaction report, which a form is not (a real college).
            "<a href='https://docs.google.com/forms/d/e/3x/viewform'>แบบสำรวจความพึงพอใจของผู้รับบริการ</a>"
            "<a href='https://www.facebook.com/tambon'>เพจเฟซบุ๊ก</a></body></html>")
    response = respond(f"{SITE}/", html, home=True)
    out = list(admission.process_spider_output(response, run(s, response)))
    links = [x for x in out if isinstance(x, Document) and x.kind == "link"]
    assert [(x.url, x.anchors, x.found_on, x.has_form) for x in links] == [(form, ["บริการ e-service"], f"{SITE}/", True)]
    requests = [x.url for x in out if isinstance(x, scrapy.Request)]
    assert not any("docs.google.com" in u or "facebook" in u for u in requests)  # none fetched
    assert s.crawler.stats.get_value("oitcheck/form_links") == 1

    from oitcheck import checklist as checklists
    from oitcheck.collect import Collector, feed

    checklist = checklists.load(2568)
    col = Collector(checklist, SITE + "/")
    for x in out:
        feed(col, x)
    eservice = next(i for i in checklist.items if i.topic == "eservice")
    v = {v.code: v for v in col.verdicts()}[eservice.code]
    assert v.status == "pass" and v.evidence[0].url == form and v.evidence[0].found_on == f"{SITE}/"
    assert [r.kind for r in v.reasons] == ["found", "form_link"] and "not opened" in v.reasons[1].en
    assert (col.pages, col.documents, col.by_kind.get("link")) == (1, 0, 1)  # a link, not a fetched document
