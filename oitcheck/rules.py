"""The rules stage: what an item requires besides being named (fiscal year, period, parts,
link kind), in one registry.

Each :class:`RuleKind` says, in one place:

- ``schema``: what a checklist may write for it (the checklist schema is built from the
  registry, and ``checklists/schema.json`` is checked against it in the tests);
- ``doc_facts``: what it needs from a document, taken while the text is in memory (the
  crawl then drops the text, so memory stays flat);
- ``apply``: the facts of one candidate (a URL that names an item), from the document's
  facts and the labels of the URL (link texts may arrive after the document);
- ``check``: the reason one candidate fails the rule, or None;
- ``item_check``: a reason the passing candidates together fall short (monthly coverage).

Adding a rule kind is adding one ``RuleKind`` here (or ``register()`` from elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from .dates import fiscal_years_in, month_years, period_of
from .model import Candidate, Document, Reason

MONTHS_NEEDED = 6  # monthly summaries: October to March of the assessed fiscal year
BODY_MAX = 20_000  # characters of body text searched for years and parts
PERIOD_CHARS = 3000  # the head of a document that says which period it covers
HEAD_CHARS = 300  # a document's first characters act as its title
OCR_YEAR_SPAN = 10  # an OCR'd year further than this from the assessed year is a misreading

# Off-site hosts that satisfy a link rule.
SOCIAL_HOSTS = ("facebook.com", "fb.com", "fb.me", "line.me", "lin.ee", "youtube.com", "youtu.be", "tiktok.com",
                "twitter.com", "x.com", "instagram.com")
QA_HOSTS = ("m.me", "messenger.com", "line.me", "lin.ee")
QA_WORDS = ("กระดานถามตอบ", "กระดานถาม-ตอบ", "เว็บบอร์ด", "webboard", "web board", "กระดานสนทนา", "กระดานข่าว",
            "ถาม-ตอบ", "ถามตอบ", "q&a", "q & a", "chatbot", "แชทบอท", "messenger", "line oa", "line official")
FORM_HOSTS = ("forms.gle", "docs.google.com", "forms.office.com")
ESERVICE_WORDS = ("e-service", "e-services", "ยื่นคำร้องออนไลน์", "ยื่นคำขอออนไลน์", "แบบฟอร์มออนไลน์", "บริการออนไลน์",
                  "คำร้องออนไลน์")


@dataclass(frozen=True)
class Context:
    """What every rule may know besides the candidate: the assessed fiscal year."""

    fiscal_year: int


@dataclass(frozen=True)
class Part:
    name: str
    any: tuple[str, ...]  # normalised phrases


@dataclass(frozen=True)
class RuleKind:
    name: str
    schema: dict
    default: Any = None
    parse: Callable[[Any], Any] = lambda v: v  # checklist value -> the value the rule works with
    doc_facts: Callable[[Document, list], Any] | None = None  # (document, every value in the checklist)
    apply: Callable[[Any, Any, Candidate, str], None] | None = None  # (value, doc facts, candidate, label text)
    check: Callable[[Any, Candidate, Context], Reason | None] | None = None
    item_check: Callable[[Any, list[Candidate], Context], Reason | None] | None = None
    describe: Callable[[Any], str] = lambda v: str(v)  # for `oitcheck checklists`


REGISTRY: dict[str, RuleKind] = {}


def register(rule: RuleKind) -> RuleKind:
    REGISTRY[rule.name] = rule
    return rule


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)


def rules_schema() -> dict:
    """JSON Schema of an item's (or a topic's) ``rules``, from the registry."""
    return {"type": "object", "additionalProperties": False,
            "properties": {name: rule.schema for name, rule in REGISTRY.items()}}


class Rules:
    """An item's rule values (registry defaults filled in): ``item.rules.period``."""

    __slots__ = ("_values",)

    def __init__(self, values: dict | None = None):
        object.__setattr__(self, "_values", {name: rule.default for name, rule in REGISTRY.items()} | (values or {}))

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __reduce__(self):
        return (Rules, (dict(self._values),))

    def __setattr__(self, name, value):
        raise AttributeError("Rules are read-only")

    def items(self):
        return self._values.items()

    def __eq__(self, other):
        return isinstance(other, Rules) and self._values == other._values

    def __hash__(self):
        return hash(tuple(sorted((k, repr(v)) for k, v in self._values.items())))

    def __repr__(self):
        return f"Rules({self._values!r})"


