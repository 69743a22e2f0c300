"""Matching on its own: names found in wording variants, decoys and lookalikes rejected."""

from oitcheck import checklist as checklists
from oitcheck.evidence import Document
from oitcheck.matching import Matcher, filename_label, head_word
from oitcheck.thai import normalize
from oitcheck.verdicts import decide

C = checklists.load(2568)
M = Matcher(C)


def doc(title, text="", kind="pdf", url="http://x.go.th/files/a.pdf", **kw):
    return Document(url=url, kind=kind, title=normalize(title), text=normalize(text, keep_newlines=True),
                    method="text-layer" if kind != "html" else "html", **kw)


def best(d, code):
    return next((c for c in M.match(d) if c.code == code), None)


def test_wording_variant_matches():
    d = doc("", "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘\nอบต.หนองบัว")
    c = best(d, "O5")
    assert c.topic >= 0.85 and c.fiscal_years[0] == 2568
    assert decide(C.item("O5"), [c], 2568).status == "pass"


def test_broken_pdf_text_still_matches():
    d = doc("", "รายงานผลการด าเนินงานประจ าปี งบประมาณ พ.ศ. ๒๕๖๗")  # pdfminer-style loss of SARA AM
    assert best(d, "O7").topic >= 0.85


def test_plan_is_not_a_report():
    # แผน (plan) and รายงานผล (result report) differ by the head word only.
    d = doc("", "รายงานผลการดำเนินงาน รอบ 6 เดือน ประจำปีงบประมาณ 2568")
    c = best(d, "O5")
    assert c is None or c.topic < 0.85


def test_news_post_mentioning_a_plan_is_not_the_plan():
    d = doc("อบต.หนองบัว จัดประชุมประชาคมเพื่อจัดทำแผนดำเนินงาน ประจำปี 2568", kind="html", url="http://x.go.th/news/1.html")
    c = best(d, "O5")
    v = decide(C.item("O5"), [c] if c else [], 2568)
    assert v.status == "fail"


def test_ita_index_page_is_never_evidence():
    d = doc("ITA 2568", "O1 โครงสร้างและอำนาจหน้าที่ O5 แผนดำเนินงาน", kind="html", url="http://x.go.th/ita.html")
    d.is_ita_index = True
    assert M.match(d) == []


def test_stale_year_is_explained():
    c = best(doc("", "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2566"), "O5")
    v = decide(C.item("O5"), [c], 2568)
    assert v.status == "fail" and v.found
    assert "found, but for 2566 (needs 2568)" in v.reasons[0]


def test_filename_and_head_word():
    assert filename_label("http://x/%E0%B8%AA%E0%B8%82%E0%B8%A3_1-2568.pdf") == "สขร 1 2568"
    assert head_word("รายงานผลการดำเนินงาน") == "รายงาน"


def test_label_cache_is_bounded_and_changes_nothing(monkeypatch):
    import oitcheck.matching as matching

    monkeypatch.setattr(matching, "LABEL_CACHE", 8)
    cached, fresh = Matcher(C), Matcher(C)
    titles = [f"แผนการดำเนินงาน ประจำปีงบประมาณ 2568 ฉบับที่ {i}" for i in range(20)]
    for i, t in enumerate(titles + titles):  # the second pass meets every label again
        d = doc(t, "อบต.หนองบัว", headings=["หน้าหลัก", "องค์การบริหารส่วนตำบลหนองบัว"])
        fresh._column.clear()
        assert cached.match(d) == fresh.match(d), i
        assert len(cached._column) <= 8


def test_character_bound_gives_the_same_scores_as_cdist():
    # The bound in Matcher._label_column may only skip work, never change a score.
    import numpy as np
    from rapidfuzz import fuzz, process

    labels = ["หน้าหลัก", "b1451", "ข่าวกิจกรรม 1451", "โครงสร้างองค์กร", "แผนภูมิโครงสร้าง",
              "คู่มือประชาชน", "สถิติการให้บริการประชาชน", "e-service ระบบบริการออนไลน์", "q&a ถาม-ตอบ"]
    for year in checklists.years():
        c = checklists.load(year)
        labels += [normalize(it.title) for it in c.items]
    for year in checklists.years():
        m = Matcher(checklists.load(year))
        expected = process.cdist(m.phrases, labels, scorer=fuzz.partial_ratio, score_cutoff=70)
        got = np.stack([m._label_column(lb) for lb in labels], axis=1)
        assert np.array_equal(got, expected), year
