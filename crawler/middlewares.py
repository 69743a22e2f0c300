"""Middlewares of our own: only what Scrapy does not do by itself.

- :class:`LinkAdmission` (spider middleware) decides which links the crawl follows: on the
  agency's site (or one hop off it for documents its pages link), not media, not a trap,
  not an admin or login page, within the depth limit, and images only when they are
  linked as documents. It counts what each rule skipped (stats ``oitcheck/skipped/<rule>``),
  reports a few examples of each as crawl errors, and passes every link text on to the
  collector (one ``Anchors`` item per page), so a URL is labelled by all the links to it whatever the
  crawl's order. A link to an online form (Google or Microsoft Forms) whose text names an
  item that is a channel (E-Service, a form, Q&A) is passed on as a ``Document`` of kind
  ``link``, never fetched: the link is the evidence.
- :class:`PageBudget` (downloader middleware) makes ``--max-pages N`` mean at most N
  responses, however many requests are in flight.
- :class:`LoopAwareRedirectMiddleware` reports a redirect loop as one.
"""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest

from oitcheck.collect import is_admin_url
from oitcheck.model import Anchors, AnswerLink, CrawlError, Document

from .traps import TrapGuard, denied_extension, strip_session

EXAMPLES_PER_RULE = 5  # skipped URLs reported one by one per rule; the rest are counted
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp")
OFF_SITE_KINDS = ("pdf", "doc", "docx", "xls", "xlsx")  # fetched one hop off the site when the site links them
OFF_SITE_DOCUMENT_HOSTS = ("drive.google.com", "docs.google.com")  # shared documents agencies link to
PAGE_BUDGET_REASON = "page limit"
ONLINE_FORM_HOSTS = ("forms.gle", "forms.office.com")  # whole hosts of forms (docs.google.com only under /forms/)
FORM_CHANNELS = ("eservice", "form", "qa")  # link kinds (checklists/topics.yaml) an online form can be
NAMES_ITEM = 0.7  # a link text naming an item at least this well makes the link worth following


def site_domain(url: str) -> str:
    """The host a crawl stays on; subdomains of it are on the site too (www. dropped).

    >>> site_domain("https://www.example.go.th/index.php")
    'example.go.th'
    """
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def site_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def on_site(url: str, domain: str, port: int | None = None) -> bool:
    """On the agency's site: its host or a subdomain, and (for a site on a non-standard
    port, as a test server is) the same port; http and https of one host are one site.

    >>> on_site("http://www.x.go.th/a", "x.go.th"), on_site("http://127.0.0.1:8001/a", "127.0.0.1", 8000)
    (True, False)
    """
    host = (urlsplit(url).hostname or "").lower()
    if not (host == domain or host.endswith("." + domain)):
        return False
    if port is None or port in (80, 443):
        return site_port(url) in (80, 443) or port is None
    return site_port(url) == port


def online_form(url: str) -> bool:
    """A form on a form service (Google Forms, Microsoft Forms).

    >>> online_form("https://docs.google.com/forms/d/e/1FAI/viewform"), online_form("https://forms.gle/abc")
    (True, True)
    >>> online_form("https://docs.google.com/document/d/1x/edit"), online_form("https://forms.office.com/r/x")
    (False, True)
    """
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path
    return (host in ONLINE_FORM_HOSTS and path.strip("/") != "") or (host == "docs.google.com" and path.startswith("/forms/"))


def extension(url: str) -> str:
    last = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return last.rsplit(".", 1)[-1] if "." in last else ""


