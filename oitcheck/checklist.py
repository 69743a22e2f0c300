"""OIT checklists as data: one YAML file per agency type and ITA year
(``checklists/<agency>-<year>.yaml``), the shared topic vocabulary (``topics.yaml``) and
the agency types (``agencies.yaml``), all validated against ``checklists/schema.json``.

>>> years()[:1]
[2566]
>>> len(load(2566).items)
43
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from . import rules
from .rules import Part, Rules  # noqa: F401  (re-exported: items carry them)
from .thai import normalize

# importlib.resources, not __file__: the Scrapyd egg imports the data package from a zip file.
HERE = resources.files("oitcheck.checklists")
DEFAULT_AGENCY = "lao"
_FILE = re.compile(r"^([a-z]+)-(\d{4})\.yaml$")


class ChecklistError(ValueError):
    """A checklist file that does not validate; the message names file, item and field."""


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    indicator: int
    subindicator: str
    subindicator_title: str
    topic: str
    keywords: tuple[str, ...]  # normalised
    aliases: tuple[str, ...]  # normalised
    rules: Rules
    publish: str
    confidence: str = "single"  # confirmed / single / inferred: how sure the checklist is of this item
    source: str = ""
    alternatives: tuple["Alternative", ...] = ()  # other titles the item goes by: accepted, and named when found
    nots: tuple[str, ...] = ()  # normalised: labels containing these are something else (false friends)
    sitewide: str = ""  # often in every page's header, sidebar or footer: the home page may show it.
    # "rules": the home page is the evidence when it passes the item's rules (contact details, social links);
    # "person": when a home-page section headed with the item's name names a person (the executives' box);
    # "section": when such a section holds text of its own (a one-page site's "อำนาจหน้าที่")
    activity: bool = False  # activities: posts about them are the evidence (no news-post mark-down)

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every name of the item, normalised: title first, then keywords and aliases, then
        each alternative's title and words."""
        return tuple(p for p, _ in self.named_phrases)

    @property
    def named_phrases(self) -> tuple[tuple[str, str], ...]:
        """(phrase, wording) pairs: which of the item's accepted titles each phrase stands for
        (wording "" is the item's own title)."""
        seen, out = set(), []
        groups = [("", (normalize(self.title), *self.keywords, *self.aliases))]
        groups += [(a.title, (normalize(a.title), *a.keywords)) for a in self.alternatives]
        for wording, phrases in groups:
            for p in phrases:
                if p and p not in seen:
                    seen.add(p)
                    out.append((p, wording))
        return tuple(out)


@dataclass(frozen=True)
class Alternative:
    """Another title an item is assessed under (for example the 2565 wording of a 2566 item)."""

    title: str
    keywords: tuple[str, ...] = ()  # normalised: its topic's words
    topic: str = ""  # the topic those words come from ("" when the alternative is a bare title)


@dataclass(frozen=True)
class SubIndicator:
    code: str
    indicator: int
    title: str
    weight: float


@dataclass(frozen=True)
class Agency:
    code: str
    name: str  # Thai, as a clerk says it
    name_en: str
    terms: tuple[str, ...]  # words naming the agency's type: never an item's name
    head: str  # what the agency's head is called (นายก, ผู้อำนวยการ)


# eq=False: a checklist is loaded once per file and compared by identity; hashing all its
# items for every cache look-up (the matcher, the rule values) was a cost on every page.
@dataclass(frozen=True, eq=False)
class Checklist:
    year: int
    name: str
    status: str
    agency_type: str
    items: tuple[Item, ...]
    subindicators: tuple[SubIndicator, ...]
    scoring_rule: str
    scoring_source: str
    indicators: tuple[tuple[int, str], ...] = ((9, "การเปิดเผยข้อมูล"), (10, "การป้องกันการทุจริต"))
    sources: tuple[str, ...] = field(default=())
    path: str = ""
    bands_source: str = ""
    oit_share: float | None = None  # OIT's weight in the ITA total (0.4), where a source gives it
    # How the OIT score is made: "indicator_mean" (the NACC's: mean of indicators 9 and 10) or
    # "item_share" (OVEC colleges: the share of all items passed, every item the same weight).
    oit_method: str = "indicator_mean"

    def item(self, code: str) -> Item:
        for it in self.items:
            if it.code.upper() == code.upper():
                return it
        raise KeyError(code)

    def rule_values(self, name: str) -> list:
        """The distinct values items give a rule kind (None and empty left out)."""
        return _rule_values(self, name)

    def _rule_values(self, name: str) -> list:
        out = []
        for it in self.items:
            v = getattr(it.rules, name, None)
            if v not in (None, ()) and v not in out:
                out.append(v)
        return out

    @property
    def indicator_numbers(self) -> tuple[int, ...]:
        return tuple(n for n, _ in self.indicators)

    @property
    def unconfirmed(self) -> int:
        return sum(1 for it in self.items if it.confidence != "confirmed")

    @property
    def agency(self) -> Agency:
        return agencies()[self.agency_type]


