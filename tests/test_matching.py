"""Matching on its own: names found in wording variants, decoys and lookalikes rejected."""

from oitcheck import checklist as checklists
from oitcheck import rules
from oitcheck.collect import Collector
from oitcheck.matching import Matcher, filename_label, head_word, matcher_for
from oitcheck.model import Document
from oitcheck.thai import normalize
from oitcheck.verdicts import decide

C = checklists.load(2568)
M = matcher_for(C)
CTX = rules.Context(2568)


def doc(title, text="", kind="pdf", url="http://x.go.th/files/a.pdf", **kw):
    return Document(url=url, kind=kind, title=normalize(title), text=normalize(text, keep_newlines=True),
                    method="text-layer" if kind != "html" else "html", **kw)


def candidates(d):
    col = Collector(C, "http://x.go.th/")
    col.add_document(d)
    return col.candidates(col.records[d.url])


def best(d, code):
    return next((c for c in candidates(d) if c.code == code), None)


def test_wording_variant_matches():
    d = doc("", "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘\nอบต.หนองบัว")
    c = best(d, "O6")  # 2568 O6: the plan and its progress, one item
    assert c.topic >= 0.85 and c.fiscal_years[0] == 2568
    assert decide(C.item("O6"), [c], CTX).status == "pass"


def test_broken_pdf_text_still_matches():
    d = doc("", "รายงานผลการด าเนินงานประจ าปี งบประมาณ พ.ศ. ๒๕๖๗")  # pdfminer-style loss of SARA AM
    assert best(d, "O7").topic >= 0.85


def test_plan_is_not_a_report():
    # แผน (plan) and รายงานผล (result report) differ by the head word only.
    d = doc("", "รายงานผลการบริหารและพัฒนาทรัพยากรบุคคล ประจำปีงบประมาณ 2567")
    c = best(d, "O14")  # แผนการบริหารและพัฒนาทรัพยากรบุคคล
    assert c is None or c.topic < 0.85
    assert best(d, "O15").topic >= 0.85


def test_one_item_of_two_wordings_says_which_was_found():
    # 2568 O6 is the plan and its 6-month progress as one item: either document passes it,
    # and the evidence names the wording found.
    plan = best(doc("", "แผนการดำเนินงาน ประจำปีงบประมาณ 2568"), "O6")
    progress = best(doc("", "รายงานผลการดำเนินงาน รอบ 6 เดือน ประจำปีงบประมาณ 2568"), "O6")
    assert plan.wording == C.item("O6").title
    assert progress.wording == "รายงานการกำกับติดตามการดำเนินงานและการใช้งบประมาณ รอบ 6 เดือน"
    v = decide(C.item("O6"), [progress], CTX)
    assert v.status == "pass" and f"พบในชื่อ «{progress.wording}»" in [r.th for r in v.reasons]


def test_news_post_mentioning_a_plan_is_not_the_plan():
    d = doc("อบต.หนองบัว จัดประชุมประชาคมเพื่อจัดทำแผนดำเนินงาน ประจำปี 2568", kind="html", url="http://x.go.th/news/1.html")
    c = best(d, "O6")
    v = decide(C.item("O6"), [c] if c else [], CTX)
    assert v.status == "fail"


def test_ita_index_page_is_never_evidence():
    d = doc("ITA 2568", "O1 โครงสร้างและอำนาจหน้าที่ O5 แผนดำเนินงาน", kind="html", url="http://x.go.th/ita.html")
    d.is_ita_index = True
    assert candidates(d) == []


def test_stale_year_is_explained():
    c = best(doc("", "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2566"), "O6")
    v = decide(C.item("O6"), [c], CTX)
    assert v.status == "fail" and v.found
    assert "found, but for 2566 (needs 2568)" in v.reasons[0].text


def test_filename_and_head_word():
    assert filename_label("http://x/%E0%B8%AA%E0%B8%82%E0%B8%A3_1-2568.pdf") == "สขร 1 2568"
    assert head_word("รายงานผลการดำเนินงาน") == "รายงาน"


