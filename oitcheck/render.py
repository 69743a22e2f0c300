"""Pages that only exist once JavaScript has run: which ones need a browser, the links a
page carries in its inline data and route manifest (cheap, no browser), and a renderer
that drives Debian's headless Chromium through Playwright, clicking each expandable
control once to collect the links it reveals.

The renderer is asyncio code (Playwright's async API): the crawl awaits it on the
reactor's own asyncio loop, so a page being rendered never blocks downloads. The browser
is started on the first page that needs it, never before, and closed by :meth:`close`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .pages import Link, Page, block_code, item_code
from .thai import normalize

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
# Flags that work as root on a closed network (Playwright adds --headless and its own).
CHROMIUM_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")

# --- which pages need a browser -----------------------------------------------------------

SHELL_TEXT = 400  # characters of text below which a page with script bundles is an empty app shell
SHELL_LINKS = 5  # ... and links below which
JSON_LINKS_MAX = 500  # links taken from one page's inline data
INLINE_JSON_MAX = 2 * 1024 * 1024  # bytes of one inline JSON block read

# The root element an app mounts into, and the marks of client-rendered frameworks.
_MOUNT_ROOT = re.compile(r"""<(?:div|main|body)\b[^>]*\bid\s*=\s*["']?(?:__next|root|app|__nuxt|__layout|svelte)\b|<app-root\b""", re.I)
_APP_MARKS = re.compile(r"""self\.__next_f|__NEXT_DATA__|/_next/static/|data-reactroot|ng-version=|__NUXT__|data-v-app|"""
                        r"""<script\b[^>]*\btype\s*=\s*["']?module|/assets/index-[\w-]+\.js|\bwebpackChunk|__remixContext""", re.I)
_SCRIPT_SRC = re.compile(r"""<script\b[^>]*\bsrc\s*=""", re.I)
# Controls whose content may be mounted only when clicked.
_HIDDEN_CONTROLS = re.compile(r"""aria-expanded\s*=\s*["']?false|<details\b|role\s*=\s*["']?tab\b|data-(?:bs-)?toggle\s*=|"""
                              r"""\baccordion|\bcollapse\b|role\s*=\s*["']?button|<button\b""", re.I)
# A page about the ITA/OIT (its title, headings or address say so).
_ITA_WORDS = re.compile(r"(?<![a-z])(?:ita|oit)(?![a-z])|คุณธรรมและความโปร่งใส|เปิดเผยข้อมูลสาธารณะ", re.I)


def is_app(html: str) -> bool:
    """The page is built by a client-side framework (React, Next.js, Vue, Angular, Vite ...).

    >>> is_app('<div id="__next"></div><script src="/_next/static/chunks/main.js"></script>')
    True
    >>> is_app('<html><body><p>สวัสดี</p></body></html>')
    False
    """
    return bool(_MOUNT_ROOT.search(html) or _APP_MARKS.search(html))


def about_ita_url(url: str, html: str) -> bool:
    """A rendered page is about the ITA: its address or its title says so."""
    m = re.search(r"<title[^>]*>(.*?)</title", html[:20000], re.I | re.S)
    return bool(_ITA_WORDS.search(urlsplit(url).path.replace("/", " ")) or (m and _ITA_WORDS.search(m.group(1))))


def about_ita(page: Page) -> bool:
    """The page's title, headings or address name the ITA/OIT (not a menu link to it)."""
    doc = page.document
    path = urlsplit(doc.url).path
    return bool(_ITA_WORDS.search(doc.title) or any(_ITA_WORDS.search(h) for h in doc.headings[:6])
                or _ITA_WORDS.search(path.replace("/", " ").replace("-", " ").replace("_", " ")))