@lru_cache(maxsize=256)
def _rule_values(checklist: "Checklist", name: str) -> list:
    return checklist._rule_values(name)


# --- schema ------------------------------------------------------------------------------


def build_schema() -> dict:
    """The checklist schema: checklists/schema.json with ``rules`` from the rule registry."""
    schema = copy.deepcopy(json.loads((HERE / "schema.json").read_text("utf-8")))
    schema["$defs"]["rules"] = rules.rules_schema()
    topic = schema["$defs"]["topic"]
    topic["properties"] = {k: v for k, v in topic["properties"].items() if k in ("keywords", "aliases", "publish", "not", "sitewide", "activity")}
    topic["properties"].update({name: r.schema for name, r in rules.REGISTRY.items() if name != "fiscal_year"})
    return schema


def _validator(ref: str | None = None) -> Draft202012Validator:
    schema = build_schema()
    if ref:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{ref}"}
    return Draft202012Validator(schema)


def _errors(data, where: str) -> None:
    errs = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errs:
        e = errs[0]
        path = list(e.absolute_path)
        loc = where
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            raw = data["items"][path[1]]
            code = raw.get("code", f"#{path[1] + 1}") if isinstance(raw, dict) else f"#{path[1] + 1}"
            loc += f", item {code}"
            path = path[2:]
        field_name = ".".join(str(p) for p in path) or "(top level)"
        raise ChecklistError(f"{loc}, field {field_name}: {e.message}")


def _read_yaml(path):
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{path.name}: not valid YAML ({exc})") from exc


@lru_cache(maxsize=1)
def topics() -> dict:
    path = HERE / "topics.yaml"
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ChecklistError(f"{path.name}: expected a mapping of topic names")
    validator = _validator("topic")
    for name, topic in data.items():
        errs = list(validator.iter_errors(topic))
        if errs:
            field_name = ".".join(str(p) for p in errs[0].absolute_path) or "(topic)"
            raise ChecklistError(f"{path.name}, topic {name}, field {field_name}: {errs[0].message}")
    return data


@lru_cache(maxsize=1)
def agencies() -> dict[str, Agency]:
    path = HERE / "agencies.yaml"
    data = _read_yaml(path)
    errs = list(_validator("agencies").iter_errors(data))
    if errs:
        raise ChecklistError(f"{path.name}: {'.'.join(map(str, errs[0].absolute_path))}: {errs[0].message}")
    return {code: Agency(code, a["name"], a["name_en"], tuple(a.get("terms", ())), a.get("head", ""))
            for code, a in data.items()}


# --- loading ------------------------------------------------------------------------------


def _files() -> dict[tuple[str, int], str]:
    out = {}
    for p in HERE.iterdir():
        m = _FILE.match(p.name)
        if m:
            out[(m.group(1), int(m.group(2)))] = p.name
    return out


def years(agency: str = DEFAULT_AGENCY) -> list[int]:
    """ITA years that have a checklist file for an agency type, ascending."""
    return sorted(y for a, y in _files() if a == agency)


def agency_types() -> list[str]:
    return sorted({a for a, _ in _files()})


def latest_year(agency: str = DEFAULT_AGENCY) -> int:
    known = years(agency)
    if not known:
        raise ChecklistError(f"no checklist for agency type {agency!r}; known: {', '.join(agency_types())}")
    return known[-1]


