"""Every entry point writes the same report.json through the one finishing step, and the
project installs under the one import name `oitcheck`."""

import json
import os
import subprocess
import sys
import venv

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from tests.conftest import ROOT, run_oitcheck

SCENARIOS = {"O3": "missing", "O6": "stale", "O9": "decoy", "O12": "few_months"}


def keys(d, prefix=""):
    out = set()
    if isinstance(d, dict):
        for k, v in d.items():
            if k in ("stats", "changes"):
                out.add(prefix + k)
                continue
            out |= {prefix + k} | keys(v, prefix + k + ".")
    elif isinstance(d, list) and d and isinstance(d[0], dict):
        out |= keys(d[0], prefix + "[].")
    return out


def test_oitcheck_crawl_and_scrapy_crawl_write_the_same_report(tmp_path):
    site = build_site(tmp_path / "site", checklists.load(2568), SCENARIOS, filler_pages=2)
    db = tmp_path / "history.sqlite"
    env = {**os.environ, "OITCHECK_HISTORY": str(db)}
    with LocalSite(site.root) as url:
        reports = {}
        for name in ("cli", "scrapy"):
            for night in (1, 2):  # the second night has history to compare with
                out = tmp_path / f"{name}{night}"
                if name == "cli":
                    p = run_oitcheck("crawl", url, "--year", 2568, "--out", out, "--no-ocr", env={"OITCHECK_HISTORY": str(db)})
                else:
                    p = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"url={url}", "-a", "year=2568",
                                        "-s", f"OITCHECK_OUT={out}", "-s", "OITCHECK_OCR=False"],
                                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
                assert p.returncode == 0, p.stderr[-2000:]
                reports[name, night] = json.loads((out / "report.json").read_text("utf-8"))
    cli, scrapy = reports["cli", 2], reports["scrapy", 2]
    assert keys(cli) == keys(scrapy)
    assert [(i["code"], i["status"]) for i in cli["items"]] == [(i["code"], i["status"]) for i in scrapy["items"]]
    assert {i["code"]: i["status"] == "pass" for i in cli["items"]} == site.expected
    for r in (cli, scrapy):  # both recorded in history, both compared with the night before
        assert r["changes"]["gained"] == [] and r["changes"]["lost"] == []
    assert "changes" not in reports["cli", 1]


def test_installed_under_the_oitcheck_name_only(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheel_dir),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    *map(str, wheel_dir.glob("*.whl"))], check=True, capture_output=True, timeout=300)
    # Third-party libraries from the test environment; the project only from the wheel.
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    env = {"PYTHONPATH": f"{target}{os.pathsep}{deps}", "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    top = sorted(p.name for p in target.iterdir() if not p.name.endswith((".dist-info", ".pth")) and p.name != "bin")
    assert top == ["oitcheck"], top

    def run(code):
        return subprocess.run([str(py), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert "No module named 'crawler'" in run("import crawler").stderr
    assert "No module named 'reports'" in run("import reports").stderr
    ok = run("import oitcheck.crawler.settings, oitcheck.reports.html_report; from oitcheck import checklist;"
             "print(len(checklist.load(2568).items))")
    assert ok.returncode == 0 and ok.stdout.strip() == "26", ok.stderr
    # From the checkout (scrapy.cfg puts it first on sys.path) the source folder `oitcheck/`
    # shadows the installed package; its subpackages beside it are still found.
    listed = subprocess.run([str(py), "-m", "scrapy", "list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and listed.stdout.split() == ["site"], listed.stderr[-2000:]
