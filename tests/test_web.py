"""`oitcheck web`: the real server in a subprocess on 127.0.0.1, driven by headless Chromium
(Debian's chromium-driver through selenium) and by plain HTTP where no page is involved.

Fixture sites are generated and served on 127.0.0.1, a little slowly, so a check lasts long
enough to be watched."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import openpyxl
import pytest
import requests

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from oitcheck.history import History, site_key
from tests.conftest import ARTIFACTS, ROOT
from tests.test_batch import scrapyd  # noqa: F401  (a real Scrapyd on 127.0.0.1)

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
SERVER_ENV = {"OITCHECK_SNAPSHOT_SECONDS": "0.5", "OITCHECK_SCHEDULER_SECONDS": "0.5"}
CHECK_SECONDS = 120  # the longest a fixture check may take here (they take a few seconds)
HOSTILE_ORG = "องค์การบริหารส่วนตำบล<img/src=x/onerror=document.title='pwned'><b>ตัวหนา</b>"


class SlowHandler(SimpleHTTPRequestHandler):
    """A small agency server: every answer takes a moment (so progress can be seen)."""

    delay = 0.08

    def log_message(self, *args):
        pass

    def do_GET(self):
        time.sleep(self.delay)
        super().do_GET()


def fixture_site(root: Path, scenarios: dict | None = None, **kw) -> Path:
    build_site(root, checklists.load(2568), scenarios or {"O11": "missing", "O25": "missing"}, filler_pages=2, **kw)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebServer:
    """`oitcheck web` as a user starts it, on a free port; the first lines it prints say where."""

    def __init__(self, data: Path, *args: str):
        self.data = Path(data)
        self.args = args

    def __enter__(self) -> "WebServer":
        self.data.mkdir(parents=True, exist_ok=True)
        self.log = open(self.data.parent / f"{self.data.name}-server.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "oitcheck", "web", "--port", "0", "--data", str(self.data),
                                      *self.args], stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT,
                                     env={**os.environ, **SERVER_ENV})
        self.lines = []
        while True:
            line = self.proc.stdout.readline()
            assert line, f"the server did not start: {self.lines} {self.proc.poll()}"
            self.lines.append(line)
            if "Ctrl-C" in line:
                break
        self.base = re.search(r"http://\S+?/", self.lines[0]).group(0)
        token = next((ln for ln in self.lines if "token (shown once)" in ln), None)
        self.token = token.rsplit(" ", 1)[1].strip() if token else None
        return self

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        self.log.close()
        return code

    def __exit__(self, *exc):
        self.stop()


def session_for(server: WebServer) -> tuple[requests.Session, str]:
    """A logged-in HTTP session and its form token (CSRF)."""
    s = requests.Session()
    if server.token:
        assert s.get(server.base + "login", params={"token": server.token}).status_code == 200
    page = s.get(server.base).text
    return s, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def start_check(s: requests.Session, server: WebServer, csrf: str, url: str, **form) -> requests.Response:
    return s.post(server.base + "checks", data={"csrf": csrf, "url": url, "agency": "lao", "year": "2568",
                                                "no_ocr": "1", **form})


def progress(s: requests.Session, server: WebServer, job: int) -> dict:
    return s.get(f"{server.base}jobs/{job}/progress").json()


def wait_done(s: requests.Session, server: WebServer, job: int, timeout: float = CHECK_SECONDS) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = progress(s, server, job)
        if p["state"] == "done":
            return p
        time.sleep(0.3)
    raise AssertionError(f"job {job} did not finish: {p}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not Path(CHROMEDRIVER).exists():
        pytest.fail("chromium-driver is missing: run scripts/setup.sh --test")
    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('profile')}", "--window-size=1100,900"]:
        opts.add_argument(flag)
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium look for a driver on the network
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    with WebServer(tmp_path_factory.mktemp("web") / "data", "--parallel", "2") as server:
        yield server


def shot(driver, name: str) -> Path:
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def check_in_browser(driver, server: WebServer, url: str, watch: list | None = None) -> int:
    """Type the URL, start, watch the progress until the check ends; the job's id."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(server.base)
    driver.find_element(By.ID, "url").send_keys(url)
    Select(driver.find_element(By.ID, "year")).select_by_value("2568")
    driver.find_element(By.NAME, "no_ocr").click()
    driver.find_element(By.ID, "start").click()
    deadline = time.monotonic() + CHECK_SECONDS
    while "/jobs/" not in driver.current_url:
        refused = driver.find_elements(By.CSS_SELECTOR, ".msg.error")
        assert not refused and time.monotonic() < deadline, refused[0].text if refused else "no job page"
        time.sleep(0.1)
    job = int(driver.current_url.rstrip("/").rsplit("/", 1)[1])
    while not driver.find_elements(By.ID, "outcome"):
        assert time.monotonic() < deadline, "the check did not finish"
        if watch is not None:
            try:
                state = driver.find_element(By.ID, "state").text
                numbers = [int(driver.find_element(By.ID, k).text or 0) for k in ("pages", "documents", "items-found")]
                watch.append((state, *numbers))
                if len(watch) == 1 or (numbers[0] and len([w for w in watch if w[1]]) == 1):
                    shot(driver, "web-progress.png")
            except Exception:  # the page reloads when the check ends
                pass
        time.sleep(0.2)
    return job


