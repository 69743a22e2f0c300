"""The middle of the pipeline, offline and without a reactor: collecting, deciding,
reporting. A failing test here names the step, not just "O14 wrong"."""

import json

import pytest

from oitcheck import checklist as checklists
from oitcheck import collect, rules
from oitcheck.collect import Collector
from oitcheck.finish import CrawlInfo, build_report
from oitcheck.model import Candidate, Document, report_from_dict, report_json_schema
from oitcheck.thai import normalize
from oitcheck.verdicts import decide

C = checklists.load(2568)
CTX = rules.Context(2568)
SITE = "http://x.go.th/"


def page(url, title="", text="", **kw):
    return Document(url=SITE.rstrip("/") + url, kind="html", title=normalize(title),
                    text=normalize(text, keep_newlines=True), **kw)


def pdf(url, text, **kw):
    return Document(url=SITE.rstrip("/") + url, kind="pdf", text=normalize(text, keep_newlines=True),
                    method="text-layer", **kw)


def verdicts(col):
    return {v.code: v for v in col.verdicts()}


# --- one bad candidate never kills the report ---------------------------------------------


def test_ocr_document_without_any_year_does_not_crash_and_is_not_an_ocr_year():
    # Real อบต. site: a scanned organisation chart read by OCR with no year in it crashed
    # decide() (IndexError on fiscal_years[0]) and no report was written.
    col = Collector(C, SITE)
    col.add_document(Document(url=SITE + "files/chart.jpg", kind="image", text="แผนภูมิโครงสร้างองค์กร สำนักปลัด",
                              method="ocr", anchors=["โครงสร้างและอำนาจหน้าที่"]))
    cands = [c for c in col.candidates(col.records[SITE + "files/chart.jpg"]) if c.code == "O1"]
    assert cands and not cands[0].fiscal_years and cands[0].year_from_ocr is False
    forced = Candidate(code="O1", url=SITE, found_on="", kind="image", method="ocr", topic=1.0, where="label",
                       matched="โครงสร้าง", snippet="โครงสร้าง", year_from_ocr=True)
    assert decide(C.item("O1"), [forced], CTX).code == "O1"


def test_a_failure_deciding_one_item_becomes_that_items_error(monkeypatch):
    col = Collector(C, SITE)
    col.add_document(page("/structure.html", "โครงสร้างและอำนาจหน้าที่", "โครงสร้าง อำนาจหน้าที่"))
    real = collect.decide

    def broken(item, *a, **kw):
        if item.code == "O2":
            raise IndexError("list index out of range")
        return real(item, *a, **kw)

    monkeypatch.setattr(collect, "decide", broken)
    report = build_report(col)
    assert len(report.items) == 26
    assert report.item("O2").status == "fail" and "IndexError" in report.item("O2").error
    assert report.item("O1").error is None and report.item("O1").status == "pass"


# --- collecting -------------------------------------------------------------------------


def test_link_texts_label_a_url_whenever_they_arrive():
    # The menu link says what a page is; it may be met before or after the page is read.
    late, early = Collector(C, SITE), Collector(C, SITE)
    doc = page("/page.php?id=7", "องค์การบริหารส่วนตำบลหนองบัว", "รายชื่อ นายสมชาย ใจดี")
    late.add_document(doc)
    late.add_anchor(doc.url, "คณะผู้บริหาร")
    early.add_anchor(doc.url, "คณะผู้บริหาร")
    early.add_document(page("/page.php?id=7", "องค์การบริหารส่วนตำบลหนองบัว", "รายชื่อ นายสมชาย ใจดี"))
    assert verdicts(late)["O2"].status == verdicts(early)["O2"].status == "pass"