def test_label_cache_is_bounded_and_changes_nothing(monkeypatch):
    import oitcheck.matching as matching

    monkeypatch.setattr(matching, "LABEL_CACHE", 8)
    cached = Matcher(C, C.agency.terms)
    titles = [f"แผนการดำเนินงาน ประจำปีงบประมาณ 2568 ฉบับที่ {i}" for i in range(20)] + ["หน้าหลัก", "คณะผู้บริหาร"]
    for i, t in enumerate(titles + titles):  # the second pass meets every label again
        fresh = Matcher(C, C.agency.terms)
        assert cached.label_hits(normalize(t)) == fresh.label_hits(normalize(t)), i
        assert len(cached._cache) <= 8


def test_the_bounds_only_skip_work():
    # Matcher.may_reach_cutoff (character counts, lengths) may only skip alignments, never a
    # hit a candidate could come from (score >= MIN_TOPIC): the same hits as aligning every name.
    from oitcheck.collect import MIN_TOPIC

    class Unbounded(Matcher):
        def may_reach_cutoff(self, form):
            return list(self._fuzzy)

    labels = ["หน้าหลัก", "b1451", "ข่าวกิจกรรม 1451", "ข่าว 12", "โครงสร้างองค์กร", "แผนภูมิโครงสร้าง", "อำนาจและหน้าที่",
              "คู่มือประชาชน", "สถิติการให้บริการประชาชน", "e-service ระบบบริการออนไลน์", "q&a ถาม-ตอบ", "ข้อมูล",
              "รายงาน", "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2568 องค์การบริหารส่วนตำบลหนองบัว อำเภอเมือง"]
    for year in checklists.years():
        labels += [normalize(it.title) for it in checklists.load(year).items]
    for year in checklists.years():
        c = checklists.load(year)
        bounded, full = Matcher(c, c.agency.terms), Unbounded(c, c.agency.terms)
        for label in labels:
            got = {h for h in bounded.label_hits(label) if h.score >= MIN_TOPIC}
            want = {h for h in full.label_hits(label) if h.score >= MIN_TOPIC}
            assert got == want, (year, label)


def test_a_report_on_the_plan_is_not_the_plan():
    # An annual report's line "ผลการดำเนินงานตามแผนพัฒนาท้องถิ่น" (results under the plan)
    # names the plan as the object of ตาม: it is not the plan (2568 O5).
    d = doc("", "รายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2567\nผลการดำเนินงานตามแผนพัฒนาท้องถิ่น ปีงบประมาณ 2567")
    c = best(d, "O5")
    assert c is None or c.topic < 0.85
    assert best(d, "O7").topic >= 0.85
    assert best(doc("", "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)"), "O5").topic >= 0.85


# --- wording met on real sites -------------------------------------------------------------------

C66 = checklists.load(2566)
M66 = matcher_for(C66)


def hit66(label, code):
    idx = next(n for n, it in enumerate(C66.items) if it.code == code)
    return next((h for h in M66.label_hits(normalize(label)) if h.item == idx), None)


def test_every_word_of_a_name_with_another_word_between_names_the_item():
    # A real อบต.'s notice: "คู่มืองานบริการสำหรับประชาชน" is the citizens' manual (คู่มือสำหรับประชาชน);
    # the name's kind word (คู่มือ) is found where its words start, not where the letters align best.
    h = hit66("ประกาศ เรื่อง คู่มืองานบริการสำหรับประชาชน", "O14")
    assert h is not None and h.score >= 0.85 and not h.mention