def test_clerk_checks_a_site_in_the_browser(browser, local_server, tmp_path):
    from selenium.webdriver.common.by import By

    root = fixture_site(tmp_path / "site")
    with LocalSite(root, handler=SlowHandler) as url:
        shot_start = None
        watch: list = []
        browser.get(local_server.base)
        shot_start = shot(browser, "web-start.png")
        job = check_in_browser(browser, local_server, url, watch)
    # Progress was seen live (the page never reloaded until the end): pages, documents, items.
    running = [w for w in watch if w[0].startswith("กำลังตรวจ")]
    assert running, watch
    assert any(pages > 0 and docs > 0 and found > 0 for _, pages, docs, found in running), running
    pages_seen = [w[1] for w in running]
    assert pages_seen == sorted(pages_seen)  # only ever grows
    assert "ตรวจเสร็จ / done" in browser.find_element(By.ID, "outcome").text
    report = json.loads(requests.get(f"{local_server.base}jobs/{job}/files/report.json").content)
    assert browser.find_element(By.ID, "indicator-9").text == f"{report['scores']['indicator_9']:.2f}"
    found = sum(1 for i in report["items"] if i["found"])
    assert [browser.find_element(By.ID, k).text for k in ("pages", "documents", "items-found", "items")] == [
        str(report["crawl"]["pages"]), str(report["crawl"]["documents"]), str(found), str(len(report["items"]))]
    assert max(pages_seen) <= report["crawl"]["pages"]
    shot(browser, "web-done.png")
    # The XLSX, downloaded by the browser, read back.
    browser.find_element(By.ID, "file-report-xlsx").click()
    deadline = time.monotonic() + 30
    while not list(browser.downloads.glob("*report.xlsx")):
        assert time.monotonic() < deadline, "the XLSX was not downloaded"
        time.sleep(0.2)
    time.sleep(0.3)
    [xlsx] = browser.downloads.glob("*report.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[:1] == ["แก้ก่อน"] and "รายการตรวจ" in wb.sheetnames  # fix first, then the items
    rows = {r[0]: r for r in wb["รายการตรวจ"].iter_rows(min_row=3, values_only=True)}  # Thai header, English key
    assert set(rows) == {i["code"] for i in report["items"]}
    assert rows["O11"][3] == "ไม่ผ่าน" and rows["O1"][3] == "ผ่าน"
    assert {r[0] for r in wb["ข้อที่ขาด"].iter_rows(min_row=3, values_only=True)} >= {"O11", "O25"}
    # The same report.html the command line writes, under its own strict policy.
    browser.find_element(By.ID, "open-report").click()
    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล" in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "svg")
    r = requests.get(f"{local_server.base}jobs/{job}/report.html")
    assert "default-src 'none'" in r.headers["Content-Security-Policy"] and "script-src" not in r.headers[
        "Content-Security-Policy"]
    shot(browser, "web-report.png")
    # The site's page: its history chart (an image from this server, allowed by the policy).
    browser.get(f"{local_server.base}site?key={site_key(url)}")
    trend = browser.find_element(By.ID, "trend")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", trend)
    shot(browser, "web-site.png")
    # A phone: nothing wider than the screen on the start page, the job page and the sites list.
    browser.set_window_size(390, 844)
    try:
        for path in ("", f"jobs/{job}", "sites"):
            browser.get(local_server.base + path)
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        shot(browser, "web-phone.png")
    finally:
        browser.set_window_size(1100, 900)
    assert shot_start.stat().st_size > 5000


def test_hostile_page_title_is_shown_as_text(browser, local_server, tmp_path):
    from selenium.webdriver.common.by import By

    root = fixture_site(tmp_path / "site", org=HOSTILE_ORG)
    with LocalSite(root) as url:
        job = check_in_browser(browser, local_server, url)
    name = browser.find_element(By.ID, "agency-name")
    assert name.text == HOSTILE_ORG  # the crawled title, as text
    assert not name.find_elements(By.CSS_SELECTOR, "img, b")
    browser.get(local_server.base + "sites")
    cell = browser.find_element(By.XPATH, f"//td[contains(., 'onerror=document.title')]")
    assert cell.text == HOSTILE_ORG and not cell.find_elements(By.CSS_SELECTOR, "img, b")
    browser.get(f"{local_server.base}jobs/{job}/report.html")
    assert "alert('xss')" in browser.find_element(By.TAG_NAME, "body").text  # the news title, as text
    assert not browser.find_elements(By.CSS_SELECTOR, "script, img[src=x]")
    assert browser.title != "pwned"
    browser.get(local_server.base + "sites")
    shot(browser, "web-hostile.png")


def test_shared_server_needs_the_token_and_refuses_private_addresses(tmp_path):
    root = fixture_site(tmp_path / "site")
    with LocalSite(root) as site_url, WebServer(tmp_path / "data", "--host", "0.0.0.0") as server:
        assert server.token and len(server.token) >= 24
        for path in ("", "sites", "jobs/1/progress", "static/web.css", "site/trend.svg?key=x"):
            r = requests.get(server.base + path)
            assert r.status_code == 401, path
        assert "/login?token=" in requests.get(server.base).text
        assert requests.get(server.base + "login", params={"token": "wrong" * 6}).status_code == 401
        assert requests.get(server.base, headers={"Authorization": f"Bearer {server.token}"}).status_code == 200
        s, csrf = session_for(server)  # the cookie /login?token= sets
        # Forms without their token, and oversized requests, are refused.
        assert s.post(server.base + "checks", data={"url": site_url}).status_code == 400
        assert s.post(server.base + "checks", data={"csrf": csrf, "url": "x" * (3 << 20)}).status_code == 413
        # Loopback and private addresses: refused, nothing queued.
        for url in (site_url, site_url.replace("127.0.0.1", "localhost"), "http://10.0.0.1/", "http://169.254.169.254/",
                    "http://[::1]/"):
            page = start_check(s, server, csrf, url).text
            assert "private, loopback or link-local" in page, url
        for url in ("ftp://example.go.th/", "javascript:alert(1)", "file:///etc/passwd"):
            assert "only http(s)" in start_check(s, server, csrf, url).text, url
        api = requests.post(server.base + "api/checks", data={"url": site_url},
                            headers={"Authorization": f"Bearer {server.token}"})
        assert api.status_code == 400 and "private" in api.json()["error"]
        assert s.get(server.base + "jobs/1").status_code == 404
    with LocalSite(root) as site_url, WebServer(tmp_path / "data2", "--host", "0.0.0.0", "--allow-private") as server:
        s, csrf = session_for(server)
        r = s.post(server.base + "api/checks", data={"url": site_url, "year": "2568", "no_ocr": "1"},
                   headers={"Authorization": f"Bearer {server.token}"})  # as cron would (README)
        assert r.status_code == 202 and r.json()["url"].endswith("/jobs/1"), r.text
        assert requests.post(server.base + "api/checks", data={"url": site_url}).status_code == 401
        p = wait_done(s, server, 1)
        assert p["outcome"] == "ok" and p["pages"] > 5


def test_two_checks_with_a_limit_of_one_run_in_turn_and_a_restart_keeps_results_and_history(tmp_path):
    roots = [fixture_site(tmp_path / "a"), fixture_site(tmp_path / "b", org="เทศบาลตำบลทดสอบ")]
    data = tmp_path / "data"
    with LocalSite(roots[0]) as url_a, LocalSite(roots[1]) as url_b:
        with WebServer(data, "--parallel", "1") as server:
            # Bound to loopback: only loopback host names are answered.
            assert requests.get(server.base, headers={"Host": "attacker.example"}).status_code == 400
            s, csrf = session_for(server)
            assert start_check(s, server, csrf, url_a).url.endswith("/jobs/1")
            assert start_check(s, server, csrf, url_b).url.endswith("/jobs/2")
            states = set()
            while True:
                # Two requests are not one instant: job 1 can finish and job 2 start between them.
                # Job 1 read again after job 2 tells a real overlap from that race.
                p1, p2, p1_after = progress(s, server, 1), progress(s, server, 2), progress(s, server, 1)
                if p1["state"] == p1_after["state"]:
                    states.add((p1["state"], p2["state"]))
                if p2["state"] == "done":
                    break
                time.sleep(0.2)
            assert ("running", "running") not in states
            assert ("running", "queued") in states and ("done", "running") in states, states
            assert p2["started"] >= p1["finished"]
            assert p1["outcome"] == p2["outcome"] == "ok"
            before = {path: s.get(server.base + path).content for path in ("jobs/1/report.html", "jobs/2/files/report.xlsx")}
            sites_before = s.get(server.base + "sites?sort=indicator_9&desc=1").text
        # The server has stopped; a new one on the same data keeps the results and history.
        with WebServer(data, "--parallel", "1") as server:
            s, csrf = session_for(server)
            for path, body in before.items():
                assert s.get(server.base + path).content == body, path
            sites = s.get(server.base + "sites?sort=indicator_9&desc=1").text
            assert site_key(url_a) in sites and site_key(url_b) in sites and "เทศบาลตำบลทดสอบ" in sites
            assert re.findall(r"\d+\.\d\d", sites) == re.findall(r"\d+\.\d\d", sites_before)
            page = s.get(server.base + "site", params={"key": site_key(url_a)}).text
            assert "trend.svg" in page and "/jobs/1" in page
            svg = s.get(server.base + "site/trend.svg", params={"key": site_key(url_a)})
            assert svg.headers["Content-Type"].startswith("image/svg+xml") and "<svg" in svg.text
            assert [r["outcome"] for r in History(data / "history.sqlite").trend(url_a)] == ["ok"]


def test_batch_upload_in_windows_874_a_down_site_is_unreachable_and_nightly_runs_it(tmp_path):
    root = fixture_site(tmp_path / "site")
    down = f"http://127.0.0.1:{free_port()}/"
    with LocalSite(root) as url, WebServer(tmp_path / "data", "--parallel", "2") as server:
        s, csrf = session_for(server)
        csv = f"name,url,year\r\nอบต.ทดสอบ,{url},2568\r\nอบต.ปิดปรับปรุง,{down},2568\r\nไม่ใช่เว็บ,ftp://x.go.th/,\r\n"
        r = s.post(server.base + "batches", data={"csrf": csrf, "no_ocr": "1"},
                   files={"sites": ("จังหวัด.csv", csv.encode("cp874"), "text/csv")})
        assert r.url.endswith("/batches/1"), r.text
        assert "windows-874" in r.text and "ไม่ใช่เว็บ" in r.text  # the row that cannot be checked is named
        p = [wait_done(s, server, n) for n in (1, 2)]
        assert p[0]["outcome"] == "ok" and p[1]["outcome"] == "unreachable"
        assert p[1]["exit_code"] == 3 and "connection refused" in p[1]["reason"]
        job2 = s.get(server.base + "jobs/2").text
        assert "ไม่ใช่คะแนนศูนย์" in job2 and "0.00" not in job2
        sites = s.get(server.base + "sites?sort=outcome").text
        row = re.search(r"<tr>((?:(?!</tr>).)*อบต\.ปิดปรับปรุง(?:(?!</tr>).)*)</tr>", sites, re.S).group(1)
        assert "เข้าเว็บไซต์ไม่ได้ / unreachable" in row and "0.00" not in row
        # Sortable: by outcome either way; by score, a site without one comes last either way.
        def order(query: str) -> list[str]:
            page = s.get(server.base + "sites?" + query).text
            return sorted(("อบต.ทดสอบ", "อบต.ปิดปรับปรุง"), key=lambda name: page.index(f">{name}<"))
        assert order("sort=outcome") == ["อบต.ทดสอบ", "อบต.ปิดปรับปรุง"]
        assert order("sort=outcome&desc=1") == ["อบต.ปิดปรับปรุง", "อบต.ทดสอบ"]
        assert order("sort=indicator_9&desc=1") == order("sort=indicator_9") == ["อบต.ทดสอบ", "อบต.ปิดปรับปรุง"]
        # Nightly: a schedule due now is run by the server's own scheduler, once a day; the
        # site has changed since (O11 published, O3 gone), and its page says so.
        shutil.rmtree(root)
        fixture_site(root, {"O11": "good", "O25": "missing", "O3": "missing"})
        if datetime.now().strftime("%H:%M") == "23:59":
            time.sleep(61)  # a schedule made at 23:59 is due tomorrow
        at = datetime.now().strftime("%H:%M")
        r = s.post(server.base + "schedules", data={"csrf": csrf, "batch_id": "1", "at": at, "no_ocr": "1"})
        assert f"เวลา {at}" in r.text
        deadline = time.monotonic() + 30
        while s.get(server.base + "jobs/4").status_code == 404:
            assert time.monotonic() < deadline, "the nightly schedule did not run"
            time.sleep(0.3)
        p = [wait_done(s, server, n) for n in (3, 4)]
        assert [x["outcome"] for x in p] == ["ok", "unreachable"]
        time.sleep(1.5)  # a few scheduler ticks
        assert s.get(server.base + "jobs/5").status_code == 404  # once a day, not once a tick
        page = s.get(server.base + "site", params={"key": site_key(url)}).text
        changes = re.search(r'<ul id="changes">(.*?)</ul>', page, re.S).group(1)
        assert "gained: O11" in changes and "lost: O3" in changes
        assert [r["outcome"] for r in History(tmp_path / "data" / "history.sqlite").trend(down)] == ["unreachable"] * 2


def test_public_only_crawl_fetches_no_private_address(tmp_path):
    """What a shared server's crawls run with: even a URL that got past the page's own check
    (a name that resolves differently later, a redirect, a link) is not fetched."""
    from tests.conftest import run_oitcheck

    root = fixture_site(tmp_path / "site")
    with LocalSite(root) as url:
        p = run_oitcheck("crawl", url, "--out", tmp_path / "out", "--no-history", "--no-ocr", "--public-only")
    assert p.returncode == 3, p.stderr
    assert "private or loopback address" in p.stderr
    assert not (tmp_path / "out" / "report.json").exists()


def test_checks_run_on_scrapyd_when_given(scrapyd, tmp_path):
    root = fixture_site(tmp_path / "site")
    with LocalSite(root) as url, WebServer(tmp_path / "data", "--scrapyd", scrapyd) as server:
        s, csrf = session_for(server)
        assert start_check(s, server, csrf, url).url.endswith("/jobs/1")
        p = wait_done(s, server, 1, timeout=300)
        assert p["outcome"] == "ok" and p["pages"] > 5, p
        with requests.get(scrapyd + "listjobs.json", params={"project": "oitcheck"}) as r:
            assert len(r.json()["finished"]) == 1  # it really ran there
        xlsx = s.get(server.base + "jobs/1/files/report.xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        assert [r["outcome"] for r in History(tmp_path / "data" / "history.sqlite").trend(url)] == ["ok"]