def test_anchor_choice_is_independent_of_arrival_order():
    texts = [f"ลิงก์ที่ {i}" for i in range(12)] + ["o2 คณะผู้บริหาร"]
    a, b = Collector(C, SITE), Collector(C, SITE)
    for t in texts:
        a.add_anchor(SITE + "x", t)
    for t in reversed(texts):
        b.add_anchor(SITE + "x", t)
    assert a.pending_anchors[SITE + "x"] == b.pending_anchors[SITE + "x"]
    assert a.pending_anchors[SITE + "x"][0] == "o2 คณะผู้บริหาร" and len(a.pending_anchors[SITE + "x"]) == collect.ANCHORS_KEPT


def test_site_chrome_is_not_a_pages_label():
    # A sidebar box headed "คู่มือประชาชน" on every page made the home page evidence for it.
    col = Collector(C, SITE)
    sidebar = "คู่มือสำหรับประชาชน\nดาวน์โหลดแบบฟอร์ม"
    for n in range(10):
        col.add_document(page(f"/news{n}.html", f"ข่าวกิจกรรม {n}", f"ชาวบ้านร่วมกิจกรรม ครั้งที่ {n}\n{sidebar}",
                              headings=["คู่มือสำหรับประชาชน"]))
    assert not [c for rec in col.records.values() for c in col.candidates(rec) if c.code == "O9"]
    # ... but the menu link's text still labels the page it points to.
    col.add_document(pdf("/files/manual.pdf", "ขั้นตอนการขออนุญาตก่อสร้างอาคาร ระยะเวลา เอกสาร", anchors=["คู่มือสำหรับประชาชน"]))
    assert verdicts(col)["O9"].status == "pass"


def test_agency_name_is_not_the_executives_item():
    col = Collector(C, SITE)
    col.add_document(page("/", "องค์การบริหารส่วนตำบลโป่งน้อย อำเภอเมือง", "ยินดีต้อนรับ", home=True))
    assert col.agency_name == "องค์การบริหารส่วนตำบลโป่งน้อย"
    for n in range(5):
        col.add_document(page(f"/notice{n}.html", f"ประกาศองค์การบริหารส่วนตำบลโป่งน้อย เรื่อง รับสมัครงาน {n}", "ประกาศ"))
    assert verdicts(col)["O2"].found is False


def test_placeholder_page_is_not_evidence():
    col = Collector(C, SITE)
    col.add_document(page("/ethics.html", "ประมวลจริยธรรม", "ประมวลจริยธรรมและการขับเคลื่อนจริยธรรม\nกำลังปรับปรุงข้อมูล"))
    v = verdicts(col)["O16"]
    assert v.status == "fail" and v.reasons[0].kind == "placeholder"


def test_ita_index_leads_and_broken_leads():
    col = Collector(C, SITE)
    col.add_lead("O13", SITE + "files/o13.pdf", SITE + "ita.html")
    col.add_error(SITE + "files/o13.pdf", "HTTP 404", SITE + "ita.html")
    col.add_lead("O14", SITE + "files/hr.pdf", SITE + "ita.html")
    col.add_document(pdf("/files/hr.pdf", "แผนพัฒนาบุคลากร ประจำปีงบประมาณ 2568", anchors=["คลิก"]))
    v = verdicts(col)
    assert v["O13"].status == "fail" and v["O13"].reasons[0].kind == "broken_lead" and "HTTP 404" in v["O13"].reasons[0].en
    assert v["O14"].status == "pass" and v["O14"].evidence[0].lead


def test_an_item_found_only_through_a_broken_lead_has_no_evidence_and_a_near_miss_is_only_near():
    # A real college's hub linked O2 to its production host (down); a file whose name merely
    # sounds alike became the item's evidence, so the report pointed at the wrong file.
    from oitcheck.verdicts import TOPIC_PASS_LEAD

    item = C.item("O2")
    weak = cand("O2", SITE + "forms/move.pdf", topic=TOPIC_PASS_LEAD + 0.01)
    v = decide(item, [weak], CTX, broken_leads=[("https://www.x.go.th/executives", "DNS lookup failed")])
    assert v.status == "fail" and v.found  # the agency did link something for the item
    assert v.evidence == []
    assert v.near is weak and [r.kind for r in v.reasons][0] == "broken_lead"
    # Twenty broken links: three named, the rest counted (a real college's hub).
    many = [(f"https://old.x.go.th/press/{n}", "DNS lookup failed") for n in range(20)]
    v = decide(item, [], CTX, broken_leads=many)
    assert [r.kind for r in v.reasons] == ["broken_lead"] * 4
    assert "press/2" in v.reasons[2].en and v.reasons[3].en == "and 17 more links that do not open (see the crawl errors)"
    # Without the broken lead the near miss is still shown where it was nearly found.
    v = decide(item, [weak], CTX)
    assert not v.found and v.evidence == [weak]


