"""What an HTML page means: its Thai text (with encoding repair), title, headings, links,
and, when it is an agency's ITA index page, which O-code each link is given for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from .model import Document
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
    also: list[str] = field(default_factory=list)  # further items the index page gives this same link for
    shown: bool = False  # a picture linked without a word: shown on the page, labelled by its heading


@dataclass
class Image:
    src: str  # absolute URL, or a data: URL
    alt: str  # normalised


@dataclass
class Page:
    document: Document
    links: list[Link] = field(default_factory=list)
    is_ita_index: bool = False
    images: list[Image] = field(default_factory=list)  # content images (not icons), in page order


# "O1", "o 12", "O.3", "(O5)": an OIT item code standing alone.
_CODE = re.compile(r"(?<![a-z0-9])o\s?\.?\s?(\d{1,2})(?![\d.]\d|\d)")
_MAYBE_CODE = re.compile(r"[oO]\s?\.?\s?\d")  # cheap test before normalising a block's text
_DROP = ("script", "style", "noscript", "template", "svg")
_BLOCKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "dt", "dd", "section"}
# Elements that start a new line of text: a line is then one block of the page.
_LINE_BREAKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "dt", "dd", "section",
                "article", "header", "footer", "nav", "aside", "ul", "ol", "table", "form", "main", "blockquote", "hr"}
_CONTAINERS = {"table", "ul", "ol", "dl", "section", "article", "main", "body"}
# Where a link's target is: <a>/<area> href, frames and embedded documents.
_LINK_ATTR = {"a": "href", "area": "href", "iframe": "src", "frame": "src", "embed": "src", "object": "data"}


def item_code(text: str) -> str | None:
    """The OIT code a short label starts with or carries.

    >>> item_code("o12 รายงานผลการดำเนินงาน")
    'O12'
    >>> item_code("ข่าวประชาสัมพันธ์") is None
    True
    """
    m = _CODE.search(text[:40])
    return f"O{int(m.group(1))}" if m else None


_CODE_RANGE = re.compile(r"o\s?\.?\s?\d{1,2}\s*(?:-|–|—|~|ถึง)\s*o?\s?\.?\s?\d")


def block_code(text: str) -> str | None:
    """The item code a block of text announces for what follows it: "O12 ...", never a
    range ("ข้อมูลพื้นฐาน (O1 - O6)" heads a group of items, not item O1).

    >>> block_code("o12 รายงานผลการดำเนินงาน"), block_code("ตัวชี้วัดย่อยที่ 9.1 (o1 - o6)")
    ('O12', None)
    """
    if _CODE_RANGE.search(text[:60]):
        return None
    return item_code(text)


def _container(node):
    """The nearest list/table-like ancestor of ``node`` (itself excluded)."""
    anc = node.parent
    while anc is not None:
        if anc.tag in _CONTAINERS:
            return anc.mem_id
        anc = anc.parent
    return None


def _inside(node, container: int) -> bool:
    anc = node.parent
    while anc is not None:
        if anc.mem_id == container:
            return True
        anc = anc.parent
    return False


def _label(text: str) -> str:
    """A link's or a heading's text, normalised: the same menu texts stand on every page, so
    short ones are normalised once (the cache stays small: LABEL_CACHE texts of LABEL_CACHED
    characters at most)."""
    return _short_label(text) if len(text) <= LABEL_CACHED else normalize(text)


LABEL_CACHED = 200
LABEL_CACHE = 8192


@lru_cache(maxsize=LABEL_CACHE)
def _short_label(text: str) -> str:
    return normalize(text)


def parse_html(text: str, url: str, max_chars: int = 200_000) -> Page:
    """Parse a decoded page into a Document and its links (resolved, fragments removed).

    Parsed as browsers parse (HTML5, lexbor): a stray ``</html>``, a whole second document
    pulled in by a server-side include, or unclosed tags do not end the page; links, text,
    frames and iframes after them are found.
    """
    tree = LexborHTMLParser(text or "<html></html>")
    tree.strip_tags(list(_DROP))
    root = tree.root
    base = url
    base_el = tree.css_first("base[href]")
    if base_el is not None:
        base = urljoin(url, (base_el.attributes.get("href") or "").strip())

    title_el = next((t for t in tree.css("title") if t.text(strip=True)), None)
    title = normalize(title_el.text())[:300] if title_el is not None else ""
    headings: list[str] = []
    pieces: list[str] = []
    size = 0
    links, current_code, codes_seen = [], None, set()
    code_line = ""  # the text that announced current_code ("O3 แผนการดำเนินงาน"): its row's links are about it
    section = ""  # the latest heading: what a generic link text ("ดูทั้งหมด") is about
    heading_at = -1  # the latest h1-h3 (its index in headings)
    outline: list[str] = []
    document_headings: set[int] = set()  # headings a link to a document stands under
    container = None  # the list/table where current_code was announced; it ends there
    out_hosts, out_texts = set(), []
    host = urlsplit(url).hostname or ""
    for node in (root.traverse(include_text=True) if root is not None else ()):
        tag = node.tag
        if tag == "-text":
            raw = node.text_content or ""
            if size < max_chars * 2:
                pieces.append(raw)
                size += len(raw)
            parent = node.parent
            if parent is not None and parent.tag in _BLOCKS and _MAYBE_CODE.search(raw[:40]):
                line = normalize(raw)
                code = block_code(line)
                if code:
                    current_code, container, code_line = code, _container(parent), line
            continue
        if tag in _LINE_BREAKS:
            pieces.append("\n")
        if tag in _SECTION_TAGS:
            raw_heading = node.text()
            h = _label(raw_heading)[:300] if tag[0] == "h" else ""  # h1-h6
            if h and len(outline) < OUTLINE_MAX:
                outline.append(h)
            if h and tag in ("h1", "h2", "h3") and len(headings) < 20:
                headings.append(h)
                heading_at = len(headings) - 1
            if 2 <= len(raw_heading.strip()) <= SECTION_MAX * 2:
                section = raw_heading  # normalised only if a generic link text needs it
        attr = _LINK_ATTR.get(tag)
        if attr is None:
            continue
        href = (node.attributes.get(attr) or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
            continue
        absolute = urljoin(base, href).split("#", 1)[0]
        if not absolute.startswith(("http://", "https://")):
            continue
        attrs = node.attributes
        label = _label(node.text() if tag == "a" else "") or _label(attrs.get("title") or attrs.get("alt") or "")
        if not label and tag == "a":
            img = node.css_first("img")
            if img is not None:
                label = _label(img.attributes.get("alt") or img.attributes.get("title") or "")
        shown = False  # a picture linked without a word: shown on the page (its full size)
        inherited = current_code if container is not None and _inside(node, container) else None
        if tag in ("a", "area") and (section or inherited) and (not label or is_generic_link(label)):
            # "ดูทั้งหมด..." under the heading "ข่าวจัดซื้อจัดจ้าง" leads to the procurement notices;
            # "เอกสาร" in the ITA table's row "O3 แผนการดำเนินงาน" is that item's document.
            context = code_line[:SECTION_MAX] if inherited else _label(section)
            if 2 <= len(context) <= SECTION_MAX:
                shown = not label and bool(_PICTURE_LINK.search(absolute.lower().split("?", 1)[0]))
                label = f"{context} {label}".strip()
        if heading_at >= 0 and _DOCUMENT_LINK.search(absolute.split("?", 1)[0]):
            document_headings.add(heading_at)
        code = item_code(label) or inherited
        if code:
            codes_seen.add(code)
        links.append(Link(absolute, label[:200], code, "a" if tag in ("a", "area") else tag, shown=shown))
        lhost = urlsplit(absolute).hostname or ""
        if lhost and lhost != host and not lhost.endswith("." + host) and not _CREDIT.search("".join(pieces[-4:])[-80:]):
            out_hosts.add(lhost)  # (a "Designed by" credit links the template's maker, not the agency's channel)
        if label:
            out_texts.append(label[:100])
    # Blocks stay on lines of their own: the collector learns the site's template from them.
    body_text = normalize("".join(pieces)[: max_chars * 2], keep_newlines=True)[:max_chars]
    images = []
    for img in tree.css("img[src]"):
        src = (img.attributes.get("src") or "").strip()
        if not src or _small(img.attributes) or _thumbnail(img) or _COVER_ALT.search(img.attributes.get("alt") or ""):
            continue
        absolute = src if src.startswith("data:image/") else urljoin(base, src.replace("\\", "/")).split("#", 1)[0]
        if _ICON.search(absolute[:300]):  # resolved first: "themes/x.png" is under /themes/ too
            continue
        if absolute.startswith(("http://", "https://", "data:image/")):
            images.append(Image(absolute, normalize(img.attributes.get("alt") or img.attributes.get("title") or "")[:200]))
        if len(images) >= MAX_IMAGES:
            break

    if len(document_headings) >= LIST_SECTIONS:
        # A document library: each heading titles the document linked under it (the link
        # carries it), so these headings are not the page's own.
        headings = [h for n, h in enumerate(headings) if n not in document_headings]
    is_index = len(codes_seen) >= 5
    if not is_index:
        for link in links:
            link.code = None
    has_form = any(f.css_first("textarea, input[type=text], input[type=email], input:not([type])") is not None
                   for f in tree.css("form"))
    doc = Document(url=url, kind="html", title=title, headings=headings, outline=outline, text=body_text, method="html",
                   out_hosts=sorted(out_hosts)[:50], out_texts=out_texts[:300], has_form=has_form,
                   pictures=[img.src[:300] for img in images])
    doc.is_ita_index = is_index
    return Page(document=doc, links=links, is_ita_index=is_index, images=images)


SECTION_MAX = 80  # characters: longer bold text is a sentence, not a section heading
LIST_SECTIONS = 3  # headings each with a document under it: the page is a list of documents
OUTLINE_MAX = 40  # h1-h6 headings kept in page order
_DOCUMENT_LINK = re.compile(r"(?i)\.(?:pdf|docx?|xlsx?|pptx?)$")
_SECTION_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "legend", "caption"}
# Link texts that say nothing about where they lead: made only of words like these
# ("คลิกที่นี้เพื่อดาวน์โหลดไฟล์ pdf", "ดาวน์โหลดเอกสาร", "อ่านต่อ...", "ไฟล์แนบ", "read more").
_GENERIC_WORDS = (r"ดูทั้งหมด|ดูเพิ่มเติม|ดูรายละเอียด|อ่านต่อ|อ่านทั้งหมด|อ่านเพิ่มเติม|อ่าน|คลิก|ที่นี่|ที่นี้|ตรงนี้|เพื่อ|"
                  r"ดาวน์โหลด|ดาวโหลด|โหลด|download|รายละเอียด|เพิ่มเติม|ทั้งหมด|ไฟล์|แนบ|เอกสาร|file|pdf|docx?|xlsx?|"
                  r"ประกอบ|ดู|เปิด|more|read|view|all|click|here|open|attachment")
_GENERIC_LINK = re.compile(rf"^(?:(?:{_GENERIC_WORDS})[\s.>»:()\[\]/-]*)+$|^(?:\.\.\.|>>|»)$", re.I)


def is_generic_link(text: str) -> bool:
    """A link text that says nothing about where it leads.

    >>> [is_generic_link(t) for t in ("คลิกที่นี้เพื่อดาวน์โหลดไฟล์ pdf", "ดาวน์โหลดเอกสาร", "อ่านต่อ...", "read more »", "เอกสารประกอบ")]
    [True, True, True, True, True]
    >>> [is_generic_link(t) for t in ("ดาวน์โหลดแผนพัฒนาท้องถิ่น", "คู่มือประชาชน", "เอกสารประกอบการประชุม")]
    [False, False, False]
    """
    return bool(_GENERIC_LINK.match(text.strip()))


# The words before a link to whoever made the site or its template.
_CREDIT = re.compile(r"(?i)(?:designed|developed|powered|made|template|theme|created)\s+by\W*$|"
                     r"(?:ออกแบบ|พัฒนา|จัดทำ)(?:เว็บไซต์)?(?:และพัฒนา)?โดย\W*$")
MAX_IMAGES = 20  # images of a page looked at (the spider fetches a few, only on pages about an item)
# Icons, logos, banners, buttons and spacers are never content.
_ICON = re.compile(r"(?i)(icon|logo|banner|button|btn|bullet|arrow|spacer|blank|line|bg[_\-.]|/theme|/template|/images/menu|"
                   r"facebook|twitter|line_|youtube|\.gif$|\.svg$)")


def _thumbnail(img) -> bool:
    """A picture inside a link to something other than a picture: a thumbnail or a cover of
    what the link leads to (the document itself is the evidence), not the page's content."""
    node = img.parent
    for _ in range(4):
        if node is None:
            return False
        if node.tag == "a":
            href = (node.attributes.get("href") or "").strip().lower().split("?", 1)[0]
            return bool(href) and not href.startswith(("#", "javascript:")) and not _PICTURE_LINK.search(href)
        node = node.parent
    return False


# A picture that says it previews a document ("ภาพตัวอย่างเอกสาร ...", a cover): the document is the evidence.
_COVER_ALT = re.compile(r"(?i)^\s*(?:ภาพตัวอย่าง|ภาพปก|ปกเอกสาร|หน้าปก|preview|cover|thumbnail)")
_PICTURE_LINK = re.compile(r"\.(?:jpe?g|png|gif|bmp|webp|tiff?)$")


def _small(attrs) -> bool:
    for key in ("width", "height"):
        v = (attrs.get(key) or "").strip().rstrip("px")
        if v.isdigit() and int(v) < 150:
            return True
    return False
