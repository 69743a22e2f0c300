"""The one typed model of what flows between the stages.

    crawl -> Document (what one URL is: its labels and text, how it was read)
    match -> Hit (this URL names that item, how strongly, by which words)
    rules -> Candidate (a Hit with the rule facts of its URL)
    decide -> Verdict (pass/fail per item, reasons, evidence, review)
    score -> Scores;  finish -> Report (report.json), written by the report writers.

Plain dataclasses: Scrapy takes them as items, and pydantic validates and describes
them (``report_from_json`` and ``report_json_schema``) without a second set of classes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

SCHEMA_VERSION = 3  # 2: agency, complete/stopped_by, review, reason details, notes, item confidence;
# 3: fix_first, review list, mode (site/answers), answer_urls, crawl.stopped_reason


def now_iso() -> str:
    """Now, in the machine's time zone, as report.json writes times."""
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


# --- what the crawl learns -------------------------------------------------------------


@dataclass(slots=True)
class Document:
    """What the spider learned at one URL: what the page or file means, apart from how
    it was fetched. ``text`` is dropped once the rules have taken their facts from it."""

    url: str
    kind: str = "html"  # html, pdf, docx, xlsx, xls, doc, image, text, unknown; link: an online form linked, not fetched
    title: str = ""  # normalised
    headings: list[str] = field(default_factory=list)  # normalised h1-h3
    outline: list[str] = field(default_factory=list)  # normalised h1-h6 in page order (the home page's sections)
    anchors: list[str] = field(default_factory=list)  # normalised texts of links to this URL
    found_on: str = ""  # the page that linked here
    text: str = ""  # normalised body/document text (bounded)
    method: str = "html"  # html, text-layer, ocr, text-layer+ocr, office, failed
    error: str | None = None
    out_hosts: list[str] = field(default_factory=list)  # hosts of off-site links
    out_texts: list[str] = field(default_factory=list)  # normalised texts of all links
    has_form: bool = False
    pictures: list[str] = field(default_factory=list)  # content pictures shown on a page (their URLs; icons left out)
    index_codes: list[str] = field(default_factory=list)  # ITA index page says: this URL is Oxx
    is_ita_index: bool = False  # the agency's ITA table of contents: a lead, never evidence
    notes: list[str] = field(default_factory=list)  # extraction notes ("read the first 150 of 400 pages")
    off_site: bool = False  # fetched one hop off the agency's host because its own pages link it
    home: bool = False  # the start page (the agency's own name is read from it)
    from_page: bool = False  # a picture shown on a page: its label is that page's heading
    answer_codes: list[str] = field(default_factory=list)  # `oitcheck answers`: the agency plans to enter this URL for these items

    @property
    def is_document(self) -> bool:
        return self.kind not in NOT_DOCUMENTS


NOT_DOCUMENTS = ("html", "text", "unknown", "link")


@dataclass(slots=True)
class CrawlError:
    """A URL that could not be fetched or read; ``reason`` is short and plain."""

    url: str
    reason: str
    found_on: str = ""
    anchor: str = ""
    index_code: str | None = None


@dataclass(slots=True)
class IndexLead:
    """The agency's ITA index page gives ``url`` as the evidence for item ``code``."""

    code: str
    url: str
    found_on: str


@dataclass(slots=True)
class AnswerLink:
    """`oitcheck answers`: ``url`` is linked from a URL the agency plans to enter for item
    ``code`` (one click down, as an assessor would follow it)."""

    code: str
    url: str
    found_on: str


@dataclass(slots=True)
class Anchors:
    """The link texts a page gives the URLs it links (every link text labels its target,
    whenever it is met, so labels never depend on the crawl's order)."""

    found_on: str
    links: list[tuple[str, str]]  # (url, text)
    documents: list[str] = field(default_factory=list)  # every document the page links (pdf, doc, xls ...)


# --- what matching and the rules make of it ---------------------------------------------


@dataclass(slots=True)
class Reason:
    """Why an item passed or failed, from the step that decided it."""

    kind: str  # found, not_found, mention, wrong_year, no_year, period, parts, link, months, broken_lead, ...
    th: str
    en: str
    step: str = "decide"  # match, rules, decide, crawl, tool

    @property
    def text(self) -> str:
        return f"{self.th} / {self.en}"


