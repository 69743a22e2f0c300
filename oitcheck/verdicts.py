"""Decide each item like an assessor: is there a disclosure, of the right year and period,
with its required parts? Plain functions over Candidates; no network, no Scrapy.

Reasons are written for a clerk, Thai first, English after " / ".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .evidence import Candidate

TOPIC_PASS = 0.85  # a label that names the item
TOPIC_PASS_LEAD = 0.6  # linked for this item from the ITA index page: weaker naming suffices
MONTHS_NEEDED = 6  # monthly summaries: October to March of the assessed fiscal year
MAX_EVIDENCE = 5


@dataclass
class Verdict:
    code: str
    status: str  # pass | fail
    found: bool
    confidence: float
    reasons: list[str] = field(default_factory=list)
    evidence: list[Candidate] = field(default_factory=list)
    error: str | None = None  # the tool failed while deciding this item


def expected_years(rule: str, fiscal_year: int) -> set[int] | None:
    """Fiscal years an item may be of; None when any year (or none) will do."""
    return {
        "current": {fiscal_year},
        "previous": {fiscal_year - 1},
        "current_or_previous": {fiscal_year, fiscal_year - 1},
    }.get(rule)


def _fy_months(months, fiscal_year: int) -> set[tuple[int, int]]:
    # Months of fiscal year N: Oct-Dec of N-1 and Jan-Sep of N.
    return {(y, m) for y, m in months if (y == fiscal_year - 1 and m >= 10) or (y == fiscal_year and m <= 9)}


def _checks(item, c: Candidate, fiscal_year: int) -> list[str]:
    """The rule failures of one candidate, as reasons; empty means it passes alone."""
    fails = []
    if c.method == "failed":
        # The link names the item but the file gave no text: say so rather than "missing".
        return [_unreadable(c)]
    need = TOPIC_PASS_LEAD if c.lead else TOPIC_PASS
    if c.topic < need:
        if c.lead:
            fails.append(f"ลิงก์ในหน้า ITA สำหรับ {item.code} ชี้ไปที่เนื้อหาที่ไม่ใช่เรื่องนี้ / "
                         f"the ITA page links {item.code} to content that is not about it")
        else:
            fails.append("พบเพียงการกล่าวถึง ไม่ใช่ตัวเอกสาร / only mentioned, not the disclosure itself")
    years = expected_years(item.rules.fiscal_year, fiscal_year)
    if years:
        if not c.fiscal_years:
            fails.append("พบแต่ไม่ระบุปีงบประมาณ / found, but no fiscal year is stated")
        elif c.fiscal_years[0] not in years:
            want = " หรือ ".join(str(y) for y in sorted(years))
            fails.append(f"พบแต่เป็นของปี {c.fiscal_years[0]} (ต้องเป็นปี {want}) / "
                         f"found, but for {c.fiscal_years[0]} (needs {want.replace(' หรือ ', ' or ')})")
    if item.rules.period == "half_year" and c.period != "half_year":
        fails.append("พบแต่ไม่ใช่รายงานรอบ 6 เดือน / found, but not a 6-month report")
    if c.parts_missing:
        fails.append("พบแต่ขาด: " + ", ".join(c.parts_missing) + " / found, but missing: " + ", ".join(c.parts_missing))
    if c.link_ok is False:
        kind = {"social": "ลิงก์สื่อสังคมออนไลน์ / social-network link",
                "qa": "ช่องทางถาม-ตอบแบบสองทาง / two-way Q&A channel",
                "form": "แบบฟอร์มหรือช่องทางออนไลน์ / online form or channel",
                "eservice": "ระบบบริการออนไลน์ / online service"}[item.rules.link_kind]
        th, en = kind.split(" / ")
        fails.append(f"พบหน้าแต่ไม่มี{th} / found the page, but it has no {en}")
    return fails


def _unreadable(c: Candidate) -> str:
    if c.error and "scanned" in c.error:
        return "พบเอกสารแต่เป็นภาพสแกนที่อ่านไม่ได้ / found, but the document is scanned and could not be read"
    if c.error:
        return f"พบลิงก์แต่เปิดเอกสารไม่ได้ ({c.error}) / found a link, but the document could not be read ({c.error})"
    return "พบเอกสารแต่อ่านข้อความไม่ได้ / found, but the document's text could not be read"


def evidence_rank(c: Candidate):
    # Deep links to documents first (what an agency submits in ITAS), then naming strength.
    return (c.kind != "html", c.lead, c.topic, c.where == "label")


def decide(item, candidates: list[Candidate], fiscal_year: int,
           broken_leads: list[tuple[str, str]] = ()) -> Verdict:
    """One item's verdict from its candidates.

    ``broken_leads`` are (url, reason) pairs: links the ITA index page gives for this item
    that could not be fetched.
    """
    ranked = sorted(candidates, key=evidence_rank, reverse=True)
    checked = [(c, _checks(item, c, fiscal_year)) for c in ranked]
    passing = [c for c, fails in checked if not fails]
    found = any(c.topic >= TOPIC_PASS or (c.lead and c.topic >= TOPIC_PASS_LEAD) for c in ranked) or bool(broken_leads)

    if item.rules.period == "monthly" and passing:
        covered: set = set()
        for c in passing:
            covered |= _fy_months(c.months, fiscal_year)
        if len(covered) < MONTHS_NEEDED:
            reason = (f"พบสรุปผลรายเดือนเพียง {len(covered)} เดือน (ต้องมีตั้งแต่ ต.ค. ถึง มี.ค.) / "
                      f"only {len(covered)} months of monthly summaries (needs October to March)")
            return Verdict(item.code, "fail", True, 0.75, [reason], passing[:MAX_EVIDENCE])

    if passing:
        best = passing[0]
        conf = min(1.0, best.topic) * (0.85 if best.year_from_ocr else 1.0)
        reasons = ["พบ / found"]
        if best.year_from_ocr and best.fiscal_years:
            reasons.append(f"ปี {best.fiscal_years[0]} อ่านจาก OCR ควรตรวจด้วยตา / year {best.fiscal_years[0]} was read by OCR: check it by eye")
        return Verdict(item.code, "pass", True, round(conf, 2), reasons, passing[:MAX_EVIDENCE])

    reasons = []
    for url, why in broken_leads:
        reasons.append(f"ลิงก์ในหน้า ITA สำหรับ {item.code} เสีย ({why}) / the ITA page's link for {item.code} is broken ({why}): {url}")
    if checked:
        # Explain with the closest candidate: the one that failed the fewest checks.
        closest, fails = min(checked, key=lambda cf: (len(cf[1]), -cf[0].topic))
        if closest.topic >= TOPIC_PASS_LEAD or closest.lead or closest.error:
            reasons.extend(fails)
        elif not reasons:
            reasons.append("ไม่พบบนเว็บไซต์ (มีเพียงการกล่าวถึง) / not found on the site (only mentions)")
    if not reasons:
        reasons.append("ไม่พบบนเว็บไซต์ / not found anywhere on the site")
    evidence = [c for c, _ in checked if c.topic >= TOPIC_PASS_LEAD or c.lead][:MAX_EVIDENCE]
    return Verdict(item.code, "fail", found, 0.75 if found else 0.9, reasons, evidence)
