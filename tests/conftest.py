"""Fixture sites served on 127.0.0.1 and crawls run as the user runs them (a subprocess:
Twisted's reactor starts once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The end-to-end site: every way an item can be published or missed.
E2E_SCENARIOS = {
    "O1": "good", "O2": "cp874", "O3": "no_parts", "O4": "good", "O5": "good", "O6": "deep_pdf",
    "O7": "stale", "O8": "docx", "O9": "decoy", "O10": "good", "O11": "missing", "O12": "good",
    "O13": "index_only", "O14": "broken", "O15": "good", "O16": "good", "O17": "good", "O18": "good",
    "O19": "stale", "O20": "good", "O21": "scanned", "O22": "good", "O23": "decoy", "O24": "good",
    "O25": "missing", "O26": "good",
}


def run_oitcheck(*args, env=None, timeout=600) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "oitcheck", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=e)


def run_oitcheck_measured(*args, env=None, timeout=600) -> tuple[subprocess.CompletedProcess, float]:
    """Run oitcheck like run_oitcheck, sampling the peak RSS of its process (MB) every 0.1 s.

    (getrusage(RUSAGE_CHILDREN) would give the largest child the whole test session ever had.)"""
    import time

    import psutil

    e = dict(os.environ)
    e.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "oitcheck", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=e)
    ps, peak, deadline = psutil.Process(proc.pid), 0, time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), peak / 2**20


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(scope="session")
def e2e(tmp_path_factory, ocr_cache):
    """Build, serve and crawl the end-to-end site once; tests read its reports."""
    root = tmp_path_factory.mktemp("e2e-site")
    out = tmp_path_factory.mktemp("e2e-report")
    checklist = checklists.load(2568)
    site = build_site(root, checklist, E2E_SCENARIOS)
    with LocalSite(root) as url:
        proc = run_oitcheck("crawl", url, "--year", 2568, "--out", out, "--no-history",
                            env={"OITCHECK_CACHE": str(ocr_cache)})
        report = json.loads((out / "report.json").read_text("utf-8")) if (out / "report.json").exists() else None
        yield {"site": site, "url": url, "out": out, "proc": proc, "report": report}


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium driven by Debian's chromium-driver (Selenium), viewport 1280 x 800."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.fail("headless Chromium or chromium-driver is missing: run scripts/setup.sh --test")
    opts = Options()
    opts.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,800"]:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield driver
    finally:
        driver.quit()
