"""Report writers. Each takes a :class:`oitcheck.model.Report` and a folder; crawled text is
untrusted and is escaped or neutralised by every writer. Writers import only the model."""

from __future__ import annotations

from pathlib import Path

from .csv_gaps import write_gaps_csv
from .json_report import write_json

WRITERS = {
    "report.json": lambda r, out: write_json(r, out),
    "gaps.csv": lambda r, out: write_gaps_csv(r, out),
    "report.xlsx": lambda r, out: __import__("oitcheck.reports.xlsx_report", fromlist=["x"]).write_xlsx(r, out),
    "report.html": lambda r, out: __import__("oitcheck.reports.html_report", fromlist=["x"]).write_html(r, out),
}


def write_all(report, out: Path, files=tuple(WRITERS)) -> list[Path]:
    """Write the named formats (all by default) into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [WRITERS[name](report, out) for name in files if name in WRITERS]
