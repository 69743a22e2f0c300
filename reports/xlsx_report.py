"""report.xlsx: items (with clickable evidence links), gaps and crawl errors."""

from pathlib import Path

import pandas as pd

from .csv_gaps import gap_rows
from .safe import cell


def _frame(rows, columns):
    return pd.DataFrame([{k: cell(r.get(k)) for k in columns} for r in rows], columns=columns)


def write_xlsx(report, out: Path) -> Path:
    path = Path(out) / "report.xlsx"
    item_rows = []
    for it in report.items:
        ev = it.evidence[0] if it.evidence else None
        item_rows.append({
            "code": it.code, "title": it.title, "indicator": it.indicator,
            "subindicator": it.subindicator, "status": it.status, "found": it.found,
            "confidence": it.confidence, "reasons": "; ".join(it.reasons),
            "evidence_url": ev.url if ev else "", "fiscal_year": ev.fiscal_year if ev else None,
            "snippet": ev.snippet if ev else "", "what_to_publish": it.publish,
            "found_as": ev.wording if ev else "", "checklist_confidence": it.checklist_confidence,
            "checklist_source": it.checklist_source,
        })
    items = _frame(item_rows, list(item_rows[0]) if item_rows else ["code"])
    gaps_rows = gap_rows(report)
    gaps = _frame(gaps_rows, list(gaps_rows[0]) if gaps_rows else ["code", "title", "reason"])
    errors = _frame([vars(e) for e in report.crawl.errors], ["url", "reason", "found_on"])
    tmp = path.with_suffix(".tmp.xlsx")
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        items.to_excel(xw, sheet_name="items", index=False)
        gaps.to_excel(xw, sheet_name="gaps", index=False)
        errors.to_excel(xw, sheet_name="errors", index=False)
        for name, frame, col in (("items", items, "evidence_url"), ("gaps", gaps, "evidence_url"), ("errors", errors, "url")):
            ws = xw.sheets[name]
            if col in frame.columns:
                idx = list(frame.columns).index(col) + 1
                for r, url in enumerate(frame[col], start=2):
                    if isinstance(url, str) and url.startswith(("http://", "https://")):
                        c = ws.cell(row=r, column=idx)
                        c.hyperlink = url
                        c.style = "Hyperlink"
            for column_cells in ws.columns:
                ws.column_dimensions[column_cells[0].column_letter].width = 18
    tmp.replace(path)
    return path
