"""Gather what the crawl finds, with bounded memory, and turn it into verdicts and a report.

For every URL the collector keeps a :class:`Seen` record: its labels, the rules' facts
and the names standing in its text, never the text itself. Items are matched and decided
from those records when asked (at the end, and for the partial report every few
seconds), so:

- the verdicts do not depend on the order pages arrived in: every link text to a URL
  labels it, whenever it was met;
- the site's template is known by then: titles, headings and blocks repeated on many pages
  (menus, sidebars, footers) are site chrome, not a page's own label;
- memory grows with the number of URLs (a few kB each, bounded by the page budget),
  never with page text.
"""

from __future__ import annotations

import json
import logging
import re
import time
import zlib
from array import array
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from . import rules
from .documents import kind_from_name
from .matching import BODY_SUPPORT, SUPPORTED_FROM, WEAK_BODY, clean_label, filename_label, matcher_for
from .model import (NOT_DOCUMENTS, Anchors, AnswerLink, Candidate, CrawlError, Document, IndexLead, Reason,  # noqa: F401
                    Verdict, now_iso)  # (now_iso re-exported)
from .thai import count_thai
from .verdicts import TOPIC_PASS, decide

log = logging.getLogger(__name__)

ANCHORS_KEPT = 8  # link texts kept per URL
CHROME_MIN_PAGES = 4  # a block on at least this many pages ...
CHROME_SHARE = 0.2  # ... and on this share of all pages is site chrome
MIN_TOPIC = 0.5  # label scores below this are not candidates at all
BORROWED = 0.97  # a picture labelled by its page's heading ranks just below the page itself
PHOTO_THAI_MAX = 60  # Thai letters OCR finds in a photo at most (a sign); a scanned notice has hundreds
SITEWIDE_TOPIC = 0.88  # the home page showing contact details or social links in its header or footer
OWN_TEXT_MIN = 80  # characters of a page's own (non-chrome) text below which it is a placeholder
OWN_TEXT_HUB = 300  # ... below which a page whose only documents do not open is an empty download page
OWN_TEXT_EMPTY = 10  # ... below which (not even a name) a page that shows no document, picture or form has nothing on it
DOCUMENT_KINDS = ("pdf", "doc", "docx", "xls", "xlsx")
PLACEHOLDER = re.compile(r"กำลังปรับปรุง|อยู่ระหว่าง(?:การ)?ปรับปรุง|อยู่ระหว่างจัดทำ|ยังไม่มีข้อมูล|ไม่พบข้อมูล|"
                         r"under construction|coming soon|กำลังดำเนินการจัดทำ")
# A list or search page that says it lists nothing: the message is a short block of its own
# ("ไม่มีข้อมูลเอกสารในเงื่อนไขที่เลือก"), wherever it stands on the page.
NO_RECORDS = re.compile(r"(?m)^[ \t]*(?:ไม่มีข้อมูล|ไม่พบข้อมูล|ยังไม่มีข้อมูล|ไม่มีเอกสาร|ไม่พบเอกสาร|ไม่มีรายการ|ไม่พบรายการ|"
                        r"no data|no records|no results|nothing found)[^\n]{0,50}$", re.I)
ADMIN_PATH = re.compile(r"(?:^|/)(?:admin|administrator|backend|backoffice|wp-admin|wp-login|login|signin|"
                        r"manage|cms|phpmyadmin)(?:[/._?]|$)|(?:^|[/_\-])(?:add|edit|update|delete|create|insert|upload|remove)_?\w*\.php", re.I)


# Why a crawl stopped before it had seen everything, in the clerk's words.
STOPPED_WORDS = {
    "page_limit": ("ถึงจำนวนหน้าสูงสุดที่กำหนด", "the page limit was reached"),
    "time_limit": ("ถึงเวลาสูงสุดที่กำหนด", "the time limit was reached"),
    "depth_limit": ("ถึงความลึกสูงสุดที่กำหนด", "the depth limit was reached"),
    "interrupted": ("ถูกหยุดกลางคัน", "it was interrupted"),
    "error": ("เกิดข้อผิดพลาด", "of an error"),
}


