"""Survive the web as it is: traps and faults planted beside genuine evidence."""

import json
import re
import signal
import subprocess
import sys
import time

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from tests.conftest import ROOT, run_oitcheck, run_oitcheck_measured
from tests.hostile import PLANTED, HostileHandler

SCENARIOS = {"O2": "cp874", "O5": "good", "O7": "good", "O9": "missing", "O12": "good"}


def hostile_site(tmp_path):
    root = tmp_path / "site"
    site = build_site(root, checklists.load(2568), SCENARIOS)
    index = (root / "index.html").read_text("utf-8")
    (root / "index.html").write_text(index.replace("</ul>", "<li><a href='/hostile.html'>ลิงก์อื่น ๆ</a></li></ul>", 1), "utf-8")
    return site, root


def test_hostile_site_is_crawled_to_the_end_with_every_fault_reported(tmp_path):
    site, root = hostile_site(tmp_path)
    out = tmp_path / "report"
    with LocalSite(root, handler=HostileHandler) as url:
        p, peak_mb = run_oitcheck_measured("crawl", url, "--year", 2568, "--out", out, "--no-history", "--no-ocr",
                                           "--timeout", 3, "--max-minutes", 5, timeout=400)
    assert p.returncode == 0, p.stderr[-2000:]
    report = json.loads((out / "report.json").read_text("utf-8"))
    reasons = {re.sub(r"^https?://127\.0\.0\.1:\d+", "", e["url"]).split("?")[0]: e["reason"]
               for e in report["crawl"]["errors"]}
    for path, reason in PLANTED.items():
        assert path in reasons, (path, sorted(reasons))
        assert reasons[path].startswith(reason), (path, reasons[path])
    got = {i["code"]: i["status"] == "pass" for i in report["items"]}
    assert got == site.expected  # the genuine evidence is still found
    print(f"peak RSS of the crawl: {peak_mb:.0f} MB")
    assert peak_mb < 500
    # Nothing written outside the output folder.
    assert sorted(x.name for x in out.iterdir()) == ["gaps.csv", "itas.csv", "itas.xlsx", "report.html", "report.json",
                                                        "report.xlsx"]


def test_killing_a_crawl_leaves_a_readable_partial_report(tmp_path):
    site, root = hostile_site(tmp_path)
    out = tmp_path / "report"
    HostileHandler.slow_seconds = 30
    try:
        with LocalSite(root, handler=HostileHandler) as url:
            proc = subprocess.Popen([sys.executable, "-m", "oitcheck", "crawl", url, "--year", "2568", "--out", str(out),
                                     "--no-history", "--no-ocr", "--timeout", "60"], cwd=ROOT,
                                    env={**__import__("os").environ, "OITCHECK_SNAPSHOT_SECONDS": "0.5"},
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 120
            while time.time() < deadline and not (out / "report.json").exists():
                time.sleep(0.2)
            time.sleep(1.5)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    finally:
        HostileHandler.slow_seconds = 6
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["partial"] is True and report["crawl"]["finished"] is None
    assert report["crawl"]["pages"] > 0
    assert [i["code"] for i in report["items"]] == [f"O{n}" for n in range(1, 27)]
