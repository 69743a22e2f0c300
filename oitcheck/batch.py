"""Many sites: one bounded crawl job per site, run locally in parallel or on Scrapyd nodes,
then a summary of all sites (CSV, XLSX, HTML index).

A batch is resumable: a site whose report is complete is not crawled again; an interrupted
site resumes from its own Scrapy job folder (JOBDIR).
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from oitcheck.reports.safe import atomic_write, cell


@dataclass
class SiteJob:
    name: str
    url: str
    year: int | None
    folder: Path


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


def read_sites(path: Path, out: Path) -> list[SiteJob]:
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise BatchError(f"cannot read {path}: {exc.strerror}") from exc
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or not {"name", "url"} <= set(rows[0]):
        raise BatchError(f"{path}: needs the columns name,url[,year]")
    jobs, seen = [], set()
    for n, row in enumerate(rows, start=2):
        url = (row.get("url") or "").strip()
        if not url:
            raise BatchError(f"{path}, line {n}: empty url")
        if "://" not in url:
            url = "http://" + url
        year = (row.get("year") or "").strip()
        if year and not year.isdigit():
            raise BatchError(f"{path}, line {n}: year must be a number like 2568, not {year!r}")
        name = (row.get("name") or url).strip()
        s = slug(name, url)
        if s in seen:
            continue
        seen.add(s)
        jobs.append(SiteJob(name, url, int(year) if year else None, out / s))
    return jobs


def finished(job: SiteJob) -> dict | None:
    try:
        report = json.loads((job.folder / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return report if not report.get("partial") and report["crawl"].get("finished") else None


def _crawl_args(job: SiteJob, extra: list[str]) -> list[str]:
    args = ["crawl", job.url, "--out", str(job.folder), "--job-dir", str(job.folder / ".job"), "--quiet"]
    if job.year:
        args += ["--year", str(job.year)]
    return args + extra


def run_local(jobs: list[SiteJob], parallel: int, extra: list[str]) -> dict[str, str]:
    """Each site in its own process (a crash stays with its site), ``parallel`` at a time."""

    def one(job: SiteJob) -> tuple[str, str]:
        job.folder.mkdir(parents=True, exist_ok=True)
        p = subprocess.run([sys.executable, "-m", "oitcheck", *_crawl_args(job, extra)],
                           capture_output=True, text=True)
        (job.folder / "crawl.log").write_text(p.stdout + p.stderr, "utf-8")
        last = (p.stderr.strip().splitlines() or [""])[-1]
        return job.url, "ok" if p.returncode in (0, 1) else last.removeprefix("oitcheck: ")[:200]

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
        settings = {"OITCHECK_OUT": str(job.folder.resolve()), "JOBDIR": str((job.folder / ".job").resolve()),
                    "OITCHECK_PROGRESS": "False", **extra_settings}
        args = [("url", job.url)] + ([("year", str(job.year))] if job.year else [])
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
                status[job.url] = "ok" if finished(job) else "crawl ended without a complete report"
                del pending[jobid]
    for _, job in pending.values():
        status[job.url] = "timed out waiting for Scrapyd"
    return status


def build_egg() -> Path:
    """This project as the egg Scrapyd runs (setup.py reads pyproject.toml, data included)."""
    import tempfile

    root = Path(__file__).resolve().parent.parent
    out = Path(tempfile.mkdtemp(prefix="oitcheck-egg-"))
    subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(out)], cwd=root, check=True,
                   capture_output=True)
    return sorted(out.glob("*.egg"))[-1]


def summarize(jobs: list[SiteJob], status: dict[str, str], out: Path) -> list[dict]:
    rows = []
    for job in jobs:
        report = finished(job)
        row = {"name": job.name, "url": job.url, "year": job.year or "", "status": status.get(job.url, "ok" if report else "not run"),
               "indicator_9": None, "indicator_10": None, "passed": None, "items": None, "errors": None,
               "report": f"{job.folder.name}/report.html"}
        if report:
            row.update(status="ok", year=report["checklist"]["year"], indicator_9=report["scores"]["indicator_9"],
                       indicator_10=report["scores"]["indicator_10"],
                       passed=sum(i["status"] == "pass" for i in report["items"]), items=len(report["items"]),
                       errors=len(report["crawl"]["errors"]))
        rows.append(row)
    write_summary(rows, out)
    return rows


def _fmt(value, spec: str = ".2f") -> str:
    return "" if value is None else format(value, spec)


def _row_html(r: dict) -> str:
    cells = [r["name"], r["url"], r["status"], _fmt(r["indicator_9"]), _fmt(r["indicator_10"]),
             "" if r["passed"] is None else f"{r['passed']}/{r['items']}"]
    tds = "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
    link = f'<a href="{html.escape(r["report"])}">รายงาน</a>' if r["status"] == "ok" else ""
    return f"<tr>{tds}<td>{link}</td></tr>"


def write_summary(rows: list[dict], out: Path) -> None:
    import io

    import pandas as pd

    cols = list(rows[0]) if rows else ["name", "url", "status"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: cell(v) for k, v in r.items()})
    atomic_write(out / "summary.csv", buf.getvalue().encode("utf-8-sig"))
    pd.DataFrame([{k: cell(v) for k, v in r.items()} for r in rows], columns=cols).to_excel(out / "summary.xlsx", index=False)
    body = "".join(_row_html(r) for r in rows)
    page = ("<!doctype html><html lang=th><head><meta charset=utf-8><title>OIT batch summary</title>"
            "<style>body{font-family:Sarabun,'TH Sarabun New','Noto Sans Thai',Laksaman,Garuda,sans-serif;margin:2rem}"
            "td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}</style></head><body>"
            "<h1>สรุปผลตรวจ OIT หลายหน่วยงาน / OIT batch summary</h1><table><tr><th>หน่วยงาน</th><th>URL</th>"
            "<th>สถานะ</th><th>ตัวชี้วัด 9</th><th>ตัวชี้วัด 10</th><th>ผ่าน</th><th></th></tr>" + body + "</table></body></html>")
    atomic_write(out / "index.html", page.encode("utf-8"))