def parse_rules(raw: dict) -> Rules:
    """Typed rule values from a checklist's ``rules`` mapping (validated by the schema first)."""
    return Rules({name: REGISTRY[name].parse(value) for name, value in raw.items() if name in REGISTRY})


# --- the stage's two entry points ------------------------------------------------------------


def document_facts(doc: Document, checklist) -> dict[str, Any]:
    """Every rule's facts about one document, while its text is in memory."""
    out = {}
    for name, rule in REGISTRY.items():
        if rule.doc_facts is None:
            continue
        values = checklist.rule_values(name)
        if values:
            out[name] = rule.doc_facts(doc, values)
    return out


def apply(item, facts: dict[str, Any], cand: Candidate, label_text: str) -> Candidate:
    """Fill a candidate's rule facts from its document's facts and the URL's labels."""
    for name, value in item.rules.items():
        rule = REGISTRY.get(name)
        if rule is not None and rule.apply is not None and (value is not None or rule.name == "fiscal_year"):
            rule.apply(value, facts.get(name), cand, label_text)
    return cand


def check(item, cand: Candidate, ctx: Context) -> list[Reason]:
    """The rule failures of one candidate; empty means it passes the rules alone."""
    out = []
    for name, value in item.rules.items():
        rule = REGISTRY.get(name)
        if rule is not None and rule.check is not None and value not in (None, (), "any"):
            reason = rule.check(value, cand, ctx)
            if reason is not None:
                out.append(reason)
    return out


def item_check(item, passing: list[Candidate], ctx: Context) -> Reason | None:
    for name, value in item.rules.items():
        rule = REGISTRY.get(name)
        if rule is not None and rule.item_check is not None and value is not None:
            reason = rule.item_check(value, passing, ctx)
            if reason is not None:
                return reason
    return None


# --- fiscal year ---------------------------------------------------------------------------


def expected_years(rule: str, fiscal_year: int) -> set[int] | None:
    """Fiscal years an item may be of; None when any year (or none) will do.

    >>> sorted(expected_years("current_or_previous", 2568))
    [2567, 2568]
    """
    return {
        "current": {fiscal_year},
        "previous": {fiscal_year - 1},
        "current_or_previous": {fiscal_year, fiscal_year - 1},
    }.get(rule)


def _year_facts(doc: Document, values) -> dict:
    body = doc.text[:BODY_MAX]
    ocr = doc.method.endswith("ocr")
    head = doc.text[:HEAD_CHARS] if doc.is_document else ""
    # A document's title is its first line: count it once, from the text (an OCR'd first
    # line is as uncertain as the rest of the OCR'd text).
    own = " ".join([doc.title if not doc.is_document else "", "" if ocr else head])
    return {"own": own, "text": fiscal_years_in(body)[:4], "ocr": ocr}


@lru_cache(maxsize=16384)
def _label_years(text: str) -> tuple[int, ...]:
    # Labels are short and recur on every decision about a URL (bodies are read once, uncached).
    return tuple(fiscal_years_in(text))


