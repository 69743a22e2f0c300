"""The middle of the pipeline, offline and without a reactor: collecting, deciding, reporting."""

from oitcheck import checklist as checklists
from oitcheck import collect
from oitcheck.collect import Collector
from oitcheck.evidence import Candidate, Document
from oitcheck.matching import Matcher
from oitcheck.verdicts import decide

C = checklists.load(2568)


def test_ocr_document_without_any_year_does_not_crash_and_is_not_an_ocr_year():
    # Real อบต. site: a scanned organisation chart read by OCR with no year in it crashed
    # decide() (IndexError on fiscal_years[0]) and no report was written.
    doc = Document(url="http://x.go.th/files/chart.jpg", kind="image", text="แผนภูมิโครงสร้างองค์กร สำนักปลัด กองคลัง",
                   method="ocr", anchors=["โครงสร้างและอำนาจหน้าที่"])
    cands = [c for c in Matcher(C).match(doc) if c.code == "O1"]
    assert cands and not cands[0].fiscal_years and cands[0].year_from_ocr is False
    forced = Candidate(code="O1", url=doc.url, found_on="", kind="image", method="ocr", topic=1.0, where="label",
                       matched="โครงสร้าง", snippet="โครงสร้าง", year_from_ocr=True)
    v = decide(C.item("O1"), [forced], 2568)
    assert v.code == "O1" and v.status in ("pass", "fail")


def test_a_failure_deciding_one_item_becomes_that_items_error(monkeypatch):
    col = Collector(C, "http://x.go.th/")
    col.add_document(Document(url="http://x.go.th/structure.html", title="โครงสร้างและอำนาจหน้าที่",
                              text="โครงสร้าง อำนาจหน้าที่"))
    real = collect.decide

    def broken(item, *a, **kw):
        if item.code == "O2":
            raise IndexError("list index out of range")
        return real(item, *a, **kw)

    monkeypatch.setattr(collect, "decide", broken)
    report = col.report()
    items = {i["code"]: i for i in report["items"]}
    assert len(items) == 26
    assert items["O2"]["status"] == "fail" and "IndexError" in items["O2"]["error"]
    assert items["O1"]["error"] is None