def load(year: int | None = None, path: str | Path | None = None, agency: str = DEFAULT_AGENCY) -> Checklist:
    """Load and validate a year's checklist for an agency type (or a file given by path)."""
    if path is None:
        if agency not in agency_types():
            raise ChecklistError(f"no checklists for agency type {agency!r}; known: {', '.join(agency_types())}")
        year = year or latest_year(agency)
        if year not in years(agency):
            raise ChecklistError(
                f"no {agency} checklist for ITA year {year}; known years: {', '.join(map(str, years(agency)))}")
        return _load_file(_files()[(agency, year)])
    return _load(Path(path))


@lru_cache(maxsize=32)
def _load_file(name: str) -> Checklist:
    return _load(HERE / name)


def _alternative(raw, tps: dict, where: str) -> Alternative:
    if isinstance(raw, str):
        return Alternative(raw)
    if raw.get("topic") and raw["topic"] not in tps:
        raise ChecklistError(f"{where}, field alternatives: unknown topic {raw['topic']!r}")
    topic = tps.get(raw.get("topic"), {})
    return Alternative(raw["title"], tuple(normalize(k) for k in topic.get("keywords", []) + topic.get("aliases", [])),
                       raw.get("topic", ""))


def _load(path) -> Checklist:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ChecklistError(f"{path.name}: expected a mapping at top level")
    _errors(data, path.name)
    tps = topics()
    subs = {s["code"]: s for s in data["scoring"]["subindicators"]}
    indicators = tuple((i["number"], i["title"]) for i in data.get("indicators", [])) or Checklist.indicators
    known_indicators = {n for n, _ in indicators}
    items, codes = [], set()
    for raw in data["items"]:
        where = f"{path.name}, item {raw['code']}"
        if raw["code"] in codes:
            raise ChecklistError(f"{where}, field code: duplicate item code")
        codes.add(raw["code"])
        if raw["topic"] not in tps:
            raise ChecklistError(f"{where}, field topic: unknown topic {raw['topic']!r}")
        if raw["subindicator"] not in subs:
            raise ChecklistError(f"{where}, field subindicator: {raw['subindicator']} is not in scoring.subindicators")
        topic = tps[raw["topic"]]
        # Topic rules are defaults; the item's own rules win.
        merged = {k: v for k, v in topic.items() if k in rules.REGISTRY} | raw.get("rules", {})
        sub = subs[raw["subindicator"]]
        items.append(Item(
            code=raw["code"], title=raw["title"], indicator=sub["indicator"], subindicator=sub["code"],
            subindicator_title=sub["title"], topic=raw["topic"],
            keywords=tuple(normalize(k) for k in raw.get("keywords", []) + topic["keywords"]),
            aliases=tuple(normalize(k) for k in raw.get("aliases", []) + topic.get("aliases", [])),
            rules=rules.parse_rules(merged), publish=raw.get("publish", topic["publish"]),
            confidence=raw.get("confidence", "single"), source=raw.get("source", ""),
            alternatives=tuple(_alternative(a, tps, where) for a in raw.get("alternatives", [])),
            nots=tuple(normalize(n) for n in topic.get("not", [])),
            sitewide={True: "rules", False: ""}.get(topic.get("sitewide", False), topic.get("sitewide")),
            activity=bool(topic.get("activity")),
        ))
    for code, s in subs.items():
        if s["indicator"] not in known_indicators:
            raise ChecklistError(f"{path.name}, field scoring.subindicators: {code} is for indicator {s['indicator']}, "
                                 f"which is not in indicators")
        if not any(i.subindicator == code for i in items):
            raise ChecklistError(f"{path.name}, field scoring.subindicators: {code} has no items")
    for ind in known_indicators:
        total = sum(s["weight"] for s in subs.values() if s["indicator"] == ind)
        if abs(total - 100) > 1e-6:
            raise ChecklistError(f"{path.name}, field scoring.subindicators: indicator {ind} weights sum to {total}, not 100")
    return Checklist(
        year=data["year"], name=data["name"], status=data["status"], agency_type=data["agency_type"],
        items=tuple(items), indicators=indicators,
        subindicators=tuple(SubIndicator(s["code"], s["indicator"], s["title"], float(s["weight"])) for s in subs.values()),
        scoring_rule=data["scoring"]["rule"], scoring_source=data["scoring"]["source"],
        sources=tuple(data["sources"]), path=str(path), bands_source=data["scoring"].get("bands_source", ""),
        oit_share=data["scoring"].get("oit_share"), oit_method=data["scoring"].get("oit", "indicator_mean"),
    )
