"""Text out of documents made the way agencies make them (LibreOffice exports, scans,
Word and Excel files, a windows-874 page), and out of broken ones."""

import io
import zipfile
from pathlib import Path

import pytest

from oitcheck.dates import fiscal_years_in
from oitcheck.documents import Limits, extract
from oitcheck.ocr import OcrEngine
from oitcheck.pages import decode_html, parse_html
from oitcheck.thai import normalize

DOCS = Path(__file__).parent / "fixtures" / "docs"


def read(name):
    return (DOCS / name).read_bytes()


@pytest.mark.parametrize("name, kind", [
    ("plan_libreoffice.pdf", "pdf"), ("plan.docx", "docx"), ("plan.doc", "doc"),
])
def test_plan_made_by_libreoffice_reads_exactly(name, kind):
    ex = extract(read(name), name)
    assert ex.kind == kind and ex.error is None
    assert "แผนการดำเนินงาน" in ex.text
    assert "องค์การบริหารส่วนตำบลหนองบัว" in ex.text
    assert "ำา" not in ex.text and "\u0e4d" not in ex.text
    assert fiscal_years_in(ex.text)[0] == 2568


@pytest.mark.parametrize("name", ["stats.xlsx", "stats.xls"])
def test_spreadsheets(name):
    ex = extract(read(name), name)
    assert ex.method == "office"
    assert "ข้อมูลสถิติการให้บริการ ประจำปีงบประมาณ พ.ศ. 2568" in ex.text
    assert "ตุลาคม 2567 | 120" in ex.text
    assert fiscal_years_in(ex.text)[0] == 2568


def test_scanned_pdf_without_ocr_says_so():
    ex = extract(read("scanned.pdf"), "scanned.pdf", ocr=None)
    assert not ex.ok and "scanned" in ex.error


def test_a_text_layer_of_another_scripts_letters_is_not_read_as_text():
    # A real เทศบาล's budget PDFs: a Thai font embedded without a Unicode map gives Greek and
    # Coptic letters ("φϭϔϡθχωωμνυϒσϔε"), one per Thai glyph. Read as text they named nothing
    # and the budget item was missed; they go to OCR like a scan.
    from oitcheck.demo.docmaker import make_pdf

    ex = extract(make_pdf(["φϭϔϡθχωωμνυϒσϔε νυϒσϗμωμνυϒσϔευϔτϊεϔτνυϒϊϭϔνϗ ωμσχϔω 3,088,135.02"] * 8), "budget.pdf",
                 ocr=None)
    assert not ex.ok and ex.text == "" and "another script" in ex.error and "OCR is off" in ex.error


def test_scanned_pdf_is_ocrd_and_cached(tmp_path):
    engine = OcrEngine(tmp_path)
    ex = extract(read("scanned.pdf"), "scanned.pdf", ocr=engine)
    assert ex.method == "ocr" and ex.ocr_pages == 1
    assert "แผนการดำเนินงาน" in ex.text
    assert "องค์การบริหารส่วนตำบลหนองบัว" in ex.text
    assert engine.pages_done == 1 and engine.cache_hits == 0
    again = extract(read("scanned.pdf"), "scanned.pdf", ocr=engine)
    assert again.text == ex.text
    assert engine.pages_done == 1 and engine.cache_hits == 1  # the second read is a file read


def test_windows_874_page_without_charset():
    body = read("contact_cp874.html")
    text, encoding, repaired = decode_html(body, "text/html")
    assert encoding == "cp874" and repaired
    page = parse_html(text, "http://x.go.th/contact.html")
    assert page.document.title == "ข้อมูลการติดต่อ อบต.หนองบัว"
    assert "saraban@nongbua.go.th" in page.document.text


def test_page_that_lies_about_its_charset():
    body = "<html><head><meta charset='iso-8859-1'></head><body>ข่าวประชาสัมพันธ์ของหน่วยงาน " * 5
    text, encoding, _ = decode_html(body.encode("cp874"), "text/html; charset=iso-8859-1")
    assert encoding == "cp874" and "ข่าวประชาสัมพันธ์" in text


def test_seed_report_text():
    text = normalize(read("seed_2566.txt").decode("utf-8"), keep_newlines=True)
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. 2566" in text
    assert fiscal_years_in(text)[0] == 2566


def test_html_served_for_a_pdf_link():
    ex = extract(b"<!doctype html><html><body>404 not found</body></html>", "http://x/plan.pdf")
    assert ex.error == "not a PDF: the server sent an HTML page"


def test_truncated_and_encrypted_pdfs():
    pdf = read("plan_libreoffice.pdf")
    assert "corrupt" in extract(pdf[: len(pdf) // 3], "a.pdf").error
    assert "corrupt" in extract(b"%PDF-1.7\n garbage", "b.pdf").error
    import pypdfium2 as pdfium

    # An encrypted PDF (pdfium cannot write one): a standard /Encrypt trailer is enough to ask for a password.
    enc = pdf.replace(b"trailer", b"trailer\n<</Encrypt 999 0 R>>\n", 1)
    err = extract(enc, "c.pdf").error
    assert err and ("encrypted" in err or "corrupt" in err)
    assert pdfium  # imported for the skip reason above


def test_zip_bomb_is_refused_before_parsing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b"A" * 80_000_000 + b"</w:document>")
    ex = extract(buf.getvalue(), "bomb.docx", Limits())
    assert ex.error.startswith("decompression limit hit")


def test_unknown_bytes_and_empty_files():
    assert extract(b"", "a.pdf").error == "empty file"
    assert "not the file type" in extract(b"\x00\x01\x02binary", "a.xlsx").error
