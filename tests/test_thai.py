"""normalize(), text quality, Thai dates and fiscal years on text as PDFs and OCR give it."""

import pytest

from oitcheck.dates import fiscal_year_of, fiscal_years_in, month_span, month_years, period_of
from oitcheck.thai import normalize, text_quality, thai_digits_to_arabic


@pytest.mark.parametrize("broken, clean", [
    ("ประจําปี", "ประจำปี"),            # NIKHAHIT + SARA AA (tesseract, some PDF fonts)
    ("ประจำาปี", "ประจำปี"),            # pdfminer/pypdf: SARA AM followed by a stray SARA AA
    ("องค์การบริหารส่วนต าบล", "องค์การบริหารส่วนตำบล"),  # lost NIKHAHIT becomes a space
    ("น ้ำประปา", "น้ำประปา"),          # space before a tone mark
    ("ก่่อน", "ก่อน"),                  # doubled tone mark
    ("เเผนดำเนินงาน", "แผนดำเนินงาน"),    # two SARA E typed for SARA AE
    ("นำ้ประปา", "น้ำประปา"),            # SARA AM typed before the tone mark
    ("พ.ศ. ๒๕๖๘", "พ.ศ. 2568"),
    ("แผน\u200bดำเนินงาน", "แผนดำเนินงาน"),  # zero-width space from Word
    ("E-Service  ระบบ\n\nออนไลน์", "e-service ระบบ ออนไลน์"),
])
def test_normalize_repairs_broken_thai(broken, clean):
    assert normalize(broken) == clean


def test_normalize_is_idempotent_and_keeps_sara_am():
    text = "รายงานผลการดำเนินงานประจำปี ตำบลน้ำคำ"
    assert normalize(normalize(text)) == normalize(text) == text
    assert "\u0e33" in normalize(text)  # never decomposed (NFKD would split it)


def test_thai_digits():
    assert thai_digits_to_arabic("๐๑๒๓๔๕๖๗๘๙") == "0123456789"


def test_text_quality_flags_what_needs_ocr():
    assert text_quality("")[0] == 0.0
    assert text_quality("\ue001\ue002\ue003" * 20)[1].startswith("private-use")
    assert text_quality("แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2568 องค์การบริหารส่วนตำบล")[0] == 1.0
    assert text_quality("ร า ย ง า น ผ ล ก า ร ด ํ า เ น ิ น ง า น ป ร ะ จ ํ า ป ี")[0] < 1.0


@pytest.mark.parametrize("year, month, fy", [(2567, 10, 2568), (2567, 12, 2568), (2568, 1, 2568), (2568, 9, 2568)])
def test_fiscal_year_runs_october_to_september(year, month, fy):
    assert fiscal_year_of(year, month) == fy


@pytest.mark.parametrize("text, years", [
    ("แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2568", [2568]),
    ("แผนการดำเนินงาน ประจำปี งบประมาณ พ.ศ.\n2568", [2568]),  # LibreOffice line break
    (normalize("รายงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๖"), [2566]),
    ("สรุปผลการจัดซื้อจัดจ้าง เดือนตุลาคม 2567", [2568]),  # October belongs to the next FY
    ("สขร.1 ประจำเดือน ม.ค. 68", [2568]),
])
def test_fiscal_years_in(text, years):
    assert fiscal_years_in(text)[: len(years)] == years


def test_month_years_and_spans():
    assert month_years("ต.ค. 2567 ถึง มี.ค. 2568") == [(2567, 10), (2568, 3)]
    assert month_span(normalize("ต.ค. ๒๕๖๖ - ม.ค. ๒๕๖๗")) == ((2566, 10), (2567, 1))
    assert month_span("ตุลาคม - มีนาคม 2568") == ((2567, 10), (2568, 3))


def test_period_of():
    assert period_of("รายงานการกำกับติดตาม รอบ 6 เดือน").kind == "half_year"
    assert period_of("ตุลาคม 2567 - มีนาคม 2568").kind == "half_year"
    assert period_of("ตุลาคม 2567 - กันยายน 2568").kind == "annual"
    assert period_of("สรุปผล ประจำเดือน มกราคม 2568").kind == "monthly"
    assert period_of("แผนการดำเนินงาน").kind == "unknown"


def test_a_pdf_font_that_writes_sara_aa_as_sara_am_is_read_right_and_real_sara_am_stays():
    # A real college's survey report (Word's Thai font exported to PDF): its headings read
    # "แบบส ำรวจควำมพึงพอใจ...", so the title matched nothing.
    glitched = ("แบบส ำรวจควำมพึงพอใจของผู้รับบริกำรที่มีต่อกำรให้บริกำรศูนย์รำชกำรสะดวก\n"
                "วิทยำลัยเทคนิค ประจำปีงบประมาณ ดำเนินการโดยสำนักงาน ตามอำนาจหน้าที่และตำแหน่ง")
    assert normalize(glitched, keep_newlines=True) == (
        "แบบสำรวจความพึงพอใจของผู้รับบริการที่มีต่อการให้บริการศูนย์ราชการสะดวก\n"
        "วิทยาลัยเทคนิค ประจำปีงบประมาณ ดำเนินการโดยสำนักงาน ตามอำนาจหน้าที่และตำแหน่ง")
    # Without the telltale (a space before SARA AM) nothing is guessed: "ทำ", "ค่ำ" stay.
    plain = "ทำงานประจำ ค่ำนี้ ลำดับที่ 1 จำนวนเงิน"
    assert normalize(plain) == plain
