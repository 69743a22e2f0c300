"""Many sites: one bounded crawl job per site, run locally in parallel or on Scrapyd nodes,
then a summary of all sites (CSV, XLSX, HTML index).

A batch is resumable: a site whose report is complete is not crawled again; an interrupted
site resumes from its own Scrapy job folder (JOBDIR).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from oitcheck.reports.safe import atomic_write


@dataclass
class SiteJob:
    name: str
    url: str
    year: int | None
    folder: Path
    agency: str = "lao"

    @property
    def outcome_file(self) -> Path:
        # Beside the site's folder, never in it: a failed run leaves the folder as it was.
        return self.folder.parent / ".outcomes" / f"{self.folder.name}.json"


class BatchError(ValueError):
    pass


def slug(name: str, url: str) -> str:
    """A folder name that cannot leave the output folder, whatever the CSV says.

    >>> slug("อบต.หนองบัว", "http://www.nongbua.go.th/")
    'nongbua-go-th-3b965c'
    """
    host = re.sub(r"^https?://", "", url.lower()).split("/")[0].removeprefix("www.")
    base = re.sub(r"[^a-z0-9]+", "-", host).strip("-")[:60] or "site"
    return f"{base}-{hashlib.sha1((name + url).encode()).hexdigest()[:6]}"


def decode_csv(data: bytes) -> tuple[str, str]:
    """The CSV's text and the encoding it was read in: UTF-8 (with or without BOM), or
    windows-874 as Excel on Thai Windows saves "CSV (Comma delimited)".

    >>> decode_csv("ชื่อ,url".encode("cp874"))
    ('ชื่อ,url', 'windows-874')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874"), "windows-874"
    except UnicodeDecodeError as exc:
        raise BatchError(f"not UTF-8 or windows-874 text (byte {exc.start}): save the file as CSV UTF-8") from None


