"""Buddhist-era dates, Thai month names and fiscal years.

Thai fiscal year N (Buddhist era) runs from 1 October N-1 to 30 September N.
All functions take text that went through :func:`oitcheck.thai.normalize`
(Arabic digits, repaired vowels).

>>> fiscal_year_of(2567, 10)
2568
>>> fiscal_year_of(2568, 9)
2568
>>> fiscal_years_in("แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2568")
[2568]
>>> month_span("ต.ค. 2567 - มี.ค. 2568")
((2567, 10), (2568, 3))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Full and abbreviated Thai month names, as agencies write them (with or without dots).
MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        ("มกราคม", "ม.ค.", "มค"),
        ("กุมภาพันธ์", "ก.พ.", "กพ"),
        ("มีนาคม", "มี.ค.", "มีค"),
        ("เมษายน", "เม.ย.", "เมย"),
        ("พฤษภาคม", "พ.ค.", "พค"),
        ("มิถุนายน", "มิ.ย.", "มิย"),
        ("กรกฎาคม", "ก.ค.", "กค"),
        ("สิงหาคม", "ส.ค.", "สค"),
        ("กันยายน", "ก.ย.", "กย"),
        ("ตุลาคม", "ต.ค.", "ตค"),
        ("พฤศจิกายน", "พ.ย.", "พย"),
        ("ธันวาคม", "ธ.ค.", "ธค"),
    ],
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _num

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
# A plausible Buddhist-era year for the ITA era (2540..2599); "พ.ศ." optional.
_BE = r"(25[4-9]\d)"
_MONTH_YEAR = re.compile(rf"({_MONTH_ALT})\s*(?:พ\.\s?ศ\.\s*)?{_BE}|({_MONTH_ALT})\s*(\d{{2}})(?!\d)")
# An academic year (ปีการศึกษา N: May N to March N+1, what a college's SAR reports on) counts
# as year N: a college's rule "ย้อนหลัง 1 ปีการศึกษา" is then current_or_previous.
_FY_PHRASE = re.compile(
    rf"(?:ปี\s?งบประมาณ|งบประมาณ|ปีงบฯ|ปีการศึกษา|ประจำปี|ปี|พ\.\s?ศ\.)\s*(?:พ\.\s?ศ\.\s*)?{_BE}(?:\s*-\s*{_BE})?"
)
# "ผลการประเมิน ITA ประจำปีงบประมาณ 2568" and "ITA ปี 2568" name an assessment, not the
# document's own fiscal year; "มาตรการยกระดับ ITA ปีงบประมาณ 2569" (no ผลการประเมิน) is the
# document's own year and stays.
_ITA_YEAR = re.compile(
    rf"ผลการประเมิน\S*\s*(?:\(?ita\)?)?\s*(?:ประจำปี(?:งบประมาณ)?|ปีงบประมาณ|ปี)?\s*(?:พ\.\s?ศ\.\s*)?{_BE}"
    rf"|ita\s*(?:ประจำปี|ปี)(?!\s?งบ)\s*(?:พ\.\s?ศ\.\s*)?{_BE}"
    rf"|ita\s*(?:พ\.\s?ศ\.\s*)?{_BE}",
    re.I,
)
_ANY_BE = re.compile(rf"(?<!\d){_BE}(?!\d)")
_SPAN = re.compile(
    rf"({_MONTH_ALT})\s*(?:(?:พ\.\s?ศ\.\s*)?{_BE})?\s*(?:-|ถึง|ถึงเดือน)\s*({_MONTH_ALT})\s*(?:พ\.\s?ศ\.\s*)?{_BE}"
)


def fiscal_year_of(be_year: int, month: int) -> int:
    """Fiscal year (BE) of a calendar month: October onwards belongs to the next one."""
    return be_year + 1 if month >= 10 else be_year


def _two_digit(yy: str) -> int:
    # "ต.ค. 67" -> 2567: agencies abbreviate years in file names and table headers.
    return 2500 + int(yy)


def fiscal_years_in(text: str) -> list[int]:
    """Fiscal years a document states about itself ("ประจำปีงบประมาณ พ.ศ. 2568"), in order.

    Falls back to month-year mentions converted to fiscal years. Returns distinct years,
    most frequent first. Years of an ITA assessment ("ผลการประเมิน ITA ปี 2568") are not
    the document's own and are left out.

    >>> fiscal_years_in("การนำผลการประเมิน ita ปี 2568 ไปสู่การพัฒนา มาตรการ ปีงบประมาณ 2569")
    [2569]
    >>> fiscal_years_in("การนำผลการประเมิน ita ปี 2568 ไปสู่การพัฒนา มาตรการยกระดับ ita ปีงบประมาณ 2569")
    [2569]
    >>> fiscal_years_in("ผลการประเมิน ita ประจำปีงบประมาณ พ.ศ. 2568")
    []
    >>> fiscal_years_in("รายงานผลการประเมินตนเอง (sar) ประจำปีการศึกษา 2567")
    [2567]
    """
    text = _ITA_YEAR.sub(" ", text)
    counts: dict[int, int] = {}
    for m in _FY_PHRASE.finditer(text):
        for g in m.groups():
            if g:
                counts[int(g)] = counts.get(int(g), 0) + 3
    for year, month in month_years(text):
        fy = fiscal_year_of(year, month)
        counts[fy] = counts.get(fy, 0) + 1
    return [y for y, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -kv[0]))]


_YEARISH = re.compile(r"(?<!\d)(?:25[4-9]\d|\d{2}(?!\d))")
_MONTH_BEFORE = re.compile(rf"({_MONTH_ALT})\s*(?:พ\.\s?ศ\.\s*)?$")


def month_years(text: str) -> list[tuple[int, int]]:
    """(year BE, month) pairs found as "มีนาคม 2568", "มี.ค. 68", "ต.ค.2567".

    Numbers are rare in Thai text and month names are not: each number is looked at for a
    month name right before it, instead of trying every month name at every character
    (ten times faster on long documents; the same pairs).

    >>> month_years("สขร.1 เดือนตุลาคม 2567 และ มี.ค. 68 หน้า 12")
    [(2567, 10), (2568, 3)]
    """
    out = []
    for m in _YEARISH.finditer(text):
        before = _MONTH_BEFORE.search(text, max(0, m.start() - 24), m.start())
        if before is None:
            continue
        y = m.group(0)
        if len(y) == 4:
            out.append((int(y), MONTHS[before.group(1)]))
        elif not before.group(0)[len(before.group(1)):].strip():  # "มี.ค. 68", never "พ.ศ. 68"
            out.append((_two_digit(y), MONTHS[before.group(1)]))
    return out


def month_span(text: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """First "month [year] - month year" range, as ((year, month), (year, month))."""
    m = _SPAN.search(text)
    if not m:
        return None
    m1, y1, m2, y2 = MONTHS[m.group(1)], m.group(2), MONTHS[m.group(3)], int(m.group(4))
    start_year = int(y1) if y1 else (y2 - 1 if MONTHS[m.group(1)] > m2 else y2)
    return (start_year, m1), (y2, m2)


def be_years(text: str) -> list[int]:
    """Every Buddhist-era year mentioned, in order of appearance."""
    return [int(y) for y in _ANY_BE.findall(text)]


@dataclass(frozen=True)
class Period:
    """What part of a fiscal year a report covers."""

    kind: str  # "half_year", "monthly", "annual" or "unknown"
    months: tuple[tuple[int, int], ...] = ()


_HALF_YEAR = re.compile(r"(?:รอบ|ระยะ)\s*6\s*เดือน|6\s*เดือนแรก|ครึ่งปี|ไตรมาส(?:ที่)?\s*2")


def period_of(text: str) -> Period:
    """Classify the period a report covers from its wording and month ranges.

    >>> period_of("รายงานการกำกับติดตาม รอบ 6 เดือน (ต.ค. 2567 - มี.ค. 2568)").kind
    'half_year'
    >>> period_of("สรุปผลการจัดซื้อจัดจ้าง ประจำเดือน มกราคม 2568").kind
    'monthly'
    """
    span = month_span(text)
    if _HALF_YEAR.search(text):
        return Period("half_year", (span[0], span[1]) if span else ())
    if span:
        (y1, m1), (y2, m2) = span
        n = (y2 - y1) * 12 + (m2 - m1) + 1
        if 5 <= n <= 7:
            return Period("half_year", span)
        if n >= 11:
            return Period("annual", span)
    if re.search(r"ประจำเดือน|รายเดือน|เดือน\s*(?:" + _MONTH_ALT + ")", text):
        return Period("monthly", tuple(month_years(text)))
    return Period("unknown")