def test_a_body_phrase_does_not_lift_a_different_name():
    # A law PDF "ระเบียบข้าราชการท้องถิ่น" whose text names ผู้บริหารท้องถิ่น is no executives' page.
    col = Collector(C66, "http://x.go.th/")
    d = doc("", "พระราชบัญญัติระเบียบบริหารงานบุคคลส่วนท้องถิ่น ผู้บริหารท้องถิ่น มีอำนาจ", url="http://x.go.th/pdf/law.pdf",
            anchors=[normalize("ระเบียบข้าราชการท้องถิ่น")])
    col.add_document(d)
    o2 = [c for c in col.candidates(col.records[d.url]) if c.code == "O2"]
    assert not o2 or o2[0].topic < 0.85


def test_a_range_of_codes_heads_a_group_not_an_item():
    from oitcheck.pages import block_code, parse_html

    assert block_code("ข้อมูลพื้นฐาน (o1 - o6)") is None and block_code("o7 ข่าวประชาสัมพันธ์") == "O7"
    html = ("<div><p>ข้อมูลพื้นฐาน (O1 - O6)</p><ul>" + "".join(f"<li><a href='/d{n}.pdf'>เอกสาร {n}</a></li>" for n in range(8))
            + "</ul></div>" + "".join(f"<p>O{n} เรื่อง {n}</p><a href='/o{n}.pdf'>o{n}</a>" for n in range(7, 13)))
    page = parse_html(html, "http://x.go.th/ita")
    codes = {link.url.rsplit("/", 1)[-1]: link.code for link in page.links}
    assert page.is_ita_index and codes["d0.pdf"] is None and codes["o9.pdf"] == "O9"


def test_the_renderers_click_attribution_wins_over_the_text_above_a_link():
    from oitcheck.pages import Link, parse_html
    from oitcheck.render import merge

    page = parse_html("<p>O7 ข่าว</p>" + "".join(f"<a href='/f{n}.pdf'>ไฟล์ {n}</a>" for n in range(6)), "http://x.go.th/ita")
    clicked = [Link(f"http://x.go.th/f{n}.pdf", f"ไฟล์ {n}", f"O{n + 1}") for n in range(6)]
    merge(page, clicked, precise=True)
    assert [link.code for link in page.links] == [f"O{n + 1}" for n in range(6)]


def test_a_council_meeting_is_not_a_village_forum():
    # "ประชุมประชาคม" (13 characters) is matched as it stands: "รายงานการประชุมสภา" is not it.
    assert (hit66("รายงานการประชุมสภา", "O33") or type("h", (), {"score": 0})).score < 0.7
    assert hit66("ประชุมประชาคมหมู่บ้าน ครั้งที่ 1", "O33").score >= 0.85


def test_a_preview_of_a_document_is_not_the_pages_picture():
    from oitcheck.pages import parse_html

    page = parse_html("<img src='/u/img_1.jpeg' alt='ภาพตัวอย่างเอกสาร รายงานการติดตามและประเมินผล' width='300'>"
                      "<img src='/u/chart.jpg' alt='แผนผังโครงสร้าง'>", "http://x.go.th/e-book")
    assert [i.src for i in page.images] == ["http://x.go.th/u/chart.jpg"]


def test_a_unit_that_shares_a_names_tail_is_not_the_item():
    # A real college's work manual is headed by its unit, "ฝ่ายแผนงานและความร่วมมือ"; the
    # characters of "ลงนามความร่วมมือ" (an MOU, the participation item's word) align with its
    # tail at 0.87 and the manual passed as the participation item.
    ovec = checklists.load(2568, agency="ovec")
    m = matcher_for(ovec)

    def score(label, item_code):
        return max((h.score for h in m.label_hits(normalize(label)) if ovec.items[h.item].code == item_code), default=0)

    assert score("ฝ่ายแผนงานและความร่วมมือ", "O29") < 0.75
    assert score("พิธีลงนามความร่วมมือโครงการสถานศึกษาสีขาว", "O29") >= 0.85  # the name's own words
    # A label that keeps the first word still matches despite a typo further on.
    assert max((h.score for h in M.label_hits(normalize("แผนดำเนนงานประจำปี 2568"))), default=0) >= 0.85