@dataclass(slots=True)
class Candidate:
    """One URL's claim to be the evidence for one checklist item, with its rule facts."""

    code: str
    url: str
    found_on: str
    kind: str
    method: str
    topic: float  # 0..1, how strongly the URL's labels name the item
    where: str  # label (title/heading/link text/file name/first lines), body, or index
    matched: str  # the text that matched, as it stands in the snippet
    snippet: str
    fiscal_years: list[int] = field(default_factory=list)
    year_source: str = ""  # label, text, or "" when no year was found
    year_from_ocr: bool = False
    year_conflict: str = ""  # an OCR year that disagrees with the year in the link text or file name
    period: str = "unknown"
    months: list[tuple[int, int]] = field(default_factory=list)
    parts_missing: list[str] = field(default_factory=list)
    link_ok: bool | None = None  # None when the item has no link rule
    lead: bool = False  # linked for this item from the agency's ITA index page
    error: str | None = None
    off_site: bool = False
    notes: list[str] = field(default_factory=list)
    wording: str = ""  # which of the item's accepted wordings was found (e.g. No Gift Policy for O34 in 2566)
    placeholder: str = ""  # a page with the item's heading and no content: "construction", "empty" or "broken" (dead links)
    planned: bool = False  # `oitcheck answers`: the agency plans to enter this URL for this item
    looks_like: str = ""  # the item this URL names best, when that is another item (a planned URL given for the wrong item)

    @property
    def is_document(self) -> bool:
        return self.kind not in ("html", "text", "unknown")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["months"] = [list(m) for m in self.months]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Candidate":
        d = dict(d)
        d["months"] = [tuple(m) for m in d.get("months", [])]
        return cls(**d)


@dataclass
class Verdict:
    code: str
    status: str  # pass | fail
    found: bool
    confidence: float  # how sure the tool is of this verdict (not a score)
    reasons: list[Reason] = field(default_factory=list)
    evidence: list[Candidate] = field(default_factory=list)
    error: str | None = None  # the tool failed while deciding this item
    review: bool = False  # the tool cannot decide with confidence: a person should look
    review_reason: Reason | None = None
    near: Candidate | None = None  # a failing item: the candidate its reasons are about (where it was nearly found)


# --- report.json ---------------------------------------------------------------------------


@dataclass
class EvidenceOut:
    url: str
    found_on: str
    kind: str
    snippet: str
    matched: str
    fiscal_year: int | None
    method: str
    from_ita_page: bool
    year_from_ocr: bool
    strength: float = 0.0  # how strongly the labels name the item (0..1)
    off_site: bool = False
    host: str = ""
    notes: list[str] = field(default_factory=list)
    wording: str = ""


@dataclass
class ReasonOut:
    kind: str
    th: str
    en: str
    step: str


@dataclass
class ItemOut:
    code: str
    title: str
    indicator: int
    subindicator: str
    subindicator_title: str
    status: str  # pass | fail
    found: bool
    confidence: float
    reasons: list[str]  # "ไทย / English", the clerk's words
    publish: str
    evidence: list[EvidenceOut]
    error: str | None = None
    review: bool = False
    review_reason: str | None = None
    reason_details: list[ReasonOut] = field(default_factory=list)
    checklist_confidence: str = "single"  # confirmed / single / inferred: how sure the checklist is of this item
    checklist_source: str = ""
    alternatives: list[str] = field(default_factory=list)  # other accepted titles of the item
    answer_urls: list[str] = field(default_factory=list)  # what to enter in ITAS (a pass): the best link, or every month's


@dataclass
class ErrorOut:
    url: str
    reason: str
    found_on: str = ""


@dataclass
class CrawlOut:
    pages: int
    documents: int
    by_kind: dict[str, int]
    errors: list[ErrorOut]
    ita_index_pages: list[str]
    started: str
    finished: str | None
    match_seconds: float
    full_downloads: int = 0
    revalidated: int = 0
    cache_hits: int = 0
    stats: dict[str, int | float | str] = field(default_factory=dict)
    complete: bool = True  # False when a budget, an interrupt or an error stopped the crawl
    stopped_by: str | None = None  # page_limit, time_limit, depth_limit, interrupted, error, unreachable
    outcome: str = "ok"  # ok, running (a snapshot), interrupted (unreachable and not_a_site runs write no report)
    outcome_reason: str = ""
    skipped: dict[str, int] = field(default_factory=dict)  # URLs skipped, per rule (traps, media ...)
    rendered: list[dict] = field(default_factory=list)  # pages rendered in a browser: url, clicks, seconds
    browser_started: bool = False
    off_site_documents: int = 0
    run_id: str = ""  # which run wrote this report (a snapshot and the final files share it)
    stopped_reason: str = ""  # why the crawl stopped early, in the clerk's words ("ไทย / English")


