"""The OIT score arithmetic: items -> sub-indicators -> indicators 9 and 10.

Each item scores 100 (มี, pass) or 0 (ไม่มี); a sub-indicator is the mean of its items;
an indicator is the weighted mean of its sub-indicators (weights in the year's checklist,
with their source). Rounded to two decimals, half up, as the ITA reports print them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ITA result levels (ระดับผลการประเมิน) as the NACC reports them for the overall score;
# shown next to each indicator for orientation.
BANDS = [(95, "AA"), (85, "A"), (75, "B"), (65, "C"), (55, "D"), (50, "E"), (0, "F")]
PASS_MARK = 85  # the ITA target: 85 points or more counts as passing


def band(score: float) -> str:
    """ITA level of a score.

    >>> band(30.0)
    'F'
    >>> band(85)
    'A'
    """
    for floor, name in BANDS:
        if score >= floor:
            return name
    return "F"


def _round2(x: float) -> float:
    return float(Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def score(checklist, passed: dict[str, bool]) -> dict:
    """Scores for a checklist given pass/fail per item code (missing codes count as fail).

    Returns ``{"indicator_9", "indicator_10", "subindicators": {code: score}, "bands"}``.
    """
    unknown = set(passed) - {i.code for i in checklist.items}
    if unknown:
        raise KeyError(f"items not in the {checklist.year} checklist: {', '.join(sorted(unknown))}")
    subs: dict[str, float] = {}
    for sub in checklist.subindicators:
        items = [i for i in checklist.items if i.subindicator == sub.code]
        subs[sub.code] = 100.0 * sum(1 for i in items if passed.get(i.code)) / len(items)
    out: dict = {"subindicators": {k: _round2(v) for k, v in subs.items()}}
    for ind in (9, 10):
        members = [s for s in checklist.subindicators if s.indicator == ind]
        total_w = sum(s.weight for s in members)
        value = sum(subs[s.code] * s.weight for s in members) / total_w
        out[f"indicator_{ind}"] = _round2(value)
    out["bands"] = {k: band(out[k]) for k in ("indicator_9", "indicator_10")}
    return out
