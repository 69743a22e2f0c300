"""Many sites: a real Scrapyd on 127.0.0.1, nightly re-runs from the HTTP cache, and an
interrupted batch that finishes without redoing finished sites."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from tests.conftest import run_oitcheck

SCENARIOS = [{"O5": "missing"}, {"O7": "stale", "O2": "cp874"}, {"O12": "few_months", "O9": "decoy"}]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def three_sites(tmp_path):
    c = checklists.load(2568)
    servers, rows, sites = [], ["name,url,year"], []
    for n, scen in enumerate(SCENARIOS):
        site = build_site(tmp_path / f"site{n}", c, scen, org=f"อบต.ทดสอบ{n}", filler_pages=2)
        server = LocalSite(site.root)
        url = server.start()
        servers.append(server)
        sites.append((url, site))
        rows.append(f"อบต.ทดสอบ{n},{url},2568")
    csv_path = tmp_path / "sites.csv"
    csv_path.write_text("\n".join(rows) + "\n", "utf-8")
    yield csv_path, sites
    for s in servers:
        s.stop()


@pytest.fixture
def scrapyd(tmp_path):
    """A real Scrapyd (the PyPI package, installed by the test set-up) on 127.0.0.1."""
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\n"
        "max_proc = 3\npoll_interval = 0.5\n", "utf-8")
    exe = Path(sys.executable).with_name("scrapyd")
    proc = subprocess.Popen([str(exe)], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            with urllib.request.urlopen(url + "daemonstatus.json", timeout=1) as r:
                if json.load(r)["status"] == "ok":
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("Scrapyd did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def reports(out: Path):
    return {json.loads(p.read_text("utf-8"))["site"]: json.loads(p.read_text("utf-8")) for p in out.glob("*/report.json")}


def test_batch_on_scrapyd(three_sites, scrapyd, tmp_path):
    csv_path, sites = three_sites
    out = tmp_path / "batch"
    p = run_oitcheck("batch", csv_path, "--scrapyd", scrapyd, "--out", out, "--no-ocr", timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    got = reports(out)
    assert len(got) == 3
    for url, site in sites:
        r = got[url]
        assert r["partial"] is False
        assert {i["code"]: i["status"] == "pass" for i in r["items"]} == site.expected
    with urllib.request.urlopen(scrapyd + "listjobs.json?project=oitcheck") as resp:
        assert len(json.load(resp)["finished"]) == 3  # the jobs really ran on Scrapyd
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig", header=1)  # row 1 Thai, row 2 keys
    assert len(summary) == 3 and set(summary["outcome_code"]) == {"ok"} and set(summary["outcome"]) == {"ตรวจเสร็จ"}
    assert "รายงาน" in (out / "index.html").read_text("utf-8")


def test_interrupted_batch_finishes_the_rest(three_sites, tmp_path):
    csv_path, sites = three_sites
    out = tmp_path / "batch"
    p = run_oitcheck("batch", csv_path, "--out", out, "--no-ocr", "--parallel", 3, timeout=600)
    assert p.returncode == 0, p.stderr
    done = sorted(out.glob("*/report.json"))
    assert len(done) == 3
    # Simulate a night cut short: one site's crawl never finished.
    unfinished = done[1]
    report = json.loads(unfinished.read_text("utf-8"))
    report["partial"], report["crawl"]["finished"] = True, None
    unfinished.write_text(json.dumps(report), "utf-8")
    mtimes = {p: p.stat().st_mtime_ns for p in done}
    p = run_oitcheck("batch", csv_path, "--out", out, "--no-ocr", timeout=600)
    assert p.returncode == 0, p.stderr
    assert "2 already done, 1 to crawl" in p.stderr
    assert done[0].stat().st_mtime_ns == mtimes[done[0]] and done[2].stat().st_mtime_ns == mtimes[done[2]]
    assert json.loads(unfinished.read_text("utf-8"))["partial"] is False
    # The province view: sites, every gap of every site, the sites x items matrix.
    got = reports(out)
    xl = pd.read_excel(out / "summary.xlsx", sheet_name=None, header=1)
    assert list(xl) == ["sites", "gaps", "items"]
    sites = xl["sites"]
    assert len(sites) == 3 and set(sites["year"]) == {2568} and sites["level"].notna().all()
    for _, row in sites.iterrows():
        r = got[row["url"]]
        assert row["indicator_9"] == r["scores"]["indicator_9"] and row["level"] == r["scores"]["bands"]["oit"]
        assert row["passed"] == sum(i["status"] == "pass" for i in r["items"])
    failing = {(r["site"], i["code"]) for r in got.values() for i in r["items"] if i["status"] != "pass"}
    assert set(zip(xl["gaps"]["url"], xl["gaps"]["code"])) == failing and len(xl["gaps"]) == len(failing)
    matrix = xl["items"].set_index("name")
    for _, row in sites.iterrows():
        for i in got[row["url"]]["items"]:
            assert matrix.loc[row["name"], i["code"]] == ("ผ่าน" if i["status"] == "pass" else "ไม่ผ่าน")
    index = (out / "index.html").read_text("utf-8")
    assert "ปี ITA" in index and ">2568<" in index and "script-src 'sha256-" in index
    for lvl in sites["level"]:
        assert f"<td>{lvl}</td>" in index


def test_nightly_rerun_uses_the_cache(tmp_path):
    c = checklists.load(2568)
    site = build_site(tmp_path / "site", c, {"O5": "missing"}, filler_pages=2)
    cache = tmp_path / "cache"
    with LocalSite(site.root) as url:
        runs = []
        for n in (1, 2):
            out = tmp_path / f"night{n}"
            p = run_oitcheck("crawl", url, "--year", 2568, "--out", out, "--cache", cache, "--no-history", "--no-ocr")
            assert p.returncode == 0, p.stderr
            runs.append(json.loads((out / "report.json").read_text("utf-8")))
    first, second = (r["crawl"] for r in runs)
    print(f"nightly: full downloads {first['full_downloads']} then {second['full_downloads']}; second night "
          f"revalidated {second['revalidated']}, cache hits {second['cache_hits']}")
    assert first["full_downloads"] > 40
    assert second["full_downloads"] < first["full_downloads"] / 4, second["stats"]
    assert second["revalidated"] + second["cache_hits"] > 40  # unchanged: a 304 or a fresh cache entry
    assert [i["status"] for i in runs[0]["items"]] == [i["status"] for i in runs[1]["items"]]


def test_job_dir_resumes_and_is_cleared_when_done(tmp_path):
    c = checklists.load(2568)
    site = build_site(tmp_path / "site", c, {}, filler_pages=2)
    job = tmp_path / "job"
    with LocalSite(site.root) as url:
        for n in (1, 2):  # the second night must crawl the whole site again
            out = tmp_path / f"r{n}"
            p = run_oitcheck("crawl", url, "--year", 2568, "--out", out, "--job-dir", job, "--no-history", "--no-ocr")
            assert p.returncode == 0, p.stderr
            report = json.loads((out / "report.json").read_text("utf-8"))
            assert report["crawl"]["pages"] >= 15  # not zero: nothing left "already seen"
            assert not (job / "requests.seen").exists()