def read_sites(path: Path, out: Path) -> tuple[list[SiteJob], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BatchError(f"cannot read {path}: {exc.strerror}") from exc
    text, encoding = decode_csv(data)
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or not {"name", "url"} <= {(k or "").strip() for k in rows[0]}:
        raise BatchError(f"{path}: needs the columns name,url[,year][,agency] (read as {encoding})")
    jobs, seen = [], set()
    for n, row in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        url = row.get("url", "")
        if not url:
            raise BatchError(f"{path}, line {n}: empty url")
        if "://" not in url:
            url = "https://" + url
        year = row.get("year", "")
        if year and not year.isdigit():
            raise BatchError(f"{path}, line {n}: year must be a number like 2568, not {year!r}")
        name = row.get("name") or url
        s = slug(name, url)
        if s in seen:
            continue
        seen.add(s)
        jobs.append(SiteJob(name, url, int(year) if year else None, out / s, row.get("agency") or "lao"))
    return jobs, encoding


def last_outcome(job: SiteJob) -> dict | None:
    try:
        return json.loads(job.outcome_file.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def finished(job: SiteJob) -> dict | None:
    """The site's report, when it is complete (not partial)."""
    try:
        report = json.loads((job.folder / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return report if not report.get("partial") and report["crawl"].get("finished") else None


def needs_run(job: SiteJob) -> bool:
    """Crawl it again unless its last run ended well and left a complete report; a site that
    was down last time is retried without --redo."""
    out = last_outcome(job)
    if out is not None and out.get("outcome") != "ok":
        return True
    return finished(job) is None


def write_outcome(job: SiteJob, outcome: str, reason: str = "") -> None:
    from .model import now_iso

    job.outcome_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(job.outcome_file, json.dumps({"url": job.url, "outcome": outcome, "reason": reason,
                                               "at": now_iso()}, ensure_ascii=False).encode("utf-8"))


def _crawl_args(job: SiteJob, extra: list[str]) -> list[str]:
    args = ["crawl", job.url, "--out", str(job.folder), "--job-dir", str(job.folder.parent / ".jobs" / job.folder.name),
            "--quiet", "--agency", job.agency]
    if job.year:
        args += ["--year", str(job.year)]
    return args + extra


OUTCOME_OF_EXIT = {0: "ok", 1: "ok", 2: "local_error", 3: "unreachable", 4: "interrupted", 5: "input_error"}


def run_local(jobs: list[SiteJob], parallel: int, extra: list[str]) -> dict[str, str]:
    """Each site in its own process (a crash stays with its site), ``parallel`` at a time."""
    import os

    def one(job: SiteJob) -> tuple[str, str]:
        job.folder.parent.mkdir(parents=True, exist_ok=True)
        p = subprocess.run([sys.executable, "-m", "oitcheck", *_crawl_args(job, extra)],
                           capture_output=True, text=True, env=dict(os.environ))
        log = job.folder.parent / ".logs" / f"{job.folder.name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(p.stdout + p.stderr, "utf-8")
        last = (p.stderr.strip().splitlines() or [""])[-1].removeprefix("oitcheck: ")
        outcome = OUTCOME_OF_EXIT.get(p.returncode, "error")
        write_outcome(job, outcome, "" if outcome == "ok" else last[:300])
        return job.url, outcome

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return dict(pool.map(one, jobs))


def run_scrapyd(jobs: list[SiteJob], nodes: list[str], extra_settings: dict, poll: float = 1.0,
                timeout: float = 3600) -> dict[str, str]:
    """Deploy this project's egg to every node, schedule the sites round-robin, wait."""
    import requests
    from scrapyd_client.pyclient import ScrapydClient

    egg = build_egg()
    version = str(int(time.time()))
    clients = []
    for node in nodes:
        node = node.rstrip("/") + "/"
        with open(egg, "rb") as fh:
            r = requests.post(node + "addversion.json", data={"project": "oitcheck", "version": version},
                              files=[("egg", ("oitcheck.egg", fh))], timeout=120)
        data = r.json()
        if data.get("status") != "ok":
            raise BatchError(f"deploy to {node} failed: {data.get('message', r.text)[:300]}")
        clients.append(ScrapydClient(node.rstrip("/")))
    pending = {}
    for n, job in enumerate(jobs):
        job.folder.mkdir(parents=True, exist_ok=True)
        settings = {"OITCHECK_OUT": str(job.folder.resolve()),
                    "JOBDIR": str((job.folder.parent / ".jobs" / job.folder.name).resolve()),
                    "OITCHECK_OUTCOME_FILE": str(job.outcome_file.resolve()),
                    "OITCHECK_PROGRESS": "False", **extra_settings}
        args = [("url", job.url), ("agency", job.agency)] + ([("year", str(job.year))] if job.year else [])
        args += [("setting", f"{k}={v}") for k, v in settings.items()]
        client = clients[n % len(clients)]
        pending[client.schedule("oitcheck", "site", args)] = (client, job)
    status: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        time.sleep(poll)
        for jobid, (client, job) in list(pending.items()):
            state = client.status(jobid, "oitcheck")
            if (state.get("currstate") or state.get("currentstate")) == "finished":  # key differs by version
                if last_outcome(job) is None:
                    write_outcome(job, "error", "the Scrapyd job ended without saying how")
                status[job.url] = last_outcome(job)["outcome"]
                del pending[jobid]
    for _, job in pending.values():
        write_outcome(job, "error", "timed out waiting for Scrapyd")
        status[job.url] = "error"
    return status


def build_egg() -> Path:
    """This project as the egg Scrapyd runs (setup.py reads pyproject.toml, data included)."""
    import tempfile

    root = Path(__file__).resolve().parent.parent
    out = Path(tempfile.mkdtemp(prefix="oitcheck-egg-"))
    subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(out)], cwd=root, check=True,
                   capture_output=True)
    return sorted(out.glob("*.egg"))[-1]


def summarize(jobs: list[SiteJob], out: Path) -> list[dict]:
    """The province view: one row per site, every failing item of every site, and the sites x
    items matrix, written as summary.csv, summary.xlsx and index.html
    (:mod:`oitcheck.reports.summary`). Returns the site rows."""
    from .model import report_from_dict
    from .reports.summary import site_gaps, site_matrix, site_row, write_summary

    sites, gaps, matrix = [], [], []
    codes: dict[str, str] = {}
    for job in jobs:
        data = finished(job)
        last = last_outcome(job) or {"outcome": "ok" if data else "not run", "reason": ""}
        report, outcome, reason = None, last["outcome"], last.get("reason", "")
        if data is not None and outcome == "ok":
            try:
                report = report_from_dict(data)
            except ValueError as exc:  # a report.json this version cannot read: listed without scores
                outcome, reason = "error", f"report.json: {str(exc).splitlines()[0]}"
        sites.append(site_row(job.name, job.url, job.year, outcome, reason, f"{job.folder.name}/report.html", report))
        if report is not None:
            gaps.extend(site_gaps(job.name, job.url, report))
            matrix.append(site_matrix(job.name, report))
            for it in report.items:
                codes.setdefault(it.code, it.title)
    order = sorted(codes, key=lambda c: (len(c), c))  # O1, O2, ... O10
    write_summary(sites, gaps, matrix, [(c, codes[c]) for c in order], out)
    return sites
