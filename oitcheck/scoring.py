"""The score stage: items -> sub-indicators -> indicators (9 and 10) -> the OIT score.

Each item scores 100 (มี, pass) or 0 (ไม่มี); a sub-indicator is the mean of its items;
an indicator is the weighted mean of its sub-indicators (weights in the year's checklist,
with their source); the OIT score is the mean of its indicators (the NACC's arithmetic,
``scoring.oit: indicator_mean``) or, where the assessor counts items instead (OVEC's
colleges, ``scoring.oit: item_share``), the share of all items passed. ``oit_weighted``
is OIT's part of the ITA total (``scoring.oit_share``: 40 of 100 points). Rounded to two
decimals, half up, as the ITA reports print them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .model import ScoresOut

# ITA result levels (ระดับผลการประเมิน). Only AA (95 and over) and A (85-94.99) have a
# source (shared/oit, 2026-11-26); B-F are recalled and say so wherever a level is shown.
BANDS = [(95, "AA"), (85, "A"), (75, "B"), (65, "C"), (55, "D"), (50, "E"), (0, "F")]
SOURCED_BANDS = ("AA", "A")
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


def round2(x: float) -> float:
    return float(Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def score(checklist, passed: dict[str, bool]) -> ScoresOut:
    """Scores for a checklist given pass/fail per item code (missing codes count as fail)."""
    unknown = set(passed) - {i.code for i in checklist.items}
    if unknown:
        raise KeyError(f"items not in the {checklist.year} checklist: {', '.join(sorted(unknown))}")
    subs: dict[str, float] = {}
    for sub in checklist.subindicators:
        items = [i for i in checklist.items if i.subindicator == sub.code]
        subs[sub.code] = 100.0 * sum(1 for i in items if passed.get(i.code)) / len(items)
    indicators: dict[str, float] = {}
    for ind in checklist.indicator_numbers:
        members = [s for s in checklist.subindicators if s.indicator == ind]
        total_w = sum(s.weight for s in members)
        indicators[str(ind)] = round2(sum(subs[s.code] * s.weight for s in members) / total_w)
    if checklist.oit_method == "item_share":
        # Every item weighs the same: 31 of 37 items -> 83.78, i.e. 33.51 of OIT's 40 points.
        # The weighted score is taken from the unrounded share (as the published 33.51 is).
        share = 100.0 * sum(1 for i in checklist.items if passed.get(i.code)) / len(checklist.items)
        oit = round2(share)
        weighted = round2(share * checklist.oit_share) if checklist.oit_share else None
    else:
        oit = round2(sum(indicators.values()) / len(indicators)) if indicators else None
        weighted = round2(oit * checklist.oit_share) if oit is not None and checklist.oit_share else None
    return ScoresOut(
        indicator_9=indicators.get("9", 0.0), indicator_10=indicators.get("10", 0.0),
        subindicators={k: round2(v) for k, v in subs.items()},
        bands={f"indicator_{k}": band(v) for k, v in indicators.items()} | ({"oit": band(oit)} if oit is not None else {}),
        indicators=indicators, oit=oit, oit_weighted=weighted, oit_method=checklist.oit_method,
        oit_points=round2(100 * checklist.oit_share) if checklist.oit_share else None,
    )


def points_if_fixed(checklist, passed: dict[str, bool], code: str) -> dict[str, float]:
    """What passing one more item would add to each indicator (the fix-first order).

    An item of a 4-item sub-indicator weighs twice one of an 8-item sub-indicator. Computed
    from the arithmetic itself, not as a difference of rounded scores (which would say +3.34
    for a sixth of 20 points one time and +3.33 another).

    >>> from oitcheck.checklist import load
    >>> points_if_fixed(load(2566), {}, "O42")  # one of the two 10.2 items, at 50%
    {'10': 25.0}
    """
    if passed.get(code):
        return {}
    item = checklist.item(code)
    sub = next(s for s in checklist.subindicators if s.code == item.subindicator)
    members = [s for s in checklist.subindicators if s.indicator == sub.indicator]
    n = sum(1 for i in checklist.items if i.subindicator == sub.code)
    return {str(sub.indicator): round2(100.0 * sub.weight / sum(s.weight for s in members) / n)}
