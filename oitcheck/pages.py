"""What an HTML page means: its Thai text (with encoding repair), title, headings, links,
and, when it is an agency's ITA index page, which O-code each link is given for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from .evidence import Document
from .thai import count_thai, normalize, thai_ratio

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_THAI_ALIASES = {"tis-620", "tis620", "iso-8859-11", "windows-874", "cp874", "x-windows-874"}


def declared_charset(body: bytes, header: str | None) -> str | None:
    """Charset from the Content-Type header, else from a <meta> tag."""
    if header:
        m = re.search(r"charset=([\w\-]+)", header, re.I)
        if m:
            return m.group(1).lower()
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "ignore").lower() if m else None


def decode_html(body: bytes, header: str | None = None) -> tuple[str, str, bool]:
    """Decode an HTML page to text: (text, encoding used, repaired?).

    Old Thai sites serve windows-874/TIS-620 without a charset, or under a wrong one
    (ISO-8859-1, UTF-8). Declared charsets are tried first, but a result that is not Thai
    while the bytes decode as Thai in cp874 is taken for what it is: a wrong label.

    >>> decode_html("<p>แผนดำเนินงาน</p>".encode("cp874"))[1:]
    ('cp874', True)
    """
    declared = declared_charset(body, header)
    if declared in _THAI_ALIASES:
        declared = "cp874"
    tried = []
    for enc in filter(None, [declared, "utf-8"]):
        if enc in tried:
            continue
        tried.append(enc)
        try:
            text = body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "cp874" or not _looks_like_thai_mojibake(text):
            return text, enc, False
    # Bytes above 0xA0 that are not UTF-8: on a Thai site that is windows-874.
    text = body.decode("cp874", errors="replace")
    if thai_ratio(text) > 0.2:
        return text, "cp874", True
    from charset_normalizer import from_bytes

    guess = from_bytes(body[:200_000]).best()
    if guess is not None:
        return str(guess), guess.encoding, True
    return body.decode("utf-8", errors="replace"), "utf-8", True


_LATIN_HIGH = re.compile("[\u00a1-\u00fb]")


def _looks_like_thai_mojibake(text: str) -> bool:
    # cp874 Thai read as Latin-1/cp1252 becomes runs of U+00A1..U+00FB. (Counted with
    # regexes: a per-character Python loop was a tenth of the crawl's own CPU time.)
    high = len(_LATIN_HIGH.findall(text))
    return high > 20 and high > 4 * count_thai(text)


@dataclass
class Link:
    url: str
    text: str  # normalised anchor text (or alt/title)
    code: str | None = None  # ITA item code this link is given for on an index page
    kind: str = "a"  # a, iframe, frame


@dataclass
class Page:
    document: Document
    links: list[Link] = field(default_factory=list)
    is_ita_index: bool = False


# "O1", "o 12", "O.3", "(O5)": an OIT item code standing alone.
_CODE = re.compile(r"(?<![a-z0-9])o\s?\.?\s?(\d{1,2})(?![\d.]\d|\d)")
_MAYBE_CODE = re.compile(r"[oO]\s?\.?\s?\d")  # cheap test before normalising a block's text
_DROP = ("script", "style", "noscript", "template", "svg")
_BLOCKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "dt", "dd", "section"}


def item_code(text: str) -> str | None:
    """The OIT code a short label starts with or carries.

    >>> item_code("o12 รายงานผลการดำเนินงาน")
    'O12'
    >>> item_code("ข่าวประชาสัมพันธ์") is None
    True
    """
    m = _CODE.search(text[:40])
    return f"O{int(m.group(1))}" if m else None


def _container(el):
    for anc in el.iterancestors():
        if anc.tag in ("table", "ul", "ol", "dl", "section", "article", "main", "body"):
            return anc
    return None


def _inside(el, container) -> bool:
    return any(anc is container for anc in el.iterancestors())


def parse_html(text: str, url: str, max_chars: int = 200_000) -> Page:
    """Parse a decoded page into a Document and its links (resolved, fragments removed)."""
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>")
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP)):
        bad.drop_tree()
    base = url
    base_el = root.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(url, base_el.get("href"))

    title = normalize(" ".join(root.xpath("//title//text()")))[:300]
    headings = [normalize(h.text_content())[:300] for h in root.xpath("//h1|//h2|//h3")][:20]
    body_text = normalize(root.text_content()[: max_chars * 2], keep_newlines=False)[:max_chars]

    links, current_code, codes_seen = [], None, set()
    container = None  # the list/table where current_code was announced; it ends there
    out_hosts, out_texts = set(), []
    host = urlsplit(url).hostname or ""
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCKS and el.text and _MAYBE_CODE.search(el.text[:40]):
            code = item_code(normalize(el.text))
            if code:
                current_code, container = code, _container(el)
        if tag in ("a", "area", "iframe", "frame"):
            href = el.get("href") if tag in ("a", "area") else el.get("src")
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
                continue
            absolute = urljoin(base, href.strip()).split("#", 1)[0]
            if not absolute.startswith(("http://", "https://")):
                continue
            label = normalize(el.text_content() if tag == "a" else "") or normalize(el.get("title") or el.get("alt") or "")
            if not label and tag == "a":
                img = el.find(".//img")
                if img is not None:
                    label = normalize(img.get("alt") or img.get("title") or "")
            inherited = current_code if container is not None and _inside(el, container) else None
            code = item_code(label) or inherited
            if code:
                codes_seen.add(code)
            links.append(Link(absolute, label[:200], code, tag if tag != "area" else "a"))
            lhost = urlsplit(absolute).hostname or ""
            if lhost and lhost != host and not lhost.endswith("." + host):
                out_hosts.add(lhost)
            if label:
                out_texts.append(label[:100])
        if tag in _BLOCKS and el.tail and _MAYBE_CODE.search(el.tail[:40]) and item_code(normalize(el.tail)):
            current_code, container = item_code(normalize(el.tail)), _container(el.getparent())

    is_index = len(codes_seen) >= 5
    if not is_index:
        for link in links:
            link.code = None
    has_form = bool(root.xpath("//form[.//textarea or .//input[@type='text' or @type='email' or not(@type)]]"))
    doc = Document(url=url, kind="html", title=title, headings=headings, text=body_text, method="html",
                   out_hosts=sorted(out_hosts)[:50], out_texts=out_texts[:300], has_form=has_form)
    doc.is_ita_index = is_index
    return Page(document=doc, links=links, is_ita_index=is_index)
