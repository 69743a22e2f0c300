"""The web page's own tables (jobs, batches, schedules) in the history database.

One SQLite file holds the runs the crawls record (oitcheck.history) and what the web page
adds, so a restart keeps every job, result and schedule, and `oitcheck history SITE` sees
the web page's runs too. A connection per call: the server's threads and the crawl
processes write the same file (WAL lets them read while one writes).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..history import History, site_key
from ..model import now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_jobs (
    id INTEGER PRIMARY KEY, site TEXT, url TEXT, name TEXT, agency TEXT, year INTEGER, options TEXT,
    state TEXT, trigger TEXT, batch_id INTEGER, backend TEXT, created TEXT, started TEXT, finished TEXT,
    folder TEXT, exit_code INTEGER, outcome TEXT, reason TEXT, agency_name TEXT, report_year INTEGER,
    indicator_9 REAL, indicator_10 REAL, level TEXT, passed INTEGER, found INTEGER, items INTEGER, pages INTEGER,
    documents INTEGER, complete INTEGER, partial INTEGER);
CREATE INDEX IF NOT EXISTS web_jobs_site ON web_jobs(site, id);
CREATE INDEX IF NOT EXISTS web_jobs_state ON web_jobs(state, id);
CREATE TABLE IF NOT EXISTS web_batches (
    id INTEGER PRIMARY KEY, name TEXT, created TEXT, encoding TEXT);
CREATE TABLE IF NOT EXISTS web_batch_sites (
    batch_id INTEGER, name TEXT, url TEXT, year INTEGER, agency TEXT);
CREATE TABLE IF NOT EXISTS web_schedules (
    id INTEGER PRIMARY KEY, kind TEXT, url TEXT, name TEXT, agency TEXT, year INTEGER, batch_id INTEGER,
    at TEXT, options TEXT, last_day TEXT, created TEXT);
"""

