"""gaps.csv: one row per failing item, in checklist order, with what the fix adds and
where the item was nearly found. Thai header row, English key row; UTF-8 with BOM."""

from pathlib import Path

from .safe import atomic_write
from .tables import Column, csv_bytes
from .words import points_text

GAP_COLUMNS = [
    Column("code", "ข้อ", 7),
    Column("title", "หัวข้อ", 40, wrap=True),
    Column("indicator", "ตัวชี้วัด", 9),
    Column("subindicator", "ตัวชี้วัดย่อย", 11),
    Column("gain", "คะแนนที่จะได้เพิ่ม", 12, number_format='"+"0.00'),
    Column("gain_text", "ผลต่อคะแนน", 26, wrap=True),
    Column("reason", "เหตุผล", 60, wrap=True),
    Column("what_to_publish", "สิ่งที่ต้องเผยแพร่", 50, wrap=True),
    Column("evidence_url", "พบใกล้เคียงที่", 45, link=True),
]
COLUMNS = [c.key for c in GAP_COLUMNS]


def gap_rows(report) -> list[dict]:
    fixes = {f.code: f for f in report.fix_first}
    rows = []
    for it in report.items:
        if it.status == "pass":
            continue
        fix = fixes.get(it.code)
        rows.append({
            "code": it.code, "title": it.title, "indicator": it.indicator,
            "subindicator": it.subindicator, "gain": fix.gain if fix else None,
            "gain_text": points_text(fix.points) if fix else "",
            "reason": "\n".join(it.reasons), "what_to_publish": it.publish,
            "evidence_url": (fix.near_url if fix and fix.near_url else it.evidence[0].url if it.evidence else ""),
        })
    return rows


def write_gaps_csv(report, out: Path) -> Path:
    return atomic_write(Path(out) / "gaps.csv", csv_bytes(GAP_COLUMNS, gap_rows(report)))
