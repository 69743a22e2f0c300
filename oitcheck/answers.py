"""Check the answers an agency plans to enter in ITAS, as the assessor will see them.

The assessors do not crawl: for each item they open the URL(s) the agency entered. So
``oitcheck answers planned.csv`` reads the agency's planned answers (item code and URLs;
also an ``itas.xlsx``/``itas.csv`` this tool wrote), fetches exactly those URLs and what
they link one click down, and judges each item only on its own URLs. It is the same
spider, collector and finish stage as a site crawl (:mod:`oitcheck.crawl` with
``CrawlOptions.answers``), so the reports are the same files.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from .batch import BatchError, decode_csv

CODE = re.compile(r"^\s*[oO]\s*\.?\s*(\d{1,3})\s*$")
URL = re.compile(r"https?://[^\s,;\"'<>]+")
CODE_HEADERS = ("code", "ข้อ", "item", "รหัส")
ANSWER_HEADERS = ("answer", "คำตอบ", "มี/ไม่มี")
URL_HEADERS = ("url", "ลิงก์", "link", "ที่อยู่")
NO = ("ไม่มี", "no", "n", "ไม่", "false")


class AnswersError(ValueError):
    """A planned-answers file that cannot be read; the message says where and why."""


def item_code(text) -> str | None:
    """An item code as a clerk may type it.

    >>> item_code(" o 5"), item_code("O12"), item_code("ข้อ 5")
    ('O5', 'O12', None)
    """
    m = CODE.match(str(text or ""))
    return f"O{int(m.group(1))}" if m else None


def urls_in(text) -> list[str]:
    """The http(s) URLs in a cell (a cell may hold several, one per line).

    >>> urls_in("https://a.go.th/x.pdf\\nhttps://a.go.th/y.pdf, ")
    ['https://a.go.th/x.pdf', 'https://a.go.th/y.pdf']
    """
    return [u.rstrip(".)]") for u in URL.findall(str(text or ""))]


def _rows_csv(path: Path) -> list[list[str]]:
    try:
        text, _ = decode_csv(path.read_bytes())
    except BatchError as exc:
        raise AnswersError(f"{path}: {exc}") from None
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]  # quoted cells may hold several lines


def _rows_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # a corrupt or password-protected workbook: say so, plainly
        raise AnswersError(f"{path}: not a readable Excel file ({type(exc).__name__})") from None
    ws = next((s for s in wb.worksheets if s.title.lower() in ("itas", "คำตอบ itas")), wb.worksheets[0])
    rows = []
    for row in ws.iter_rows():
        cells = []
        for c in row:
            value = "" if c.value is None else str(c.value)
            # A cell showing a name with the URL behind it: the link is the answer.
            if c.hyperlink is not None and c.hyperlink.target and not urls_in(value):
                value = c.hyperlink.target
            cells.append(value)
        rows.append(cells)
    return rows


def read_answers(path: Path, codes: set[str] | None = None) -> dict[str, list[str]]:
    """Item code -> planned URLs, in the file's order.

    The file is CSV (UTF-8 or windows-874) or XLSX with one row per item: the code, then
    the URL(s), in further columns or several in one cell; with or without a header row.
    An ``itas.xlsx``/``itas.csv`` this tool wrote reads back as is (its answer column says
    มี/ไม่มี; a ไม่มี row has no URL). ``codes`` are the checklist's items: others are refused.
    """
    path = Path(path)
    if not path.exists():
        raise AnswersError(f"{path}: no such file")
    rows = _rows_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _rows_csv(path)
    code_col, answer_col, url_cols = 0, None, None
    start = 0
    for n, row in enumerate(rows[:5]):
        heads = [str(c).strip().lower() for c in row]
        if any(h in CODE_HEADERS or h.split(" / ")[0] in CODE_HEADERS for h in heads):
            code_col = next(i for i, h in enumerate(heads) if h in CODE_HEADERS or h.split(" / ")[0] in CODE_HEADERS)
            answer_col = next((i for i, h in enumerate(heads) if h in ANSWER_HEADERS), None)
            found = [i for i, h in enumerate(heads) if h.startswith(URL_HEADERS)]
            url_cols = found or None
            start = n + 1
            break
    planned: dict[str, list[str]] = {}
    unknown = []
    for n, row in enumerate(rows[start:], start=start + 1):
        if code_col >= len(row):
            continue
        code = item_code(row[code_col])
        if code is None:
            continue  # a blank line, a second header row (English keys), a note
        if codes is not None and code not in codes:
            unknown.append(f"{code} (line {n})")
            continue
        urls = planned.setdefault(code, [])
        if answer_col is not None and answer_col < len(row) and row[answer_col].strip().lower() in NO:
            continue  # answered ไม่มี: nothing to enter
        cells = [row[i] for i in url_cols if i < len(row)] if url_cols else [c for i, c in enumerate(row) if i != code_col]
        for cell in cells:
            for url in urls_in(cell):
                if url not in urls:
                    urls.append(url)
    if unknown:
        raise AnswersError(f"{path}: ไม่มีข้อนี้ในรายการตรวจของปีนี้ / items not in this year's checklist: "
                           + ", ".join(unknown))
    if not any(planned.values()):
        raise AnswersError(f"{path}: ไม่พบ URL ในไฟล์ / no item code with a URL found (columns: code, url[, url...])")
    return planned


def site_of(planned: dict[str, list[str]]) -> str:
    """The agency's site: the host most planned URLs are on (their start page).

    >>> site_of({"O1": ["https://www.a.go.th/x"], "O2": ["https://www.a.go.th/y", "https://drive.google.com/z"]})
    'https://www.a.go.th/'
    """
    hosts = Counter((urlsplit(u).scheme, urlsplit(u).netloc) for urls in planned.values() for u in urls)
    (scheme, netloc), _ = hosts.most_common(1)[0]
    return f"{scheme}://{netloc}/"


def check_answers(planned: dict[str, list[str]], opts, site: str | None = None):
    """Fetch and judge the planned URLs; a :class:`oitcheck.crawl.RunResult`."""
    from dataclasses import replace

    from .crawl import run_crawls

    opts = replace(opts, answers=planned, record_history=False)
    [result] = run_crawls([(site or site_of(planned), opts)])
    return result
