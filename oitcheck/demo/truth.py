"""Accuracy against an assessor's own judgement of a real site (a truth file).

A truth file is written by a person who read the site as an assessor would, before looking at
what the tool says: for each item, whether the site publishes something about it (fiscal-year
rules aside) and the URLs an assessor would accept as its evidence. Real sites' files stay
outside the repository; the truth file beside them is what every run is scored against::

    site: hangdong
    start_url: http://127.0.0.1:18101/
    judged_against: lao-2566
    items:
      O1: {published: true, evidence: ["http://127.0.0.1:18101/structure.html"], note: "org chart"}
      O2: {published: false, note: "no executives page"}

Two figures, item by item:

- topic recall: of the items the site publishes, the share the tool found *with a right
  evidence URL* (its best evidence is one of the truth's URLs);
- found precision: of the items the tool marked found, the share whose best evidence really
  is about the item (a truth URL). An item found on the wrong page counts against both.

Status (pass/fail) is not judged here: fiscal-year rules make an old site's items fail by
design; what is measured is whether the tool sees what the site publishes, and where.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_plus, urlsplit

import yaml

from oitcheck.model import Report, report_from_json


def url_key(url: str) -> str:
    """A URL as two people would agree it is the same page: decoded, without the scheme,
    the fragment, a trailing slash or an index file.

    >>> url_key("http://127.0.0.1:8/%E0%B8%81/index.php#top") == url_key("https://127.0.0.1:8/ก/")
    True
    >>> url_key("http://h/n.php?id=1-a+b") == url_key("http://h/n.php?id=1-a%20b")
    True
    """
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    for index in ("index.php", "index.html", "index.htm", "default.asp"):
        if path.endswith("/" + index):
            path = path[: -len(index)]
    path = path.rstrip("/") or "/"
    query = unquote_plus(parts.query)  # "+" is a space in a query string (PHP's $_GET reads it so)
    return f"{(parts.hostname or '').lower()}:{parts.port or ''}{path}" + (f"?{query}" if query else "")


@dataclass
class ItemJudgement:
    code: str
    published: bool
    tool_found: bool
    tool_url: str
    right_evidence: bool  # the tool's best evidence is one of the truth's URLs, or a file shown on one of them
    status: str
    note: str = ""

    @property
    def outcome(self) -> str:
        if self.published and self.tool_found and self.right_evidence:
            return "hit"
        if self.tool_found and not self.right_evidence:
            return "wrong page" if self.published else "false find"
        if self.published:
            return "missed"
        return "absent"


@dataclass
class TruthScore:
    site: str
    items: list[ItemJudgement] = field(default_factory=list)

    @property
    def published(self) -> int:
        return sum(i.published for i in self.items)

    @property
    def hits(self) -> int:
        return sum(i.outcome == "hit" for i in self.items)

    @property
    def found(self) -> int:
        return sum(i.tool_found for i in self.items)

    @property
    def recall(self) -> float:
        return self.hits / self.published if self.published else 1.0

    @property
    def precision(self) -> float:
        right = sum(i.tool_found and i.right_evidence for i in self.items)
        return right / self.found if self.found else 1.0

    def summary(self) -> dict:
        counts: dict[str, int] = {}
        for i in self.items:
            counts[i.outcome] = counts.get(i.outcome, 0) + 1
        return {"site": self.site, "published": self.published, "found": self.found, "hits": self.hits,
                "topic_recall": round(self.recall, 3), "found_precision": round(self.precision, 3), **counts}


def load_truth(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise ValueError(f"{path}: a truth file needs an 'items' mapping (code -> published, evidence)")
    return data


def judge(report: Report, truth: dict) -> TruthScore:
    """Compare a report's items with the truth, item by item (items the truth leaves out
    are not judged)."""
    out = TruthScore(site=str(truth.get("site") or report.site))
    for item in report.items:
        t = truth["items"].get(item.code)
        if t is None:
            continue
        want = {url_key(u) for u in (t.get("evidence") or [])}
        best = item.evidence[0] if (item.found and item.evidence) else None
        url = best.url if best else ""
        # A scan or PDF shown on a page the person accepted is that page's disclosure itself.
        right = bool(best) and (url_key(url) in want or (best.kind != "html" and bool(best.found_on)
                                                         and url_key(best.found_on) in want))
        out.items.append(ItemJudgement(
            code=item.code, published=bool(t.get("published")), tool_found=bool(item.found and item.evidence),
            tool_url=url, right_evidence=right, status=item.status,
            note=str(t.get("note") or "")))
    return out


def print_score(score: TruthScore, out) -> None:
    print(f"site: {score.site}", file=out)
    print(f"{'item':<5} {'truth':<9} {'tool':<6} {'outcome':<11} evidence the tool gives", file=out)
    for i in score.items:
        print(f"{i.code:<5} {'published' if i.published else '-':<9} {i.status:<6} {i.outcome:<11} "
              f"{unquote(i.tool_url)[:90]}", file=out)
    s = score.summary()
    print(f"topic recall {s['topic_recall']:.3f} ({s['hits']} of {s['published']} published items found on a right URL); "
          f"found precision {s['found_precision']:.3f} (of {s['found']} items found)", file=out)
    print(json.dumps(s, ensure_ascii=False), file=out)


def run_truth(truth_path: Path, report_path: Path, out) -> int:
    truth = load_truth(truth_path)
    report_path = Path(report_path)
    if report_path.is_dir():
        report_path = report_path / "report.json"
    report = report_from_json(report_path.read_bytes())
    print_score(judge(report, truth), out)
    return 0