# --- deciding ------------------------------------------------------------------------------


def cand(code, url, topic=1.0, **kw):
    return Candidate(code=code, url=url, found_on="", kind="pdf", method="text-layer", topic=topic, where="label",
                     matched="x", snippet="x", **kw)


def test_monthly_coverage_needs_october_to_march():
    item = C.item("O12")
    three = [cand("O12", f"{SITE}m{m}.pdf", fiscal_years=[2568], months=[(2567, m)]) for m in (10, 11, 12)]
    v = decide(item, three, CTX)
    assert v.status == "fail" and v.reasons[0].kind == "months" and "only 3 months" in v.reasons[0].en
    six = three + [cand("O12", f"{SITE}n{m}.pdf", fiscal_years=[2568], months=[(2568, m)]) for m in (1, 2, 3)]
    assert decide(item, six, CTX).status == "pass"


def test_strong_evidence_ranks_by_strength_not_kind():
    # Real อบต.: a dozen weak PDF mentions pushed out the HTML page titled exactly as the item.
    item = C.item("O2")
    weak = [cand("O2", f"{SITE}f{n}.pdf", topic=0.87) for n in range(12)]
    strong = Candidate(code="O2", url=SITE + "executives.html", found_on="", kind="html", method="html", topic=1.0,
                       where="label", matched="คณะผู้บริหาร", snippet="คณะผู้บริหาร")
    v = decide(item, weak + [strong], CTX)
    assert v.evidence[0].url == SITE + "executives.html"
    assert decide(item, [strong] + weak[::-1], CTX).evidence[0].url == v.evidence[0].url


def test_ocr_year_conflict_is_a_look_not_a_fail():
    col = Collector(C, SITE)
    # OCR read ๒๕๕๖ as 2553; the link text says 2568.
    col.add_document(Document(url=SITE + "files/plan.jpg", kind="image", method="ocr",
                              text="แผนการดำเนินงาน ประจำปีงบประมาณ 2553", anchors=["แผนดำเนินงาน ประจำปี 2568"]))
    v = verdicts(col)["O6"]
    assert v.status == "pass" and v.review and "2553" in v.review_reason.en
    implausible = cand("O6", SITE + "p.pdf", fiscal_years=[2553], year_from_ocr=True, year_source="text")
    v = decide(C.item("O6"), [implausible], CTX)
    assert v.status == "pass" and v.review


def test_describe_failure_names_the_cause():
    from twisted.internet.error import ConnectionRefusedError, DNSLookupError
    from twisted.python.failure import Failure

    from oitcheck.crawler.middlewares import PAGE_BUDGET_REASON
    from oitcheck.crawler.spiders.site import describe_failure
    from scrapy.exceptions import IgnoreRequest

    assert describe_failure(Failure(DNSLookupError("x"))) == "DNS lookup failed (no such host)"
    assert describe_failure(Failure(ConnectionRefusedError())) == "connection refused"
    assert describe_failure(Failure(IgnoreRequest(PAGE_BUDGET_REASON))) is None


# --- the report model ------------------------------------------------------------------------


def test_report_round_trips_and_validates():
    col = Collector(C, SITE)
    col.add_document(page("/structure.html", "โครงสร้างและอำนาจหน้าที่", "โครงสร้าง อำนาจหน้าที่"))
    report = build_report(col, CrawlInfo(stats={"response_received_count": 3}, run_id="abc"))
    data = json.loads(report.to_json())
    again = report_from_dict(data)
    assert again == report
    import jsonschema

    jsonschema.validate(data, report_json_schema())
    data["items"][0]["status"] = 7
    with pytest.raises(ValueError):
        report_from_dict(data)


