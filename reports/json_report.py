"""report.json: the contract other tools read (fields are added, never renamed)."""

import json
from pathlib import Path

from .safe import atomic_write


def write_json(report: dict, out: Path) -> Path:
    data = json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")
    return atomic_write(Path(out) / "report.json", data)