# Columns the sites list may be sorted by (query string -> SQL), nothing else reaches SQL.
SITE_SORTS = {"site": "site", "name": "name", "agency": "agency", "indicator_9": "indicator_9",
              "indicator_10": "indicator_10", "level": "level", "last_run": "last_run", "outcome": "outcome"}


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.history = History(self.path)  # creates the file and the runs table
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    # --- jobs ----------------------------------------------------------------------------

    def add_job(self, url: str, agency: str, year: int | None, options: dict, trigger: str = "page",
                name: str = "", batch_id: int | None = None, backend: str = "local") -> int:
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO web_jobs (site, url, name, agency, year, options, state, trigger, batch_id, backend, created)"
                " VALUES (?,?,?,?,?,?,'queued',?,?,?,?)",
                (site_key(url), url, name, agency, year, json.dumps(options), trigger, batch_id, backend, now_iso()))
            return cur.lastrowid

    def job(self, job_id: int) -> dict | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM web_jobs WHERE id=?", (job_id,)).fetchone()
        return _job(row) if row else None

    def jobs(self, limit: int = 30, site: str | None = None, batch_id: int | None = None) -> list[dict]:
        q, args = "SELECT * FROM web_jobs", []
        if site is not None:
            q, args = q + " WHERE site=?", [site]
        elif batch_id is not None:
            q, args = q + " WHERE batch_id=?", [batch_id]
        with self._db() as db:
            rows = db.execute(q + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_job(r) for r in rows]

    def claim_next(self, backend: str) -> dict | None:
        """The oldest queued job, now marked running (one claimer wins)."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT * FROM web_jobs WHERE state='queued' AND backend=? ORDER BY id LIMIT 1",
                             (backend,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE web_jobs SET state='running', started=? WHERE id=?", (now_iso(), row["id"]))
        return self.job(row["id"])

    def set_folder(self, job_id: int, folder: Path) -> None:
        with self._db() as db:
            db.execute("UPDATE web_jobs SET folder=? WHERE id=?", (str(folder), job_id))

    def finish_job(self, job_id: int, exit_code: int | None, outcome: str, reason: str, summary: dict) -> None:
        cols = ("agency_name", "report_year", "indicator_9", "indicator_10", "level", "passed", "found", "items", "pages",
                "documents", "complete", "partial")
        values = [summary.get(c) for c in cols]
        with self._db() as db:
            db.execute(f"UPDATE web_jobs SET state='done', finished=?, exit_code=?, outcome=?, reason=?, "
                       f"{', '.join(c + '=?' for c in cols)} WHERE id=?",
                       (now_iso(), exit_code, outcome, reason, *values, job_id))

    def cancel_queued(self, job_id: int) -> bool:
        with self._db() as db:
            n = db.execute("UPDATE web_jobs SET state='done', finished=?, outcome='cancelled', "
                           "reason='ยกเลิกก่อนเริ่ม / cancelled before it started' WHERE id=? AND state='queued'",
                           (now_iso(), job_id)).rowcount
        return n == 1

    def abandon_running(self, backend: str) -> list[int]:
        """Jobs left 'running' by a server that stopped (this server has just started)."""
        with self._db() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM web_jobs WHERE state='running' AND backend=?", (backend,))]
            db.execute("UPDATE web_jobs SET state='done', finished=?, outcome='interrupted', exit_code=4, "
                       "reason='เซิร์ฟเวอร์หยุดระหว่างตรวจ / the server stopped during the crawl' "
                       "WHERE state='running' AND backend=?", (now_iso(), backend))
        return ids

    def queued_count(self) -> int:
        with self._db() as db:
            return db.execute("SELECT COUNT(*) FROM web_jobs WHERE state='queued'").fetchone()[0]

    # --- sites -----------------------------------------------------------------------------

    def sites(self, sort: str = "site", descending: bool = False) -> list[dict]:
        """Per site: the latest run (its time and outcome) and the scores of the latest good run;
        the name a CSV gave the site, else the one its home page gives."""
        col = SITE_SORTS.get(sort, "site")
        order = "DESC" if descending else "ASC"
        q = f"""SELECT * FROM (
        WITH latest AS (SELECT site, MAX(id) AS id FROM web_jobs WHERE state='done' GROUP BY site),
             good AS (SELECT site, MAX(id) AS id FROM web_jobs WHERE state='done' AND outcome='ok' GROUP BY site)
        SELECT l.site AS site, j.url AS url, COALESCE(NULLIF(j.name, ''), NULLIF(g_j.agency_name, ''), '') AS name,
               j.agency AS agency, j.id AS last_job, j.finished AS last_run, j.outcome AS outcome, j.reason AS reason,
               g_j.id AS good_job, g_j.finished AS good_run, g_j.report_year AS year,
               g_j.indicator_9 AS indicator_9, g_j.indicator_10 AS indicator_10, g_j.level AS level,
               g_j.passed AS passed, g_j.items AS items
        FROM latest l JOIN web_jobs j ON j.id = l.id
             LEFT JOIN good g ON g.site = l.site LEFT JOIN web_jobs g_j ON g_j.id = g.id)
        ORDER BY {col} IS NULL, {col} {order}, site"""
        with self._db() as db:
            return [dict(r) for r in db.execute(q).fetchall()]

    # --- batches ---------------------------------------------------------------------------

    def add_batch(self, name: str, encoding: str, sites: list[dict]) -> int:
        with self._db() as db:
            bid = db.execute("INSERT INTO web_batches (name, created, encoding) VALUES (?,?,?)",
                             (name, now_iso(), encoding)).lastrowid
            db.executemany("INSERT INTO web_batch_sites (batch_id, name, url, year, agency) VALUES (?,?,?,?,?)",
                           [(bid, s["name"], s["url"], s["year"], s["agency"]) for s in sites])
        return bid

    def batch(self, batch_id: int) -> dict | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM web_batches WHERE id=?", (batch_id,)).fetchone()
            if row is None:
                return None
            sites = [dict(r) for r in db.execute("SELECT name, url, year, agency FROM web_batch_sites WHERE batch_id=?"
                                                 " ORDER BY rowid", (batch_id,))]
        return {**dict(row), "sites": sites}

    def batches(self) -> list[dict]:
        with self._db() as db:
            return [dict(r) for r in db.execute(
                "SELECT b.*, (SELECT COUNT(*) FROM web_batch_sites s WHERE s.batch_id=b.id) AS size "
                "FROM web_batches b ORDER BY id DESC LIMIT 50")]

    # --- schedules -------------------------------------------------------------------------

    def add_schedule(self, kind: str, at: str, url: str = "", name: str = "", agency: str = "lao",
                     year: int | None = None, batch_id: int | None = None, options: dict | None = None) -> int:
        with self._db() as db:
            return db.execute("INSERT INTO web_schedules (kind, url, name, agency, year, batch_id, at, options, created)"
                              " VALUES (?,?,?,?,?,?,?,?,?)", (kind, url, name, agency, year, batch_id, at,
                                                              json.dumps(options or {}), now_iso())).lastrowid

    def schedules(self) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM web_schedules ORDER BY at, id").fetchall()
        return [{**dict(r), "options": json.loads(r["options"] or "{}")} for r in rows]

    def delete_schedule(self, schedule_id: int) -> None:
        with self._db() as db:
            db.execute("DELETE FROM web_schedules WHERE id=?", (schedule_id,))

    def mark_scheduled(self, schedule_id: int, day: str) -> bool:
        """Claim today's run of a schedule (False: it already ran today)."""
        with self._db() as db:
            return db.execute("UPDATE web_schedules SET last_day=? WHERE id=? AND COALESCE(last_day, '') != ?",
                              (day, schedule_id, day)).rowcount == 1


def _job(row: sqlite3.Row) -> dict:
    job = dict(row)
    job["options"] = json.loads(job["options"] or "{}")
    return job
