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
        """What the pipeline has put in the crawl's stats (refreshed with each partial report)."""
        st = self.crawler.stats
        return (f"\r  หน้าเว็บ pages {st.get_value('oitcheck/pages', 0)}  เอกสาร documents "
                f"{st.get_value('oitcheck/documents', 0)}  ข้อผิดพลาด errors {st.get_value('oitcheck/errors', 0)}"
                f"  พบหัวข้อ items found {st.get_value('oitcheck/items_found', 0)}/{st.get_value('oitcheck/items', 0)}   ")

    def show(self):
        self.stream.write(self.line())
        self.stream.flush()

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        self.stream.write("\n")


class ProcessSetup:
    """Process-wide settings (PIL's bomb limit, the frozen GC generation) once per process,
    whatever started the crawl: ``oitcheck crawl``, ``scrapy crawl site`` or Scrapyd."""

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self):
        configure_process()


_configured = False  # configure_process ran in this process


def configure_process() -> None:
    """Process-wide settings, once per process, before crawling (never from worker threads)."""
    global _configured
    if _configured:
        return
    _configured = True
    import gc

    from PIL import Image

    from oitcheck.documents import DEFAULT_LIMITS

    Image.MAX_IMAGE_PIXELS = DEFAULT_LIMITS.max_image_pixels
    # Everything loaded so far (libraries, checklists, the Thai dictionary) lives as long as
    # the process: keep it out of the garbage collector's full passes (about 15% less CPU).
    gc.collect()
    gc.freeze()
