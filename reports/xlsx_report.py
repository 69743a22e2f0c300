"""report.xlsx: what to fix first (the first sheet), items to check by eye, every item with
all its evidence links, one row per evidence URL, gaps, crawl errors and a sheet about the
report (site, time, completeness, what the columns and confidence mean)."""

from pathlib import Path

from .csv_gaps import GAP_COLUMNS, gap_rows
from .tables import Column, new_workbook, save_workbook, write_sheet
from .words import (BANDS_NOTE, CHECKLIST_CONFIDENCE_NOTE, CONFIDENCE_NOTE, MODE_ANSWERS, checklist_confidence_text,
                    crawl_banner, evidence_notes, file_name, points_text, shows_confidence, status_th, thai_datetime)

SHEETS = {"fix_first": "แก้ก่อน", "review": "ตรวจด้วยตา", "items": "รายการตรวจ", "evidence": "หลักฐาน",
          "gaps": "ข้อที่ขาด", "errors": "ข้อผิดพลาด", "about": "เกี่ยวกับรายงาน"}

FIX_COLUMNS = [
    Column("rank", "ลำดับ", 7), Column("code", "ข้อ", 7), Column("title", "หัวข้อ", 40, wrap=True),
    Column("gain", "คะแนนที่จะได้เพิ่ม", 12, number_format='"+"0.00'),
    Column("gain_text", "ผลต่อคะแนน", 26, wrap=True),
    Column("subindicator", "ตัวชี้วัดย่อย", 26, wrap=True),
    Column("what_to_publish", "สิ่งที่ต้องเผยแพร่", 50, wrap=True),
    Column("near_url", "พบใกล้เคียงที่", 45, link=True),
    Column("near_why", "ทำไมยังไม่ผ่าน", 60, wrap=True),
    Column("review", "ตรวจด้วยตา", 10),
]
REVIEW_COLUMNS = [
    Column("code", "ข้อ", 7), Column("title", "หัวข้อ", 40, wrap=True), Column("status", "ผล", 9),
    Column("confidence", "ความมั่นใจ", 11, number_format="0%"), Column("reason", "เหตุที่ควรตรวจ", 60, wrap=True),
    Column("url", "ลิงก์", 50, link=True),
]
ITEM_COLUMNS = [
    Column("code", "ข้อ", 7), Column("title", "หัวข้อ", 40, wrap=True),
    Column("subindicator", "ตัวชี้วัดย่อย", 24, wrap=True), Column("status", "ผล", 9),
    Column("confidence", "ความมั่นใจ", 11, number_format="0%"), Column("review", "ตรวจด้วยตา", 10),
    Column("reasons", "เหตุผล", 60, wrap=True), Column("evidence_urls", "ลิงก์หลักฐาน (ทุกลิงก์)", 50, link=True),
    Column("fiscal_year", "ปีงบประมาณ", 11), Column("snippet", "ข้อความที่พบ", 50, wrap=True),
    Column("evidence_notes", "หมายเหตุหลักฐาน", 40, wrap=True),
    Column("what_to_publish", "สิ่งที่ต้องเผยแพร่", 50, wrap=True),
    Column("checklist_confidence", "ความแน่นอนของรายการตรวจ", 20, wrap=True),
    Column("checklist_source", "แหล่งที่มาของข้อ", 40, wrap=True),
    Column("found_as", "พบในชื่อ", 30, wrap=True),
]
EVIDENCE_COLUMNS = [
    Column("code", "ข้อ", 7), Column("status", "ผลของข้อ", 9), Column("n", "ลำดับ", 7),
    Column("url", "ลิงก์", 50, link=True), Column("name", "ชื่อไฟล์/หน้า", 30, wrap=True),
    Column("kind", "ชนิด", 8), Column("fiscal_year", "ปีงบประมาณ", 11),
    Column("found_on", "พบในหน้า", 40, link=True), Column("snippet", "ข้อความที่พบ", 50, wrap=True),
    Column("notes", "หมายเหตุ", 40, wrap=True),
]
ERROR_COLUMNS = [Column("url", "ลิงก์", 50, link=True), Column("reason", "สาเหตุ", 40, wrap=True),
                 Column("found_on", "พบในหน้า", 50, link=True)]
ABOUT_COLUMNS = [Column("topic", "หัวข้อ", 30, wrap=True), Column("value", "รายละเอียด", 100, wrap=True)]


def _sub(it) -> str:
    return f"{it.subindicator} {it.subindicator_title}"


