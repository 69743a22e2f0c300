"""The evidence pipeline: every Document, link text, ITA lead and crawl error goes to the
collector as it arrives; a partial report is rewritten every few seconds once a page has
answered; when the spider closes, the finish stage writes the final report once."""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path

from scrapy import signals

from oitcheck.checklist import load
from oitcheck.collect import Collector, feed, record_line
from oitcheck.finish import PARTIAL_FILES, CrawlInfo, build_report, finish, write_run

log = logging.getLogger(__name__)

SNAPSHOT_SMALL = 500  # URLs below which a partial report is written every OITCHECK_SNAPSHOT_SECONDS
SNAPSHOT_GROWTH = 1.5  # ... above which only once the site has grown by this much since the last one
SNAPSHOT_SHARE = 0.05  # and never more often than keeps their cost under this share of the crawl's time


class EvidencePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.out = Path(s.get("OITCHECK_OUT"))
        self.snapshot_every = s.getfloat("OITCHECK_SNAPSHOT_SECONDS")
        self.year = s.getint("OITCHECK_YEAR") or None
        self.agency = s.get("OITCHECK_AGENCY")
        self.run_id = s.get("OITCHECK_RUN_ID") or uuid.uuid4().hex
        self.history_path = s.get("OITCHECK_HISTORY") or None
        self.history_on = s.getbool("OITCHECK_HISTORY_ENABLED")
        # `oitcheck answers`: item code -> the URLs the agency plans to enter (None: the whole site)
        self.planned = {k: list(v) for k, v in s.getdict("OITCHECK_ANSWERS").items()} if s.get("OITCHECK_ANSWERS") else None
        self.collector: Collector | None = None
        # Developers: a record of what the crawl yielded, to decide again offline after a change
        # in matching or rules (oitcheck.collect.replay) without fetching the site again.
        self.record = open(s.get("OITCHECK_RECORD"), "w", encoding="utf-8") if s.get("OITCHECK_RECORD") else None
        self._last_snapshot = time.monotonic()
        self._snapshot_records = 0
        self._snapshot_cost = 0.0  # seconds the last snapshot took

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler)
        # spider_closed carries the finish reason (pipelines close before it is in stats).
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        checklist = load(self.year or getattr(spider, "year", None), agency=self.agency)
        self.collector = Collector(checklist, getattr(spider, "start_url", ""), planned=self.planned)
        stats = self.crawler.stats
        stats.set_value("oitcheck/running", 1)
        stats.set_value("oitcheck/run_id", self.run_id)
        stats.set_value("oitcheck/items", len(checklist.items))

    def process_item(self, item, spider=None):
        c = self.collector
        if self.record is not None:
            self.record.write(record_line(item) + "\n")
        feed(c, item)
        since = time.monotonic() - self._last_snapshot
        if since > max(self.snapshot_every, self._snapshot_cost / SNAPSHOT_SHARE) and (
                len(c.records) < SNAPSHOT_SMALL or len(c.records) >= SNAPSHOT_GROWTH * self._snapshot_records):
            # A snapshot decides every URL again: on a big site only after it grew by half,
            # and only as often as keeps snapshots to a twentieth of the crawl's time.
            started = time.monotonic()
            self._snapshot_records = len(c.records)
            self.snapshot()
            self._last_snapshot = time.monotonic()
            self._snapshot_cost = self._last_snapshot - started
        return item

    def _info(self, reason: str = "finished") -> CrawlInfo:
        stats = self.crawler.stats.get_stats()
        skipped = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("oitcheck/skipped/")}
        # Planned answers are read one click deep on purpose: that is not an incomplete crawl.
        depth_limited = skipped.get("depth limit", 0) if self.planned is None else 0
        if skipped.get("page limit") and reason == "finished":
            reason = "closespider_pagecount"
        # The spider records each page it rendered in a browser (oitcheck/rendered, a list).
        rendered = [dict(r) for r in stats.get("oitcheck/rendered") or []]
        return CrawlInfo(stats=_plain_stats(stats), finish_reason=reason, depth_limited=depth_limited,
                         run_id=self.run_id, skipped=skipped, rendered=rendered,
                         browser_started=bool(stats.get("oitcheck/browser_started")))

    def snapshot(self) -> None:
        """A partial report while the crawl runs, once a page has answered (a crawl of a
        site that is down must leave the folder's last good report untouched)."""
        c = self.collector
        stats = self.crawler.stats
        stats.set_value("oitcheck/pages", c.pages)
        stats.set_value("oitcheck/documents", c.documents)
        stats.set_value("oitcheck/errors", len(c.errors))
        if not c.pages:
            return
        try:
            report = build_report(c, self._info(), running=True)
            stats.set_value("oitcheck/items_found", sum(1 for i in report.items if i.found))
            write_run(report, self.out, files=PARTIAL_FILES)
            stats.set_value("oitcheck/written", ",".join(PARTIAL_FILES))
        except OSError as exc:
            log.error("cannot write the partial report to %s: %s", self.out, exc)

    def spider_closed(self, spider, reason):
        if self.collector is None:
            return
        self._end(reason)
        path = self.crawler.settings.get("OITCHECK_OUTCOME_FILE")
        if path:
            import json

            from oitcheck.model import now_iso
            from oitcheck.reports.safe import atomic_write

            stats = self.crawler.stats
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            atomic_write(Path(path), json.dumps({
                "url": self.collector.site, "outcome": stats.get_value("oitcheck/outcome", "error"),
                "reason": stats.get_value("oitcheck/outcome_reason", ""), "at": now_iso()},
                ensure_ascii=False).encode("utf-8"))

    def _end(self, reason):
        if self.record is not None:
            self.record.close()
        stats = self.crawler.stats
        stats.set_value("oitcheck/running", 0)
        history = None
        if self.history_on:
            from oitcheck.history import History

            history = History(self.history_path)
        try:
            report, outcome = finish(self.collector, self._info(reason), self.out, history)
        except OSError as exc:  # the output folder, not the website: say so
            log.error("cannot write the report to %s: %s", self.out, exc)
            stats.set_value("oitcheck/outcome", "local_error")
            stats.set_value("oitcheck/outcome_reason", f"{self.out}: {exc.strerror or exc}")
            return
        stats.set_value("oitcheck/outcome", outcome)
        if report is None:
            from oitcheck.finish import outcome_of

            stats.set_value("oitcheck/outcome_reason", outcome_of(self.collector)[1])
        stats.set_value("oitcheck/written", "all" if report is not None else "")
        if report is not None:
            stats.set_value("oitcheck/items_found", sum(1 for i in report.items if i.found))
        job_dir = self.crawler.settings.get("JOBDIR")
        if job_dir and outcome == "ok":
            # A finished crawl must not leave its seen-requests behind: tomorrow's run would
            # find every URL "already seen" and crawl nothing. Interrupted crawls keep it.
            shutil.rmtree(job_dir, ignore_errors=True)


def _plain_stats(stats: dict) -> dict:
    keep = {}
    for k, v in stats.items():
        if isinstance(v, (int, float, str)):
            keep[k] = v
        elif hasattr(v, "isoformat"):
            keep[k] = v.isoformat()
    return keep
