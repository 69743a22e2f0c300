"""A progress line for long crawls on a terminal; silent when not on a terminal."""

from __future__ import annotations

import sys

from scrapy import signals
from twisted.internet import task


class Progress:
    def __init__(self, crawler, stream=None):
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        if crawler.settings.getbool("OITCHECK_PROGRESS", ext.stream.isatty()):
            crawler.signals.connect(ext.opened, signal=signals.spider_opened)
            crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        self.loop = task.LoopingCall(self.show)
        self.loop.start(1.0, now=False)

    def line(self) -> str:
        c = getattr(self.crawler, "oit_collector", None)
        if c is None:
            return ""
        found = sum(1 for bucket in c.candidates.values() if any(x.topic >= 0.85 for x in bucket))
        return (f"\r  หน้าเว็บ pages {c.pages}  เอกสาร documents {c.documents}  ข้อผิดพลาด errors {len(c.errors)}"
                f"  พบหัวข้อ items found {found}/{len(c.checklist.items)}   ")

    def show(self):
        self.stream.write(self.line())
        self.stream.flush()

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        self.stream.write("\n")
