"""OIT checklists as data: one YAML file per ITA year (``lao-YYYY.yaml``) plus shared topics.

>>> sorted(years())[:1]
[2566]
>>> len(load(2566).items)
43
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from oitcheck.thai import normalize

# importlib.resources, not __file__: the Scrapyd egg imports this package from a zip file.
HERE = resources.files("oitcheck.checklists")  # the data package
SCHEMA = json.loads((HERE / "schema.json").read_text("utf-8"))


class ChecklistError(ValueError):
    """A checklist file that does not validate; the message names file, item and field."""


@dataclass(frozen=True)
class Part:
    name: str
    any: tuple[str, ...]  # normalised phrases


@dataclass(frozen=True)
class Rules:
    fiscal_year: str = "any"  # current | previous | current_or_previous | any
    evidence: str = "any"  # document | page | any
    period: str | None = None  # half_year | monthly
    link_kind: str | None = None  # social | qa | eservice | form
    parts: tuple[Part, ...] = ()


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
    confidence: str = "recalled"

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every name of the item, normalised: title first, then keywords and aliases."""
        seen, out = set(), []
        for p in (normalize(self.title), *self.keywords, *self.aliases):
            if p and p not in seen:
                seen.add(p)
                out.append(p)
        return tuple(out)


@dataclass(frozen=True)
class SubIndicator:
    code: str
    indicator: int
    title: str
    weight: float


@dataclass(frozen=True)
class Checklist:
    year: int
    name: str
    status: str
    agency_type: str
    items: tuple[Item, ...]
    subindicators: tuple[SubIndicator, ...]
    scoring_rule: str
    scoring_source: str
    sources: tuple[str, ...] = field(default=())
    path: str = ""

    def item(self, code: str) -> Item:
        for it in self.items:
            if it.code.upper() == code.upper():
                return it
        raise KeyError(code)


def _errors(data, schema_ref: dict, where: str) -> None:
    validator = Draft202012Validator({**SCHEMA, **schema_ref} if schema_ref else SCHEMA)
    errs = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errs:
        e = errs[0]
        path = list(e.absolute_path)
        loc = where
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            code = data["items"][path[1]].get("code", f"#{path[1] + 1}") if isinstance(data["items"][path[1]], dict) else f"#{path[1] + 1}"
            loc += f", item {code}"
            path = path[2:]
        field_name = ".".join(str(p) for p in path) or "(top level)"
        raise ChecklistError(f"{loc}, field {field_name}: {e.message}")


@lru_cache(maxsize=1)
def topics() -> dict:
    path = HERE / "topics.yaml"
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ChecklistError(f"{path.name}: expected a mapping of topic names")
    validator = Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/topic"})
    for name, topic in data.items():
        errs = list(validator.iter_errors(topic))
        if errs:
            field_name = ".".join(str(p) for p in errs[0].absolute_path) or "(topic)"
            raise ChecklistError(f"{path.name}, topic {name}, field {field_name}: {errs[0].message}")
    return data


def _read_yaml(path):
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{path.name}: not valid YAML ({exc})") from exc


def years() -> list[int]:
    """ITA years that have a checklist file, ascending."""
    out = []
    for p in HERE.iterdir():
        if p.name.startswith("lao-") and p.name.endswith(".yaml"):
            try:
                out.append(int(p.name[4:-5]))
            except ValueError:
                continue
    return sorted(out)


def latest_year() -> int:
    return years()[-1]


def load(year: int | None = None, path: str | Path | None = None) -> Checklist:
    """Load and validate a year's checklist (or a file given by path)."""
    if path is None:
        year = year or latest_year()
        if year not in years():
            raise ChecklistError(
                f"no checklist for ITA year {year}; known years: {', '.join(map(str, years()))}"
            )
        return _load_year(year)
    return _load(Path(path))


@lru_cache(maxsize=16)
def _load_year(year: int) -> Checklist:
    return _load(HERE / f"lao-{year}.yaml")


def _load(path) -> Checklist:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ChecklistError(f"{path.name}: expected a mapping at top level")
    _errors(data, {}, path.name)
    tps = topics()
    subs = {s["code"]: s for s in data["scoring"]["subindicators"]}
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
        r = raw.get("rules", {})
        parts = r.get("parts", topic.get("parts", []))
        rules = Rules(
            fiscal_year=r.get("fiscal_year", "any"),
            evidence=r.get("evidence", topic.get("evidence", "any")),
            period=r.get("period", topic.get("period")),
            link_kind=r.get("link_kind", topic.get("link_kind")),
            parts=tuple(Part(p["name"], tuple(normalize(x) for x in p["any"])) for p in parts),
        )
        sub = subs[raw["subindicator"]]
        items.append(
            Item(
                code=raw["code"],
                title=raw["title"],
                indicator=sub["indicator"],
                subindicator=sub["code"],
                subindicator_title=sub["title"],
                topic=raw["topic"],
                keywords=tuple(normalize(k) for k in raw.get("keywords", []) + topic["keywords"]),
                aliases=tuple(normalize(k) for k in raw.get("aliases", []) + topic.get("aliases", [])),
                rules=rules,
                publish=raw.get("publish", topic["publish"]),
                confidence=raw.get("confidence", "single" if data["status"] != "recalled" else "recalled"),
            )
        )
    for code in subs:
        if not any(i.subindicator == code for i in items):
            raise ChecklistError(f"{path.name}, field scoring.subindicators: {code} has no items")
    for ind in (9, 10):
        total = sum(s["weight"] for s in subs.values() if s["indicator"] == ind)
        if abs(total - 100) > 1e-6:
            raise ChecklistError(f"{path.name}, field scoring.subindicators: indicator {ind} weights sum to {total}, not 100")
    return Checklist(
        year=data["year"], name=data["name"], status=data["status"], agency_type=data["agency_type"],
        items=tuple(items),
        subindicators=tuple(SubIndicator(s["code"], s["indicator"], s["title"], float(s["weight"])) for s in subs.values()),
        scoring_rule=data["scoring"]["rule"], scoring_source=data["scoring"]["source"],
        sources=tuple(data["sources"]), path=str(path),
    )
