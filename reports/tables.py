"""Tables a clerk opens in Excel: the same layout in every CSV and XLSX file we write.

Row 1 holds the Thai column headers (what the clerk reads), row 2 the English key of each
column (stable names for scripts and for readers without Thai). In XLSX both rows are
frozen with the first column, row 2 carries the filter, widths follow the content, long
text wraps, and URLs are links (their text shows Thai file names decoded; the link
target stays the URL as it is). CSV files are UTF-8 with BOM so Excel shows Thai.

Read back with ``pandas.read_csv(path, header=1)`` / ``pandas.read_excel(path, header=1)``
for the English keys, or ``header=0`` (skipping the key row) for the Thai headers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .safe import cell, sheet_text
from .words import display_url, is_link

EXCEL_CELL_MAX = 32_000  # characters Excel keeps in a cell (32,767), with room for the formula guard
EXCEL_LINK_MAX = 2_000  # a longer hyperlink target is refused by Excel
HEADER_FILL = "DDE7F0"


@dataclass(frozen=True)
class Column:
    key: str  # English key (row 2; stable)
    th: str  # Thai header (row 1)
    width: float = 14  # characters
    link: bool = False  # the value is a URL (or several, one per line): make it a link
    wrap: bool = False
    number_format: str | None = None


def csv_bytes(columns: list[Column], rows: list[dict]) -> bytes:
    """A CSV with the Thai header row and the English key row, UTF-8 with BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c.th for c in columns])
    w.writerow([c.key for c in columns])
    for r in rows:
        w.writerow([_plain(r.get(c.key)) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    return cell(value)


def write_sheet(wb, title: str, columns: list[Column], rows: list[dict], freeze_col: int = 1):
    """Add a sheet to an openpyxl workbook: Thai header, English keys, frozen, filtered."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    key_font = Font(italic=True, color="666666", size=9)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    top = Alignment(vertical="top", wrap_text=True)
    for j, col in enumerate(columns, start=1):
        h = ws.cell(row=1, column=j, value=col.th)
        h.font, h.fill, h.alignment = bold, fill, Alignment(vertical="top", wrap_text=True)
        k = ws.cell(row=2, column=j, value=col.key)
        k.font, k.fill = key_font, fill
    for i, r in enumerate(rows, start=3):
        for j, col in enumerate(columns, start=1):
            value = r.get(col.key)
            urls = None
            if col.link and value:
                urls = value if isinstance(value, (list, tuple)) else [value]
                urls = [u for u in urls if u]
                value = [display_url(u) for u in urls]
            if isinstance(value, (list, tuple)):
                value = "\n".join(str(v) for v in value)
            c = ws.cell(row=i, column=j)
            if isinstance(value, str):
                c.value = sheet_text(value)[:EXCEL_CELL_MAX]
                c.data_type = "s"  # text, whatever it starts with: crawled text never becomes a formula
            else:
                c.value = value
            if col.wrap or col.link:
                c.alignment = top
            else:
                c.alignment = Alignment(vertical="top")
            if col.number_format:
                c.number_format = col.number_format
            if urls and is_link(urls[0]) and len(urls[0]) <= EXCEL_LINK_MAX:
                c.hyperlink = urls[0]  # one link per cell (Excel's limit); the evidence sheet links each
                c.font = Font(color="0563C1", underline="single")
    for j, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width
    last = get_column_letter(len(columns))
    ws.freeze_panes = ws.cell(row=3, column=freeze_col + 1)
    ws.auto_filter.ref = f"A2:{last}{max(2, len(rows) + 2)}"
    ws.row_dimensions[1].height = 32
    return ws


def new_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def save_workbook(wb, path) -> None:
    """Save via a temporary name and rename, so a reader never sees half a workbook."""
    import os

    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    wb.save(tmp)
    os.replace(tmp, path)