def test_shipped_report_schema_is_the_models():
    from importlib import resources

    shipped = json.loads((resources.files("oitcheck.reports") / "report.schema.json").read_text("utf-8"))
    assert shipped == report_json_schema(), "run: python -m oitcheck.model > reports/report.schema.json"


def test_checklist_schema_and_rule_registry_agree():
    shipped = json.loads((checklists.HERE / "schema.json").read_text("utf-8"))
    assert shipped == checklists.build_schema(), "the rules in checklists/schema.json differ from oitcheck.rules"


def test_a_new_rule_kind_is_one_registration(tmp_path):
    # A test-only rule: the page must name the agency's phone number.
    from oitcheck.model import Reason

    rule = rules.RuleKind(
        name="phone", schema={"type": "boolean"}, default=False,
        doc_facts=lambda doc, values: "โทร" in doc.text,
        apply=lambda value, facts, c, label: setattr(c, "notes", c.notes + (["phone"] if facts else [])),
        check=lambda value, c, ctx: None if "phone" in c.notes else Reason("phone", "ไม่มีเบอร์โทร", "no phone", "rules"))
    rules.register(rule)
    try:
        src = (checklists.HERE / "lao-2568.yaml").read_text("utf-8")
        path = tmp_path / "lao-2568.yaml"
        path.write_text(src.replace("topic: executives, confidence", "topic: executives, rules: {phone: true}, confidence"),
                        "utf-8")
        c = checklists.load(path=path)
        assert c.item("O2").rules.phone is True
        with pytest.raises(checklists.ChecklistError, match="phone"):
            bad = tmp_path / "bad" / "lao-2568.yaml"
            bad.parent.mkdir()
            bad.write_text(src.replace("topic: executives, confidence", "topic: executives, rules: {phone: 3}, confidence"),
                           "utf-8")
            checklists.load(path=bad)
        col = Collector(c, SITE)
        col.add_document(page("/exec.html", "คณะผู้บริหาร", "นายสมชาย ใจดี นายก"))
        v = {x.code: x for x in col.verdicts()}["O2"]
        assert v.status == "fail" and v.reasons[0].kind == "phone"
        col = Collector(c, SITE)
        col.add_document(page("/exec.html", "คณะผู้บริหาร", "นายสมชาย ใจดี นายก โทร 081"))
        assert {x.code: x for x in col.verdicts()}["O2"].status == "pass"
    finally:
        rules.unregister("phone")


# --- the ITA page's own word (a real college's hub rendered by JavaScript) -------------------


def test_a_lead_whose_title_says_nothing_is_taken_as_given_for_a_look_by_eye():
    # The hub gives "017-งบหน้า68.pdf" for the budget plan; nothing in its labels names any item.
    col = Collector(C, SITE)
    col.add_lead("O6", SITE + "files/017-68.pdf", SITE + "ita.html")
    col.add_document(pdf("/files/017-68.pdf", "งบหน้า ประจำปีงบประมาณ 2568 ยอดรวม 3,500,000 บาท"))
    v = verdicts(col)["O6"]
    assert v.status == "pass" and v.review and v.review_reason.kind == "review_lead"
    assert v.evidence[0].lead and v.confidence >= 0.6


def test_a_lead_to_a_document_plainly_about_another_item_fails_and_says_which():
    col = Collector(C, SITE)
    col.add_lead("O6", SITE + "files/x.pdf", SITE + "ita.html")
    col.add_document(pdf("/files/x.pdf", "คู่มือการปฏิบัติงาน งานพัสดุ", anchors=["คู่มือการปฏิบัติงาน"]))
    v = verdicts(col)["O6"]
    assert v.status == "fail" and v.reasons[0].kind == "lead_off_topic" and "O8" in v.reasons[0].en


