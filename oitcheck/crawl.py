"""Run the Scrapy spider in this process for one or more sites and return their reports."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CrawlOptions:
    out: Path = Path("oit-report")
    year: int | None = None
    max_pages: int | None = None
    max_depth: int | None = None
    max_minutes: float | None = None
    ocr: bool = True
    job_dir: Path | None = None  # resumable crawl state (Scrapy JOBDIR)
    cache_dir: Path | None = None  # HTTP cache with revalidation (nightly runs)
    concurrency: int | None = None
    progress: bool | None = None
    extra: dict = field(default_factory=dict)


def base_settings():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "oitcheck.crawler.settings")
    from scrapy.settings import Settings

    import crawler.settings as base

    s = Settings()
    s.setmodule(base, priority="project")
    s.set("LOG_INSTALL_ROOT_HANDLER", False)
    return s


def overrides_for(opts: CrawlOptions) -> dict:
    """Per-site settings (out folder, year, budgets) layered over crawler/settings.py."""
    over = {"OITCHECK_OUT": str(opts.out), "OITCHECK_OCR": opts.ocr}
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
        over["HTTPCACHE_DIR"] = str(Path(opts.cache_dir).resolve() / "http")
        over["OITCHECK_OCR_CACHE"] = str(Path(opts.cache_dir).resolve() / "ocr")
    if opts.concurrency:
        over["CONCURRENT_REQUESTS_PER_DOMAIN"] = opts.concurrency
    if opts.progress is not None:
        over["OITCHECK_PROGRESS"] = opts.progress
    previous = previous_leads(Path(opts.out))
    if previous:
        over["OITCHECK_PRIORITY_URLS"] = previous
    over.update(opts.extra)
    return over


def previous_leads(out: Path, limit: int = 500) -> list[str]:
    """Last run's ITA index pages and evidence URLs (same --out folder): checked first, so a
    nightly run confirms what mattered before it wanders the rest of the site."""
    import json

    try:
        report = json.loads((out / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    urls = list(report.get("crawl", {}).get("ita_index_pages", []))
    for item in report.get("items", []):
        urls.extend(e["url"] for e in item.get("evidence", [])[:2])
    return list(dict.fromkeys(u for u in urls if isinstance(u, str) and u.startswith(("http://", "https://"))))[:limit]


def run_crawls(jobs: list[tuple[str, CrawlOptions]]) -> list[dict | None]:
    """Crawl several sites at once in this process (Twisted runs once per process)."""
    from scrapy.crawler import CrawlerProcess

    from oitcheck.crawler.spiders.site import SiteSpider

    process = CrawlerProcess(base_settings())
    crawlers = []
    for n, (url, opts) in enumerate(jobs):
        # A subclass per job carries that job's settings as the spider's custom_settings.
        spidercls = type(f"SiteSpider_{n}", (SiteSpider,), {"custom_settings": overrides_for(opts)})
        c = process.create_crawler(spidercls)
        process.crawl(c, url=url, year=str(opts.year) if opts.year else None)
        crawlers.append(c)
    process.start()
    out = []
    for c in crawlers:
        col = getattr(c, "oit_collector", None)
        out.append(_final_report(c) if col is not None else None)
    return out


def _final_report(c) -> dict:
    import json

    path = Path(c.settings.get("OITCHECK_OUT")) / "report.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return c.oit_collector.report(partial=True)
