"""Never report what did not happen (issue 14): down sites, cut-short crawls, interrupts,
off-site evidence, stale caches, local problems, and the small things around them."""

import hashlib
import http.server
import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oitcheck import checklist as checklists
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from tests.conftest import ROOT, run_oitcheck

C = checklists.load(2568)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def snapshot(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("outcome-site")
    site = build_site(root, C, {"O5": "missing"}, filler_pages=2)
    with LocalSite(root) as url:
        yield site, url


# 1. a down site never overwrites a good report ------------------------------------------------------


def test_a_down_site_leaves_the_good_report_byte_identical(small_site, tmp_path):
    _, url = small_site
    out, db = tmp_path / "good", tmp_path / "history.sqlite"
    p = run_oitcheck("crawl", url, "--year", 2568, "--out", out, "--no-ocr", "--history", db)
    assert p.returncode == 0, p.stderr
    before = snapshot(out)
    assert {"report.json", "report.html", "report.xlsx", "gaps.csv"} <= set(before)
    down = f"http://127.0.0.1:{free_port()}/"
    p = run_oitcheck("crawl", down, "--year", 2568, "--out", out, "--no-ocr", "--history", db, timeout=120)
    assert p.returncode == 3
    assert "Traceback" not in p.stderr and "connection refused" in p.stderr and "unchanged" in p.stderr
    assert snapshot(out) == before
    rows = sqlite3.connect(db).execute("SELECT site, outcome, reason FROM runs ORDER BY id").fetchall()
    assert rows[-1][1] == "unreachable" and "connection refused" in rows[-1][2]
    trend = run_oitcheck("history", down, "--db", db)
    assert "unreachable" in trend.stdout


def test_a_url_that_is_a_file_writes_no_report(small_site, tmp_path):
    site, url = small_site
    pdf = next(site.root.glob("files/*.pdf")).name
    p = run_oitcheck("crawl", f"{url}files/{pdf}", "--out", tmp_path / "r", "--no-history", "--no-ocr", timeout=120)
    assert p.returncode == 3 and "not a web page" in p.stderr
    assert not (tmp_path / "r" / "report.json").exists()


# 2. batch: a down site is unreachable, the exit code says so, a re-run retries only it ----------------


def test_batch_with_a_down_site(small_site, tmp_path):
    _, url = small_site
    down = f"http://127.0.0.1:{free_port()}/"
    csv = tmp_path / "sites.csv"
    # Saved by Excel on Thai Windows: windows-874.
    csv.write_bytes(f"name,url,year\nอบต.หนึ่ง,{url},2568\nอบต.สอง,{down},2568\n".encode("cp874"))
    out = tmp_path / "batch"
    p = run_oitcheck("batch", csv, "--out", out, "--no-ocr", "--parallel", 2, timeout=600)
    assert p.returncode == 3, p.stdout + p.stderr
    assert "windows-874" in p.stderr
    import pandas as pd

    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig", header=1).set_index("name")
    assert summary.loc["อบต.สอง", "outcome_code"] == "unreachable", summary
    assert "connection refused" in summary.loc["อบต.สอง", "reason"]
    assert summary.loc["อบต.หนึ่ง", "outcome_code"] == "ok" and summary.loc["อบต.หนึ่ง", "indicator_9"] > 0
    p = run_oitcheck("batch", csv, "--out", out, "--no-ocr", timeout=600)
    assert "1 already done, 1 to crawl" in p.stderr and p.returncode == 3


# 3. interrupts --------------------------------------------------------------------------------------


def _slow_site(tmp_path):
    from tests.hostile import HostileHandler

    site = build_site(tmp_path / "site", C, {}, filler_pages=2)
    index = (site.root / "index.html").read_text("utf-8")
    (site.root / "index.html").write_text(index.replace("</ul>", "<li><a href='/slow.html'>ช้า</a></li></ul>", 1), "utf-8")
    return site, HostileHandler


def test_ctrl_c_once_writes_every_file_of_this_run_marked_partial(tmp_path):
    site, handler = _slow_site(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("<html>an older run</html>", "utf-8")  # must not survive beside a new report
    (out / "itas.csv").write_text("old", "utf-8")
    handler.slow_seconds = 30
    try:
        with LocalSite(site.root, handler=handler) as url:
            proc = subprocess.Popen([sys.executable, "-m", "oitcheck", "crawl", url, "--year", "2568", "--out", str(out),
                                     "--no-history", "--no-ocr", "--timeout", "60"], cwd=ROOT,
                                    env={**os.environ, "OITCHECK_SNAPSHOT_SECONDS": "0.3"},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 120
            while time.time() < deadline and not (out / "report.json").exists():
                time.sleep(0.2)
            time.sleep(1.0)
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=120)
    finally:
        handler.slow_seconds = 6
    assert proc.returncode == 4, stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["partial"] is True and report["crawl"]["complete"] is False
    assert report["crawl"]["stopped_by"] == "interrupted"
    html = (out / "report.html").read_text("utf-8")
    assert "an older run" not in html and "ไม่สมบูรณ์" in html
    assert not (out / "itas.csv").exists() or (out / "itas.csv").read_text("utf-8-sig") != "old"
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    for name in names:  # the summary names exactly the files that are there
        assert name in stdout
    assert "partial" in stderr


# 4. budgets say so -------------------------------------------------------------------------------------


def test_max_pages_means_at_most_that_many_responses(small_site, tmp_path):
    _, url = small_site
    p = run_oitcheck("crawl", url, "--year", 2568, "--out", tmp_path / "r", "--no-history", "--no-ocr", "--max-pages", 10)
    assert p.returncode == 0, p.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text("utf-8"))
    assert report["crawl"]["stats"]["response_received_count"] <= 10
    assert report["crawl"]["complete"] is False and report["crawl"]["stopped_by"] == "page_limit"
    missing = [i for i in report["items"] if i["reason_details"] and i["reason_details"][0]["kind"] == "not_found"]
    assert missing and all("stopped because the page limit was reached" in i["reasons"][0] for i in missing)
    assert "did not cover the whole site" in p.stdout


# 5. evidence on another host ----------------------------------------------------------------------------


def test_an_ita_page_linking_a_document_on_another_host(tmp_path):
    site = build_site(tmp_path / "site", C, {"O13": "missing"}, filler_pages=1)
    other = tmp_path / "drive"
    other.mkdir()
    report_pdf = next(p for p in site.root.glob("files/*.pdf"))  # any real PDF; its words do not matter
    from oitcheck.demo.docmaker import make_pdf

    (other / "o13.pdf").write_bytes(make_pdf(["รายงานผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี ประจำปีงบประมาณ พ.ศ. 2567",
                                               "สรุปผล ปัญหา อุปสรรค และข้อเสนอแนะ"]))
    assert report_pdf.exists()
    with LocalSite(other) as drive:
        ita = (site.root / "ita.html").read_text("utf-8")
        ita = ita.replace("<td>O13</td><td>รายงานผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี</td><td>-</td>",
                          f"<td>O13</td><td>รายงานผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี</td>"
                          f"<td><a href='{drive}o13.pdf'>เปิดดู</a></td>")
        assert drive in ita
        (site.root / "ita.html").write_text(ita, "utf-8")
        with LocalSite(site.root) as url:
            p = run_oitcheck("crawl", url, "--year", 2568, "--out", tmp_path / "r", "--no-history", "--no-ocr")
    assert p.returncode == 0, p.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text("utf-8"))
    o13 = next(i for i in report["items"] if i["code"] == "O13")
    assert o13["status"] == "pass", o13["reasons"]
    ev = o13["evidence"][0]
    assert ev["url"] == f"{drive}o13.pdf" and ev["off_site"] is True
    assert any("hosted off-site" in r for r in o13["reasons"])