# --- pages that name an item and hold nothing -------------------------------------------------


def test_a_heading_with_nothing_under_it_is_an_empty_page():
    col = Collector(C, SITE)
    col.add_document(page("/list.php", "คู่มือประชาชน", "คู่มือประชาชน", headings=[normalize("คู่มือประชาชน")]))
    v = verdicts(col)["O9"]
    assert v.status == "fail" and v.reasons[0].kind == "placeholder" and "nothing under it" in v.reasons[0].en


def test_a_page_whose_document_does_not_open_is_known_whichever_page_met_it_first():
    col = Collector(C, SITE)
    doc_url = SITE + "files/guide.pdf"
    col.add_error(doc_url, "HTTP 404", SITE + "news.php")  # met first on another page
    col.add_links(SITE + "guide.php", [doc_url])
    col.add_document(page("/guide.php", "คู่มือสำหรับประชาชน", "ไฟล์แนบ : คู่มือสำหรับประชาชน.pdf"))
    assert col.linked_documents(SITE + "guide.php") == (0, 1)
    v = verdicts(col)["O9"]
    assert v.status == "fail" and "does not open" in v.reasons[0].en


def test_a_list_that_says_it_lists_nothing_is_not_the_item():
    col = Collector(C, SITE)
    filters = "\n".join(f"หมวดที่ {n} ข้อมูลข่าวสารตามมาตรา 7 ของพระราชบัญญัติข้อมูลข่าวสารของราชการ" for n in range(6))
    col.add_document(page("/search.php?c=1", "ค้นหาเอกสาร", filters + "\nไม่มีข้อมูลเอกสารในเงื่อนไขที่เลือก",
                          anchors=[normalize("คู่มือหรือแนวทางการปฏิบัติงานของเจ้าหน้าที่")]))
    v = verdicts(col)["O8"]
    assert v.status == "fail" and not v.found


def test_a_news_list_showing_no_stories_under_its_filters_is_not_the_news_item():
    # A real college's news page (its database empty): a heading, category and month filters,
    # "ไม่พบข้อมูลที่คุณค้นหา". The message also reads as a placeholder, which the filters' text
    # escaped, so the page passed as the news item.
    col = Collector(C, SITE)
    filters = ("ทุกหมวดหมู่ข่าวประชาสัมพันธ์จดหมายข่าวฝึกประสบการณ์ข่าวประกาศประกวดราคาคำสั่งวิทยาลัย"
               "ทุกปี พ.ศ. 2568 พ.ศ. 2567 ทุกเดือนมกราคมกุมภาพันธ์มีนาคมเมษายนพฤษภาคมมิถุนายนกรกฎาคม")
    col.add_document(page("/news", "ข่าวประชาสัมพันธ์", f"ข่าวประชาสัมพันธ์\nshowing 0 stories\n{filters}\nไม่พบข้อมูลที่คุณค้นหา",
                          headings=[normalize("ข่าวประชาสัมพันธ์")]))
    v = verdicts(col)
    news = next(code for code, x in v.items() if C.item(code).topic == "news")
    assert v[news].status == "fail" and not v[news].found, v[news]


# --- the executives' box on every page ---------------------------------------------------------


def test_executives_box_on_the_home_page_names_a_person():
    home = "หน้าแรก\nคณะผู้บริหาร\nกองคลัง\nข่าว\nคณะผู้บริหาร\nนายสมชาย ใจดี\nนายกเทศมนตรี"
    col = Collector(C, SITE)
    col.add_document(page("/", "เทศบาลตำบลหนองบัว", home, headings=["คณะผู้บริหาร"], home=True))
    v = verdicts(col)["O2"]
    assert v.status == "pass" and v.evidence[0].where == "home" and "นายสมชาย" in v.evidence[0].snippet
    # The same heading as a menu item with no one under it is no executives' box.
    col = Collector(C, SITE)
    col.add_document(page("/", "เทศบาลตำบลหนองบัว", "หน้าแรก\nคณะผู้บริหาร\nกองคลัง\nนายกเทศมนตรี", headings=["คณะผู้บริหาร"],
                          home=True))
    assert verdicts(col)["O2"].status == "fail"