def needs_browser(html: str, page: Page, home: bool = False, json_links: int = 0) -> str | None:
    """Why this page must be rendered in a browser, or None when its HTML says enough.

    - ``shell``: script bundles and a mount root, but little text and few links (an SPA);
    - ``inline data``: links only in the page's inline JSON (they are rendered client-side);
    - ``controls``: an app page (the home page, or a page about the ITA) with controls
      that mount their content when clicked, and no ITA item links in its HTML.

    >>> from oitcheck.pages import parse_html
    >>> shell = '<html><body><div id="root"></div><script src="/static/app.js"></script></body></html>'
    >>> needs_browser(shell, parse_html(shell, "http://a.ac.th/ITA"))
    'shell'
    >>> plain = '<html><body><h1>ITA</h1>' + '<p>ข้อความ</p>' * 200 + '<a href="/a">a</a></body></html>'
    >>> needs_browser(plain, parse_html(plain, "http://a.ac.th/ITA")) is None
    True
    """
    app = is_app(html)
    scripts = len(_SCRIPT_SRC.findall(html))
    if (app or scripts) and len(page.document.text) < SHELL_TEXT and len(page.links) < SHELL_LINKS:
        return "shell"
    if not app:
        return None
    if json_links:
        return "inline data"
    if not page.is_ita_index and (home or about_ita(page)) and _HIDDEN_CONTROLS.search(html):
        return "controls"
    return None


# --- links without a browser: inline JSON and route manifests --------------------------------

_JSON_SCRIPT = re.compile(r"""<script\b([^>]*)>(.*?)</script\s*>""", re.I | re.S)
_JSON_TYPE = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json|id\s*=\s*["']?__NEXT_DATA__""", re.I)
_URLISH = re.compile(r"^(?:https?://[^\s<>\"']+|/(?!/)[^\s<>\"']*)$")
_NOT_A_PAGE = re.compile(r"(?i)^/(?:_next|static/(?:js|css|chunks)|api)/|\.(?:js|mjs|css|map|json|woff2?|ttf|eot|ico|svg|webmanifest|png|jpe?g|gif|webp|avif)(?:\?|$)|[\[\]{}]")
_LABEL_KEYS = ("title", "name", "label", "text", "title_th", "name_th", "caption", "heading")
# "href":"/x" (also escaped inside a JS string, as in Next's RSC stream) in inline scripts.
_HREF_IN_SCRIPT = re.compile(r"""\\?["'](?:href|url|link|path)\\?["']\s*:\s*\\?["']((?:https?://|/)[^"'\\\s<>]{0,300})\\?["']""", re.I)


def _label_of(obj: dict) -> str:
    for key in _LABEL_KEYS:
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return ""


def links_in_data(data, base: str, limit: int = JSON_LINKS_MAX) -> list[Link]:
    """Links in parsed JSON: strings that are URLs or site paths, labelled by their object's
    title/name/label (which may carry the item code).

    >>> [(l.url, l.text, l.code) for l in links_in_data({"items": [{"title": "O1 โครงสร้าง", "url": "/ITA/2568/01"}]},
    ...                                                  "http://a.ac.th/ITA")]
    [('http://a.ac.th/ITA/2568/01', 'o1 โครงสร้าง', 'O1')]
    """
    out: dict[str, Link] = {}
    stack = [(data, "", None)]  # (node, label of its object, item code of an enclosing object)
    while stack and len(out) < limit:
        node, label, code = stack.pop()
        if isinstance(node, dict):
            own = normalize(_label_of(node))[:200]
            here, code = (own or label), (item_code(own) if own else None) or code
            stack.extend((v, here, code) for v in reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend((v, label, code) for v in reversed(node))
        elif isinstance(node, str) and 1 < len(node) < 500 and _URLISH.match(node) and not _NOT_A_PAGE.search(node):
            url = urljoin(base, node).split("#", 1)[0]
            if url not in out and url.startswith(("http://", "https://")):
                out[url] = Link(url, label, code)
    return list(out.values())


def inline_json_links(html: str, base: str) -> list[Link]:
    """Links in a page's inline data: ``<script type="application/json">``, ``__NEXT_DATA__``,
    JSON-LD, and ``"href": "/..."`` pairs in other inline scripts (Next's RSC stream).

    >>> page = '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"items":[{"name":"O2 ข้อมูลผู้บริหาร","href":"/ita/o2"}]}},"page":"/ita","buildId":"x"}</script>'
    >>> [(l.url, l.code) for l in inline_json_links(page, "http://a.ac.th/")]
    [('http://a.ac.th/ita/o2', 'O2'), ('http://a.ac.th/ita', None)]
    """
    found: dict[str, Link] = {}
    for m in _JSON_SCRIPT.finditer(html):
        attrs, body = m.group(1), m.group(2)
        if re.search(r"\bsrc\s*=", attrs, re.I):
            continue
        if _JSON_TYPE.search(attrs):
            if len(body) > INLINE_JSON_MAX:
                continue
            try:
                data = json.loads(body)
            except ValueError:
                continue
            for link in links_in_data(data, base):
                found.setdefault(link.url, link)
        else:
            for h in _HREF_IN_SCRIPT.finditer(body[:INLINE_JSON_MAX]):
                path = h.group(1)
                if not _NOT_A_PAGE.search(path):
                    url = urljoin(base, path).split("#", 1)[0]
                    found.setdefault(url, Link(url, ""))
        if len(found) >= JSON_LINKS_MAX:
            break
    return list(found.values())


_MANIFEST_SRC = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']([^"']*/_buildManifest\.js)["']""", re.I)
_MANIFEST_ROUTE = re.compile(r"""["'](/[^"'\s]*)["']""")


