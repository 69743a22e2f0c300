"""Helpers that make crawled text harmless in files people open."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell(value):
    """Text safe for a spreadsheet cell: no control characters, no formula injection.

    >>> cell("=1+2")
    "'=1+2"
    >>> cell("แผน\x07ดำเนินงาน")
    'แผนดำเนินงาน'
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        value = "'" + value
    return value


def sheet_text(value):
    """Text for an XLSX cell (written as a string cell, never a formula): control characters
    removed; a leading "=" kept visible as text, so the cell never turns into a formula when
    someone edits it. "+4.00 คะแนน" stays as it is (a CSV needs :func:`cell` instead).

    >>> sheet_text("+4.00 คะแนน"), sheet_text("=1+2")
    ('+4.00 คะแนน', "'=1+2")
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith("=") else value


def atomic_write(path: Path, data: bytes) -> Path:
    """Write via a temporary file and rename, so readers never see half a report."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
