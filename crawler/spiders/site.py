"""The one spider: walk an agency website, pages and documents, and say what each URL is.

It only fetches and reads; which links are followed is the link-admission middleware's
call, and what a URL proves is decided by the collector (oitcheck.collect) at the end.
"""

from __future__ import annotations

import re

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.utils.defer import deferred_to_future
from twisted.internet.defer import DeferredSemaphore
from twisted.internet.error import ConnectionRefusedError as TxRefused
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TxTimeout
from twisted.internet.threads import deferToThread

from oitcheck.documents import Limits, extract, kind_from_name, sniff
from oitcheck.model import CrawlError, Document, IndexLead
from oitcheck.ocr import OcrEngine
from oitcheck.pages import decode_html, parse_html
from oitcheck.render import RenderLimits, Renderer, about_ita, inline_json_links, manifest_routes, manifest_url, merge, needs_browser

from ..middlewares import PAGE_BUDGET_REASON, on_site, site_domain, site_port

# Content types never read (they are media, not disclosures); stopped at the headers.
SKIP_TYPES = ("video/", "audio/", "application/zip", "application/x-rar", "application/octet-stream-video")
HTML_MAX = 5 * 1024 * 1024
CONTENT_IMAGES = 3  # images fetched from a page whose heading names an item (an org chart, a scanned notice)
DATA_IMAGE_MAX = 4 * 1024 * 1024  # bytes of a data: image read in place
_DATA_URL = re.compile(r"^data:image/[a-z+.-]+;base64,", re.I)


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, url: str | None = None, year: str | None = None, agency: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not url:
            raise ValueError("give the site: -a url=https://www.example.go.th")
        if "://" not in url:
            url = "http://" + url
        self.start_url = url
        self.year = int(year) if year else None
        self.agency = agency
        self.allowed_domains = [site_domain(url)]
        self.site_port = site_port(url)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.limits = Limits(ocr_pages=s.getint("OITCHECK_OCR_PAGES"), ocr_seconds=s.getfloat("OITCHECK_OCR_SECONDS"))
        spider.ocr = OcrEngine.create(s.get("OITCHECK_OCR_CACHE")) if s.getbool("OITCHECK_OCR") else None
        spider.readers = DeferredSemaphore(s.getint("OITCHECK_READER_THREADS"))
        crawler.signals.connect(spider.headers_received, signal=signals.headers_received)
        spider.renderer = None
        spider.rendered = []  # one record per page rendered (the report's crawl.rendered)
        spider.manifests = set()
        spider.rendered_urls = set()
        if s.getbool("OITCHECK_JS"):
            # Nothing starts here: the browser starts on the first page that needs it.
            spider.renderer = Renderer(RenderLimits(
                pages=s.getint("OITCHECK_JS_MAX_PAGES"), page_seconds=s.getfloat("OITCHECK_JS_PAGE_SECONDS"),
                clicks=s.getint("OITCHECK_JS_MAX_CLICKS"), depth=s.getint("OITCHECK_JS_CLICK_DEPTH"),
                concurrency=s.getint("OITCHECK_JS_CONCURRENCY")), executable=s.get("OITCHECK_CHROMIUM"))
            crawler.signals.connect(spider.close_browser, signal=signals.spider_closed)
            crawler.signals.connect(spider.check_reactor, signal=signals.engine_started)
        return spider

    def check_reactor(self):
        from scrapy.utils.reactor import is_asyncio_reactor_installed

        if not is_asyncio_reactor_installed():  # Playwright's async API runs on the reactor's asyncio loop
            self.logger.warning("OITCHECK_JS needs Twisted's asyncio reactor (TWISTED_REACTOR); pages are not rendered")
            self.renderer = None

    async def close_browser(self, spider=None, reason=None):
        if self.renderer is not None:
            await self.renderer.close()

    def link_request(self, url: str, found_on: str, anchor: str = "", code: str | None = None, **meta) -> scrapy.Request:
        """A request for a link found on a page (the link-admission middleware decides)."""
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              meta={"link": True, "anchor": anchor, "found_on": found_on, "index_code": code, **meta})

    async def start(self):
        answers = planned_urls(self.settings)
        if answers is not None:
            # `oitcheck answers`: exactly the URLs the agency plans to enter, wherever they are
            # hosted, each carrying the items it is planned for; what they link is followed
            # one click down (DEPTH_LIMIT 1), as an assessor clicking through would.
            for url, codes in answers.items():
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                                     meta={"anchor": "", "found_on": "", "answer_codes": codes, "allow_offsite": True,
                                           "off_site": not on_site(url, self.allowed_domains[0])})
            return
        fallback = self.settings.getbool("OITCHECK_HTTP_FALLBACK") and self.start_url.startswith("https://")
        yield scrapy.Request(self.start_url, callback=self.parse, errback=self.start_failed if fallback else self.failed,
                             meta={"anchor": "", "found_on": "", "home": True})
        # Nightly runs: last run's ITA pages and evidence first (OITCHECK_PRIORITY_URLS).
        for url in self.settings.getlist("OITCHECK_PRIORITY_URLS"):
            # Only this site's: an output folder may hold another site's last report.
            if url.startswith(("http://", "https://")) and on_site(url, self.allowed_domains[0], self.site_port):
                # dont_filter: the normal visit (with its link text) still happens; with
                # --cache it is a cache hit.
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, priority=10, dont_filter=True,
                                     meta={"anchor": "", "found_on": "", "link": True, "from_last_run": True})

    # --- downloads ----------------------------------------------------------------------
    def headers_received(self, headers, body_length, request, spider):
        ctype = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if ctype.startswith(SKIP_TYPES):
            raise StopDownload(fail=True)

    # --- callbacks ----------------------------------------------------------------------
    async def parse(self, response):
        body = response.body
        kind = sniff(body)
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        claimed = kind_from_name(response.url)
        if (kind == "html" and (claimed is None or claimed == "text")) or (
                kind == "unknown" and claimed is None and "html" in ctype.lower()):
            async for out in self.page(response, body, ctype):
                yield out
            return
        async for out in self.document(response.meta.get("doc_url") or response.url, body, response.meta):
            yield out

    async def document(self, url: str, body: bytes, meta: dict):
        # Documents are read in a worker thread: a PDF's text layer, a spreadsheet or an
        # OCR'd scan (seconds to minutes) must not stall the downloads of the whole crawl.
        ex = await deferred_to_future(self.readers.run(deferToThread, extract, body, url, self.limits, self.ocr))
        anchor = meta.get("anchor", "")
        doc = Document(
            url=url, kind=ex.kind, title=ex.title, anchors=[anchor] if anchor else [],
            found_on=meta.get("found_on", ""), text=ex.text, method=ex.method if ex.ok or ex.method == "none" else "failed", error=ex.error,
            index_codes=[meta["index_code"]] if meta.get("index_code") else [], notes=list(ex.notes),
            off_site=bool(meta.get("off_site")), from_page=bool(meta.get("content_image")),
            answer_codes=list(meta.get("answer_codes", [])),
        )
        self.crawler.stats.inc_value(f"oitcheck/documents/{ex.kind}")
        if ex.ocr_pages:
            self.crawler.stats.inc_value("oitcheck/ocr_pages", ex.ocr_pages)
        if ex.error:
            yield CrawlError(url, ex.error, meta.get("found_on", ""), anchor, meta.get("index_code"))
        yield doc

    async def page(self, response, body: bytes, ctype: str):
        meta = response.meta
        if len(body) > HTML_MAX:
            yield CrawlError(response.url, "page too large", meta.get("found_on", ""))
            return
        text, encoding, repaired = decode_html(body, ctype)
        if repaired:
            self.crawler.stats.inc_value("oitcheck/encoding_repaired")
        page = parse_html(text, response.url)
        # Links an app keeps in its inline data (rendered client-side): cheap, no browser.
        data_links = inline_json_links(text, response.url)
        known = {link.url for link in page.links}
        data_links = [link for link in data_links if link.url not in known]
        if self.renderer is not None and self.renderer.available() and response.url not in self.rendered_urls:
            reason = needs_browser(text, page, home=bool(meta.get("home")), json_links=len(data_links))
            if reason:
                self.rendered_urls.add(response.url)  # once per crawl (a nightly run fetches its leads twice)
                page = await self.render(response.url, reason, page)
        if data_links:
            self.crawler.stats.inc_value("oitcheck/inline_data_links", len(merge(page, data_links)))
        manifest = manifest_url(text, response.url)
        if manifest and manifest not in self.manifests and not meta.get("off_site"):
            # The app's route manifest names pages no HTML links to.
            self.manifests.add(manifest)
            yield scrapy.Request(manifest, callback=self.manifest, errback=self.manifest_failed,
                                 meta={"found_on": response.url})
        doc = page.document
        if meta.get("anchor"):
            doc.anchors = [meta["anchor"]]
        doc.found_on = meta.get("found_on", "")
        doc.home = bool(meta.get("home"))
        doc.off_site = bool(meta.get("off_site"))
        if meta.get("index_code"):
            doc.index_codes = [meta["index_code"]]
        doc.answer_codes = list(meta.get("answer_codes", []))
        self.crawler.stats.inc_value("oitcheck/pages")
        if page.is_ita_index:
            self.crawler.stats.inc_value("oitcheck/ita_index_pages")
        yield doc
        if doc.off_site and not doc.answer_codes:
            return  # one hop off the site: its own links are not followed (a planned URL's are)
        for link in page.links:
            if page.is_ita_index and link.code:
                for code in (link.code, *link.also):
                    yield IndexLead(code, link.url, response.url)
            # A picture linked without a word is shown on the page: read as one of its pictures
            # (a photo of an activity is then no disclosure, a scanned notice is).
            yield self.link_request(link.url, response.url, link.text, link.code if page.is_ita_index else None,
                                    **({"content_image": True} if link.shown else {}))
        # An image that is the main content of a page about an item (an org chart, a
        # scanned announcement) is read as a document, labelled by the page's heading.
        heading = doc.headings[0] if doc.headings else ""
        if heading and not page.is_ita_index:
            n = 0
            for img in page.images:
                if n >= CONTENT_IMAGES:
                    break
                n += 1
                extra = {}
                if _DATA_URL.match(img.src):
                    if len(img.src) * 3 // 4 > DATA_IMAGE_MAX:
                        continue
                    # Scrapy reads data: URLs itself; the evidence is the page, at this image.
                    extra["doc_url"] = f"{response.url}#image-{n}"
                yield self.link_request(img.src, response.url, heading, None, alt=img.alt, content_image=True, **extra)

    async def render(self, url: str, reason: str, page):
        """The page as a browser shows it, after clicking its controls; its links are added
        to those of its HTML. A page the browser fails on keeps what its HTML gave."""
        stats = self.crawler.stats
        # The ITA hub is what the crawl is for: it gets longer to click through its items.
        limits = self.renderer.limits
        seconds = limits.page_seconds * limits.ita_factor if about_ita(page) else None
        rendered = await self.renderer.render(url, reason, seconds)
        if self.renderer.started:
            stats.set_value("oitcheck/browser_started", 1)
        served = {link.url for link in page.links}
        if rendered.html:
            shown = parse_html(rendered.html, url)
            merge(shown, page.links)  # links the server sent that the app no longer shows
            page = shown
        merge(page, rendered.links, precise=True)
        self.rendered.append(rendered.record(sum(1 for link in page.links if link.url not in served)))
        stats.set_value("oitcheck/rendered", self.rendered)
        stats.inc_value("oitcheck/render/pages")
        stats.inc_value("oitcheck/render/clicks", rendered.clicks)
        stats.inc_value("oitcheck/render/seconds", round(rendered.seconds, 2))
        if rendered.error:
            stats.inc_value("oitcheck/render/errors")
            self.logger.info("rendering %s: %s", url, rendered.error)
        return page

    def manifest(self, response):
        for route in manifest_routes(response.text[:2_000_000]):
            yield self.link_request(response.urljoin(route), response.meta.get("found_on", ""), "")

    def manifest_failed(self, failure):
        return None  # a missing manifest is not the site's problem

    def start_failed(self, failure):
        """A bare domain was tried with https first: try http before giving up."""
        url = "http://" + self.start_url.split("://", 1)[1]
        self.logger.info("https failed for %s (%s); trying http", self.start_url, describe_failure(failure))
        yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                             meta={"anchor": "", "found_on": "", "home": True,
                                   "https_error": describe_failure(failure)})

    def failed(self, failure):
        request = failure.request
        meta = request.meta
        reason = describe_failure(failure)
        if reason is None:
            return  # dropped on purpose (the page budget), counted in the stats
        if meta.get("https_error"):
            reason = f"{reason} (https: {meta['https_error']})"
        # Report the URL the site links to, not where its redirects ended.
        url = (meta.get("redirect_urls") or [request.url])[0]
        yield CrawlError(url, reason, meta.get("found_on", ""), meta.get("anchor", ""), meta.get("index_code"))


