"""The province view of a batch: summary.xlsx (sheets sites, gaps, items), summary.csv (the
sites) and index.html (the same three tables, sortable by any column with a small inline
script: nothing is loaded from the network).

The writers take plain rows (:func:`oitcheck.batch.summarize` builds them from each site's
report.json); like every writer they import only the model.
"""

from __future__ import annotations

import base64
import hashlib
import html
from pathlib import Path

from .safe import atomic_write
from .tables import Column, csv_bytes, new_workbook, save_workbook, write_sheet
from .words import BANDS_NOTE, is_link, short_url, thai_datetime

OUTCOME_TH = {"ok": "ตรวจเสร็จ", "unreachable": "เข้าเว็บไซต์ไม่ได้", "not_a_site": "ไม่ใช่เว็บไซต์",
              "interrupted": "ถูกหยุดกลางคัน", "not run": "ยังไม่ได้ตรวจ", "local_error": "ปัญหาที่เครื่องนี้",
              "input_error": "ข้อมูลนำเข้าผิด", "error": "ผิดพลาด"}

SITE_COLUMNS = [
    Column("name", "หน่วยงาน", 30, wrap=True), Column("url", "เว็บไซต์", 34, link=True), Column("year", "ปี ITA", 8),
    Column("indicator_9", "ตัวชี้วัดที่ 9", 11, number_format="0.00"),
    Column("indicator_10", "ตัวชี้วัดที่ 10", 11, number_format="0.00"),
    Column("level", "ระดับ", 8), Column("passed", "ผ่าน (ข้อ)", 9), Column("items", "จำนวนข้อ", 9),
    Column("outcome", "ผลการตรวจ", 16, wrap=True), Column("reason", "สาเหตุ", 30, wrap=True),
    Column("complete", "ตรวจครบ", 9), Column("errors", "ข้อผิดพลาด", 10), Column("checked", "ตรวจเมื่อ", 20),
    Column("report", "รายงาน", 30), Column("outcome_code", "รหัสผล", 12),
]
GAP_COLUMNS = [
    Column("name", "หน่วยงาน", 28, wrap=True), Column("year", "ปี ITA", 8), Column("code", "ข้อ", 7),
    Column("title", "หัวข้อ", 40, wrap=True), Column("subindicator", "ตัวชี้วัดย่อย", 11),
    Column("gain", "คะแนนที่จะได้เพิ่ม", 12, number_format='"+"0.00'), Column("indicator", "ตัวชี้วัด", 9),
    Column("reason", "เหตุผล", 55, wrap=True), Column("what_to_publish", "สิ่งที่ต้องเผยแพร่", 45, wrap=True),
    Column("near_url", "พบใกล้เคียงที่", 40, link=True), Column("url", "เว็บไซต์", 30, link=True),
]


def matrix_columns(codes: list[tuple[str, str]]) -> list[Column]:
    """Sites x items: one column per item code (the Thai header adds the item's title)."""
    return [Column("name", "หน่วยงาน", 28, wrap=True), Column("year", "ปี ITA", 8),
            Column("passed", "ผ่าน (ข้อ)", 9)] + [Column(code, f"{code} {title[:40]}", 9, wrap=True)
                                                 for code, title in codes]


def write_summary(sites: list[dict], gaps: list[dict], matrix: list[dict], codes: list[tuple[str, str]],
                  out: Path) -> list[Path]:
    """summary.csv, summary.xlsx and index.html for a batch folder."""
    out = Path(out)
    written = [atomic_write(out / "summary.csv", csv_bytes(SITE_COLUMNS, sites))]
    wb = new_workbook()
    write_sheet(wb, "sites", SITE_COLUMNS, sites)
    write_sheet(wb, "gaps", GAP_COLUMNS, gaps, freeze_col=3)
    ws = write_sheet(wb, "items", matrix_columns(codes), matrix)
    _colour_matrix(ws)
    save_workbook(wb, out / "summary.xlsx")
    written.append(out / "summary.xlsx")
    written.append(atomic_write(out / "index.html", index_html(sites, gaps, matrix, codes).encode("utf-8")))
    return written


