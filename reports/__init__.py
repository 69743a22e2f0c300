"""Report writers. Each takes a :class:`oitcheck.model.Report` and a folder; crawled text is
untrusted and is escaped or neutralised by every writer. Writers import only the model."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from .csv_gaps import write_gaps_csv
from .json_report import write_json


def _lazy(module: str, name: str):
    """A writer whose module (pandas/openpyxl, matplotlib) loads only when it is used."""
    return lambda r, out: getattr(import_module(f"oitcheck.reports.{module}"), name)(r, out)


WRITERS = {
    "report.json": lambda r, out: write_json(r, out),
    "gaps.csv": lambda r, out: write_gaps_csv(r, out),
    "report.xlsx": _lazy("xlsx_report", "write_xlsx"),
    "report.html": _lazy("html_report", "write_html"),
    "itas.xlsx": _lazy("itas", "write_itas_xlsx"),
    "itas.csv": _lazy("itas", "write_itas_csv"),
}


def write_all(report, out: Path, files=tuple(WRITERS)) -> list[Path]:
    """Write the named formats (all by default) into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [WRITERS[name](report, out) for name in files if name in WRITERS]
