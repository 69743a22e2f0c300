"""The finish stage: one path from the collector to the files, for every entry point.

``oitcheck crawl``, ``scrapy crawl site``, Scrapyd jobs and batch runs all end here (the
evidence pipeline calls :func:`finish` when the spider closes), so they write the same
report.json, with history and changes.

Never report what did not happen:

- a crawl that reached no page writes no scored report: the previous report stays as it
  was, and the run is recorded as unreachable (history, stats);
- every report says how complete it is (``crawl.complete``, ``crawl.stopped_by``);
- every file in the output folder belongs to the same run: the files are written into a
  fresh folder beside it and moved in together, and report files of an earlier run that
  this run did not write are removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .collect import STOPPED_WORDS, Collector  # noqa: F401  (STOPPED_WORDS re-exported)
from .model import (SCHEMA_VERSION, now_iso, ChecklistOut, CrawlOut, ErrorOut, EvidenceOut, FixOut, ItemOut, ReasonOut,
                    Report, ReviewOut, Verdict)
from .rules import fiscal_months
from .scoring import points_if_fixed, score

log = logging.getLogger(__name__)

# Every file a run may write; files of these names left by an earlier run are removed.
REPORT_FILES = ("report.json", "gaps.csv", "report.xlsx", "report.html", "itas.xlsx", "itas.csv")
PARTIAL_FILES = ("report.json", "gaps.csv")  # the cheap ones, rewritten while the crawl runs

# Scrapy's finish reasons -> why the crawl stopped before it had seen everything.
STOPPED_BY = {
    "closespider_pagecount": "page_limit",
    "closespider_timeout": "time_limit",
    "closespider_itemcount": "page_limit",
    "shutdown": "interrupted",
    "cancelled": "interrupted",
}


@dataclass
class CrawlInfo:
    """How the crawl went, as the engine saw it."""

    stats: dict = field(default_factory=dict)
    finish_reason: str = "finished"
    depth_limited: int = 0  # requests dropped by the depth limit
    run_id: str = ""
    skipped: dict[str, int] = field(default_factory=dict)
    rendered: list[dict] = field(default_factory=list)
    browser_started: bool = False

    @property
    def stopped_by(self) -> str | None:
        if self.finish_reason in STOPPED_BY:
            return STOPPED_BY[self.finish_reason]
        if self.finish_reason not in ("finished", ""):
            return "error"
        if self.depth_limited:
            return "depth_limit"
        return None


def outcome_of(collector: Collector) -> tuple[str, str]:
    """ok, unreachable (no page answered) or not_a_site (the address is a file)."""
    if collector.pages or (collector.planned is not None and collector.documents):
        return "ok", ""  # `oitcheck answers`: planned URLs may all be documents
    start = collector.site.rstrip("/")
    start_error = next((e["reason"] for u, e in collector.errors.items() if u.rstrip("/") == start), None)
    if collector.documents:
        return "not_a_site", "ลิงก์นี้เป็นไฟล์ ไม่ใช่หน้าเว็บไซต์ / the address is a file, not a web page"
    first = next(iter(collector.errors.values()), None)
    return "unreachable", start_error or (first["reason"] if first else "no page answered")


def _evidence(c) -> EvidenceOut:
    return EvidenceOut(
        url=c.url, found_on=c.found_on, kind=c.kind, snippet=c.snippet, matched=c.matched,
        fiscal_year=c.fiscal_years[0] if c.fiscal_years else None, method=c.method, from_ita_page=c.lead,
        year_from_ocr=c.year_from_ocr, strength=c.topic, off_site=c.off_site,
        host=urlsplit(c.url).hostname or "", notes=list(c.notes), wording=c.wording)


def answer_urls(item, v: Verdict, fiscal_year: int) -> list[str]:
    """What to enter in ITAS for a passing item: its best link, or for monthly summaries one
    link per month of the fiscal year, October first."""
    if v.status != "pass" or not v.evidence:
        return []
    if item.rules.period == "monthly":
        by_month: dict[tuple[int, int], str] = {}
        for c in v.evidence:  # best first: a month's best document wins
            for month in fiscal_months(c.months, fiscal_year):
                by_month.setdefault(month, c.url)
        urls = list(dict.fromkeys(by_month[m] for m in sorted(by_month)))
        return urls or [c.url for c in v.evidence]
    return [v.evidence[0].url]


def fix_first(checklist, verdicts: list[Verdict], broken: dict[str, list[tuple[str, str]]]) -> list[FixOut]:
    """Failing items, the most points first (``scoring.points_if_fixed``: an item of a small
    sub-indicator weighs more), then checklist order; with where each was nearly found.

    ``broken``: item code -> (url, reason) of links given for it that do not open."""
    passed = {v.code: v.status == "pass" for v in verdicts}
    order = {it.code: n for n, it in enumerate(checklist.items)}
    out = []
    for v in verdicts:
        if v.status == "pass":
            continue
        item = checklist.item(v.code)
        points = points_if_fixed(checklist, passed, v.code)
        near = v.near
        if broken.get(v.code):  # the agency's own link for the item is broken: fix that link first
            url, reason = broken[v.code][0]
            found_on, why = "", next((r.text for r in v.reasons if r.kind in ("broken_lead", "broken_url")), reason)
        elif near is not None:
            url, found_on = near.url, near.found_on
            why = "; ".join(r.text for r in v.reasons if r.kind not in ("broken_lead", "broken_url"))
        else:
            url = found_on = why = ""
        out.append(FixOut(
            code=item.code, title=item.title, indicator=item.indicator, subindicator=item.subindicator,
            subindicator_title=item.subindicator_title, points=points, gain=max(points.values(), default=0.0),
            publish=item.publish, reasons=[r.text for r in v.reasons], reason_th=v.reasons[0].th if v.reasons else "",
            near_url=url, near_found_on=found_on, near_why=why, review=v.review))
    out.sort(key=lambda f: (-f.gain, order[f.code]))
    return out


def review_list(verdicts: list[Verdict], titles: dict[str, str]) -> list[ReviewOut]:
    return [ReviewOut(code=v.code, title=titles[v.code], status=v.status,
                      reason=v.review_reason.text if v.review_reason else "",
                      url=v.evidence[0].url if v.evidence else "", confidence=v.confidence)
            for v in verdicts if v.review]


def _item(item, v: Verdict, fiscal_year: int) -> ItemOut:
    return ItemOut(
        code=item.code, title=item.title, indicator=item.indicator, subindicator=item.subindicator,
        subindicator_title=item.subindicator_title, status=v.status, found=v.found, confidence=v.confidence,
        reasons=[r.text for r in v.reasons], publish=item.publish, evidence=[_evidence(c) for c in v.evidence],
        error=v.error, review=v.review, review_reason=v.review_reason.text if v.review_reason else None,
        reason_details=[ReasonOut(r.kind, r.th, r.en, r.step) for r in v.reasons],
        checklist_confidence=item.confidence, checklist_source=item.source, alternatives=[a.title for a in item.alternatives],
        answer_urls=answer_urls(item, v, fiscal_year))


def build_report(collector: Collector, info: CrawlInfo | None = None, running: bool = False) -> Report:
    """The report of what the collector holds: while the crawl runs (``running``, a
    partial snapshot) or when it has stopped."""
    info = info or CrawlInfo()
    c = collector
    stopped_by = None if running else info.stopped_by
    if c.stopped_by != stopped_by:
        c.stopped_by = stopped_by  # the not-found reasons say why the crawl stopped
        c.forget()
    verdicts = c.verdicts()
    scores = score(c.checklist, {v.code: v.status == "pass" for v in verdicts})
    by_code = {v.code: v for v in verdicts}
    st = info.stats
    cached = "httpcache/store" in st or "httpcache/hit" in st or "httpcache/revalidate" in st
    outcome, why = outcome_of(c)
    if running:
        outcome, why = "running", ""
    elif stopped_by == "interrupted":
        outcome = "interrupted"
    crawl = CrawlOut(
        pages=c.pages, documents=c.documents, by_kind=dict(sorted(c.by_kind.items())),
        errors=[ErrorOut(**e) for e in sorted(c.errors.values(), key=lambda e: e["url"])],
        ita_index_pages=sorted(c.lead_pages), started=c.started, finished=None if running else now_iso(),
        match_seconds=round(c.match_seconds, 3),
        # With --cache: bodies downloaded in full vs. confirmed unchanged (304) or fresh in cache.
        full_downloads=(st.get("httpcache/firsthand", 0) + st.get("httpcache/invalidate", 0)) if cached
        else st.get("response_received_count", 0),
        revalidated=st.get("httpcache/revalidate", 0), cache_hits=st.get("httpcache/hit", 0),
        stats={k: v for k, v in st.items() if isinstance(v, (int, float, str))},
        complete=not running and stopped_by is None, stopped_by=stopped_by, outcome=outcome, outcome_reason=why,
        skipped=dict(sorted(info.skipped.items())), rendered=list(info.rendered), browser_started=info.browser_started,
        off_site_documents=sum(1 for r in c.records.values() if r.off_site), run_id=info.run_id,
        stopped_reason=" / ".join(STOPPED_WORDS[stopped_by]) if stopped_by in STOPPED_WORDS else "")
    cl = c.checklist
    return Report(
        schema_version=SCHEMA_VERSION, partial=running or stopped_by == "interrupted", site=c.site,
        agency=cl.agency_type,
        checklist=ChecklistOut(year=cl.year, name=cl.name, status=cl.status, fiscal_year=c.fiscal_year,
                               agency_type=cl.agency_type, agency_name=c.agency_name, unconfirmed_items=cl.unconfirmed,
                               bands_source=cl.bands_source, indicators={str(n): t for n, t in cl.indicators},
                               agency_type_name=cl.agency.name, agency_head=cl.agency.head),
        crawl=crawl, items=[_item(item, by_code[item.code], c.fiscal_year) for item in cl.items], scores=scores,
        fix_first=fix_first(cl, verdicts, c.broken_leads()),
        review=review_list(verdicts, {it.code: it.title for it in cl.items}),
        mode="answers" if c.planned is not None else "site")


# --- writing -------------------------------------------------------------------------------


def write_run(report: Report, out: Path, files: tuple[str, ...] = REPORT_FILES) -> list[Path]:
    """Write this run's files into ``out`` together; report files of earlier runs go.

    The files are made in a fresh folder beside ``out`` and moved in one by one (each move
    is atomic), so a reader never sees half a file and a crash leaves no mixture."""
    from .reports import write_all

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".oitcheck-", dir=out))
    try:
        written = write_all(report, tmp, files=files)
        names = {p.name for p in written}
        for p in written:
            os.replace(p, out / p.name)
            os.chmod(out / p.name, 0o644)
        for name in REPORT_FILES:
            if name not in names and (out / name).exists():
                (out / name).unlink()
        return [out / n for n in sorted(names)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def finish(collector: Collector, info: CrawlInfo, out: Path, history=None) -> tuple[Report | None, str]:
    """End a crawl: write its report (unless it reached nothing) and record it in history.

    Returns (report or None, outcome). ``history`` is a :class:`oitcheck.history.History`
    or None (no history)."""
    outcome, why = outcome_of(collector)
    interrupted = info.stopped_by == "interrupted"
    if outcome != "ok":
        log.error("cannot crawl %s: %s", collector.site, why)
        if history is not None:
            history.record_failure(collector.site, collector.checklist, outcome, why, info.run_id,
                                   agency=collector.checklist.agency_type)
        return None, outcome
    report = build_report(collector, info)
    if history is not None and not interrupted:
        report.changes = history.record(report)
    write_run(report, out)
    return report, "interrupted" if interrupted else "ok"
