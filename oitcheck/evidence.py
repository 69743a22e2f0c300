"""Plain data that flows from the crawl to the verdicts: what a URL is, and what it proves.

A :class:`Document` is what the spider learned at one URL (what the page or file means,
kept apart from how it was fetched). A :class:`Candidate` is one URL's claim to be the
evidence for one checklist item, with every rule check already computed, so the crawl can
drop the text and keep memory flat.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Document:
    url: str
    kind: str = "html"  # html, pdf, docx, xlsx, xls, doc, image, text, unknown
    title: str = ""  # normalised
    headings: list[str] = field(default_factory=list)  # normalised h1-h3
    anchors: list[str] = field(default_factory=list)  # normalised texts of links to this URL
    found_on: str = ""  # the page that linked here
    text: str = ""  # normalised body/document text (bounded)
    method: str = "html"  # html, text-layer, ocr, text-layer+ocr, office, failed
    error: str | None = None
    out_hosts: list[str] = field(default_factory=list)  # hosts of off-site links
    out_texts: list[str] = field(default_factory=list)  # normalised texts of all links
    has_form: bool = False
    index_codes: list[str] = field(default_factory=list)  # ITA index page says: this URL is Oxx
    is_ita_index: bool = False  # the agency's ITA table of contents: a lead, never evidence

    @property
    def is_document(self) -> bool:
        return self.kind not in ("html", "text", "unknown")


@dataclass
class Candidate:
    code: str
    url: str
    found_on: str
    kind: str
    method: str
    topic: float  # 0..1, how strongly the URL is about the item
    where: str  # label (title/heading/link text/file name) or body
    matched: str  # the text that matched, as it stands in the snippet
    snippet: str
    fiscal_years: list[int] = field(default_factory=list)
    year_source: str = ""  # label, text, or "" when no year was found
    year_from_ocr: bool = False
    period: str = "unknown"
    months: list[tuple[int, int]] = field(default_factory=list)
    parts_missing: list[str] = field(default_factory=list)
    link_ok: bool | None = None  # None when the item has no link rule
    lead: bool = False  # linked for this item from the agency's ITA index page
    error: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["months"] = [list(m) for m in self.months]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Candidate":
        d = dict(d)
        d["months"] = [tuple(m) for m in d.get("months", [])]
        return cls(**d)