def manifest_url(html: str, base: str) -> str | None:
    """The Next.js route manifest a page loads (``/_next/static/<build>/_buildManifest.js``).

    >>> manifest_url('<script src="/_next/static/b1/_buildManifest.js" defer></script>', "http://a.ac.th/x")
    'http://a.ac.th/_next/static/b1/_buildManifest.js'
    """
    m = _MANIFEST_SRC.search(html)
    return urljoin(base, m.group(1)) if m else None


def manifest_routes(js: str) -> list[str]:
    """The site's static routes named in a Next.js build manifest (dynamic ``[id]`` routes,
    framework pages and API routes left out).

    >>> manifest_routes('self.__BUILD_MANIFEST={"/":["a.js"],"/ITA":["b.js"],"/ITA/[id]":["c.js"],'
    ...                 '"/_error":["e.js"],sortedPages:["/","/ITA","/ITA/[id]","/_app","/_error"]}')
    ['/', '/ITA']
    """
    routes = []
    for m in _MANIFEST_ROUTE.finditer(js):
        r = m.group(1)
        if r.startswith(("/_", "/api/")) or "[" in r or _NOT_A_PAGE.search(r) or r in ("/404", "/500"):
            continue
        if r not in routes:
            routes.append(r)
    return routes


# --- the renderer ------------------------------------------------------------------------------

@dataclass
class RenderLimits:
    pages: int = 20  # pages rendered per crawl
    page_seconds: float = 60  # per page: load, clicks and collecting links
    ita_factor: float = 2  # a page about the ITA (its hub) gets this many times as long
    clicks: int = 200  # controls clicked per page
    depth: int = 3  # levels of controls revealed by clicks (a year switch, a category card, an accordion item)
    concurrency: int = 2  # pages rendered at once (one browser, a context each)


LOAD_TIMEOUT_MS = 15_000
CLICK_TIMEOUT_MS = 800  # a control that is not clickable by then gets a synthetic click
QUIET_MS = 150  # the DOM is settled after this long without a change ...
SETTLE_MAX_MS = 1500  # ... or after this long anyway
FETCH_WAIT_S = 2.0  # requests a click started are awaited this long
JSON_BODY_MAX = 2 * 1024 * 1024  # JSON answers read for links
BLOCKED_RESOURCES = ("image", "media", "font")  # not needed to find links
# Controls never clicked: they delete, send, sign out, print or share.
DANGER = re.compile(r"(?i)\b(?:delete|remove|logout|log out|sign out|submit|send|print|share|pay)\b|ลบ|ออกจากระบบ|ส่ง|ยืนยัน|พิมพ์|แชร์|ชำระ")