def planned_urls(settings) -> dict[str, list[str]] | None:
    """`oitcheck answers`: planned URL -> the items it is planned for, from
    ``OITCHECK_ANSWERS`` (item code -> URLs); None when the whole site is crawled.

    >>> from scrapy.settings import Settings
    >>> planned_urls(Settings({"OITCHECK_ANSWERS": {"O1": ["http://x/a"], "O2": ["http://x/a", "http://x/b"]}}))
    {'http://x/a': ['O1', 'O2'], 'http://x/b': ['O2']}
    """
    answers = settings.getdict("OITCHECK_ANSWERS") if settings.get("OITCHECK_ANSWERS") else None
    if answers is None:
        return None
    out: dict[str, list[str]] = {}
    for code, urls in answers.items():
        for url in urls:
            if url.startswith(("http://", "https://")) and code not in out.setdefault(url, []):
                out[url].append(code)
    return out


def describe_failure(failure) -> str | None:
    """A short, plain reason for a failed request (None: dropped on purpose, not a failure)."""
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
    if isinstance(exc, DNSLookupError) or "DNSLookup" in name or "CannotResolveHost" in name:
        return "DNS lookup failed (no such host)"
    if isinstance(exc, TxRefused) or "ConnectionRefused" in name:
        return "connection refused"
    text = str(exc)
    if "maxsize" in text.lower() or "larger than download max size" in text.lower() or name == "CancelledError":
        return "too large (over the download size limit)"
    if isinstance(exc, IgnoreRequest):
        if text == PAGE_BUDGET_REASON:
            return None
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