def fix_rows(report) -> list[dict]:
    return [{"rank": n, "code": f.code, "title": f.title, "gain": f.gain, "gain_text": points_text(f.points),
             "subindicator": f"{f.subindicator} {f.subindicator_title}", "what_to_publish": f.publish,
             "near_url": f.near_url, "near_why": f.near_why or "\n".join(f.reasons),
             "review": "ควรตรวจ" if f.review else ""}
            for n, f in enumerate(report.fix_first, start=1)]


def item_rows(report) -> list[dict]:
    rows = []
    for it in report.items:
        ev = it.evidence[0] if it.evidence else None
        rows.append({
            "code": it.code, "title": it.title, "subindicator": _sub(it), "status": status_th(it.status),
            "confidence": it.confidence if shows_confidence(it) else None, "review": "ควรตรวจ" if it.review else "",
            "reasons": "\n".join(it.reasons), "evidence_urls": [e.url for e in it.evidence],
            "fiscal_year": ev.fiscal_year if ev else None, "snippet": ev.snippet if ev else "",
            "evidence_notes": "\n".join(evidence_notes(ev)) if ev else "", "what_to_publish": it.publish,
            "checklist_confidence": checklist_confidence_text(it.checklist_confidence),
            "checklist_source": it.checklist_source, "found_as": ev.wording if ev else "",
        })
    return rows


def evidence_rows(report) -> list[dict]:
    return [{"code": it.code, "status": status_th(it.status), "n": n, "url": e.url, "name": file_name(e.url),
             "kind": e.kind, "fiscal_year": e.fiscal_year, "found_on": e.found_on, "snippet": e.snippet,
             "notes": "\n".join(evidence_notes(e))}
            for it in report.items for n, e in enumerate(it.evidence, start=1)]


def about_rows(report) -> list[dict]:
    cl, crawl, s = report.checklist, report.crawl, report.scores
    rows = [
        ("เว็บไซต์ / site", report.site),
        ("รายการตรวจ / checklist", f"{cl.name} ({cl.status}) · ปีงบประมาณ {cl.fiscal_year}"),
        ("ตรวจเมื่อ / checked", f"{thai_datetime(crawl.started)} – {thai_datetime(crawl.finished)}"),
        ("ที่ตรวจ / looked at", f"หน้าเว็บ {crawl.pages} หน้า · เอกสาร {crawl.documents} ไฟล์ · ข้อผิดพลาด {len(crawl.errors)}"),
    ]
    if report.mode == "answers":
        rows.append(("ตรวจอะไร / what was checked", MODE_ANSWERS))
    banner = crawl_banner(report)
    rows.append(("ความครบถ้วน / completeness", banner or "ตรวจครบทั้งเว็บไซต์ / the whole site was checked"))
    if report.partial:
        rows.append(("รายงานไม่สมบูรณ์ / partial", "การตรวจหยุดก่อนจบ / the crawl did not finish"))
    for k, v in s.indicators.items():
        rows.append((f"ตัวชี้วัดที่ {k} / indicator {k}", f"{v:.2f} (ระดับ {s.bands.get(f'indicator_{k}', '')})"))
    rows += [
        ("ระดับ / levels", BANDS_NOTE),
        ("ความมั่นใจ / confidence", CONFIDENCE_NOTE),
        ("รายการที่ยังไม่ยืนยัน / unconfirmed items", f"{cl.unconfirmed_items} ข้อ · {CHECKLIST_CONFIDENCE_NOTE}"),
        ("หัวตาราง / headers", "แถวที่ 1 ภาษาไทย แถวที่ 2 ชื่อคอลัมน์ภาษาอังกฤษ / row 1 Thai, row 2 the English key"),
    ]
    return [{"topic": a, "value": b} for a, b in rows]


def write_xlsx(report, out: Path) -> Path:
    path = Path(out) / "report.xlsx"
    wb = new_workbook()
    write_sheet(wb, SHEETS["fix_first"], FIX_COLUMNS, fix_rows(report), freeze_col=3)
    write_sheet(wb, SHEETS["review"], REVIEW_COLUMNS,
                [{"code": r.code, "title": r.title, "status": status_th(r.status), "confidence": r.confidence,
                  "reason": r.reason, "url": r.url} for r in report.review], freeze_col=2)
    write_sheet(wb, SHEETS["items"], ITEM_COLUMNS, item_rows(report), freeze_col=2)
    write_sheet(wb, SHEETS["evidence"], EVIDENCE_COLUMNS, evidence_rows(report))
    write_sheet(wb, SHEETS["gaps"], GAP_COLUMNS, gap_rows(report), freeze_col=2)
    write_sheet(wb, SHEETS["errors"], ERROR_COLUMNS, [vars(e) for e in report.crawl.errors])
    write_sheet(wb, SHEETS["about"], ABOUT_COLUMNS, about_rows(report))
    save_workbook(wb, path)
    return path