@dataclass
class ChecklistOut:
    year: int
    name: str
    status: str
    fiscal_year: int
    agency_type: str = "lao"
    agency_name: str = ""
    unconfirmed_items: int = 0  # items of the year with fewer than two sources (checklist_confidence != confirmed)
    bands_source: str = ""
    agency_type_name: str = ""  # what the agency type is called (agencies.yaml): "สถานศึกษาสังกัด สอศ. (วิทยาลัย)"
    agency_head: str = ""  # what its head is called: นายก, ผู้อำนวยการ
    indicators: dict[str, str] = field(default_factory=dict)  # "9" -> title


@dataclass
class ScoresOut:
    indicator_9: float
    indicator_10: float
    subindicators: dict[str, float]
    bands: dict[str, str]
    indicators: dict[str, float] = field(default_factory=dict)  # "9" -> score, from the checklist's data
    oit: float | None = None  # the OIT tool's score out of 100 (how: oit_method)
    oit_weighted: float | None = None  # OIT's points in the ITA total (oit x 40%: out of oit_points)
    oit_method: str = "indicator_mean"  # indicator_mean (mean of 9 and 10) or item_share (share of items passed)
    oit_points: float | None = None  # what OIT counts for in the ITA total (40), where a source gives it


@dataclass
class ChangeItem:
    code: str
    title: str


@dataclass
class EvidenceGone:
    code: str
    url: str


@dataclass
class ChangesOut:
    previous_run: str
    gained: list[ChangeItem]
    lost: list[ChangeItem]
    evidence_gone: list[EvidenceGone]


@dataclass
class FixOut:
    """One failing item in the fix-first list: what passing it would add, what to publish,
    and where it was nearly found."""

    code: str
    title: str
    indicator: int
    subindicator: str
    subindicator_title: str
    points: dict[str, float]  # indicator ("9") -> points the fix adds to it, with the year's arithmetic
    gain: float  # the largest of ``points`` (the order of the list)
    publish: str
    reasons: list[str]  # "ไทย / English"
    reason_th: str = ""  # the first reason, Thai only (a short note)
    near_url: str = ""  # the best failing evidence: where it was nearly found
    near_found_on: str = ""
    near_why: str = ""  # why that URL falls short ("ไทย / English")
    review: bool = False


@dataclass
class ReviewOut:
    """An item a person should look at before trusting the verdict."""

    code: str
    title: str
    status: str
    reason: str  # "ไทย / English"
    url: str = ""
    confidence: float = 0.0


@dataclass
class Report:
    schema_version: int
    partial: bool
    site: str
    checklist: ChecklistOut
    crawl: CrawlOut
    items: list[ItemOut]
    scores: ScoresOut
    changes: ChangesOut | None = None
    agency: str = "lao"
    fix_first: list[FixOut] = field(default_factory=list)  # failing items, most points first
    review: list[ReviewOut] = field(default_factory=list)  # items to check by eye
    mode: str = "site"  # site: the whole site crawled; answers: judged only on the URLs the agency plans to enter

    def item(self, code: str) -> ItemOut:
        return next(i for i in self.items if i.code == code)

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["changes"] is None:
            del d["changes"]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)


@lru_cache(maxsize=1)
def _adapter():
    from pydantic import TypeAdapter

    return TypeAdapter(Report)


def report_from_dict(data: dict) -> Report:
    """A Report from report.json's data, validated (a wrong field raises ValueError)."""
    return _adapter().validate_python(data)


def report_from_json(text: str | bytes) -> Report:
    return _adapter().validate_json(text)


def report_json_schema() -> dict:
    """JSON Schema of report.json, generated from these classes (shipped as report.schema.json)."""
    schema = _adapter().json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "oitcheck report.json"
    return schema


if __name__ == "__main__":  # python -m oitcheck.model > reports/report.schema.json
    print(json.dumps(report_json_schema(), ensure_ascii=False, indent=1))
