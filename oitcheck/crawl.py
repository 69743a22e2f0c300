"""Run the Scrapy spider in this process for one or more sites, and say how each run ended."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .model import Report, report_from_json


@dataclass
class CrawlOptions:
    out: Path = Path("oit-report")
    year: int | None = None
    agency: str = "lao"
    max_pages: int | None = None
    max_depth: int | None = None
    max_minutes: float | None = None
    ocr: bool = True
    job_dir: Path | None = None  # resumable crawl state (Scrapy JOBDIR)
    cache_dir: Path | None = None  # HTTP cache with revalidation (nightly runs)
    concurrency: int | None = None
    progress: bool | None = None
    history: Path | None = None
    record_history: bool = True
    js: bool = True  # render pages that need a browser
    answers: dict[str, list[str]] | None = None  # `oitcheck answers`: item code -> planned URLs (only those are read)
    extra: dict = field(default_factory=dict)


@dataclass
class RunResult:
    """How one site's run ended: ok, interrupted, unreachable, not_a_site, local_error."""

    url: str
    outcome: str
    reason: str = ""
    report: Report | None = None  # this run's report (None when it wrote none)
    written: bool = False  # this run's report files are in the output folder


def base_settings():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "oitcheck.crawler.settings")
    from scrapy.settings import Settings

    import oitcheck.crawler.settings as base

    s = Settings()
    s.setmodule(base, priority="project")
    s.set("LOG_INSTALL_ROOT_HANDLER", False)
    return s


def overrides_for(opts: CrawlOptions, run_id: str) -> dict:
    """Per-site settings (out folder, year, budgets) layered over crawler/settings.py."""
    over = {"OITCHECK_OUT": str(opts.out), "OITCHECK_OCR": opts.ocr, "OITCHECK_AGENCY": opts.agency,
            "OITCHECK_RUN_ID": run_id, "OITCHECK_HISTORY_ENABLED": opts.record_history, "OITCHECK_JS": opts.js}
    if opts.history:
        over["OITCHECK_HISTORY"] = str(opts.history)
    if opts.year:
        over["OITCHECK_YEAR"] = opts.year
    if opts.max_pages:
        over["CLOSESPIDER_PAGECOUNT"] = opts.max_pages
    if opts.max_depth is not None:
        over["DEPTH_LIMIT"] = opts.max_depth
    if opts.max_minutes:
        over["CLOSESPIDER_TIMEOUT"] = int(opts.max_minutes * 60)
    if opts.job_dir:
        over["JOBDIR"] = str(opts.job_dir)
    if opts.cache_dir:
        over["HTTPCACHE_ENABLED"] = True
        # Revalidate every URL every run (ETag/Last-Modified): a page that changed while its
        # Last-Modified stayed old must not be taken from the cache on heuristic freshness.
        over["DEFAULT_REQUEST_HEADERS"] = {**base_settings().getdict("DEFAULT_REQUEST_HEADERS"),
                                           "Cache-Control": "max-age=0"}
        over["HTTPCACHE_DIR"] = str(Path(opts.cache_dir).resolve() / "http")
        over["OITCHECK_OCR_CACHE"] = str(Path(opts.cache_dir).resolve() / "ocr")
    if opts.concurrency:
        over["CONCURRENT_REQUESTS_PER_DOMAIN"] = opts.concurrency
    if opts.progress is not None:
        over["OITCHECK_PROGRESS"] = opts.progress
    if opts.answers is not None:
        # Exactly the planned URLs and one click down from them, as the assessor opens them
        # (a person clicking a link, not a robot walking the site: robots.txt does not apply).
        over.update({"OITCHECK_ANSWERS": opts.answers, "DEPTH_LIMIT": 1, "ROBOTSTXT_OBEY": False})
    else:
        previous = previous_leads(Path(opts.out))
        if previous:
            over["OITCHECK_PRIORITY_URLS"] = previous
    over.update(opts.extra)
    return over


def read_report(out: Path) -> Report | None:
    try:
        return report_from_json((Path(out) / "report.json").read_bytes())
    except (OSError, ValueError):
        return None


def previous_leads(out: Path, limit: int = 500) -> list[str]:
    """Last run's ITA index pages and evidence URLs (same --out folder): checked first, so a
    nightly run confirms what mattered before it wanders the rest of the site."""
    try:
        report = json.loads((out / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    urls = list(report.get("crawl", {}).get("ita_index_pages", []))
    for item in report.get("items", []):
        urls.extend(e["url"] for e in item.get("evidence", [])[:2])
    return list(dict.fromkeys(u for u in urls if isinstance(u, str) and u.startswith(("http://", "https://"))))[:limit]


def run_crawls(jobs: list[tuple[str, CrawlOptions]]) -> list[RunResult]:
    """Crawl several sites at once in this process (Twisted runs once per process)."""
    from scrapy.crawler import CrawlerProcess

    from .crawler.spiders.site import SiteSpider

    process = CrawlerProcess(base_settings())
    crawlers = []
    for n, (url, opts) in enumerate(jobs):
        run_id = uuid.uuid4().hex
        # A subclass per job carries that job's settings as the spider's custom_settings.
        spidercls = type(f"SiteSpider_{n}", (SiteSpider,), {"custom_settings": overrides_for(opts, run_id)})
        c = process.create_crawler(spidercls)
        process.crawl(c, url=url, year=str(opts.year) if opts.year else None, agency=opts.agency)
        crawlers.append((c, url, opts, run_id))
    process.start()
    return [result_of(c, url, opts, run_id) for c, url, opts, run_id in crawlers]


def result_of(crawler, url: str, opts: CrawlOptions, run_id: str) -> RunResult:
    """How a run ended, from its stats and the files it wrote (a forced stop writes no stats)."""
    stats = crawler.stats.get_stats() if crawler.stats else {}
    outcome = stats.get("oitcheck/outcome")
    report = read_report(opts.out)
    mine = report is not None and report.crawl.run_id == run_id
    if outcome in ("unreachable", "not_a_site"):
        return RunResult(url, outcome, stats.get("oitcheck/outcome_reason", ""), None, False)
    if outcome == "local_error":
        return RunResult(url, outcome, stats.get("oitcheck/outcome_reason", ""), None, False)
    if outcome == "ok" and mine:
        return RunResult(url, "ok", "", report, True)
    # Interrupted: the final files if the spider closed, else the last snapshot, if any.
    return RunResult(url, "interrupted", "", report if mine else None, mine)
