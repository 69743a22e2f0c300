"""Report writers. Each takes the report dict (see oitcheck.collect.Collector.report) and a
folder; crawled text is untrusted and is escaped or neutralised by every writer."""

from __future__ import annotations

from pathlib import Path

from .csv_gaps import write_gaps_csv
from .json_report import write_json


def write_all(report: dict, out: Path, partial: bool = False) -> list[Path]:
    """Write every format; a partial (in-progress) report writes only the cheap ones."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_json(report, out), write_gaps_csv(report, out)]
    if not partial:
        from .html_report import write_html
        from .xlsx_report import write_xlsx

        written.append(write_xlsx(report, out))
        written.append(write_html(report, out))
    return written
