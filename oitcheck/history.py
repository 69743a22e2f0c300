"""Run history per site in SQLite: what changed since the last run, the trend, and the
runs that failed (a site that was down is a run too, never a silent zero)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from .model import ChangeItem, ChangesOut, EvidenceGone, Report


def default_db() -> Path:
    base = os.environ.get("OITCHECK_HISTORY") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "oitcheck", "history.sqlite")
    return Path(base)


def site_key(site: str) -> str:
    """Runs of http://www.x.go.th/ and x.go.th are the same site.

    >>> site_key("https://www.Example.go.th/")
    'example.go.th'
    """
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
            cols = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
            # Columns added since the first release (older databases are upgraded in place).
            for col, decl in (("agency", "TEXT DEFAULT 'lao'"), ("outcome", "TEXT DEFAULT 'ok'"), ("reason", "TEXT"),
                              ("complete", "INTEGER DEFAULT 1"), ("run_id", "TEXT"), ("scores", "TEXT")):
                if col not in cols:
                    db.execute(f"ALTER TABLE runs ADD COLUMN {col} {decl}")
            db.execute("CREATE INDEX IF NOT EXISTS runs_site ON runs(site, year, id)")

    def _db(self):
        return sqlite3.connect(self.path, timeout=30)

    def record(self, report: Report) -> ChangesOut | None:
        """Store a finished run; return what changed since the previous good run of the site."""
        if report.partial:
            return None
        key, year, agency = site_key(report.site), report.checklist.year, report.agency
        verdicts = {i.code: i.status for i in report.items}
        evidence = {i.code: [e.url for e in i.evidence] for i in report.items}
        titles = {i.code: i.title for i in report.items}
        with self._db() as db:
            prev = db.execute("SELECT finished, verdicts, evidence FROM runs WHERE site=? AND year=? AND agency=? "
                              "AND outcome='ok' ORDER BY id DESC LIMIT 1", (key, year, agency)).fetchone()
            db.execute("INSERT INTO runs (site, year, agency, finished, indicator_9, indicator_10, passed, items, verdicts,"
                       " evidence, outcome, complete, run_id, scores) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (key, year, agency, report.crawl.finished, report.scores.indicator_9, report.scores.indicator_10,
                        sum(v == "pass" for v in verdicts.values()), len(verdicts), json.dumps(verdicts),
                        json.dumps(evidence), "ok", int(report.crawl.complete), report.crawl.run_id,
                        json.dumps(report.scores.indicators)))
        if not prev:
            return None
        finished, old_v, old_e = prev[0], json.loads(prev[1]), json.loads(prev[2])
        gained = [ChangeItem(c, titles[c]) for c, s in verdicts.items() if s == "pass" and old_v.get(c) != "pass"]
        lost = [ChangeItem(c, titles[c]) for c, s in verdicts.items() if s != "pass" and old_v.get(c) == "pass"]
        gone = [EvidenceGone(c, u) for c, urls in old_e.items() for u in urls
                if c in evidence and u not in evidence[c] and old_v.get(c) == "pass"]
        return ChangesOut(previous_run=finished, gained=gained, lost=lost, evidence_gone=gone)

    def record_failure(self, site: str, checklist, outcome: str, reason: str, run_id: str = "",
                       agency: str = "lao") -> None:
        """A run that produced no report (the site was down, the address was a file)."""
        from .model import now_iso

        with self._db() as db:
            db.execute("INSERT INTO runs (site, year, agency, finished, outcome, reason, complete, run_id, items)"
                       " VALUES (?,?,?,?,?,?,0,?,?)",
                       (site_key(site), checklist.year, agency, now_iso(), outcome, reason, run_id, len(checklist.items)))

    def trend(self, site: str, agency: str | None = None) -> list[dict]:
        q = ("SELECT finished, year, agency, indicator_9, indicator_10, passed, items, outcome, reason, complete, scores"
             " FROM runs WHERE site=?")
        args: list = [site_key(site)]
        if agency:
            q += " AND agency=?"
            args.append(agency)
        with self._db() as db:
            rows = db.execute(q + " ORDER BY id", args).fetchall()
        keys = ("finished", "year", "agency", "indicator_9", "indicator_10", "passed", "items", "outcome", "reason",
                "complete", "scores")
        return [dict(zip(keys, r)) for r in rows]

    def sites(self) -> list[dict]:
        """The latest run of every site (for the province view and the web page)."""
        with self._db() as db:
            rows = db.execute("SELECT site, agency, year, finished, indicator_9, indicator_10, passed, items, outcome, reason"
                              " FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY site, agency)"
                              " ORDER BY site").fetchall()
        keys = ("site", "agency", "year", "finished", "indicator_9", "indicator_10", "passed", "items", "outcome", "reason")
        return [dict(zip(keys, r)) for r in rows]