def _colour_matrix(ws) -> None:
    from openpyxl.styles import PatternFill

    ok, no = PatternFill("solid", fgColor="D8EED9"), PatternFill("solid", fgColor="F6D5D5")
    for row in ws.iter_rows(min_row=3):
        for c in row:
            if c.value == "ผ่าน":
                c.fill = ok
            elif c.value == "ไม่ผ่าน":
                c.fill = no


# --- index.html ------------------------------------------------------------------------------

# Sorts a table by the clicked column (numbers as numbers, Thai text in Thai order); the
# page's CSP allows this one script by its hash and nothing else.
SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      function key(row) { var c = row.cells[col]; return c ? (c.getAttribute('data-sort') || c.textContent.trim()) : ''; }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'th');
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _num(value, spec: str = ".2f") -> str:
    if value is None or value == "":
        return '<td data-sort="-1"></td>'
    return f'<td data-sort="{_e(value)}">{format(value, spec)}</td>'


def _link(url: str, text: str | None = None) -> str:
    if not url:
        return ""
    shown = _e(text if text is not None else short_url(url, 60))
    return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{shown}</a>' if is_link(url) else shown


def _table(head: list[str], rows: list[str], cls: str = "sortable") -> str:
    ths = "".join(f'<th title="คลิกเพื่อเรียง / click to sort">{h}</th>' for h in head)
    return f'<table class="{cls}"><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def index_html(sites: list[dict], gaps: list[dict], matrix: list[dict], codes: list[tuple[str, str]]) -> str:
    site_rows = []
    for r in sites:
        report = f'<a href="{_e(r["report"])}">รายงาน</a>' if r.get("outcome_code") == "ok" and r.get("report") else ""
        outcome = _e(r["outcome"]) + (f'<br><span class="muted">{_e(r["reason"])}</span>' if r.get("reason") else "")
        passed = "" if r.get("passed") is None else f'{r["passed"]}/{r["items"]}'
        site_rows.append(
            f'<tr><td>{_e(r["name"])}</td><td class="url">{_link(r["url"])}</td><td>{_e(r["year"])}</td>'
            f'{_num(r.get("indicator_9"))}{_num(r.get("indicator_10"))}<td>{_e(r.get("level"))}</td>'
            f'<td data-sort="{_e(r.get("passed") if r.get("passed") is not None else -1)}">{passed}</td>'
            f'<td>{outcome}</td><td>{_e(r.get("checked"))}</td><td>{report}</td></tr>')
    gap_rows = [
        f'<tr><td>{_e(g["name"])}</td><td>{_e(g["year"])}</td><td>{_e(g["code"])}</td><td>{_e(g["title"])}</td>'
        f'{_num(g.get("gain"), "+.2f")}<td>{_e(g["reason"])}</td><td class="url">{_link(g.get("near_url", ""))}</td></tr>'
        for g in gaps]
    matrix_rows = []
    for m in matrix:
        cells = "".join(
            f'<td class="{"ok" if m.get(code) == "ผ่าน" else "no" if m.get(code) == "ไม่ผ่าน" else ""}">'
            f'{"✓" if m.get(code) == "ผ่าน" else "✗" if m.get(code) == "ไม่ผ่าน" else ""}</td>' for code, _ in codes)
        matrix_rows.append(f'<tr><td>{_e(m["name"])}</td><td>{_e(m["year"])}</td>'
                           f'<td data-sort="{_e(m.get("passed") or 0)}">{_e(m.get("passed"))}</td>{cells}</tr>')
    code_heads = [f'<abbr title="{_e(title)}">{_e(code)}</abbr>' for code, title in codes]
    done = sum(1 for r in sites if r.get("outcome_code") == "ok")
    return f"""<!doctype html>
<html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '{SCRIPT_HASH}'">
<title>สรุปผลตรวจ OIT หลายหน่วยงาน / OIT batch summary</title>
<style>
 body {{ font-family: Sarabun, 'TH Sarabun New', 'Noto Sans Thai', Laksaman, Garuda, Loma, sans-serif; margin: 1.5rem; color: #1a1a1a; }}
 table {{ border-collapse: collapse; margin-bottom: 1.5rem; font-size: .92rem; }}
 td, th {{ border-bottom: 1px solid #ddd; padding: .3rem .55rem; text-align: left; vertical-align: top; }}
 th {{ background: #eef2f6; cursor: pointer; white-space: nowrap; }} th[aria-sort=ascending]::after {{ content: " ▲"; }}
 th[aria-sort=descending]::after {{ content: " ▼"; }} .muted {{ color: #555; font-size: .85rem; }}
 .url {{ word-break: break-all; }} td.ok {{ background: #d8eed9; text-align: center; }} td.no {{ background: #f6d5d5; text-align: center; }}
</style></head><body>
<h1>สรุปผลตรวจ OIT หลายหน่วยงาน / OIT batch summary</h1>
<p class="muted">{done}/{len(sites)} หน่วยงานตรวจเสร็จ / sites done · คลิกหัวคอลัมน์เพื่อเรียง / click a column to sort ·
 ไฟล์ summary.xlsx มีตารางเดียวกัน (sites, gaps, items) / summary.xlsx holds the same tables · {_e(BANDS_NOTE)}</p>
<h2>หน่วยงาน / sites</h2>
{_table(["หน่วยงาน", "เว็บไซต์", "ปี ITA", "ตัวชี้วัดที่ 9", "ตัวชี้วัดที่ 10", "ระดับ", "ผ่าน", "ผลการตรวจ", "ตรวจเมื่อ", ""], site_rows)}
<h2>ข้อที่ยังขาด ทุกหน่วยงาน / gaps of every site ({len(gaps)})</h2>
{_table(["หน่วยงาน", "ปี ITA", "ข้อ", "หัวข้อ", "คะแนนที่จะได้เพิ่ม", "เหตุผล", "พบใกล้เคียงที่"], gap_rows)}
<h2>รายข้อ / items (✓ ผ่าน, ✗ ไม่ผ่าน)</h2>
{_table(["หน่วยงาน", "ปี ITA", "ผ่าน"] + code_heads, matrix_rows)}
<script>{SORT_SCRIPT}</script>
</body></html>
"""


