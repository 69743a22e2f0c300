"""itas.xlsx and itas.csv: the answers to enter in the NACC's ITAS system, one row per item
in ITAS order (O1, O2, ...): มี/ไม่มี, the URL(s) to enter and a short Thai note.

For every มี the URLs are the best deep links the crawl found (for monthly summaries one
per month, October first). ``oitcheck answers itas.xlsx`` reads the sheet back, so a clerk
can correct a URL here and check the result before entering it.
"""

from pathlib import Path

from .safe import atomic_write
from .tables import Column, csv_bytes, new_workbook, save_workbook, write_sheet
from .words import ANSWER_TH, itas_note

SHEET = "ITAS"


def itas_columns(report) -> list[Column]:
    n = max([1, *(len(it.answer_urls) for it in report.items)])
    return ([Column("code", "ข้อ", 7), Column("title", "หัวข้อ", 45, wrap=True), Column("answer", "คำตอบ", 9)]
            + [Column(f"url_{k}", f"ลิงก์ที่ {k}", 48, link=True) for k in range(1, n + 1)]
            + [Column("note", "หมายเหตุ", 60, wrap=True)])


def itas_rows(report) -> list[dict]:
    rows = []
    for it in report.items:
        row = {"code": it.code, "title": it.title, "answer": ANSWER_TH.get(it.status, it.status), "note": itas_note(it)}
        for k, url in enumerate(it.answer_urls, start=1):
            row[f"url_{k}"] = url  # the URL exactly as it works: ITAS gets what the assessor will open
        rows.append(row)
    return rows


def write_itas_csv(report, out: Path) -> Path:
    return atomic_write(Path(out) / "itas.csv", csv_bytes(itas_columns(report), itas_rows(report)))


def write_itas_xlsx(report, out: Path) -> Path:
    path = Path(out) / "itas.xlsx"
    wb = new_workbook()
    columns = itas_columns(report)
    # In the ITAS sheet the link text is the URL itself, as it must be typed into ITAS.
    write_sheet(wb, SHEET, [Column(c.key, c.th, c.width, False, c.wrap) if c.link else c for c in columns],
                itas_rows(report), freeze_col=2)
    ws = wb[SHEET]
    from openpyxl.styles import Font

    for row in ws.iter_rows(min_row=3):
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(("http://", "https://")) and len(c.value) <= 2000:
                c.hyperlink = c.value
                c.font = Font(color="0563C1", underline="single")
    save_workbook(wb, path)
    return path
