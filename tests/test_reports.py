"""report.html in a real headless Chromium; history across two runs of a changing site."""

import json
import shutil
import subprocess

import pytest

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from tests.conftest import ARTIFACTS, CHROMIUM_FLAGS, run_oitcheck


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is missing: run scripts/setup.sh --test")


def test_html_report_renders_thai_and_escapes_hostile_titles(e2e, tmp_path):
    html_file = e2e["out"] / "report.html"
    hostile = e2e["site"].hostile_title
    assert hostile in json.dumps(e2e["report"], ensure_ascii=False)  # the crawled title reached the report
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium(), *flags, "--dump-dom", html_file.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล" in dom and "<svg" in dom
    assert "alert('xss')" in dom  # shown, as text ...
    assert "<script>alert" not in dom  # ... never as an element
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in dom
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    subprocess.run([chromium(), *flags, "--window-size=1200,2400", f"--screenshot={shot}", html_file.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_changes_since_last_run(tmp_path):
    c = checklists.load(2568)
    root, db = tmp_path / "site", tmp_path / "history.sqlite"
    first = {"O3": "missing", "O5": "good"}
    build_site(root, c, first)
    with LocalSite(root) as url:
        p1 = run_oitcheck("crawl", url, "--out", tmp_path / "r1", "--history", db, "--no-ocr", "--year", 2568)
        assert p1.returncode == 0, p1.stderr
        shutil.rmtree(root)
        build_site(root, c, {"O3": "good", "O5": "missing"})
        p2 = run_oitcheck("crawl", url, "--out", tmp_path / "r2", "--history", db, "--no-ocr", "--year", 2568)
        assert p2.returncode == 0, p2.stderr
    r1 = json.loads((tmp_path / "r1" / "report.json").read_text("utf-8"))
    r2 = json.loads((tmp_path / "r2" / "report.json").read_text("utf-8"))
    assert "changes" not in r1
    ch = r2["changes"]
    assert [g["code"] for g in ch["gained"]] == ["O3"]
    assert [g["code"] for g in ch["lost"]] == ["O5"]
    o5_url = next(i for i in r1["items"] if i["code"] == "O5")["evidence"][0]["url"]
    assert {"code": "O5", "url": o5_url} in ch["evidence_gone"]
    assert "หายไป / lost: O5" in (tmp_path / "r2" / "report.html").read_text("utf-8")
    trend = run_oitcheck("history", url, "--db", db)
    assert trend.returncode == 0 and len(trend.stdout.strip().splitlines()) == 3


def test_fail_under_sets_the_exit_code(e2e, tmp_path):
    p = run_oitcheck("crawl", e2e["url"], "--year", 2568, "--out", tmp_path, "--no-history", "--no-ocr",
                     "--fail-under", "9=99,10=1")
    assert p.returncode == 1 and "below --fail-under" in p.stderr
