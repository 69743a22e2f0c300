"""Run history per site in SQLite: what changed since the last run, and the trend."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path


def default_db() -> Path:
    base = os.environ.get("OITCHECK_HISTORY") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "oitcheck", "history.sqlite")
    return Path(base)


def site_key(site: str) -> str:
    """Runs of http://www.x.go.th/ and x.go.th are the same site."""
    s = site.lower().split("://", 1)[-1].rstrip("/")
    return s[4:] if s.startswith("www.") else s


class History:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_db()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("""CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY, site TEXT, year INTEGER, finished TEXT,
                indicator_9 REAL, indicator_10 REAL, passed INTEGER, items INTEGER,
                verdicts TEXT, evidence TEXT)""")
            db.execute("CREATE INDEX IF NOT EXISTS runs_site ON runs(site, year, id)")

    def _db(self):
        return sqlite3.connect(self.path, timeout=30)

    def record(self, report: dict) -> dict | None:
        """Store a finished run; return what changed since the previous run of the site."""
        if report.get("partial"):
            return None
        key, year = site_key(report["site"]), report["checklist"]["year"]
        verdicts = {i["code"]: i["status"] for i in report["items"]}
        evidence = {i["code"]: [e["url"] for e in i["evidence"]] for i in report["items"]}
        titles = {i["code"]: i["title"] for i in report["items"]}
        with self._db() as db:
            prev = db.execute("SELECT finished, verdicts, evidence FROM runs WHERE site=? AND year=? ORDER BY id DESC LIMIT 1",
                              (key, year)).fetchone()
            db.execute("INSERT INTO runs (site, year, finished, indicator_9, indicator_10, passed, items, verdicts, evidence)"
                       " VALUES (?,?,?,?,?,?,?,?,?)",
                       (key, year, report["crawl"]["finished"], report["scores"]["indicator_9"],
                        report["scores"]["indicator_10"], sum(v == "pass" for v in verdicts.values()), len(verdicts),
                        json.dumps(verdicts), json.dumps(evidence)))
        if not prev:
            return None
        finished, old_v, old_e = prev[0], json.loads(prev[1]), json.loads(prev[2])
        gained = [{"code": c, "title": titles[c]} for c, s in verdicts.items() if s == "pass" and old_v.get(c) != "pass"]
        lost = [{"code": c, "title": titles[c]} for c, s in verdicts.items() if s != "pass" and old_v.get(c) == "pass"]
        gone = [{"code": c, "url": u} for c, urls in old_e.items() for u in urls
                if c in evidence and u not in evidence[c] and old_v.get(c) == "pass"]
        return {"previous_run": finished, "gained": gained, "lost": lost, "evidence_gone": gone}

    def trend(self, site: str) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT finished, year, indicator_9, indicator_10, passed, items FROM runs "
                              "WHERE site=? ORDER BY id", (site_key(site),)).fetchall()
        keys = ("finished", "year", "indicator_9", "indicator_10", "passed", "items")
        return [dict(zip(keys, r)) for r in rows]