# Marks every control that could reveal content and is not yet marked: data-oitcheck-sig is
# a signature stable across a reload (tag, label, and the how-manieth such control).
_MARK_JS = r"""
() => {
  const sel = "summary, [aria-expanded='false'], [role='tab'], [data-bs-toggle], [data-toggle], .accordion-button, " +
              ".accordion-header, .accordion-toggle, [role='button'], button, [onclick]";
  const chromeSel = "header, nav, footer, aside, [role='banner'], [role='navigation'], [role='contentinfo'], [role='dialog'], " +
                    "[role='menu'], [role='menubar'], [role='menuitem'], [role='listbox'], [role='option']";
  const fixed = el => { for (let p = el; p && p !== document.body; p = p.parentElement) {
    const pos = getComputedStyle(p).position; if (pos === 'fixed' || pos === 'sticky') return true; } return false; };
  const count = {};
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const tag = el.tagName.toLowerCase();
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') continue;
    const href = tag === 'a' ? (el.getAttribute('href') || '') : '';
    if (href && !href.startsWith('#') && !href.startsWith('javascript:') && el.getAttribute('aria-expanded') !== 'false') continue;
    if ((tag === 'button' && (el.getAttribute('type') || '').toLowerCase() === 'submit') || (el.form && tag !== 'summary')) continue;
    const label = (el.innerText || el.getAttribute('aria-label') || el.getAttribute('title') || '').replace(/\s+/g, ' ').trim().slice(0, 120);
    // The signature: tag, label and the how-manieth such control on the page now, so a control
    // re-created by a re-render (or after a reload) is known for the one already clicked.
    const base = tag + '|' + label;
    const n = count[base] = (count[base] || 0) + 1;
    if (el.hasAttribute('data-oitcheck-sig')) continue;
    if (el.getAttribute('aria-expanded') === 'true' || el.getAttribute('aria-selected') === 'true') continue;
    if (tag === 'summary' && el.parentElement && el.parentElement.open) continue;
    if (!el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    let h = 0; const s = base + '#' + n;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    const sig = 's' + (h >>> 0).toString(36) + '_' + n;
    el.setAttribute('data-oitcheck-sig', sig);
    out.push([sig, label, !!el.closest(chromeSel) || fixed(el)]);
  }
  return out;
}
"""

_LINKS_JS = r"""
() => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], area[href], iframe[src], frame[src], embed[src], object[data]')) {
    const tag = el.tagName.toLowerCase();
    let u = tag === 'object' ? el.data : (tag === 'a' || tag === 'area' ? el.href : el.src);
    if (u && typeof u !== 'string') u = u.baseVal ? new URL(u.baseVal, location.href).href : '';
    if (!u) continue;
    const img = el.querySelector && el.querySelector('img');
    const t = (el.innerText || el.getAttribute('title') || el.getAttribute('aria-label') || (img && img.alt) || '').trim();
    const fresh = !el.hasAttribute('data-oitcheck-seen');  // mounted since the last look (by the latest click)
    if (fresh) el.setAttribute('data-oitcheck-seen', '');
    out.push([u, t.slice(0, 300), tag, fresh]);
  }
  const opened = window.__oitcheckOpened || [];
  window.__oitcheckOpened = [];
  return [out, opened];
}
"""

_SETTLE_JS = r"""
([quiet, most]) => new Promise(resolve => {
  let timer; const done = () => { obs.disconnect(); clearTimeout(timer); resolve(true); };
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  obs.observe(document, {subtree: true, childList: true, characterData: true});  // not attributes: carousels animate forever
  timer = setTimeout(done, quiet); setTimeout(done, most);
})
"""

# window.open() records the address instead of opening a window.
_INIT_JS = r"""
window.__oitcheckOpened = [];
window.open = function (u) { try { window.__oitcheckOpened.push(new URL(String(u), location.href).href); } catch (e) {} return null; };
"""