def _year_apply(value, facts, cand: Candidate, label_text: str) -> None:
    if facts is None:
        return
    labelled = list(_label_years(label_text + " " + facts["own"]))
    text_years = facts["text"]
    if labelled:
        cand.fiscal_years, cand.year_source = labelled[:4], "label"
        if facts["ocr"] and text_years and text_years[0] not in labelled:
            cand.year_conflict = (f"ปีในลิงก์/ชื่อไฟล์คือ {labelled[0]} แต่ OCR อ่านได้ {text_years[0]} / "
                                  f"the link or file name says {labelled[0]}, OCR read {text_years[0]}")
    elif text_years:
        cand.fiscal_years, cand.year_source = list(text_years), "text"
        cand.year_from_ocr = facts["ocr"]


def _year_check(value: str, c: Candidate, ctx: Context) -> Reason | None:
    years = expected_years(value, ctx.fiscal_year)
    if not years:
        return None
    if not c.fiscal_years:
        return Reason("no_year", "พบแต่ไม่ระบุปีงบประมาณ", "found, but no fiscal year is stated", "rules")
    y = c.fiscal_years[0]
    if y in years:
        return None
    if c.year_from_ocr and abs(y - ctx.fiscal_year) > OCR_YEAR_SPAN:
        return Reason("ocr_year", f"ปี {y} ที่ OCR อ่านได้ไม่น่าเป็นไปได้ ควรตรวจด้วยตา",
                      f"the year {y} read by OCR is implausible: check it by eye", "rules")
    want = sorted(years)
    th = " หรือ ".join(map(str, want))
    en = " or ".join(map(str, want))
    return Reason("wrong_year", f"พบแต่เป็นของปี {y} (ต้องเป็นปี {th})", f"found, but for {y} (needs {en})", "rules")


register(RuleKind(
    name="fiscal_year",
    schema={"enum": ["current", "previous", "current_or_previous", "any"]},
    default="any",
    doc_facts=_year_facts, apply=_year_apply, check=_year_check,
    describe=lambda v: f"year: {v}",
))


# --- evidence kind (document or page): a ranking preference, not a pass/fail rule ------------

register(RuleKind(name="evidence", schema={"enum": ["document", "page", "any"]}, default="any",
                  describe=lambda v: f"evidence: {v}"))


# --- period ---------------------------------------------------------------------------------


def fiscal_months(months, fiscal_year: int) -> set[tuple[int, int]]:
    """Months of fiscal year N: October-December of N-1 and January-September of N.

    >>> sorted(fiscal_months([(2567, 10), (2568, 3), (2568, 11)], 2568))
    [(2567, 10), (2568, 3)]
    """
    return {(y, m) for y, m in months if (y == fiscal_year - 1 and m >= 10) or (y == fiscal_year and m <= 9)}


def _period_facts(doc: Document, values) -> dict:
    body = doc.text[:BODY_MAX]
    head = doc.text[:PERIOD_CHARS]
    return {"kind": period_of(head).kind, "months": sorted(set(month_years(body)))[:24] if "monthly" in values else []}


def _period_apply(value, facts, cand: Candidate, label_text: str) -> None:
    if facts is None:
        return
    from_label = period_of(label_text).kind
    cand.period = from_label if from_label != "unknown" else facts["kind"]
    if value == "monthly":
        cand.months = sorted(set(month_years(label_text)) | {tuple(m) for m in facts["months"]})[:24]


def _period_check(value: str, c: Candidate, ctx: Context) -> Reason | None:
    if value == "half_year" and c.period != "half_year":
        return Reason("period", "พบแต่ไม่ใช่รายงานรอบ 6 เดือน", "found, but not a 6-month report", "rules")
    return None


def _months_item_check(value: str, passing: list[Candidate], ctx: Context) -> Reason | None:
    if value != "monthly" or not passing:
        return None
    covered: set = set()
    for c in passing:
        covered |= fiscal_months(c.months, ctx.fiscal_year)
    if len(covered) < MONTHS_NEEDED:
        return Reason("months", f"พบสรุปผลรายเดือนเพียง {len(covered)} เดือน (ต้องมีตั้งแต่ ต.ค. ถึง มี.ค.)",
                      f"only {len(covered)} months of monthly summaries (needs October to March)", "rules")
    return None