# 6. the nightly cache revalidates -----------------------------------------------------------------------


class ETagHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files with a content ETag and an old Last-Modified (as a CMS that does not touch it)."""

    def log_message(self, *a):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        try:
            data = Path(path).read_bytes()
        except OSError:
            self.send_error(404)
            return None
        etag = '"' + hashlib.md5(data).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        self.send_response(200)
        ctype = "application/pdf" if path.endswith(".pdf") else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
        self.end_headers()
        import io

        return io.BytesIO(data)


def test_the_nightly_cache_sees_a_changed_page(tmp_path):
    site = build_site(tmp_path / "site", C, {"O2": "missing"}, filler_pages=1)
    cache = tmp_path / "cache"
    with LocalSite(site.root, handler=ETagHandler) as url:
        p = run_oitcheck("crawl", url, "--year", 2568, "--out", tmp_path / "n1", "--no-history", "--no-ocr", "--cache", cache)
        assert p.returncode == 0, p.stderr
        first = json.loads((tmp_path / "n1" / "report.json").read_text("utf-8"))
        about = site.root / "about.html"
        about.write_text(about.read_text("utf-8").replace(
            "</ul>", "<li><a href='/exec.html'>คณะผู้บริหาร</a></li></ul>", 1), "utf-8")
        (site.root / "exec.html").write_text("<html><head><meta charset=utf-8><title>คณะผู้บริหาร</title></head><body>"
                                             "<h1>คณะผู้บริหาร</h1><p>นายสมชาย ใจดี นายก โทร 081-111-2222</p></body></html>", "utf-8")
        p = run_oitcheck("crawl", url, "--year", 2568, "--out", tmp_path / "n2", "--no-history", "--no-ocr", "--cache", cache)
        assert p.returncode == 0, p.stderr
    second = json.loads((tmp_path / "n2" / "report.json").read_text("utf-8"))
    status = {r: {i["code"]: i["status"] for i in x["items"]} for r, x in (("1", first), ("2", second))}
    assert status["1"]["O2"] == "fail" and status["2"]["O2"] == "pass"
    assert second["crawl"]["revalidated"] > 10  # unchanged pages: a 304 each, counted


# 7. local problems are named as local --------------------------------------------------------------------


def test_an_output_folder_that_cannot_be_written_is_a_local_problem(small_site, tmp_path):
    _, url = small_site
    afile = tmp_path / "afile"
    afile.write_text("x", "utf-8")
    for out in ("/proc/oit", afile):
        p = run_oitcheck("crawl", url, "--out", out, "--no-history", "--no-ocr", timeout=120)
        assert p.returncode == 2, (out, p.stderr)
        assert "Traceback" not in p.stderr and "local problem" in p.stderr and len(p.stderr.splitlines()) <= 2


# 9. the small things ----------------------------------------------------------------------------------------


def test_report_files_are_all_readable_by_others(small_site, tmp_path):
    _, url = small_site
    p = run_oitcheck("crawl", url, "--year", 2568, "--out", tmp_path / "r", "--no-history", "--no-ocr")
    assert p.returncode == 0, p.stderr
    modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in (tmp_path / "r").iterdir() if f.is_file()}
    assert modes and set(modes.values()) == {0o644}, modes


@pytest.mark.parametrize("value", ["9=80,10", "150", "9=80,9=70", "11=50"])
def test_fail_under_refuses_what_it_cannot_use(value, tmp_path):
    p = run_oitcheck("crawl", "http://127.0.0.1:9/", "--fail-under", value, "--out", tmp_path)
    assert p.returncode == 2 and "--fail-under" in p.stderr


def test_score_refuses_another_years_checklist(tmp_path):
    f = tmp_path / "report.json"
    f.write_text(json.dumps({"checklist": {"year": 2569}, "items": [{"code": "O1", "status": "pass"}]}), "utf-8")
    p = run_oitcheck("score", f, "--year", 2568)
    assert p.returncode == 2 and "2569" in p.stderr


def test_checklists_into_a_closed_pipe_is_quiet():
    p = subprocess.run(f"{sys.executable} -m oitcheck checklists --year 2566 | head -2", shell=True, cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr
    assert len(p.stdout.splitlines()) == 2


def _self_signed(tmp_path) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_a_bare_domain_of_an_https_only_site_is_crawled_over_https(small_site, tmp_path):
    # Point 9: a bare domain got http:// even where the site answers only https.
    import ssl

    site, _ = small_site
    cert, key = _self_signed(tmp_path)
    server = LocalSite(site.root)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.httpd.socket = ctx.wrap_socket(server.httpd.socket, server_side=True)
    bare = server.start().removeprefix("http://").rstrip("/")
    try:
        p = run_oitcheck("crawl", bare, "--year", 2568, "--out", tmp_path / "r", "--no-history", "--no-ocr")
    finally:
        server.stop()
    assert p.returncode == 0, p.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text("utf-8"))
    assert report["site"].startswith("https://") and report["crawl"]["pages"] > 10


def test_a_bare_domain_tries_https_then_http(small_site, tmp_path):
    _, url = small_site
    bare = url.removeprefix("http://").rstrip("/")
    p = run_oitcheck("crawl", bare, "--year", 2568, "--out", tmp_path / "r", "--no-history", "--no-ocr")
    assert p.returncode == 0, p.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text("utf-8"))
    assert report["crawl"]["pages"] > 10


def test_a_name_that_does_not_resolve_says_so(tmp_path):
    p = run_oitcheck("crawl", "http://no-such-host.invalid/", "--out", tmp_path, "--no-history", "--no-ocr", timeout=120)
    assert p.returncode == 3 and "DNS lookup failed (no such host)" in p.stderr
    assert "CannotResolveHostError" not in p.stderr


def test_plain_scrapy_crawl_of_a_down_site_says_so(tmp_path):
    p = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"url=http://127.0.0.1:{free_port()}/",
                        "-s", f"OITCHECK_OUT={tmp_path}", "-s", "OITCHECK_HISTORY_ENABLED=False"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "cannot crawl" in p.stderr and "connection refused" in p.stderr
    assert not (tmp_path / "report.json").exists()