def test_one_page_under_two_addresses_is_not_site_chrome():
    # A PHP site serves every page as ?p=x and index.php?p=x: two copies of a page's text are
    # still one page, so its content is not taken for the template (4 pages would be).
    col = Collector(C, SITE)
    law = "ระเบียบกระทรวงมหาดไทยว่าด้วยวิธีงบประมาณขององค์กรปกครองส่วนท้องถิ่น พ.ศ. 2541 ข้อ 1 ระเบียบนี้เรียกว่า"
    for path in ("/?p=a", "/index.php?p=a", "/?p=b", "/index.php?p=b"):
        col.add_document(page(path, "เทศบาลตำบลหนองบัว", ("ข้อความของหน้า a\n" if "a" in path else "") + law))
    col.add_document(page("/?p=c", "เทศบาลตำบลหนองบัว", "หน้าอื่น"))
    assert not col.is_chrome(normalize(law))
    assert col.own_text(col.records[SITE + "?p=b"]) >= len(normalize(law))


def test_a_one_page_sites_authority_section_is_its_evidence():
    home = ("หน้าแรก\nอำนาจหน้าที่\nพระราชบัญญัติกำหนดแผนและขั้นตอนการกระจายอำนาจให้แก่องค์กรปกครองส่วนท้องถิ่น พ.ศ. 2542 "
            "มาตรา 16 ให้เทศบาลมีอำนาจและหน้าที่ในการจัดระบบการบริการสาธารณะ การจัดให้มีและบำรุงรักษาทางบก ทางน้ำ")
    c66 = checklists.load(2566)
    col = Collector(c66, SITE)
    col.add_document(page("/", "ศูนย์ข้อมูลข่าวสารเทศบาลนคร", home, outline=["อำนาจหน้าที่"], home=True))
    v = {x.code: x for x in col.verdicts()}["O3"]
    assert v.status == "pass" and v.evidence[0].where == "home", v.reasons
    # A heading with a line under it is a menu, not a section with content.
    col = Collector(c66, SITE)
    col.add_document(page("/", "ศูนย์ข้อมูลข่าวสารเทศบาลนคร", "หน้าแรก\nอำนาจหน้าที่\nอ่านต่อ", outline=["อำนาจหน้าที่"], home=True))
    assert {x.code: x for x in col.verdicts()}["O3"].status == "fail"


def test_a_post_whose_picture_is_another_items_document_is_that_item():
    # A real อบต.: a post titled as the annual operating plan shows page 1 of the procurement plan.
    c66 = checklists.load(2566)
    col = Collector(c66, SITE)
    post = SITE + "news.php?id=221"
    col.add_anchor(post, normalize("ประกาศการใช้แผนดำเนินงานประจำปีงบประมาณ 2566"))
    col.add_document(page("/news.php?id=221", "องค์การบริหารส่วนตำบลไทรย้อย", "", pictures=[SITE + "p/10.jpg"]))
    col.add_document(Document(url=SITE + "p/10.jpg", kind="image", method="ocr", found_on=post, from_page=True,
                              anchors=[normalize("ประกาศการใช้แผนดำเนินงานประจำปีงบประมาณ 2566")],
                              text=normalize("แผนการจัดหาพัสดุ ประจำปีงบประมาณ พ.ศ. 2566 ของ สำนักปลัด ลำดับ งานจัดซื้อ วงเงิน", keep_newlines=True)))
    v = {x.code: x for x in col.verdicts()}
    assert v["O10"].status == "fail" and not v["O10"].found
    assert v["O10"].reasons[0].kind == "other_content" and "O21" in v["O10"].reasons[0].en
    assert v["O21"].evidence and v["O21"].evidence[0].url == SITE + "p/10.jpg"