@dataclass
class Rendered:
    """What rendering one page gave: its DOM after the clicks, and every link seen on the way."""

    url: str
    reason: str = ""
    html: str = ""
    links: list[Link] = field(default_factory=list)  # every link seen, with the control that revealed it
    clicks: int = 0
    seconds: float = 0.0
    navigations: list[str] = field(default_factory=list)  # addresses a click navigated to (then came back)
    error: str | None = None

    def record(self, added: int = 0) -> dict:
        """The report's line for this page (CrawlOut.rendered)."""
        r = {"url": self.url, "reason": self.reason, "clicks": self.clicks, "seconds": round(self.seconds, 2),
             "links": len(self.links), "new_links": added, "navigations": len(self.navigations)}
        if self.error:
            r["error"] = self.error
        return r


def _no_fragment(url: str) -> str:
    return url.split("#", 1)[0]


_NUMBERED = re.compile(r"^(\d{1,2})\.?\s+\S")


def label_code(label: str) -> str | None:
    """The item code a control's label gives the links it reveals: "O12 ...", not a range
    ("ข้อมูลพื้นฐาน (O1 - O5)" names a group of items).

    >>> label_code("O12 รายงานผลการดำเนินงาน"), label_code("ตัวชี้วัดย่อยที่ 9.1 (O1 - O5)")
    ('O12', None)
    """
    text = normalize(label)
    return block_code(text) if text else None


def numbered_codes(labels: list[str], first: int = 5) -> dict[str, str]:
    """Accordion items numbered "1 โครงสร้าง", "2 ข้อมูลผู้บริหาร" ... on an ITA hub stand for
    O1, O2 ...: label -> code, when at least ``first`` distinct numbers are seen.

    >>> numbered_codes(["1 โครงสร้าง", "2 ผู้บริหาร", "3 อำนาจหน้าที่", "4 แผน", "5 ติดต่อ", "ปี 2568"])["2 ผู้บริหาร"]
    'O2'
    >>> numbered_codes(["1 โครงสร้าง", "2 ผู้บริหาร"])
    {}
    """
    found = {}
    for label in labels:
        m = _NUMBERED.match(normalize(label))
        if m and 0 < int(m.group(1)) <= 60:
            found[label] = f"O{int(m.group(1))}"
    return found if len(set(found.values())) >= first else {}


class _Walk:
    """One page's rendering: budgets, links seen, controls clicked."""

    def __init__(self, url: str, limits: RenderLimits, seconds: float | None = None):
        self.start = time.monotonic()
        self.seconds = seconds or limits.page_seconds
        self.deadline = self.start + self.seconds
        self.limits = limits
        self.out = Rendered(url)
        self.seen: dict[str, Link] = {}
        self.via_of: dict[str, str] = {}  # link URL -> label of the control that revealed it
        self.clicked: set[str] = set()
        self.known: set[str] = set()  # signatures of every control seen
        self.home = url  # the page's own address once loaded (after redirects)
        self.loading = True  # the page itself is loading: its navigations are let through
        self.via = ""  # the label of the control being clicked (names the links it reveals)
        self.inflight = 0
        self.json_bodies: list[asyncio.Task] = []

    def spent(self) -> bool:
        return self.out.clicks >= self.limits.clicks or time.monotonic() >= self.deadline

    def add(self, url: str, text: str, via: str, fresh: bool = False) -> None:
        url = _no_fragment(url)
        if not url.startswith(("http://", "https://")):
            return
        text = normalize(text)[:200]
        link = self.seen.get(url)
        if link is None:
            code = item_code(text) if text else None
            if code is None and via:
                code = label_code(via)  # a link under the item's accordion header
                self.via_of[url] = via
            self.seen[url] = Link(url, text, code)
            return
        if not link.text and text:
            link.text = text
        if via and fresh:  # a new link to it, revealed by another item's control: one document given for both
            code = label_code(via)
            if code and code != link.code and code not in link.also:
                link.also.append(code)


