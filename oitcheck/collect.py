"""Gather candidates as the crawl goes, with bounded memory, and turn them into a report.

The collector keeps, per checklist item, only its best few candidates (plus ITA index
leads and a status per URL), so memory does not grow with page text. It rewrites a
partial report.json every few seconds, so a crash or Ctrl-C leaves a readable report.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from .evidence import Candidate, Document
from .matching import Matcher
from .scoring import score
from .verdicts import Verdict, decide, evidence_rank

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
KEEP = 12  # candidates kept per item
KEEP_MONTHLY = 30  # monthly summaries need one document per month


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


class Collector:
    def __init__(self, checklist, site: str, fiscal_year: int | None = None):
        self.checklist = checklist
        self.fiscal_year = fiscal_year or checklist.year
        self.site = site
        self.matcher = Matcher(checklist, self.fiscal_year)
        self.candidates: dict[str, list[Candidate]] = {i.code: [] for i in checklist.items}
        self.leads: dict[str, set[str]] = {}  # url -> codes (from ITA index pages)
        self.lead_pages: set[str] = set()
        self.ok_urls: set[str] = set()
        self.seen: set[str] = set()
        self.errors: dict[str, dict] = {}  # url -> {url, reason, found_on}
        self.pages = 0
        self.documents = 0
        self.by_kind: dict[str, int] = {}
        self.match_seconds = 0.0
        self.started = now_iso()
        self.stats: dict = {}

    # --- feeding ---------------------------------------------------------------------
    def add_lead(self, code: str, url: str, found_on: str) -> None:
        self.leads.setdefault(url, set()).add(code)
        self.lead_pages.add(found_on)

    def add_error(self, url: str, reason: str, found_on: str = "", anchor: str = "", index_code: str | None = None) -> None:
        if url not in self.errors:
            self.errors[url] = {"url": url, "reason": reason, "found_on": found_on}
        if index_code:
            self.add_lead(index_code, url, found_on)

    def add_document(self, doc: Document) -> list[Candidate]:
        if doc.url not in self.seen:  # a nightly priority URL is fetched twice; count it once
            self.seen.add(doc.url)
            if doc.kind == "html":
                self.pages += 1
            else:
                self.documents += 1
            self.by_kind[doc.kind] = self.by_kind.get(doc.kind, 0) + 1
        if not doc.error:
            self.ok_urls.add(doc.url)
        codes = set(doc.index_codes) | self.leads.get(doc.url, set())
        doc.index_codes = sorted(codes)
        t = time.perf_counter()
        found = self.matcher.match(doc)
        self.match_seconds += time.perf_counter() - t
        for c in found:
            self._keep(c)
        return found

    def _keep(self, c: Candidate) -> None:
        bucket = self.candidates[c.code]
        for n, x in enumerate(bucket):
            if x.url == c.url:  # the same URL seen again (e.g. with its link text): keep the stronger
                if evidence_rank(c) > evidence_rank(x) or (c.fiscal_years and not x.fiscal_years):
                    bucket[n] = c
                return
        bucket.append(c)
        item = self.checklist.item(c.code)
        limit = KEEP_MONTHLY if item.rules.period == "monthly" else KEEP
        if len(bucket) > limit:
            bucket.sort(key=evidence_rank, reverse=True)
            del bucket[limit:]

    # --- results ---------------------------------------------------------------------
    def verdicts(self):
        out = []
        for item in self.checklist.items:
            cands = list(self.candidates[item.code])
            have = {c.url for c in cands}
            broken = []
            for url, codes in self.leads.items():
                if item.code not in codes:
                    continue
                for c in cands:
                    if c.url == url:
                        c.lead = True
                if url in self.errors:
                    broken.append((url, self.errors[url]["reason"]))
                elif url in self.ok_urls and url not in have:
                    cands.append(Candidate(code=item.code, url=url, found_on="", kind="html", method="html",
                                           topic=0.0, where="index", matched="", snippet="", lead=True))
            try:
                out.append(decide(item, cands, self.fiscal_year, broken))
            except Exception as exc:  # one item's failure is that item's error, never the report's
                log.exception("deciding %s failed", item.code)
                out.append(Verdict(item.code, "fail", False, 0.0,
                                   [f"ตัดสินข้อนี้ไม่ได้เพราะข้อผิดพลาดของเครื่องมือ / the tool failed on this item "
                                    f"({type(exc).__name__}: {exc})"], error=f"{type(exc).__name__}: {exc}"))
        return out

    def report(self, partial: bool = False) -> dict:
        verdicts = self.verdicts()
        scores = score(self.checklist, {v.code: v.status == "pass" for v in verdicts})
        by_code = {v.code: v for v in verdicts}
        items = []
        for item in self.checklist.items:
            v = by_code[item.code]
            items.append({
                "code": item.code, "title": item.title, "indicator": item.indicator,
                "subindicator": item.subindicator, "subindicator_title": item.subindicator_title,
                "status": v.status, "found": v.found, "error": v.error, "confidence": v.confidence, "reasons": v.reasons,
                "publish": item.publish,
                "evidence": [{
                    "url": c.url, "found_on": c.found_on, "kind": c.kind, "snippet": c.snippet,
                    "matched": c.matched, "fiscal_year": c.fiscal_years[0] if c.fiscal_years else None,
                    "method": c.method, "from_ita_page": c.lead, "year_from_ocr": c.year_from_ocr,
                } for c in v.evidence],
            })
        return {
            "schema_version": SCHEMA_VERSION,
            "partial": partial,
            "site": self.site,
            "checklist": {"year": self.checklist.year, "name": self.checklist.name, "status": self.checklist.status,
                          "fiscal_year": self.fiscal_year},
            "crawl": {
                "pages": self.pages, "documents": self.documents, "by_kind": dict(sorted(self.by_kind.items())),
                "errors": sorted(self.errors.values(), key=lambda e: e["url"]),
                "ita_index_pages": sorted(self.lead_pages),
                "started": self.started, "finished": None if partial else now_iso(),
                "match_seconds": round(self.match_seconds, 3),
                # With --cache: bodies downloaded in full vs. confirmed unchanged (304) or fresh in cache.
                "full_downloads": self.stats.get("httpcache/firsthand", 0) + self.stats.get("httpcache/invalidate", 0)
                if "httpcache/store" in self.stats or "httpcache/hit" in self.stats else self.stats.get("response_received_count", 0),
                "revalidated": self.stats.get("httpcache/revalidate", 0),
                "cache_hits": self.stats.get("httpcache/hit", 0),
                "stats": self.stats,
            },
            "items": items,
            "scores": {"indicator_9": scores["indicator_9"], "indicator_10": scores["indicator_10"],
                       "subindicators": scores["subindicators"], "bands": scores["bands"]},
        }