class LinkAdmission:
    """Which of the spider's requests are fetched, and why the others are not."""

    def __init__(self, crawler, traps: TrapGuard, depth_limit: int, names_item, names_channel):
        self.crawler = crawler
        self.stats = crawler.stats
        self.traps = traps
        self.depth_limit = depth_limit
        self.names_item = names_item  # label -> bool: does this text name a checklist item?
        self.names_channel = names_channel  # label -> bool: ... an item that is a channel (E-Service, Q&A)?
        self._anchors: set[int] = set()  # (url, text) pairs already passed on
        self._reported: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        guard = TrapGuard(max_query_variants=s.getint("OITCHECK_MAX_QUERY_VARIANTS"),
                          max_calendar_variants=s.getint("OITCHECK_MAX_CALENDAR_VARIANTS"))
        from oitcheck.checklist import load
        from oitcheck.matching import clean_label, matcher_for

        checklist = load(s.getint("OITCHECK_YEAR") or None, agency=s.get("OITCHECK_AGENCY"))
        matcher = matcher_for(checklist)

        def named(text: str) -> list:
            """The items a link text names (score NAMES_ITEM and up)."""
            label = clean_label(text, matcher.agency_terms)
            if len(label) < 2:
                return []
            return [checklist.items[h.item] for h in matcher.label_hits(label) if h.score >= NAMES_ITEM]

        def names_item(text: str, picture: bool = False) -> bool:
            """Does the text name an item? For a picture, an activity ("ภาพกิจกรรม") names none:
            photos of activities are not disclosures (the post they illustrate is)."""
            return any(not (picture and item.activity) for item in named(text))

        def names_channel(text: str) -> bool:
            """Does the text name an item whose disclosure is a channel (E-Service, a form, Q&A)?
            A survey's questionnaire on a form service names the survey report, which it is not."""
            return any(item.rules.link_kind in FORM_CHANNELS for item in named(text))

        return cls(crawler, guard, s.getint("DEPTH_LIMIT"), names_item, names_channel)

    async def process_spider_output_async(self, response, result):
        batch = Anchors(response.url, [])
        async for out in result:
            for x in self._admit(response, out, batch):
                yield x
        if batch.links or batch.documents:
            yield batch

    def process_spider_output(self, response, result):
        batch = Anchors(response.url, [])
        for out in result:
            yield from self._admit(response, out, batch)
        if batch.links or batch.documents:
            yield batch

    def _anchor(self, url: str, text: str, batch: Anchors) -> None:
        """Pass a link text on once per (URL, text): it labels the URL whenever it was met.
        Every document a page links is passed on too: a page whose documents do not open is
        known as such, whichever page the crawl met the document on first."""
        if text:
            key = zlib.crc32(f"{url}\0{text}".encode())
            if key not in self._anchors:
                self._anchors.add(key)
                batch.links.append((url, text))
        if extension(url) in OFF_SITE_KINDS:
            batch.documents.append(url)

    def _skip(self, rule: str, url: str, found_on: str, anchor: str = ""):
        self.stats.inc_value(f"oitcheck/skipped/{rule}")
        n = self._reported.get(rule, 0)
        if n < EXAMPLES_PER_RULE:
            self._reported[rule] = n + 1
            return CrawlError(url, rule, found_on, anchor)
        return None

    def _admit(self, response, out, batch: Anchors):
        if not isinstance(out, Request) or not out.meta.get("link"):
            yield out
            return
        meta = out.meta
        spider = self.crawler.spider
        url = strip_session(out.url)
        if url != out.url:
            out = out.replace(url=url)
        anchor, found_on, code = meta.get("anchor", ""), meta.get("found_on", ""), meta.get("index_code")
        if url.startswith("data:"):
            # An image embedded in a page about an item (the spider bounds its size).
            if meta.get("content_image") and self.names_item(anchor, picture=True):
                out.meta["allow_offsite"] = True
                yield out
            return
        domain = spider.allowed_domains[0]
        here = on_site(url, domain, getattr(spider, "site_port", None))
        planned = response.meta.get("answer_codes") or ()
        for c in planned:  # `oitcheck answers`: one click down from a planned URL
            yield AnswerLink(c, url, found_on)
        ext = extension(url)
        if not here and not planned and online_form(url) and self.names_channel(anchor):
            # An online form the agency's page offers for an item (its E-Service on Google
            # Forms): the link is the evidence, as the assessor clicks it; the form itself
            # says nothing more and its host is often not reachable from where we crawl.
            self.stats.inc_value("oitcheck/form_links")
            yield Document(url=url, kind="link", method="link", title="", anchors=[anchor] if anchor else [],
                           found_on=found_on, text=anchor, has_form=True)
            return
        if not here:
            # One hop off the agency's host: documents its own pages link (Google Drive, e-GP,
            # a ministry's server) are evidence it published; their links are not followed.
            # A planned URL's links are followed wherever they go, as the assessor clicks them.
            if not planned and (response.meta.get("off_site") or not (
                    ext in OFF_SITE_KINDS or code or (site_domain(url) in OFF_SITE_DOCUMENT_HOSTS and self.names_item(anchor)))):
                return
            out.meta["off_site"] = True
            out.meta["allow_offsite"] = True  # past Scrapy's own offsite filter, this once
            self.stats.inc_value("oitcheck/off_site_requests")
        if denied_extension(url):
            err = self._skip("skipped: media file, not a document", url, found_on, anchor)
            if err:
                yield err
            return
        if ext in IMAGE_EXTENSIONS and not code and not self.names_item(
                anchor if meta.get("content_image") else " ".join(filter(None, [anchor, meta.get("alt", ""),
                                                                                  url.rsplit("/", 1)[-1]])), picture=True):
            # A photo in a gallery is not a disclosure; an image linked as a document is.
            self.stats.inc_value("oitcheck/skipped/photo")
            return
        if is_admin_url(url):
            self.stats.inc_value("oitcheck/skipped/admin")
            return
        trap = self.traps.check(url)
        if trap:
            err = self._skip(trap, url, found_on, anchor)
            if err:
                yield err
            return
        if self.depth_limit and response.meta.get("depth", 0) + 1 > self.depth_limit:
            self.stats.inc_value("oitcheck/skipped/depth limit")
            return
        self._anchor(url, anchor, batch)
        yield out


class PageBudget:
    """At most ``CLOSESPIDER_PAGECOUNT`` requests reach the downloader (so at most that
    many responses), whatever the concurrency; the rest are dropped and counted."""

    def __init__(self, stats, budget: int):
        self.stats = stats
        self.budget = budget
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.getint("CLOSESPIDER_PAGECOUNT"))

    def process_request(self, request, spider=None):
        if self.budget and self.sent >= self.budget:
            self.stats.inc_value("oitcheck/skipped/page limit")
            raise IgnoreRequest(PAGE_BUDGET_REASON)
        self.sent += 1
        return None


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, but a loop (A -> B -> A) is reported as one.

    Without this the duplicate filter silently drops the second visit to A, and the report
    could not say why the link led nowhere.
    """

    def _redirect(self, redirected, request, *args, **kwargs):
        seen = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in seen:
            raise IgnoreRequest(f"redirect loop: {' -> '.join(seen[-3:])} -> {redirected.url}")
        return super()._redirect(redirected, request, *args, **kwargs)
