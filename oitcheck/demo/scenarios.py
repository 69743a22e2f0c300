"""Scenarios for the bundled demo site: a typical small agency, some items done well,
some stale, some missing, some only mentioned in the news."""

from __future__ import annotations

PATTERN = ["good", "good", "missing", "good", "stale", "deep_pdf", "good", "decoy", "cp874", "good",
           "docx", "broken", "index_only", "good", "no_parts", "missing", "good", "stale", "good", "decoy"]


def applicable(item, scenario: str) -> bool:
    r = item.rules
    if scenario == "stale":
        return r.fiscal_year != "any"
    if scenario == "no_parts":
        return bool(r.parts) or r.link_kind is not None
    if scenario == "few_months":
        return r.period == "monthly"
    if scenario in ("deep_pdf", "docx", "decoy", "scanned"):
        return r.evidence == "document" and r.period != "monthly"
    if scenario == "cp874":
        return r.evidence != "document" and r.link_kind is None and not r.parts
    return True


def demo_scenarios(checklist, scanned: int = 1) -> dict[str, str]:
    out, pattern_pos, scanned_left = {}, 0, scanned
    for item in checklist.items:
        if item.rules.period == "monthly":
            out[item.code] = "good"
            continue
        if scanned_left and applicable(item, "scanned") and item.indicator == 10:
            out[item.code] = "scanned"
            scanned_left -= 1
            continue
        wanted = PATTERN[pattern_pos % len(PATTERN)]
        pattern_pos += 1
        out[item.code] = wanted if applicable(item, wanted) else "good"
    return out
