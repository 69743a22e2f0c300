"""What a clerk reads, in one place: Thai first, English beside it.

Buddhist-era dates in Bangkok time, decoded Thai file names (for display only: links keep
the URL as it is), ผ่าน/ไม่ผ่าน, points as the ITA prints them, and the short notes every
report writer shares.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")  # Thailand keeps no daylight saving
MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
BE_OFFSET = 543
SHORT_URL = 90  # characters of a URL shown in a table before it is shortened in the middle

STATUS_TH = {"pass": "ผ่าน", "fail": "ไม่ผ่าน"}
ANSWER_TH = {"pass": "มี", "fail": "ไม่มี"}

CONFIDENCE_NOTE = ("ความมั่นใจ คือ ความมั่นใจของเครื่องมือว่าจับคู่เอกสารกับข้อนี้ได้ถูกต้อง ไม่ใช่คะแนน "
                   "แสดงเฉพาะข้อที่ผ่านและข้อที่ควรตรวจด้วยตา / confidence is how sure the tool is that it matched "
                   "the right document to the item, not a score; shown on passes and items to check by eye")
CHECKLIST_CONFIDENCE = {
    "confirmed": ("ยืนยันแล้ว", "confirmed by two sources"),
    "single": ("แหล่งเดียว", "from one source only"),
    "inferred": ("อนุมาน", "inferred, no source found yet"),
}
CHECKLIST_CONFIDENCE_NOTE = ("ข้อที่มีป้าย แหล่งเดียว หรือ อนุมาน คือข้อที่รายการตรวจของปีนี้ยังไม่ยืนยันกับเอกสารสองแหล่ง "
                             "ควรเทียบกับคู่มือฉบับจริง / items marked 'one source' or 'inferred' are not yet confirmed "
                             "by two sources: compare them with the official manual")
BANDS_NOTE = ("ระดับ AA (95 คะแนนขึ้นไป) และ A (85–94.99) มีแหล่งอ้างอิง ระดับ B–F จำจากรอบก่อน ยังไม่ยืนยัน / "
              "only AA (95 and over) and A (85–94.99) are sourced; B–F are recalled")
MODE_ANSWERS = ("ตรวจเฉพาะ URL ที่หน่วยงานจะกรอกในระบบ ITAS และลิงก์ในหน้านั้นหนึ่งชั้น เหมือนผู้ประเมินเปิดดู / "
                "judged only on the URLs you plan to enter in ITAS and what they link one click down, "
                "as the assessor opens them")


def thai_datetime(iso: str | None) -> str:
    """A report time as a Thai clerk writes it: Buddhist era, Bangkok time.

    >>> thai_datetime("2026-11-26T06:47:46+00:00")
    '26 พ.ย. 2569 13:47 น.'
    >>> thai_datetime(None)
    ''
    """
    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    t = t.astimezone(BANGKOK)
    return f"{t.day} {MONTHS_TH[t.month - 1]} {t.year + BE_OFFSET} {t:%H:%M} น."


def display_url(url: str) -> str:
    """A URL as people read it: Thai file names decoded (never use this for the link itself).

    >>> display_url("https://x.go.th/files/%E0%B9%81%E0%B8%9C%E0%B8%99.pdf")
    'https://x.go.th/files/แผน.pdf'
    """
    return unquote(url or "", errors="replace")


def short_url(url: str, limit: int = SHORT_URL) -> str:
    """A decoded URL without its scheme, shortened in the middle when long.

    >>> short_url("https://x.go.th/a/" + "b" * 100 + "/file.pdf", 40)
    'x.go.th/a/bbbbbbbbbbbbbbbb…bbbb/file.pdf'
    """
    u = display_url(url).split("://", 1)[-1]
    if len(u) <= limit:
        return u
    tail = max(12, limit // 3)
    return u[: limit - tail - 1] + "…" + u[-tail:]


def file_name(url: str) -> str:
    """The decoded last part of a URL's path (a document's file name, a page's name).

    >>> file_name("https://x.go.th/files/%E0%B9%81%E0%B8%9C%E0%B8%99%202568.pdf?id=3")
    'แผน 2568.pdf'
    """
    path = urlsplit(url or "").path.rstrip("/")
    return display_url(path.rsplit("/", 1)[-1]) if path else display_url(urlsplit(url or "").netloc)


def is_link(url: str) -> bool:
    """A URL that may be a link in a report (crawled text never becomes a script link)."""
    return isinstance(url, str) and url.startswith(("http://", "https://"))


def status_th(status: str) -> str:
    return STATUS_TH.get(status, status)


def points_text(points: dict[str, float]) -> str:
    """What a fix adds, as the issue's clerk reads it.

    >>> points_text({"9": 4.0})
    '+4.00 คะแนน ตัวชี้วัดที่ 9'
    """
    return ", ".join(f"+{v:.2f} คะแนน ตัวชี้วัดที่ {k}" for k, v in points.items()) or "+0.00 คะแนน"


def confidence_text(confidence: float) -> str:
    """How sure the match is, in words (never next to a fail: it would read as a score).

    >>> confidence_text(0.95)
    'ความมั่นใจ 95%'
    """
    return f"ความมั่นใจ {confidence * 100:.0f}%"


def shows_confidence(item) -> bool:
    """Confidence helps on a pass (how sure the match is) and on an item to check by eye;
    on a fail it reads like a score, so it is left out."""
    return item.status == "pass" or bool(item.review)


def checklist_confidence_text(level: str) -> str:
    th, en = CHECKLIST_CONFIDENCE.get(level, (level, level))
    return f"{th} / {en}"


def off_site_text(host: str) -> str:
    """Evidence the agency keeps on another host (its pages link it).

    >>> off_site_text("drive.google.com")
    'เก็บไว้นอกเว็บไซต์ (drive.google.com) / hosted off-site'
    """
    return f"เก็บไว้นอกเว็บไซต์ ({host}) / hosted off-site"


def evidence_notes(ev) -> list[str]:
    """Notes on one piece of evidence: off-site, read by OCR, the reader's own notes."""
    out = []
    if ev.kind == "link":
        out.append(f"ลิงก์ไปยังแบบฟอร์มออนไลน์ ({ev.host}) ไม่ได้เปิดตรวจ / a link to an online form ({ev.host}), not opened")
    if ev.off_site:
        out.append(off_site_text(ev.host))
    if ev.year_from_ocr:
        out.append("ปีอ่านจากภาพสแกน (OCR) / year read by OCR")
    if ev.from_ita_page:
        out.append("ลิงก์จากหน้า ITA ของหน่วยงาน / linked from the agency's ITA page")
    if ev.wording:
        out.append(f"พบในชื่อ «{ev.wording}» / found as «{ev.wording}»")
    out.extend(ev.notes)
    return out