def site_row(name: str, url: str, year, outcome: str, reason: str, report_link: str, report=None) -> dict:
    """One site's row from its report (a :class:`oitcheck.model.Report`, or None)."""
    row = {"name": name, "url": url, "year": year or "", "indicator_9": None, "indicator_10": None, "level": "",
           "passed": None, "items": None, "outcome": OUTCOME_TH.get(outcome, outcome), "outcome_code": outcome,
           "reason": reason, "complete": None, "errors": None, "report": report_link, "checked": ""}
    if report is not None and outcome == "ok":
        s = report.scores
        row.update(year=report.checklist.year, indicator_9=s.indicator_9, indicator_10=s.indicator_10,
                   level=s.bands.get("oit", ""), passed=sum(i.status == "pass" for i in report.items),
                   items=len(report.items), errors=len(report.crawl.errors),
                   complete="ครบ" if report.crawl.complete else "ไม่ครบ",
                   checked=thai_datetime(report.crawl.finished or report.crawl.started))
    return row


def site_gaps(name: str, url: str, report) -> list[dict]:
    """Every failing item of one site, most points first."""
    items = {i.code: i for i in report.items}
    rows = [{"name": name, "url": url, "year": report.checklist.year, "code": f.code, "title": f.title,
             "subindicator": f.subindicator, "indicator": f.indicator, "gain": f.gain,
             "reason": "\n".join(items[f.code].reasons) if f.code in items else "\n".join(f.reasons),
             "what_to_publish": f.publish, "near_url": f.near_url}
            for f in report.fix_first]
    if not rows:  # a report.json of an older version (no fix-first list): its failing items as they stand
        rows = [{"name": name, "url": url, "year": report.checklist.year, "code": i.code, "title": i.title,
                 "subindicator": i.subindicator, "indicator": i.indicator, "gain": None, "reason": "\n".join(i.reasons),
                 "what_to_publish": i.publish, "near_url": i.evidence[0].url if i.evidence else ""}
                for i in report.items if i.status != "pass"]
    return rows


def site_matrix(name: str, report) -> dict:
    row = {"name": name, "year": report.checklist.year, "passed": sum(i.status == "pass" for i in report.items)}
    row.update({i.code: "ผ่าน" if i.status == "pass" else "ไม่ผ่าน" for i in report.items})
    return row

