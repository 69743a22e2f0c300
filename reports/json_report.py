"""report.json: the contract other tools read (fields are added, never renamed); its
JSON Schema is generated from oitcheck.model and shipped as reports/report.schema.json."""

from pathlib import Path

from .safe import atomic_write


def write_json(report, out: Path) -> Path:
    return atomic_write(Path(out) / "report.json", report.to_json().encode("utf-8"))