def crawl_banner(report) -> str:
    """Why the report may not show everything, or "" (complete)."""
    crawl = report.crawl
    if crawl.complete:
        return ""
    why = crawl.stopped_reason or crawl.stopped_by or ""
    if crawl.outcome == "running":
        return "กำลังตรวจ รายงานนี้เป็นผลระหว่างทาง / the crawl is still running: this is a snapshot"
    return (f"ตรวจไม่ครบทั้งเว็บไซต์ ({why}) ข้อที่ไม่พบอาจมีอยู่ในส่วนที่ยังไม่ได้ตรวจ / the crawl did not cover the "
            f"whole site ({why}): an item marked not found may be in the part not checked")


def itas_note(item) -> str:
    """A short Thai note for the ITAS answer sheet."""
    if item.status == "pass":
        parts = []
        if len(item.answer_urls) > 1:
            parts.append(f"{len(item.answer_urls)} ลิงก์ กรอกให้ครบทุกลิงก์")
        ev = next((e for e in item.evidence if e.url == (item.answer_urls or [""])[0]), None)
        if ev is not None:
            parts.append(f"พบ «{ev.matched or file_name(ev.url)}»" + (f" ปี {ev.fiscal_year}" if ev.fiscal_year else ""))
            if ev.off_site:
                parts.append(f"เก็บไว้นอกเว็บไซต์ ({ev.host})")
            if ev.kind == "link":
                parts.append(f"ลิงก์แบบฟอร์มออนไลน์ ({ev.host}) ลองใช้ก่อนกรอก")
        if item.review:
            parts.insert(0, "ควรตรวจด้วยตาก่อนกรอก: " + (item.review_reason or "").split(" / ")[0])
        return " · ".join(parts)
    first = item.reason_details[0].th if item.reason_details else (item.reasons[0].split(" / ")[0] if item.reasons else "")
    return f"ยังไม่ผ่าน: {first} · ควรเผยแพร่: {item.publish}"
