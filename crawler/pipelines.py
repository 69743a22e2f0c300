"""The evidence pipeline: every Document goes through the matcher as it arrives; the
report is written at the end, and a partial one every few seconds on the way."""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from oitcheck import checklist as checklists
from scrapy import signals

from oitcheck.crawler.items import CrawlError, IndexLead
from oitcheck.collect import Collector
from oitcheck.evidence import Document

log = logging.getLogger(__name__)


class EvidencePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.out = Path(s.get("OITCHECK_OUT"))
        self.snapshot_every = s.getfloat("OITCHECK_SNAPSHOT_SECONDS")
        self.year = s.getint("OITCHECK_YEAR") or None
        self.collector: Collector | None = None
        self._last_snapshot = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler)
        # spider_closed carries the finish reason (pipelines close before it is in stats).
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        year = self.year or getattr(spider, "year", None)
        checklist = checklists.load(year)
        self.collector = Collector(checklist, getattr(spider, "start_url", ""))
        self.crawler.oit_collector = self.collector  # the CLI and the progress line read it
        self.out.mkdir(parents=True, exist_ok=True)
        # Everything loaded so far (libraries, the checklist, the Thai dictionary) lives as long
        # as the crawl: keep it out of the garbage collector's full passes.
        gc.collect()
        gc.freeze()

    def process_item(self, item, spider=None):
        c = self.collector
        if isinstance(item, Document):
            c.add_document(item)
        elif isinstance(item, IndexLead):
            c.add_lead(item.code, item.url, item.found_on)
        elif isinstance(item, CrawlError):
            c.add_error(item.url, item.reason, item.found_on, item.anchor, item.index_code)
        if time.monotonic() - self._last_snapshot > self.snapshot_every:
            self._last_snapshot = time.monotonic()
            self.write(partial=True)
        return item

    def spider_closed(self, spider, reason):
        if self.collector is None:
            return
        self.collector.stats = _plain_stats(self.crawler.stats.get_stats())
        self.collector.stats["finish_reason"] = reason
        # Budgets ending a crawl are normal; a shutdown (Ctrl-C) or crash leaves it partial.
        partial = reason not in ("finished", "closespider_pagecount", "closespider_timeout", "closespider_itemcount")
        self.write(partial=partial)
        job_dir = self.crawler.settings.get("JOBDIR")
        if job_dir and not partial:
            # A finished crawl must not leave its seen-requests behind: tomorrow's run would
            # find every URL "already seen" and crawl nothing. Interrupted crawls keep it.
            import shutil

            shutil.rmtree(job_dir, ignore_errors=True)

    def write(self, partial: bool) -> None:
        from oitcheck.reports import write_all

        try:
            write_all(self.collector.report(partial=partial), self.out, partial=partial)
        except Exception:  # a report writer bug must not lose the crawl: keep the JSON at least
            log.exception("writing reports failed")
            from oitcheck.reports.json_report import write_json

            write_json(self.collector.report(partial=True), self.out)


def _plain_stats(stats: dict) -> dict:
    keep = {}
    for k, v in stats.items():
        if isinstance(v, (int, float, str)):
            keep[k] = v
        elif hasattr(v, "isoformat"):
            keep[k] = v.isoformat()
    return keep