class Renderer:
    """Renders pages in one headless Chromium, started on first use.

    ``await renderer.render(url)`` -> :class:`Rendered`; ``await renderer.close()`` at the end.
    """

    def __init__(self, limits: RenderLimits | None = None, executable: str = CHROMIUM, user_agent: str | None = None):
        self.limits = limits or RenderLimits()
        self.executable = executable
        self.user_agent = user_agent
        self.started = False  # a browser was started in this crawl
        self.failed: str | None = None  # the browser could not be started: render nothing more
        self.count = 0  # pages given to the browser
        self._pw = None
        self._browser = None
        self._lock: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._chrome: set[str] = set()  # controls of the site's header, menus and footer already clicked

    def available(self) -> bool:
        return self.failed is None and self.count < self.limits.pages

    async def _ensure_browser(self):
        if self._lock is None:
            self._lock = asyncio.Lock()
            self._slots = asyncio.Semaphore(max(1, self.limits.concurrency))
        async with self._lock:
            if self._browser is None and self.failed is None:
                try:
                    from playwright.async_api import async_playwright

                    self._pw = await async_playwright().start()
                    self._browser = await self._pw.chromium.launch(executable_path=self.executable, headless=True,
                                                                   args=list(CHROMIUM_FLAGS), timeout=60_000)
                    self.started = True
                    log.info("headless browser started (%s)", self.executable)
                except Exception as exc:  # no playwright, no chromium, a sandbox problem: crawl on without
                    self.failed = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                    log.warning("เปิดเบราว์เซอร์ไม่ได้ / cannot start the browser: %s", self.failed)
                    await self._stop_driver()
        return self._browser

    async def render(self, url: str, reason: str = "", seconds: float | None = None) -> Rendered:
        """Load ``url``, click each expandable control once (bounded), and collect links.
        ``seconds``: this page's time budget (default ``limits.page_seconds``)."""
        self.count += 1
        browser = await self._ensure_browser()
        if browser is None:
            return Rendered(url, reason, error=f"browser unavailable ({self.failed})")
        async with self._slots:
            walk = _Walk(url, self.limits, seconds)
            walk.out.reason = reason
            try:
                await asyncio.wait_for(self._render(browser, walk), walk.seconds + 20)
            except asyncio.TimeoutError:
                walk.out.error = "timeout"
            except Exception as exc:  # a page that crashes the tab is one page's problem
                walk.out.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            walk.out.links = list(walk.seen.values())
            walk.out.seconds = time.monotonic() - walk.start
            return walk.out

    async def _render(self, browser, walk: _Walk) -> None:
        opts = {"ignore_https_errors": True, "accept_downloads": False, "locale": "th-TH", "service_workers": "block",
                "viewport": {"width": 1280, "height": 900}}
        if self.user_agent:
            opts["user_agent"] = self.user_agent
        ctx = await browser.new_context(**opts)
        try:
            await ctx.add_init_script(_INIT_JS)
            page = await ctx.new_page()

            async def route(r):
                req = r.request
                try:
                    if req.resource_type in BLOCKED_RESOURCES:
                        await r.abort()
                    elif req.is_navigation_request() and req.frame == page.main_frame and not walk.loading:
                        # A click that leaves the page: note where it goes and stay (ERR_ABORTED
                        # leaves the current document as it is). A reload is not a link.
                        if _no_fragment(req.url) != walk.home:
                            walk.out.navigations.append(_no_fragment(req.url))
                            walk.add(req.url, walk.via, walk.via)
                        await r.abort("aborted")
                    else:
                        await r.continue_()
                except Exception:  # the page closed meanwhile
                    pass

            await page.route("**/*", route)
            page.on("dialog", lambda d: asyncio.ensure_future(d.dismiss()))
            page.on("request", lambda req: _count(walk, req, +1))
            page.on("requestfinished", lambda req: _count(walk, req, -1))
            page.on("requestfailed", lambda req: _count(walk, req, -1))
            page.on("response", lambda resp: _json_body(walk, resp))
            await page.goto(walk.out.url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
            walk.home = _no_fragment(page.url)
            await self._settle(page, walk)  # the app's first fetches answered and rendered
            walk.loading = False
            await self._collect(page, walk, "")
            top = [c for c in await self._mark(page, walk) if c[0] not in self._chrome]
            await self._explore(page, walk, top, [], [], 1)
            while not walk.spent():  # controls that appeared later, outside what was clicked
                more = [c for c in await self._mark(page, walk) if c[0] not in self._chrome]
                if not more:
                    break
                await self._explore(page, walk, more, [], [], 1)
            walk.out.html = await page.content()
            await self._collect(page, walk, "")
            await self._json_links(walk)
            if about_ita_url(walk.out.url, walk.out.html):
                numbered = numbered_codes(list(dict.fromkeys(walk.via_of.values())))
                for url, via in walk.via_of.items():
                    link = walk.seen[url]
                    link.code = link.code or numbered.get(via)
        finally:
            try:
                await ctx.close()
            except Exception:
                pass

    async def _explore(self, page, walk: _Walk, controls: list, path: list[str], labels: list[str], level: int) -> None:
        """Click each control once; explore what each click reveals, ``level`` deep. ``path``:
        the controls clicked to get here (replayed after a navigation); ``labels``: theirs."""
        # The page's own content first, its header, menus and footer last: the budget goes
        # to the ITA hub's cards before the language menu.
        for sig, label, chrome in sorted(controls, key=lambda c: c[2]):
            if walk.spent():
                return
            if sig in walk.clicked or DANGER.search(label or ""):
                continue
            walk.clicked.add(sig)
            if chrome:
                self._chrome.add(sig)  # the site's menus: clicked on one page, not on every page
            el = page.locator(f'[data-oitcheck-sig="{sig}"]').first
            try:
                if not await el.count():
                    await page.evaluate(_MARK_JS)  # re-created by a re-render: mark it again
                    if not await el.count():
                        continue  # gone (a sibling's click removed it)
            except Exception:
                continue
            walk.out.clicks += 1
            log.debug("click %s %r level %d", sig, label[:60], level)
            # The links a click reveals are named by the nearest control that names an item
            # (a button "open" inside the accordion item "O12 ..." gives O12's links).
            walk.via = next((x for x in reversed([*labels, label]) if label_code(x)), label)
            try:
                await el.click(timeout=CLICK_TIMEOUT_MS)
            except Exception:
                try:
                    await el.dispatch_event("click", timeout=CLICK_TIMEOUT_MS)
                except Exception:
                    continue
            await self._settle(page, walk)
            if _no_fragment(page.url) != walk.home:
                # A client-side route change: note the address, then load the page again and
                # replay the clicks that led here.
                walk.out.navigations.append(_no_fragment(page.url))
                walk.add(page.url, walk.via, walk.via)
                await self._restore(page, walk, path)
                continue
            await self._collect(page, walk, walk.via)
            if level < walk.limits.depth:
                revealed = await self._mark(page, walk)
                if revealed:
                    await self._explore(page, walk, revealed, [*path, sig], [*labels, label], level + 1)

    async def _mark(self, page, walk: _Walk) -> list:
        """Controls never seen before on this page (a re-rendered one is not new)."""
        new = [c for c in await page.evaluate(_MARK_JS) if c[0] not in walk.known]
        walk.known.update(c[0] for c in new)
        return new

    async def _restore(self, page, walk: _Walk, path: list[str]) -> None:
        walk.loading = True
        try:
            await page.goto(walk.home, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        except Exception:
            return
        finally:
            walk.loading = False
        await self._settle(page, walk)
        await page.evaluate(_MARK_JS)
        for sig in path:
            try:
                await page.locator(f'[data-oitcheck-sig="{sig}"]').first.click(timeout=CLICK_TIMEOUT_MS)
            except Exception:
                return
            await self._settle(page, walk)
            await page.evaluate(_MARK_JS)

    async def _settle(self, page, walk: _Walk) -> None:
        """Wait until the DOM is quiet and the requests a click started have answered."""
        try:
            await page.evaluate(_SETTLE_JS, [QUIET_MS, SETTLE_MAX_MS])
            end = time.monotonic() + FETCH_WAIT_S
            if walk.inflight > 0:
                while walk.inflight > 0 and time.monotonic() < end:
                    await asyncio.sleep(0.05)
                await page.evaluate(_SETTLE_JS, [QUIET_MS, SETTLE_MAX_MS])
        except Exception:  # a navigation replaced the document meanwhile
            try:
                await page.wait_for_load_state("load", timeout=LOAD_TIMEOUT_MS)
            except Exception:
                pass

    async def _collect(self, page, walk: _Walk, via: str) -> None:
        try:
            links, opened = await page.evaluate(_LINKS_JS)
        except Exception:
            return
        for url, text, _tag, fresh in links:
            walk.add(url, text, via, fresh)
        for url in opened:
            walk.out.navigations.append(url)
            walk.add(url, via, via)

    async def _json_links(self, walk: _Walk) -> None:
        if not walk.json_bodies:
            return
        done, _ = await asyncio.wait(walk.json_bodies, timeout=2)
        for task in done:
            if task.cancelled() or task.exception() is not None or not task.result():
                continue
            base, body = task.result()
            try:
                data = json.loads(body)
            except ValueError:
                continue
            for link in links_in_data(data, base):
                walk.add(link.url, link.text, "")

    async def close(self) -> None:
        if self._browser is not None:
            try:
                await self._browser.close()
            except Exception:
                pass
            self._browser = None
        await self._stop_driver()

    async def _stop_driver(self) -> None:
        if self._pw is not None:
            try:
                await self._pw.stop()
            except Exception:
                pass
            self._pw = None


def _count(walk: _Walk, req, step: int) -> None:
    if req.resource_type in ("xhr", "fetch"):
        walk.inflight = max(0, walk.inflight + step)


def _json_body(walk: _Walk, resp) -> None:
    """Keep same-site JSON answers the page fetched: the item lists apps render from."""
    try:
        ctype = (resp.headers.get("content-type") or "").lower()
        if "json" not in ctype or urlsplit(resp.url).hostname != urlsplit(walk.out.url).hostname:
            return
        if int(resp.headers.get("content-length") or 0) > JSON_BODY_MAX:
            return
    except Exception:
        return

    async def read():
        try:
            body = await resp.body()
        except Exception:  # the page was closed first
            return None
        return (resp.url, body.decode("utf-8", "replace")) if len(body) <= JSON_BODY_MAX else None

    walk.json_bodies.append(asyncio.ensure_future(read()))


def merge(page: Page, links: list[Link], precise: bool = False) -> list[Link]:
    """Add links found by rendering or in inline data to ``page``; a link already on the page
    gains the item code they carry (with ``precise``, their code wins: the renderer saw which
    item's control revealed the link, while the page's text only says which code stood above
    it). The page is an ITA index when five or more of its links carry item codes. Returns
    the links added.

    >>> from oitcheck.pages import parse_html
    >>> page = parse_html('<a href="/o1">เอกสาร</a>', "http://a.ac.th/ITA")
    >>> found = [Link(f"http://a.ac.th/o{n}", "เอกสาร", f"O{n}") for n in range(1, 7)]
    >>> len(merge(page, found)), page.is_ita_index, page.links[0].code
    (5, True, 'O1')
    """
    have = {link.url: link for link in page.links}
    added = []
    for link in links:
        mine = have.get(link.url)
        if mine is None:
            have[link.url] = link
            added.append(link)
            continue
        mine.code = (link.code or mine.code) if precise else (mine.code or link.code)
        mine.also = list(dict.fromkeys([*mine.also, *link.also]))
        mine.text = mine.text or link.text
    page.links.extend(added)
    codes = {link.code for link in page.links if link.code}
    if len(codes) >= 5 and not page.is_ita_index:
        page.is_ita_index = page.document.is_ita_index = True
    if not page.is_ita_index:
        for link in page.links:
            link.code, link.also = None, []
    return added
