"""The whole path: a fixture agency site on 127.0.0.1 -> crawl -> verdicts -> reports."""

import csv
import urllib.request

import pandas as pd

from tests.conftest import run_oitcheck


def by_code(report):
    return {i["code"]: i for i in report["items"]}


def test_crawl_succeeds_and_prints_a_summary(e2e):
    p = e2e["proc"]
    assert p.returncode == 0, p.stderr
    assert "ตัวชี้วัดที่ 9" in p.stdout and "ตัวชี้วัดที่ 10" in p.stdout
    assert "Traceback" not in p.stderr


def test_every_item_as_an_assessor_would_judge_it(e2e):
    report, expected = e2e["report"], e2e["site"].expected
    got = {code: it["status"] == "pass" for code, it in by_code(report).items()}
    assert got == expected, {c: (e2e["site"].scenarios[c], got[c]) for c in got if got[c] != expected[c]}
    assert [i["code"] for i in report["items"]] == [f"O{n}" for n in range(1, 27)]


def test_evidence_only_inside_a_pdf_two_clicks_deep(e2e):
    o6 = by_code(e2e["report"])["O6"]
    assert o6["status"] == "pass"
    ev = o6["evidence"][0]
    assert ev["kind"] == "pdf" and "/downloads/hub-o6.html" in ev["found_on"]
    assert ev["fiscal_year"] == 2568
    with urllib.request.urlopen(ev["url"]) as resp:
        assert resp.read(5) == b"%PDF-"
    assert ev["matched"] and ev["matched"] in ev["snippet"]


def test_every_pass_has_a_working_link_and_a_snippet_with_the_match(e2e):
    for it in e2e["report"]["items"]:
        if it["status"] != "pass":
            continue
        ev = it["evidence"][0]
        with urllib.request.urlopen(ev["url"]) as resp:
            assert resp.status == 200
        assert ev["matched"] in ev["snippet"], it["code"]


def test_reasons_speak_plainly(e2e):
    items = by_code(e2e["report"])
    stale = [r for r in items["O7"]["reasons"] if "found, but for 25" in r]  # an old annual report
    assert stale and "needs 2567" in stale[0]
    assert any("not found" in r for r in items["O11"]["reasons"])  # missing
    assert any("HTTP 404" in r for r in items["O14"]["reasons"])  # broken ITA link
    assert any("found, but missing:" in r and "อีเมล" in r for r in items["O3"]["reasons"])
    errors = {e["url"].rsplit("/", 1)[-1]: e["reason"] for e in e2e["report"]["crawl"]["errors"]}
    assert errors["removed-o14.pdf"] == "HTTP 404"


def test_scores_follow_the_verdicts(e2e, tmp_path):
    report = e2e["report"]
    p = run_oitcheck("score", e2e["out"] / "report.json")
    assert p.returncode == 0, p.stderr
    import json

    again = json.loads(p.stdout)
    assert again["indicator_9"] == report["scores"]["indicator_9"]
    assert again["indicator_10"] == report["scores"]["indicator_10"]


def test_gaps_csv_and_xlsx_match_the_json(e2e):
    report = e2e["report"]
    failing = [i["code"] for i in report["items"] if i["status"] != "pass"]
    raw = (e2e["out"] / "gaps.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Thai correctly
    # Row 1: Thai headers for the clerk; row 2: the English keys (header=1 reads by key).
    gaps = pd.read_csv(e2e["out"] / "gaps.csv", encoding="utf-8-sig", header=1)
    assert list(gaps["code"]) == failing
    assert all(isinstance(x, str) and x for x in gaps["what_to_publish"])
    xl = pd.read_excel(e2e["out"] / "report.xlsx", sheet_name=None, header=1)
    assert list(xl["รายการตรวจ"]["code"]) == [i["code"] for i in report["items"]]
    assert list(xl["รายการตรวจ"]["status"]) == [{"pass": "ผ่าน", "fail": "ไม่ผ่าน"}[i["status"]] for i in report["items"]]
    assert list(xl["ข้อที่ขาด"]["code"]) == failing
    assert "HTTP 404" in set(xl["ข้อผิดพลาด"]["reason"])
    with open(e2e["out"] / "gaps.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        thai, keys = next(reader), next(reader)
        rows = [dict(zip(keys, r)) for r in reader]
    assert thai[:2] == ["ข้อ", "หัวข้อ"]
    assert rows[0]["title"] == by_code(report)[failing[0]]["title"]


def test_site_down_is_one_clear_line(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    p = run_oitcheck("crawl", f"http://127.0.0.1:{port}/", "--out", tmp_path, "--no-history", timeout=120)
    assert p.returncode == 3
    assert "Traceback" not in p.stderr
    last = p.stderr.strip().splitlines()[-1]
    assert last.startswith("oitcheck:") and "connection refused" in last


def test_a_url_that_is_not_a_website(e2e, tmp_path):
    pdf_url = e2e["report"]["items"][4]["evidence"][0]["url"]
    p = run_oitcheck("crawl", pdf_url, "--out", tmp_path, "--no-history", timeout=120)
    assert p.returncode == 3 and "not a web page" in p.stderr


def test_unknown_year_is_a_usage_error(tmp_path):
    p = run_oitcheck("crawl", "http://127.0.0.1:9/", "--year", 2555, "--out", tmp_path)
    assert p.returncode == 2 and "2555" in p.stderr
