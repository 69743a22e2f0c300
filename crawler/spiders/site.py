"""The one spider: walk an agency website, pages and documents, and say what each URL is.

It only fetches and parses; what a URL proves is decided by plain functions
(oitcheck.matching / oitcheck.verdicts) called from the pipeline.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.utils.defer import deferred_to_future
from twisted.internet.defer import DeferredSemaphore
from twisted.internet.threads import deferToThread
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError as TxTimeout
from twisted.internet.error import ConnectionRefusedError as TxRefused

from oitcheck.crawler.items import CrawlError, IndexLead
from oitcheck.crawler.traps import TrapGuard, denied_extension, strip_session
from oitcheck.documents import Limits, extract, kind_from_name, sniff
from oitcheck.evidence import Document
from oitcheck.ocr import OcrEngine
from oitcheck.pages import decode_html, parse_html

# Content types never read (they are media, not disclosures); stopped at the headers.
SKIP_TYPES = ("video/", "audio/", "application/zip", "application/x-rar", "application/octet-stream-video")
HTML_MAX = 5 * 1024 * 1024


def site_domain(url: str) -> str:
    """The host a crawl stays on; subdomains of it are on the site too (www. dropped)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, url: str | None = None, year: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not url:
            raise ValueError("give the site: -a url=https://www.example.go.th")
        if "://" not in url:
            url = "http://" + url
        self.start_url = url
        self.year = int(year) if year else None
        self.allowed_domains = [site_domain(url)]

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.limits = Limits(ocr_pages=s.getint("OITCHECK_OCR_PAGES"), ocr_seconds=s.getfloat("OITCHECK_OCR_SECONDS"))
        spider.ocr = OcrEngine.create(s.get("OITCHECK_OCR_CACHE")) if s.getbool("OITCHECK_OCR") else None
        spider.traps = TrapGuard(max_query_variants=s.getint("OITCHECK_MAX_QUERY_VARIANTS"))
        spider.readers = DeferredSemaphore(s.getint("OITCHECK_READER_THREADS"))
        crawler.signals.connect(spider.headers_received, signal=signals.headers_received)
        return spider

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse, errback=self.failed,
                             meta={"anchor": "", "found_on": ""})
        # Nightly runs: last run's ITA pages and evidence first (OITCHECK_PRIORITY_URLS).
        for url in self.settings.getlist("OITCHECK_PRIORITY_URLS"):
            if self._on_site(url):
                # dont_filter: the normal visit (with its link text) still happens; with
                # --cache it is a cache hit.
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, priority=10, dont_filter=True,
                                     meta={"anchor": "", "found_on": "(last run)"})

    # --- downloads ----------------------------------------------------------------------
    def headers_received(self, headers, body_length, request, spider):
        ctype = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if ctype.startswith(SKIP_TYPES):
            raise StopDownload(fail=True)

    # --- callbacks ----------------------------------------------------------------------
    async def parse(self, response):
        meta = response.meta
        body = response.body
        kind = sniff(body)
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        claimed = kind_from_name(response.url)
        if (kind == "html" and (claimed is None or claimed == "text")) or (
                kind == "unknown" and claimed is None and "html" in ctype.lower()):
            for out in self._page(response, body, ctype):
                yield out
            return
        # Documents are read in a worker thread: a PDF's text layer, a spreadsheet or an
        # OCR'd scan (seconds to minutes) must not stall the downloads of the whole crawl.
        ex = await deferred_to_future(self.readers.run(deferToThread, extract, body, response.url, self.limits, self.ocr))
        doc = Document(
            url=response.url, kind=ex.kind, title=ex.title, anchors=[meta.get("anchor", "")] if meta.get("anchor") else [],
            found_on=meta.get("found_on", ""), text=ex.text, method=ex.method if ex.ok else "failed", error=ex.error,
            index_codes=[meta["index_code"]] if meta.get("index_code") else [],
        )
        self.crawler.stats.inc_value(f"oitcheck/documents/{ex.kind}")
        if ex.ocr_pages:
            self.crawler.stats.inc_value("oitcheck/ocr_pages", ex.ocr_pages)
        if ex.error:
            yield CrawlError(response.url, ex.error, meta.get("found_on", ""), meta.get("anchor", ""), meta.get("index_code"))
        yield doc

    def _page(self, response, body: bytes, ctype: str):
        meta = response.meta
        if len(body) > HTML_MAX:
            yield CrawlError(response.url, "page too large", meta.get("found_on", ""))
            return
        text, encoding, repaired = decode_html(body, ctype)
        if repaired:
            self.crawler.stats.inc_value("oitcheck/encoding_repaired")
        page = parse_html(text, response.url)
        doc = page.document
        if meta.get("anchor"):
            doc.anchors = [meta["anchor"]]
        doc.found_on = meta.get("found_on", "")
        if meta.get("index_code"):
            doc.index_codes = [meta["index_code"]]
        self.crawler.stats.inc_value("oitcheck/pages")
        if page.is_ita_index:
            self.crawler.stats.inc_value("oitcheck/ita_index_pages")
        yield doc
        for link in page.links:
            url = strip_session(link.url)
            if page.is_ita_index and link.code:
                yield IndexLead(link.code, url, response.url)
            if not self._on_site(url):
                continue
            if denied_extension(url):
                if url not in self.traps.reported:  # said once per URL, never fetched
                    self.traps.reported.add(url)
                    yield CrawlError(url, "skipped: media file, not a document", response.url, link.text)
                continue
            trap = self.traps.check(url)
            if trap:
                key = trap
                if key not in self.traps.reported:
                    self.traps.reported.add(key)
                    yield CrawlError(url, trap, response.url)
                continue
            yield scrapy.Request(
                url, callback=self.parse, errback=self.failed,
                meta={"anchor": link.text, "found_on": response.url,
                      "index_code": link.code if page.is_ita_index else None},
            )

    def _on_site(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        dom = self.allowed_domains[0]
        return host == dom or host.endswith("." + dom)

    def failed(self, failure):
        request = failure.request
        meta = request.meta
        # Report the URL the site links to, not where its redirects ended.
        url = (meta.get("redirect_urls") or [request.url])[0]
        yield CrawlError(url, describe_failure(failure), meta.get("found_on", ""),
                         meta.get("anchor", ""), meta.get("index_code"))


def describe_failure(failure) -> str:
    """A short, plain reason for a failed request."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    if isinstance(exc, StopDownload):
        return "skipped: media file, not a document"
    name = type(exc).__name__  # Scrapy 2.13+ wraps Twisted errors as Download*Error
    if isinstance(exc, (TxTimeout, TCPTimedOutError)) or "Timeout" in name:
        return "timeout"
    if isinstance(exc, DNSLookupError) or "DNSLookup" in name:
        return "DNS lookup failed"
    if isinstance(exc, TxRefused) or "ConnectionRefused" in name:
        return "connection refused"
    text = str(exc)
    if "maxsize" in text.lower() or "larger than download max size" in text.lower() or name == "CancelledError":
        return "too large (over the download size limit)"
    if isinstance(exc, IgnoreRequest):
        if "redirect loop" in text.lower():
            return "redirect loop"
        if "redirect" in text.lower():
            return "redirect loop (too many redirects)"
        if "robots" in text.lower():
            return "forbidden by robots.txt"
        return f"ignored ({text[:80]})"
    if "SSL" in name or "TLS" in name or "SSL" in text or "TLS" in text or "certificate" in text.lower():
        # Twisted nests OpenSSL's own words: "('SSL routines', '', 'wrong version number')".
        detail = re.search(r"'SSL routines', '[^']*', '([^']+)'", text)
        return "TLS/certificate problem" + (f" ({detail.group(1)})" if detail else "")
    if any(k in name for k in ("ResponseNeverReceived", "ConnectionLost", "ConnectionDone", "ResponseFailed", "Failed")):
        return "connection dropped by the server"
    return f"{name}: {text[:100]}"
