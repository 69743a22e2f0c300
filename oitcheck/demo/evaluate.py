"""Accuracy against labelled fixture sites: precision and recall of "pass".

Builds several agency sites with known answers (oitcheck.sitegen), with and without an ITA
index page, over several checklist years, serves them on 127.0.0.1, crawls them all in
one process and compares every item's verdict with its label.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from oitcheck import checklist as checklists

from .scenarios import applicable
from .sitegen import EXPECTED, build_site

SITES = [  # (name, year, with ITA index page, rotation, agency type)
    ("อบต.หนองบัว", 2568, True, 0, "lao"),
    ("เทศบาลตำบลท่าช้าง", 2568, False, 3, "lao"),
    ("อบต.โนนสูง", 2569, True, 5, "lao"),
    ("อบต.บ้านใหม่", 2569, False, 7, "lao"),
    ("เทศบาลตำบลนาคำ", 2567, True, 2, "lao"),
    ("อบต.ดอนแก้ว", 2566, True, 9, "lao"),
    ("วิทยาลัยเทคนิคหนองบัว", 2568, True, 4, "ovec"),  # a vocational college, its own list and words
    ("วิทยาลัยการอาชีพนาคำ", 2569, False, 6, "ovec"),
]


def scenarios_for(checklist, rotation: int, with_ocr: bool, with_index: bool) -> dict[str, str]:
    kinds = [k for k in EXPECTED if with_ocr or k != "scanned"]
    if not with_index:
        kinds = [k for k in kinds if k not in ("index_only", "broken")]
    out = {}
    for n, item in enumerate(checklist.items):
        want = kinds[(n + rotation) % len(kinds)]
        if item.rules.period == "monthly":
            want = "few_months" if (n + rotation) % 2 else "good"
        out[item.code] = want if applicable(item, want) else "good"
    return out


def run_eval(year: int | None = None, with_ocr: bool = False, out=sys.stdout) -> int:
    from oitcheck.crawl import CrawlOptions, run_crawls
    from .serve import LocalSite

    sites = [s for s in SITES if year is None or s[1] == year]
    with tempfile.TemporaryDirectory(prefix="oitcheck-eval-") as tmp:
        servers, jobs, labels = [], [], []
        for n, (org, y, with_index, rot, agency) in enumerate(sites):
            c = checklists.load(y, agency=agency)
            root = Path(tmp) / f"site{n}"
            site = build_site(root, c, scenarios_for(c, rot, with_ocr, with_index), org=org, with_index=with_index, seed=n)
            server = LocalSite(root)
            url = server.start()
            servers.append(server)
            jobs.append((url, CrawlOptions(out=Path(tmp) / f"report{n}", year=y, agency=agency, ocr=with_ocr,
                                           progress=False, record_history=False)))
            labels.append(site)
        try:
            reports = [r.report for r in run_crawls(jobs)]
        finally:
            for s in servers:
                s.stop()
    return summarize(sites, labels, reports, out)


def summarize(sites, labels, reports, out) -> int:
    tp = fp = fn = tn = 0
    per_scenario: dict[str, list[int]] = {}
    mistakes = []
    for (org, y, *_), site, report in zip(sites, labels, reports):
        got = {i.code: i.status == "pass" for i in report.items}
        shown = {i.code: ((i.evidence[0].url.rsplit("/", 1)[-1] + " «" + i.evidence[0].matched + "»")
                          if i.evidence else "no evidence") + " — " + i.reasons[0] for i in report.items}
        for code, want in site.expected.items():
            have = got[code]
            scen = site.scenarios[code]
            per_scenario.setdefault(scen, [0, 0])
            per_scenario[scen][0] += 1
            per_scenario[scen][1] += have == want
            if have and want:
                tp += 1
            elif have and not want:
                fp += 1
                mistakes.append(f"  false pass: {org} {y} {code} ({scen}) on {shown[code]}")
            elif want:
                fn += 1
                mistakes.append(f"  missed:     {org} {y} {code} ({scen}): {shown[code]}")
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"labelled sites: {len(sites)}, items judged: {tp + fp + fn + tn}", file=out)
    print(f"{'scenario':<12} {'items':>5} {'correct':>7}", file=out)
    for scen, (n, ok) in sorted(per_scenario.items()):
        print(f"{scen:<12} {n:>5} {ok:>7}", file=out)
    print("\n".join(mistakes), file=out) if mistakes else None
    print(f"pass precision: {precision:.3f}  recall: {recall:.3f}  (tp {tp}, fp {fp}, fn {fn}, tn {tn})", file=out)
    print(json.dumps({"precision": round(precision, 4), "recall": round(recall, 4), "tp": tp, "fp": fp, "fn": fn, "tn": tn}), file=out)
    return 0 if precision >= 0.95 and recall >= 0.95 else 1
