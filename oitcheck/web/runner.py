"""Jobs in the background: each check runs as its own `oitcheck crawl` process (a crash
stays with its site, and Twisted starts once per process), at most ``parallel`` at a time;
the rest wait in the database's queue. With Scrapyd nodes the same jobs run there
(oitcheck.batch's deploy-and-schedule), the report folder shared.

How a run ended is the crawl's own exit code and its last stderr line, never a guess:
0/1 ok, 3 unreachable (no report), 4 interrupted (a partial report), 2 a local problem.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from ..batch import OUTCOME_OF_EXIT, SiteJob, last_outcome, run_scrapyd
from .store import Store

log = logging.getLogger(__name__)

SNAPSHOT_SECONDS = "5"  # partial report period for web runs, unless OITCHECK_SNAPSHOT_SECONDS is set
STOP_GRACE_SECONDS = 20  # a stopped server waits this long for crawls to write their partial report
SCHEDULER_TICK_SECONDS = 20.0  # how often the nightly schedules are looked at
EXIT_OF_OUTCOME = {"ok": 0, "unreachable": 3, "not_a_site": 3, "interrupted": 4, "local_error": 2,
                   "input_error": 5, "error": 2}
DOWNLOADS = ("report.xlsx", "gaps.csv", "report.json", "itas.xlsx", "itas.csv")


def folder_name(job: dict) -> str:
    """One folder per run: its id and the site, nothing the URL could use to leave the folder.

    >>> folder_name({"id": 7, "site": "../../etc/x.go.th"})
    '7-etc-x-go-th'
    """
    host = re.sub(r"[^a-z0-9]+", "-", job["site"].lower()).strip("-")[:60]
    return f"{job['id']}-{host or 'site'}"


def crawl_command(job: dict, out: Path, history: Path, public_only: bool) -> list[str]:
    """The command line a local worker runs (what a user would type)."""
    cmd = [sys.executable, "-m", "oitcheck", "crawl", job["url"], "--out", str(out), "--agency", job["agency"],
           "--history", str(history)]
    if job["year"]:
        cmd += ["--year", str(job["year"])]
    opts = job["options"]
    if opts.get("no_ocr"):
        cmd.append("--no-ocr")
    if opts.get("max_pages"):
        cmd += ["--max-pages", str(int(opts["max_pages"]))]
    if opts.get("cache"):
        cmd += ["--cache", str(opts["cache"])]
    if public_only:
        cmd.append("--public-only")
    return cmd


def read_progress(folder: str | None) -> dict:
    """Pages, documents and items found so far, from the partial report.json the crawl rewrites."""
    out = {"pages": 0, "documents": 0, "items_found": 0, "items": 0}
    if not folder:
        return out
    try:
        report = json.loads((Path(folder) / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return out
    items = report.get("items", [])
    out.update(pages=report["crawl"]["pages"], documents=report["crawl"]["documents"],
               items_found=sum(1 for i in items if i.get("found")), items=len(items))
    return out


def summary_of(folder: Path) -> dict:
    """What the sites list needs from a run's report.json (nothing when it wrote none)."""
    try:
        r = json.loads((folder / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    s = r["scores"]
    return {"agency_name": r["checklist"].get("agency_name") or "", "report_year": r["checklist"]["year"],
            "indicator_9": s["indicator_9"], "indicator_10": s["indicator_10"],
            "level": s["bands"].get("oit") or "", "passed": sum(i["status"] == "pass" for i in r["items"]),
            "found": sum(1 for i in r["items"] if i.get("found")),
            "items": len(r["items"]), "pages": r["crawl"]["pages"], "documents": r["crawl"]["documents"],
            "complete": int(bool(r["crawl"].get("complete"))), "partial": int(bool(r.get("partial")))}


def last_line(text: str) -> str:
    """The crawl's last word on stderr (its own message), without the program name.

    >>> last_line("warning\\noitcheck: เข้าเว็บไซต์ไม่ได้ / cannot crawl x\\n")
    'เข้าเว็บไซต์ไม่ได้ / cannot crawl x'
    """
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else "").removeprefix("oitcheck: ")[:500]


def due(at: str, last_day: str | None, now: datetime) -> bool:
    """Is a nightly schedule at ``at`` (HH:MM, local time) due now?

    >>> due("02:00", None, datetime(2026, 1, 5, 2, 0))
    True
    >>> due("02:00", "2026-01-05", datetime(2026, 1, 5, 3, 0)), due("02:00", None, datetime(2026, 1, 5, 1, 59))
    (False, False)
    """
    hh, mm = map(int, at.split(":"))
    return now.date().isoformat() != (last_day or "") and (now.hour, now.minute) >= (hh, mm)


class Runner:
    """Worker threads that take queued jobs from the store and run them; a scheduler thread
    that queues nightly checks."""

    def __init__(self, store: Store, data: Path, parallel: int = 2, scrapyd: list[str] | None = None,
                 public_only: bool = False, tick: float = SCHEDULER_TICK_SECONDS):
        self.store = store
        self.data = Path(data)
        self.runs = self.data / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)
        self.parallel = max(1, parallel)
        self.scrapyd = scrapyd or []
        self.backend = "scrapyd" if self.scrapyd else "local"
        self.public_only = public_only
        self.tick = tick
        self.wake = threading.Condition()
        self.stopping = threading.Event()
        self.procs: dict[int, subprocess.Popen] = {}
        self.threads: list[threading.Thread] = []

    # --- queueing ------------------------------------------------------------------------

    def submit(self, url: str, agency: str, year: int | None, options: dict, trigger: str = "page",
               name: str = "", batch_id: int | None = None) -> int:
        job_id = self.store.add_job(url, agency, year, options, trigger, name, batch_id, self.backend)
        with self.wake:
            self.wake.notify_all()
        return job_id

    def cancel(self, job_id: int) -> bool:
        """A queued job is dropped; a running local crawl is interrupted (it writes a partial report)."""
        if self.store.cancel_queued(job_id):
            return True
        proc = self.procs.get(job_id)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            return True
        return False

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        left = self.store.abandon_running(self.backend)
        if left:
            log.warning("jobs %s were running when the server stopped: marked interrupted", left)
        for n in range(self.parallel):
            t = threading.Thread(target=self._work, name=f"oitcheck-worker-{n}", daemon=True)
            t.start()
            self.threads.append(t)
        t = threading.Thread(target=self._schedule_loop, name="oitcheck-scheduler", daemon=True)
        t.start()
        self.threads.append(t)

    def stop(self) -> None:
        """Interrupt running crawls (each writes its partial report) and wait for them."""
        self.stopping.set()
        with self.wake:
            self.wake.notify_all()
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for t in self.threads:
            t.join(max(0.1, deadline - time.monotonic()))
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                proc.kill()

    def _work(self) -> None:
        while not self.stopping.is_set():
            job = self.store.claim_next(self.backend)
            if job is None:
                with self.wake:
                    self.wake.wait(timeout=2.0)
                continue
            try:
                self._run(job)
            except Exception as exc:  # a worker must outlive any one job
                log.exception("job %s failed", job["id"])
                self.store.finish_job(job["id"], None, "error", f"{type(exc).__name__}: {exc}"[:500], {})

    def _run(self, job: dict) -> None:
        folder = self.runs / folder_name(job)
        folder.mkdir(parents=True, exist_ok=True)
        self.store.set_folder(job["id"], folder)
        if self.scrapyd:
            return self._run_scrapyd(job, folder)
        env = dict(os.environ)
        env.setdefault("OITCHECK_SNAPSHOT_SECONDS", SNAPSHOT_SECONDS)
        cmd = crawl_command(job, folder, self.store.path, self.public_only)
        with open(folder / "crawl.log", "wb") as out, open(folder / "crawl.err", "w+b") as err:
            # Its own process group: a Ctrl-C in the server's terminal reaches the server,
            # which then interrupts each crawl itself (and records how each ended).
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                    start_new_session=True)
            self.procs[job["id"]] = proc
            try:
                code = proc.wait()
            finally:
                self.procs.pop(job["id"], None)
            err.seek(0)
            reason = last_line(err.read().decode("utf-8", "replace"))
        outcome = OUTCOME_OF_EXIT.get(code, "error")
        reason = reason.replace(str(folder), "โฟลเดอร์ของการตรวจนี้ / this run's folder")  # no server paths on the page
        if outcome == "ok":
            reason = ""
        elif code < 0:
            reason = f"the crawl process was killed (signal {-code})"
        self.store.finish_job(job["id"], code, outcome, reason, summary_of(folder) if code in (0, 1, 4) else {})

    def _run_scrapyd(self, job: dict, folder: Path) -> None:
        site = SiteJob(job["name"] or job["url"], job["url"], job["year"], folder, job["agency"])
        settings = {"OITCHECK_HISTORY": str(self.store.path.resolve())}
        if job["options"].get("no_ocr"):
            settings["OITCHECK_OCR"] = False
        if job["options"].get("max_pages"):
            settings["CLOSESPIDER_PAGECOUNT"] = int(job["options"]["max_pages"])
        if self.public_only:
            settings["OITCHECK_PUBLIC_ONLY"] = True
        try:
            run_scrapyd([site], self.scrapyd, settings)
        except Exception as exc:  # the nodes, not the website
            self.store.finish_job(job["id"], 2, "local_error", f"Scrapyd: {exc}"[:500], {})
            return
        said = last_outcome(site) or {"outcome": "error", "reason": "the Scrapyd job ended without saying how"}
        outcome = "unreachable" if said["outcome"] == "not_a_site" else said["outcome"]  # as `crawl` exits 3
        code = EXIT_OF_OUTCOME.get(outcome, 2)
        self.store.finish_job(job["id"], code, outcome, "" if outcome == "ok" else said.get("reason", ""),
                              summary_of(folder) if code in (0, 4) else {})

    # --- nightly -----------------------------------------------------------------------------

    def run_due_schedules(self, now: datetime | None = None) -> list[int]:
        """Queue every schedule that is due (once a day each); the job ids queued."""
        now = now or datetime.now()
        queued = []
        for s in self.store.schedules():
            if not due(s["at"], s["last_day"], now) or not self.store.mark_scheduled(s["id"], now.date().isoformat()):
                continue
            options = {**s["options"], "cache": str(self.data / "cache")}  # nightly: revalidate, fetch what changed
            if s["kind"] == "batch":
                batch = self.store.batch(s["batch_id"]) or {"sites": []}
                for site in batch["sites"]:
                    queued.append(self.submit(site["url"], site["agency"], site["year"], options, "schedule",
                                              site["name"], s["batch_id"]))
            else:
                queued.append(self.submit(s["url"], s["agency"], s["year"], options, "schedule", s["name"]))
        return queued

    def _schedule_loop(self) -> None:
        while not self.stopping.wait(self.tick):
            try:
                self.run_due_schedules()
            except Exception:
                log.exception("scheduler")
