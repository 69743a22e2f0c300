"""gaps.csv: one row per failing item, UTF-8 with BOM so Excel shows Thai."""

import csv
import io
from pathlib import Path

from .safe import atomic_write, cell

COLUMNS = ["code", "title", "indicator", "subindicator", "reason", "what_to_publish", "evidence_url"]


def gap_rows(report) -> list[dict]:
    rows = []
    for it in report.items:
        if it.status == "pass":
            continue
        rows.append({
            "code": it.code, "title": it.title, "indicator": it.indicator,
            "subindicator": it.subindicator, "reason": "; ".join(it.reasons),
            "what_to_publish": it.publish,
            "evidence_url": it.evidence[0].url if it.evidence else "",
        })
    return rows


def write_gaps_csv(report, out: Path) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in gap_rows(report):
        writer.writerow({k: cell(v) for k, v in row.items()})
    return atomic_write(Path(out) / "gaps.csv", buf.getvalue().encode("utf-8-sig"))
