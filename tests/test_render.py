"""Sites that render with JavaScript (issue 18, part 3): pages that need a browser are
rendered in Debian's headless Chromium, controls that mount content on click are clicked,
and a plain site starts no browser. Fixture sites: tests/jssites.py, served on 127.0.0.1."""

from __future__ import annotations

import json
import shutil

import pytest

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.pages import parse_html
from oitcheck.render import inline_json_links, needs_browser

from .conftest import run_oitcheck
from .jssites import build_app_site, build_click_site

YEAR = 2568
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None and not __import__("os").path.exists("/usr/bin/chromium"),
                                    reason="Debian's chromium is not installed (scripts/setup.sh --test installs it)")


def crawl(url, out, *extra):
    proc = run_oitcheck("crawl", url, "--year", YEAR, "--out", out, "--no-history", "--no-ocr", "--quiet", *extra,
                        timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((out / "report.json").read_text("utf-8"))


def found_paths(report, paths: dict[str, str]) -> set[str]:
    """Codes whose evidence is the item's own page (the per-item route), whatever the redirect."""
    got = set()
    for item in report["items"]:
        want = paths[item["code"]]
        if any(e["url"].rstrip("/").endswith(want) for e in item["evidence"]) and item["found"]:
            got.add(item["code"])
    return got


@pytest.fixture(scope="module")
def app_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("js-app-site")
    paths = build_app_site(root, checklists.load(YEAR))
    with LocalSite(root) as url:
        yield url, paths


@needs_chromium
def test_app_hub_rendered_from_json_finds_the_items_and_no_js_does_not(app_site, tmp_path):
    url, paths = app_site
    report = crawl(url, tmp_path / "js")
    crawl_out = report["crawl"]
    assert crawl_out["browser_started"] is True
    rendered = {r["url"].rstrip("/"): r for r in crawl_out["rendered"]}
    hub = rendered[url + "ITA"]
    assert hub["reason"] == "shell" and hub["new_links"] >= len(paths) and "error" not in hub, hub
    assert hub["seconds"] > 0
    found = found_paths(report, paths)
    assert len(found) >= len(paths) - 2, sorted(set(paths) - found)
    assert any(p.rstrip("/").endswith("/ITA") for p in crawl_out["ita_index_pages"]), crawl_out["ita_index_pages"]

    plain = crawl(url, tmp_path / "nojs", "--no-js")
    assert plain["crawl"]["browser_started"] is False and plain["crawl"]["rendered"] == []
    assert found_paths(plain, paths) == set()
    # Without a browser the route manifest still leads to the hub, which shows nothing.
    assert plain["crawl"]["pages"] >= 2
    assert sum(i["found"] for i in plain["items"]) <= 1


@needs_chromium
def test_items_behind_a_card_and_an_accordion_are_found(tmp_path):
    root = tmp_path / "site"
    paths = build_click_site(root, checklists.load(YEAR))
    with LocalSite(root) as url:
        report = crawl(url, tmp_path / "out")
    crawl_out = report["crawl"]
    assert crawl_out["browser_started"] is True
    (hub,) = [r for r in crawl_out["rendered"] if r["url"].endswith("/ita.html")]
    groups = len({i["subindicator"] or i["indicator"] for i in report["items"]})
    assert hub["reason"] == "controls"
    assert hub["clicks"] >= groups + len(paths), hub  # every card, then every accordion item
    assert hub["navigations"] >= 2, hub  # the two buttons that navigate (location.href, pushState)
    found = found_paths(report, paths)
    assert {"O3", "O4"} <= found  # reached only through a click that navigates
    assert len(found) >= len(paths) - 2, sorted(set(paths) - found)
    # The accordion item's label gives its link the item code: the hub is an ITA index.
    assert any(p.endswith("/ita.html") for p in crawl_out["ita_index_pages"])
    # The plain home page was not rendered.
    assert all(not r["url"].rstrip("/").endswith(url.rstrip("/")) for r in crawl_out["rendered"])


def test_a_plain_server_rendered_site_starts_no_browser(e2e):
    crawl_out = e2e["report"]["crawl"]
    assert crawl_out["browser_started"] is False
    assert crawl_out["rendered"] == []


def test_which_pages_need_a_browser():
    shell = '<html><head><script src="/_next/static/chunks/main.js"></script></head><body><div id="__next"></div></body></html>'
    assert needs_browser(shell, parse_html(shell, "http://a.ac.th/")) == "shell"
    # A server-rendered Next.js ITA hub with collapsed cards and no item links.
    hub = ('<html><head><title>ITA</title></head><body><h1>ITA 2568</h1>' + "<p>ข้อมูลสาธารณะของวิทยาลัย</p>" * 40 +
           '<button aria-expanded="false">ตัวชี้วัดย่อยที่ 9.1</button>' +
           "".join(f'<a href="/n{i}">เมนู {i}</a>' for i in range(20)) +
           '<script>self.__next_f.push([1,"x"])</script></body></html>')
    assert needs_browser(hub, parse_html(hub, "http://a.ac.th/ITA")) == "controls"
    # The same app's news page is not rendered (its HTML says enough).
    news = hub.replace("<title>ITA</title>", "<title>ข่าว</title>").replace("<h1>ITA 2568</h1>", "<h1>ข่าว</h1>")
    assert needs_browser(news, parse_html(news, "http://a.ac.th/news/1")) is None
    # An old server-rendered page with a Bootstrap collapse: its links are in the HTML already.
    old = ('<html><head><title>ITA</title></head><body>' + "<p>ข้อความ</p>" * 100 +
           '<button data-toggle="collapse">O1</button><div class="collapse"><a href="/o1.pdf">O1</a></div></body></html>')
    assert needs_browser(old, parse_html(old, "http://a.go.th/ita.php")) is None


def test_links_only_in_inline_data_are_used():
    page = ('<div id="__next"></div><script id="__NEXT_DATA__" type="application/json">'
            '{"props":{"pageProps":{"groups":[{"title":"9.1","items":[{"title":"O1 โครงสร้าง","links":'
            '[{"name":"เอกสาร","url":"/ITA/2568/01"}]},{"title":"O2 ผู้บริหาร","href":"https://a.ac.th/ITA/2568/02"}]}]}},'
            '"page":"/ITA","buildId":"b1"}</script><script src="/_next/static/chunks/x.js"></script>')
    links = {link.url: link for link in inline_json_links(page, "https://a.ac.th/ITA")}
    assert links["https://a.ac.th/ITA/2568/01"].code == "O1"  # the item's code, the link's own name
    assert links["https://a.ac.th/ITA/2568/01"].text == "เอกสาร"
    assert links["https://a.ac.th/ITA/2568/02"].code == "O2"
    assert not any("_next" in u for u in links)
    parsed = parse_html(page, "https://a.ac.th/ITA")
    assert needs_browser(page, parsed, json_links=len(links)) == "shell"


def test_one_document_revealed_under_two_items_controls_is_a_lead_for_both():
    # Real hubs give one file for two items (a plan with its progress report): the link first
    # revealed under O5's control is revealed again under O6's; it stays O5's and is O6's too.
    from oitcheck.render import RenderLimits, _Walk, merge

    walk = _Walk("https://a.ac.th/ITA", RenderLimits())
    walk.add("https://a.ac.th/files/plan.pdf", "ดาวน์โหลด", via="O5 แผนการดำเนินงานประจำปี", fresh=True)
    walk.add("https://a.ac.th/files/plan.pdf#page=2", "ดาวน์โหลด", via="O6 ความก้าวหน้าการดำเนินงาน", fresh=True)
    walk.add("https://a.ac.th/files/plan.pdf", "ดาวน์โหลด", via="O6 ความก้าวหน้าการดำเนินงาน", fresh=True)  # once
    walk.add("https://a.ac.th/files/plan.pdf", "ดาวน์โหลด", via="ตัวชี้วัดย่อยที่ 9.2 (O5 - O8)", fresh=True)  # a range
    (link,) = walk.seen.values()
    assert (link.code, link.also) == ("O5", ["O6"])

    others = [type(link)(f"https://a.ac.th/o{n}", "เอกสาร", f"O{n}") for n in (1, 2, 3, 4)]
    page = parse_html('<a href="/files/plan.pdf">แผน</a>', "https://a.ac.th/ITA")
    merge(page, [link, *others], precise=True)
    (merged,) = [x for x in page.links if x.url.endswith("plan.pdf")]
    assert page.is_ita_index and (merged.code, merged.also) == ("O5", ["O6"])
    # A page that is no ITA index keeps no item codes, given or also-given.
    plain = parse_html('<a href="/files/plan.pdf">แผน</a>', "https://a.ac.th/news")
    merge(plain, [type(link)(link.url, link.text, "O5", also=["O6"])], precise=True)
    assert (plain.links[0].code, plain.links[0].also) == (None, [])