register(RuleKind(
    name="period", schema={"enum": ["half_year", "monthly", None]},
    doc_facts=_period_facts, apply=_period_apply, check=_period_check, item_check=_months_item_check,
    describe=lambda v: v or "",
))


# --- required parts --------------------------------------------------------------------------


def _parse_parts(raw) -> tuple[Part, ...]:
    from .thai import normalize

    return tuple(Part(p["name"], tuple(normalize(x) for x in p["any"])) for p in raw or ())


def _parts_facts(doc: Document, values) -> frozenset:
    haystack = doc.text[:BODY_MAX] or doc.title
    phrases = {ph for parts in values for part in parts for ph in part.any}
    return frozenset(ph for ph in phrases if ph in haystack)


def _parts_apply(value, facts, cand: Candidate, label_text: str) -> None:
    present = facts or frozenset()
    cand.parts_missing = [part.name for part in value if not any(p in present or p in label_text for p in part.any)]


def _parts_check(value, c: Candidate, ctx: Context) -> Reason | None:
    if c.parts_missing:
        missing = ", ".join(c.parts_missing)
        return Reason("parts", f"พบแต่ขาด: {missing}", f"found, but missing: {missing}", "rules")
    return None


register(RuleKind(
    name="parts", schema={"$ref": "#/$defs/parts"}, default=(), parse=_parse_parts,
    doc_facts=_parts_facts, apply=_parts_apply, check=_parts_check,
    describe=lambda v: "parts: " + "/".join(p.name for p in v) if v else "",
))


# --- link kind -----------------------------------------------------------------------------


def _has_host(hosts, wanted: tuple[str, ...]) -> bool:
    return any(h == w or h.endswith("." + w) for h in hosts for w in wanted)


def link_kind_ok(kind: str, doc: Document) -> bool:
    """Whether a page offers the kind of link an item needs (social network, Q&A, form...).

    Words in the page body do not make a channel; a link or a form does.
    """
    texts = " ".join(doc.out_texts)
    if kind == "social":
        return _has_host(doc.out_hosts, SOCIAL_HOSTS)
    if kind == "qa":
        return _has_host(doc.out_hosts, QA_HOSTS) or doc.has_form or any(w in texts for w in QA_WORDS)
    if kind == "form":
        return doc.has_form or _has_host(doc.out_hosts, FORM_HOSTS)
    if kind == "eservice":
        return doc.has_form or _has_host(doc.out_hosts, FORM_HOSTS) or any(w in texts for w in ESERVICE_WORDS)
    return False


LINK_KIND_WORDS = {
    "social": ("ลิงก์สื่อสังคมออนไลน์", "social-network link"),
    "qa": ("ช่องทางถาม-ตอบแบบสองทาง", "two-way Q&A channel"),
    "form": ("แบบฟอร์มหรือช่องทางออนไลน์", "online form or channel"),
    "eservice": ("ระบบบริการออนไลน์", "online service"),
}


def _link_facts(doc: Document, values) -> dict[str, bool]:
    return {kind: link_kind_ok(kind, doc) for kind in values}


def _link_apply(value, facts, cand: Candidate, label_text: str) -> None:
    cand.link_ok = bool((facts or {}).get(value, False))


def _link_check(value: str, c: Candidate, ctx: Context) -> Reason | None:
    if c.link_ok is False:
        th, en = LINK_KIND_WORDS[value]
        return Reason("link", f"พบหน้าแต่ไม่มี{th}", f"found the page, but it has no {en}", "rules")
    return None


register(RuleKind(
    name="link_kind", schema={"enum": list(LINK_KIND_WORDS) + [None]},
    doc_facts=_link_facts, apply=_link_apply, check=_link_check,
    describe=lambda v: f"link: {v}" if v else "",
))