def _h(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def anchor_order(text: str):
    """Which link texts a URL keeps when it has many: ones carrying an item code, then the
    longest (most telling). A total order, so the choice never depends on arrival order."""
    return (re.match(r"\s*o\s?\.?\s?\d", text) is None, -min(len(text), 80), text)


def skipped_on_purpose(reason: str) -> bool:
    """A crawl error that is the crawl's own choice (a trap, a media file), not a link that
    does not open."""
    return reason.startswith(("trap", "skipped"))


def is_admin_url(url: str) -> bool:
    """Login, admin and add/edit forms are not disclosures.

    >>> is_admin_url("http://x.go.th/admin/add_news.php"), is_admin_url("http://x.go.th/news.php?id=3")
    (True, False)
    >>> is_admin_url("http://x.go.th/Create_News.php")
    True
    """
    parts = urlsplit(url)
    return bool(ADMIN_PATH.search(parts.path))


@dataclass(slots=True)
class Seen:
    """What the collector keeps of one URL."""

    url: str
    kind: str
    method: str
    error: str | None
    title: str
    headings: tuple[str, ...]
    head: str  # a document's first lines (its title), "" for pages
    found_on: str
    off_site: bool
    notes: tuple[str, ...]
    facts: dict  # the rules' facts about the document
    body: dict  # item index -> (name, snippet, line) standing in the text
    lines: array  # hashes of the page's blocks (site chrome is learnt from them)
    line_lens: array
    pictures: array  # hashes of the pictures the page shows
    placeholder: str  # "construction" (a placeholder notice near the top), "no_records" (a list saying it lists nothing), ""
    anchors: list[str] = field(default_factory=list)
    index_codes: set[str] = field(default_factory=set)
    is_ita_index: bool = False
    home: bool = False
    borrowed: bool = False  # an image labelled by the heading of the page it is shown on
    has_form: bool = False
    sections: tuple = ()  # the home page only: (heading, the text right after it) of each section
    hits: dict = field(default_factory=dict)  # label -> its hits: a URL's labels are matched once each

    @property
    def is_document(self) -> bool:
        return self.kind not in NOT_DOCUMENTS


class Collector:
    """What the crawl found, per URL.

    ``planned`` (`oitcheck answers`): item code -> the URLs the agency plans to enter in
    ITAS. Then an item is judged only on its own URLs and what they link one click down,
    and each of its URLs is taken as given for it (like an ITA index page's link)."""

    def __init__(self, checklist, site: str, fiscal_year: int | None = None, planned: dict[str, list[str]] | None = None):
        self.checklist = checklist
        self.fiscal_year = fiscal_year or checklist.year
        self.ctx = rules.Context(self.fiscal_year)
        self.site = site
        self.agency_name = ""  # learnt from the home page
        self.matcher = matcher_for(checklist)
        self.records: dict[str, Seen] = {}
        self.pending_anchors: dict[str, list[str]] = {}  # link texts met before their URL was read
        self.leads: dict[str, set[str]] = {}  # url -> codes (from ITA index pages)
        self.lead_pages: set[str] = set()
        self.errors: dict[str, dict] = {}  # url -> {url, reason, found_on}
        self.doc_links: dict[str, set[str]] = {}  # page -> the documents it links
        self.pictures_on: dict[str, set[str]] = {}  # page -> the pictures read from it that hold text
        self.broken_images: dict[str, int] = {}  # page -> its pictures that did not open
        self.block_pages: dict[int, int] = {}  # block hash -> pages it stands on
        self.html_pages = 0
        self.pages = 0
        self.documents = 0
        self.by_kind: dict[str, int] = {}
        self.match_seconds = 0.0
        self.started = now_iso()
        self._home_text: int | None = None  # hash of the home page's text
        self._page_texts: set[int] = set()  # hashes of the pages' texts (one page under two addresses counts once)
        self.stopped_by: str | None = None  # set when the crawl stopped early: not-found reasons say so
        self.planned = planned  # None: the whole site is crawled
        self.listed: dict[str, set[str]] = {}  # url (as fetched, after redirects) -> items it is planned for
        for code, urls in (planned or {}).items():
            for url in urls:
                self.listed.setdefault(url, set()).add(code)
        self.reached: dict[str, set[str]] = {}  # url -> items whose planned URL links it
        self._cache_key = None
        self._cache: list[Verdict] | None = None

    def forget(self) -> None:
        """Drop the cached verdicts (something they depend on changed)."""
        self._cache = None

    # --- feeding ---------------------------------------------------------------------
    def add_lead(self, code: str, url: str, found_on: str) -> None:
        self.leads.setdefault(url, set()).add(code)
        self.lead_pages.add(found_on)
        self._cache = None

    def add_error(self, url: str, reason: str, found_on: str = "", anchor: str = "", index_code: str | None = None) -> None:
        if url not in self.errors:
            self.errors[url] = {"url": url, "reason": reason, "found_on": found_on}
            if found_on and not skipped_on_purpose(reason):
                kind = kind_from_name(url)
                if kind in DOCUMENT_KINDS:
                    self.doc_links.setdefault(found_on, set()).add(url)
                elif kind == "image":
                    self.broken_images[found_on] = self.broken_images.get(found_on, 0) + 1
        if index_code:
            self.add_lead(index_code, url, found_on)
        self._cache = None

    def add_answer_link(self, code: str, url: str, found_on: str = "") -> None:
        """``url`` is one click down from a URL planned for item ``code``."""
        codes = self.reached.setdefault(url, set())
        if code not in codes:
            codes.add(code)
            self._cache = None

    def add_links(self, found_on: str, documents) -> None:
        """The documents a page links (whether they open is known when they are read)."""
        if documents:
            self.doc_links.setdefault(found_on, set()).update(documents)
            self._cache = None

    def linked_documents(self, page: str) -> tuple[int, int]:
        """(documents a page links that were read, ... that did not open)."""
        read = broken = 0
        for url in self.doc_links.get(page, ()):
            rec = self.records.get(url)
            if rec is not None and rec.method not in ("failed", "none"):
                read += 1
            elif url in self.errors and not skipped_on_purpose(self.errors[url]["reason"]):
                broken += 1
        return read, broken

    def add_anchor(self, url: str, text: str, found_on: str = "") -> None:
        """A link text for ``url`` (met before or after the URL itself was read)."""
        if not text:
            return
        rec = self.records.get(url)
        anchors = rec.anchors if rec is not None else self.pending_anchors.setdefault(url, [])
        if text not in anchors:
            anchors.append(text)
            anchors.sort(key=anchor_order)
            del anchors[ANCHORS_KEPT:]
            self._cache = None

    def add_document(self, doc: Document) -> None:
        t = time.perf_counter()
        first = doc.url not in self.records
        if doc.is_document and doc.found_on and not doc.from_page:
            self.doc_links.setdefault(doc.found_on, set()).add(doc.url)
        if doc.from_page and doc.found_on and doc.method not in ("failed", "none"):
            self.pictures_on.setdefault(doc.found_on, set()).add(doc.url)
        if first:  # a nightly priority URL is fetched twice; count it once
            if doc.kind == "html":
                self.pages += 1
            elif doc.kind != "link":  # an online form is linked, never fetched: counted by kind only
                self.documents += 1
            self.by_kind[doc.kind] = self.by_kind.get(doc.kind, 0) + 1
        text_hash = _h(doc.text) if doc.kind == "html" and doc.text else None
        if text_hash is not None:
            # The home page under another address (/index.php, /home) is the home page too.
            if doc.home:
                self._home_text = text_hash
            elif text_hash == self._home_text:
                doc.home = True
        if doc.home and not self.agency_name:
            self.agency_name = agency_name_in([doc.title, *doc.headings])
        lines, lens, pictures = array("l"), array("l"), array("l")
        placeholder = ""
        if doc.kind == "html":
            seen_blocks = set()
            named = {doc.title, *doc.headings}  # a heading names the page; it is not its content
            for line in doc.text.split("\n"):
                line = line.strip()
                if len(line) >= 2:
                    h = _h(line)
                    if h not in seen_blocks and line not in named:
                        lines.append(h)
                        lens.append(len(line))
                    seen_blocks.add(h)
            for label in (doc.title, *doc.headings):
                if label:
                    seen_blocks.add(_h("\x00" + label))
            for src in doc.pictures:  # a picture on many pages is the template's (a banner, a badge)
                h = _h("\x01" + src)
                if h not in seen_blocks:
                    pictures.append(h)
                    seen_blocks.add(h)
            # A page is counted once however many addresses serve it (?p=x and index.php?p=x):
            # site chrome is what stands on many different pages.
            if first and text_hash not in self._page_texts:
                self._page_texts.add(text_hash)
                self.html_pages += 1
                for h in seen_blocks:
                    self.block_pages[h] = self.block_pages.get(h, 0) + 1
            # A list saying it lists nothing is told first: its message ("ไม่พบข้อมูลที่คุณค้นหา")
            # also reads as a placeholder notice, which a page with filters and text escapes.
            placeholder = ("no_records" if NO_RECORDS.search(doc.text)
                           else "construction" if PLACEHOLDER.search(doc.text[:3000]) else "")
        body = {} if doc.is_ita_index else self.matcher.body_hits(doc.text)
        old = self.records.get(doc.url)
        rec = Seen(
            url=doc.url, kind=doc.kind, method=doc.method, error=doc.error, title=doc.title,
            headings=tuple(doc.headings[:6]), head=doc.text[:rules.HEAD_CHARS].replace("\n", " ") if doc.is_document else "",
            found_on=min(filter(None, [doc.found_on, old.found_on if old else ""]), key=lambda u: (len(u), u), default=""),
            off_site=doc.off_site, notes=tuple(doc.notes), facts=rules.document_facts(doc, self.checklist), body=body,
            lines=lines, line_lens=lens, pictures=pictures, placeholder=placeholder,
            anchors=old.anchors if old else self.pending_anchors.pop(doc.url, []),
            index_codes=set(doc.index_codes) | (old.index_codes if old else set()),
            is_ita_index=doc.is_ita_index or (old.is_ita_index if old else False),
            home=doc.home or (old.home if old else False), borrowed=doc.from_page, has_form=doc.has_form,
            sections=home_sections(doc) if doc.home else (old.sections if old else ()),
        )
        self.records[doc.url] = rec
        if doc.answer_codes:  # a planned URL, under the address it ended at (redirects)
            self.listed.setdefault(doc.url, set()).update(doc.answer_codes)
        for a in doc.anchors:
            self.add_anchor(doc.url, a)
        self._cache = None
        self.match_seconds += time.perf_counter() - t

    # --- site chrome ------------------------------------------------------------------
    def _chrome_floor(self) -> int:
        return max(CHROME_MIN_PAGES, int(CHROME_SHARE * self.html_pages + 0.999))

    def is_chrome(self, text: str, heading: bool = False) -> bool:
        """A title, heading or block that stands on many of the site's pages."""
        return self.block_pages.get(_h("\x00" + text if heading else text), 0) >= self._chrome_floor()

    def empty_page(self, rec: Seen) -> str:
        """Why a page that names an item is not its disclosure: "construction" (a heading and
        "กำลังปรับปรุง"), "broken" (a heading and links to documents that do not open),
        "empty" (a heading and nothing else: no text, document, picture or form), or ""."""
        if rec.kind != "html":
            return ""
        own = self.own_text(rec)
        if rec.placeholder and own < OWN_TEXT_MIN:
            return "construction"
        read, broken = self.linked_documents(rec.url)
        if rec.placeholder == "no_records" and not rec.home and not read and not self.own_pictures(rec):
            return "empty"
        if (own < OWN_TEXT_EMPTY and not rec.home and not rec.has_form and not read and not broken
                and not self.own_pictures(rec)):
            return "empty"
        if not read and ((own < OWN_TEXT_HUB and broken) or (own < OWN_TEXT_MIN and self.broken_images.get(rec.url, 0))):
            return "broken"
        return ""

    def shown_items(self, rec: Seen) -> dict[int, str]:
        """A page that is only its pictures (a post with a scanned notice): the items those
        pictures' own text names (item -> its code), or {} when the page has text of its own
        or its pictures name nothing."""
        if rec.kind != "html" or rec.url not in self.pictures_on or self.own_text(rec) >= OWN_TEXT_MIN:
            return {}
        stop = self.set_aside()
        out = {}
        for url in self.pictures_on[rec.url]:
            pic = self.records.get(url)
            label = clean_label(pic.head, stop) if pic is not None and pic.head else ""
            if len(label) >= 2:
                out.update({h.item: self.checklist.items[h.item].code for h in self.matcher.label_hits(label)
                            if h.score >= TOPIC_PASS and not h.mention})
        return out

    def own_pictures(self, rec: Seen) -> int:
        """Pictures a page shows that are not the site's template."""
        floor = self._chrome_floor()
        return sum(1 for h in rec.pictures if self.block_pages.get(h, 0) < floor)

    def own_text(self, rec: Seen) -> int:
        """Characters of a page's own text: its blocks that are not site chrome."""
        floor = self._chrome_floor()
        return sum(n for h, n in zip(rec.lines, rec.line_lens) if self.block_pages.get(h, 0) < floor)

    # --- matching and deciding ------------------------------------------------------------
    def set_aside(self) -> tuple[str, ...]:
        """Words taken out of a label before matching: the agency's own name and its type."""
        return tuple(p for p in (self.agency_name,) if p) + self.matcher.agency_terms

    def labels(self, rec: Seen) -> list[tuple[str, str]]:
        """(kind, label) pairs of a URL, site chrome left out, cleaned for matching."""
        raw = []
        if rec.title and not (rec.kind == "html" and self.is_chrome(rec.title, heading=True)):
            raw.append(("title", rec.title))
        if not rec.home:  # the home page is a portal: its block headings name sections, not the page
            for h in rec.headings:
                if not self.is_chrome(h, heading=True):
                    raw.append(("heading", h))
        # A picture shown on a page about an item borrows the page's heading as its label.
        raw += [("page" if rec.borrowed else "link", a) for a in rec.anchors]
        raw.append(("file", filename_label(rec.url)))
        if rec.head:
            raw.append(("head", rec.head))
        stop = self.set_aside()
        out, seen = [], set()
        for kind, label in raw:
            label = clean_label(label, stop)
            if len(label) >= 2 and label not in seen:
                seen.add(label)
                out.append((kind, label))
        return out

    def candidates(self, rec: Seen) -> list[Candidate]:
        """Every item this URL may be evidence of, with its rule facts."""
        if rec.is_ita_index or is_admin_url(rec.url):
            return []  # the ITA index names every item; the documents it links are the evidence
        if rec.kind == "image" and rec.method == "none" and not rec.index_codes and rec.url not in self.leads:
            return []  # a picture with no text in it (or not read): a photo, not a disclosure
        if rec.borrowed and rec.kind == "image" and count_thai(rec.head) < PHOTO_THAI_MAX:
            # A picture shown on a page about an item, with a line or two of text at most: a
            # photo (a sign in it read by OCR), not the scanned notice the page is about.
            return []
        best: dict[int, tuple[float, str, str, str]] = {}  # item -> (score, where, matched, snippet)
        wording: dict[int, str] = {}
        mention: dict[int, bool] = {}
        labels = self.labels(rec)
        # Each label of a URL is matched once: a partial report decides every URL again, its
        # link texts grow as the crawl goes, and a big site has more labels than the
        # matcher's own cache holds.
        known = rec.hits
        if set(known) - {label for _, label in labels}:
            rec.hits = known = {label: known[label] for _, label in labels if label in known}
        for _, label in labels:
            if label not in known:
                known[label] = self.matcher.label_hits(label)
        for kind, hit in ((kind, hit) for kind, label in labels for hit in known[label]):
            score = hit.score * (BORROWED if kind == "page" else 1.0)
            if score > best.get(hit.item, (0.0,))[0]:
                best[hit.item] = (score, "label", hit.matched, hit.label)
                wording[hit.item] = hit.wording
                mention[hit.item] = hit.mention
        floor = self._chrome_floor()
        for item, (phrase, snippet, line) in rec.body.items():
            if rec.kind == "html" and self.block_pages.get(_h(line), 0) >= floor:
                continue  # a menu or sidebar on every page names it, not this page
            score = best.get(item, (0.0,))[0]
            if SUPPORTED_FROM <= score < TOPIC_PASS and not mention.get(item):
                s, where, matched, snip = best[item]
                best[item] = (round(min(TOPIC_PASS + 0.05, s + BODY_SUPPORT), 3), where, matched, snip)
            elif score < WEAK_BODY:
                best[item] = (WEAK_BODY, "body", phrase, snippet)
        lead_codes = rec.index_codes | self.leads.get(rec.url, set())
        items = self.checklist.items
        listed: set[str] = set()
        if self.planned is not None:
            # Only an item's own planned URLs and what they link judge it; a planned URL is
            # judged for the items it is planned for, whatever else it names.
            listed = self.listed.get(rec.url, set())
            allowed = listed | self.reached.get(rec.url, set())
            others = {items[i].code: s[0] for i, s in best.items()}
            best = {i: b for i, b in best.items() if items[i].code in allowed}
            lead_codes = (lead_codes & allowed) | listed
        placeholder = self.empty_page(rec)
        if rec.borrowed and rec.head:
            # A picture labelled by its page's heading says what it is in its own first lines:
            # when those name another item, the heading does not make it this one.
            head = next((label for kind, label in labels if kind == "head"), "")
            shown = {h.item: items[h.item].code for h in known.get(head, ()) if h.score >= TOPIC_PASS and not h.mention}
        else:
            shown = self.shown_items(rec)
        label_text = " ".join([rec.title if rec.kind == "html" else "", *rec.anchors, filename_label(rec.url)])
        out = []
        for idx in sorted(set(best) | {i for i, it in enumerate(items) if it.code in lead_codes}):
            score, where, matched, snippet = best.get(idx, (0.0, "index", "", rec.title or rec.url))
            lead = items[idx].code in lead_codes
            if score < MIN_TOPIC and not lead:
                continue
            c = Candidate(code=items[idx].code, url=rec.url, found_on=rec.found_on, kind=rec.kind, method=rec.method,
                          topic=round(score, 3), where=where, matched=matched, snippet=snippet[:300], lead=lead,
                          error=rec.error, off_site=rec.off_site, notes=list(rec.notes))
            c.placeholder = placeholder
            if shown and idx not in shown and not lead:
                # The page is its picture, and the picture is another item's document (a post
                # titled as the annual plan that shows the procurement plan).
                c.looks_like = min(shown.values(), key=lambda code: int(code[1:]))
            if items[idx].code in listed:
                c.planned = True
                elsewhere = max(((s, code) for code, s in others.items() if code not in listed), default=(0.0, ""))
                if elsewhere[0] >= TOPIC_PASS and elsewhere[0] > score:
                    c.looks_like = elsewhere[1]
            elif lead and score < TOPIC_PASS:
                # The ITA page gives this URL for the item though its labels hardly name it:
                # taken as given unless the URL plainly names another item.
                elsewhere = max(((s[0], items[i].code) for i, s in best.items()
                                 if items[i].code not in lead_codes), default=(0.0, ""))
                if elsewhere[0] >= TOPIC_PASS:
                    c.looks_like = elsewhere[1]
            if items[idx].alternatives and where == "label":  # say which accepted title was found
                c.wording = wording.get(idx) or items[idx].title
            out.append(rules.apply(items[idx], rec.facts, c, label_text))
        if rec.home:
            # A body mention on the home page is no reason to skip its header or footer.
            named = {i for i, b in best.items() if b[1] == "label" and b[0] >= TOPIC_PASS}
            out += self._sitewide(rec, named, label_text)
        return out

    def _sitewide(self, rec: Seen, named: set[int], label_text: str) -> list[Candidate]:
        """Contact details and social-network links are often in every page's header or
        footer: the home page shows them, though no page is named for them. A candidate
        only when the home page passes the item's rules (the details are really there)."""
        out = []
        for idx, item in enumerate(self.checklist.items):
            if not item.sitewide or idx in named:
                continue
            matched, snippet = "", "อยู่ในส่วนหัวหรือท้ายของทุกหน้า / in every page's header or footer"
            if item.sitewide in ("person", "section"):
                # The home page's section headed with the item's name: naming a person (the
                # executives' box), or holding text of its own (a one-page site's "อำนาจหน้าที่").
                holds = ((lambda after: PERSON.search(after) is not None) if item.sitewide == "person"
                         else (lambda after: len(after) >= SECTION_CONTENT))
                section = self._section(rec, idx, holds)
                if section is None:
                    continue
                matched, snippet = section[0], f"{section[0]}: {section[1]}"
            c = Candidate(code=item.code, url=rec.url, found_on="", kind=rec.kind, method=rec.method, topic=SITEWIDE_TOPIC,
                          where="home", matched=matched, snippet=snippet[:300])
            rules.apply(item, rec.facts, c, label_text)
            if not rules.check(item, c, self.ctx):
                out.append(c)
        return out

    def _section(self, rec: Seen, idx: int, holds) -> tuple[str, str] | None:
        """The home page's section headed with item ``idx``'s name whose text ``holds``, if any."""
        stop = self.set_aside()
        for heading, after in rec.sections:
            label = clean_label(heading, stop)
            if len(label) < 2 or not holds(after):
                continue
            if any(h.item == idx and h.score >= TOPIC_PASS and not h.mention for h in self.matcher.label_hits(label)):
                return heading, after
        return None

    def verdicts(self) -> list[Verdict]:
        key = (len(self.records), len(self.errors), len(self.leads))
        if self._cache is not None and self._cache_key == key:
            return self._cache
        t = time.perf_counter()
        per_item: dict[str, list[Candidate]] = {i.code: [] for i in self.checklist.items}
        for rec in self.records.values():
            for c in self.candidates(rec):
                per_item[c.code].append(c)
        out = []
        broken_leads = self.broken_leads()
        for item in self.checklist.items:
            cands = per_item[item.code]
            broken = broken_leads.get(item.code, [])
            try:
                out.append(decide(item, cands, self.ctx, broken, self.not_found_reason(item.code),
                                  planned=self.planned is not None))
            except Exception as exc:  # one item's failure is that item's error, never the report's
                log.exception("deciding %s failed", item.code)
                out.append(Verdict(item.code, "fail", False, 0.0,
                                   [Reason("tool_error", "ตัดสินข้อนี้ไม่ได้เพราะข้อผิดพลาดของเครื่องมือ",
                                           f"the tool failed on this item ({type(exc).__name__}: {exc})", "tool")],
                                   error=f"{type(exc).__name__}: {exc}"))
        self.match_seconds += time.perf_counter() - t
        self._cache, self._cache_key = out, key
        return out

    def broken_leads(self) -> dict[str, list[tuple[str, str]]]:
        """Item code -> (url, reason) of the links given for it that did not open: the ITA
        index page's links, or with ``planned`` the URLs the agency plans to enter."""
        out: dict[str, list[tuple[str, str]]] = {}
        given = self.leads if self.planned is None else self.listed
        for url, codes in sorted(given.items()):
            if url in self.errors:
                for code in sorted(codes):
                    out.setdefault(code, []).append((url, self.errors[url]["reason"]))
        return out

    def not_found_reason(self, code: str | None = None) -> Reason:
        if self.planned is not None:
            if not self.planned.get(code or ""):
                return Reason("no_answer", "ไม่ได้ระบุ URL ที่จะกรอกสำหรับข้อนี้ (ตอบ ไม่มี)",
                              "no URL is planned for this item (answered ไม่มี)", "decide")
            return Reason("not_found", "ไม่พบที่ URL ที่จะกรอก และในลิงก์ของหน้านั้น",
                          "not found at the planned URLs or one click from them", "decide")
        th = f"ไม่พบใน {self.pages} หน้าและ {self.documents} เอกสารที่ตรวจ"
        en = f"not found in the {self.pages} pages and {self.documents} documents checked"
        if self.stopped_by:
            why_th, why_en = STOPPED_WORDS[self.stopped_by]
            th, en = f"{th} (หยุดเพราะ{why_th})", f"{en} (stopped because {why_en})"
        return Reason("not_found", th, en, "decide")

    def found_count(self) -> int:
        """Items with a candidate that names them (for the progress line)."""
        return sum(1 for v in self.verdicts() if v.found)


# --- a crawl recorded, decided again offline ---------------------------------------------

RECORDED = {cls.__name__: cls for cls in (Document, Anchors, AnswerLink, IndexLead, CrawlError)}


def record_line(item) -> str:
    """One item the spider yielded, as a line of JSON (OITCHECK_RECORD)."""
    return json.dumps({"type": type(item).__name__, **asdict(item)}, ensure_ascii=False)


def feed(collector: "Collector", item) -> None:
    """Give the collector one item, as the evidence pipeline does."""
    if isinstance(item, Document):
        collector.add_document(item)
    elif isinstance(item, Anchors):
        for url, text in item.links:
            collector.add_anchor(url, text, item.found_on)
        collector.add_links(item.found_on, item.documents)
    elif isinstance(item, AnswerLink):
        collector.add_answer_link(item.code, item.url, item.found_on)
    elif isinstance(item, IndexLead):
        collector.add_lead(item.code, item.url, item.found_on)
    elif isinstance(item, CrawlError):
        collector.add_error(item.url, item.reason, item.found_on, item.anchor, item.index_code)


def replay(path, checklist, site: str) -> "Collector":
    """A collector fed from a recorded crawl: matching and rules decided again, offline.

    >>> import tempfile, os
    >>> from oitcheck.checklist import load
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    >>> _ = f.write(record_line(Document(url="http://x/s", title="โครงสร้างส่วนราชการ", text="สำนักปลัด")) + "\\n"); f.close()
    >>> replay(f.name, load(2566), "http://x/").records["http://x/s"].title
    'โครงสร้างส่วนราชการ'
    >>> os.unlink(f.name)
    """
    col = Collector(checklist, site)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            cls = RECORDED[data.pop("type")]
            if cls is Anchors:
                data["links"] = [tuple(x) for x in data["links"]]
            feed(col, cls(**data))
    return col


AGENCY_NAME = re.compile(r"((?:องค์การบริหารส่วนตำบล|องค์การบริหารส่วนจังหวัด|เทศบาลตำบล|เทศบาลเมือง|เทศบาลนคร|"
                         r"อบต\.?|อบจ\.?|ทต\.?|ทม\.?|วิทยาลัย\S*|โรงพยาบาล|สำนักงานสาธารณสุขอำเภอ|สสอ\.?)\s?[^\s|\-–:,()]+)")


# A person's name as agencies write it: an honorific or rank, then a Thai name (นายกเทศมนตรี
# is a title, นายกมล a name).
PERSON = re.compile(r"(?:นางสาว|นาง|นาย(?!ก(?:เทศมนตรี|องค์การ|\s?อบ[ตจ]))|ดร\.|ว่าที่|ร\.ต\.|พ\.ต\.|พ\.อ\.|จ\.ส\.|ส\.อ\.|สิบเอก)\s?[ก-ฮ][ก-๙]{1,}\s[ก-ฮเ-ไ]")
SECTION_AFTER = 160  # characters after a home-page heading read as its section
SECTION_PLACES = 3  # places a heading's words stand on the home page that are looked at
SECTION_CONTENT = 100  # characters of text under a home-page heading that make it a section with content


def home_sections(doc: Document) -> tuple[tuple[str, str], ...]:
    """(heading, the text right after it) for each heading of the home page.

    >>> home_sections(Document(url="h", headings=["คณะผู้บริหาร"],
    ...                        text="หน้าหลัก\\nคณะผู้บริหาร\\nกองคลัง\\nข่าว\\nคณะผู้บริหาร\\nนายสมชาย ใจดี\\nนายก"))
    (('คณะผู้บริหาร', 'กองคลัง ข่าว'), ('คณะผู้บริหาร', 'นายสมชาย ใจดี นายก'))
    """
    out = []
    titles = doc.outline or doc.headings
    headings = set(titles)
    for heading in dict.fromkeys(titles):
        # Every place the heading stands as a line of its own: a menu item of the same words
        # comes first on most pages, the section itself later. A section ends at the next heading.
        for m in list(re.finditer(rf"(?m)^[ \t]*{re.escape(heading)}[ \t]*$", doc.text))[:SECTION_PLACES]:
            lines = []
            for line in doc.text[m.end():m.end() + SECTION_AFTER].split("\n"):
                line = line.strip()
                if line in headings and lines:
                    break
                if line:
                    lines.append(line)
            out.append((heading, " ".join(lines)))
    return tuple(out)


def agency_name_in(texts) -> str:
    """The agency's own name, from its home page's title or headings.

    >>> agency_name_in(["หน้าหลัก - องค์การบริหารส่วนตำบลหนองบัว อำเภอเมือง"])
    'องค์การบริหารส่วนตำบลหนองบัว'
    """
    for text in texts:
        m = AGENCY_NAME.search(text or "")
        if m and len(m.group(1)) > 6:
            return m.group(1)
    return ""
