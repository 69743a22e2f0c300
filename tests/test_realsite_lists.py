"""More patterns met on real agency websites (an อบต. and a เทศบาล in PHP, a city's document
centre), reproduced on a fixture of our own (oitcheck.demo.patterns.add_list_patterns) and
crawled with the defaults: each test names the pattern and what an assessor would say."""

import json
import os
import subprocess
import sys

import pytest

from oitcheck import checklist as checklists
from oitcheck.demo.patterns import MAYOR, add_list_patterns
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site

ORG = "เทศบาลตำบลตัวอย่าง"
# Missing in the generated site; the patterns then publish (or pretend to publish) them.
SCENARIOS = {code: "missing" for code in ("O2", "O9", "O12", "O14", "O18", "O23")}


@pytest.fixture(scope="module")
def lists_site(tmp_path_factory, ocr_cache):
    root = tmp_path_factory.mktemp("lists-site")
    build_site(root, checklists.load(2566), SCENARIOS, org=ORG, filler_pages=2)
    added = add_list_patterns(root, ORG, 2566)
    out = tmp_path_factory.mktemp("lists-report")
    record = out / "record.jsonl"
    with LocalSite(root) as url:
        p = subprocess.run([sys.executable, "-m", "oitcheck", "crawl", url, "--year", "2566", "--out", str(out / "r"),
                            "--no-history", "--quiet"], capture_output=True, text=True, timeout=600,
                           env={**os.environ, "OITCHECK_CACHE": str(ocr_cache), "OITCHECK_RECORD": str(record)})
    assert p.returncode == 0, p.stderr[-3000:]
    report = json.loads((out / "r" / "report.json").read_text("utf-8"))
    docs = [json.loads(line) for line in record.read_text("utf-8").splitlines()]
    return {"url": url.rstrip("/"), "added": added, "items": {i["code"]: i for i in report["items"]},
            "report": report, "read": {d["url"] for d in docs if d["type"] == "Document"}}


def test_executives_box_in_every_pages_template_is_found_on_the_home_page(lists_site):
    o2 = lists_site["items"]["O2"]
    assert o2["status"] == "pass", o2["reasons"]
    assert o2["evidence"][0]["url"].rstrip("/") == lists_site["url"]
    assert MAYOR in o2["evidence"][0]["snippet"]


def test_a_design_credit_is_not_the_agencys_social_network(lists_site):
    assert lists_site["items"]["O9"]["status"] == "fail"


def test_document_library_headings_label_their_documents_not_the_page(lists_site):
    o23 = lists_site["items"]["O23"]
    assert o23["status"] == "fail"
    assert all(not e["url"].endswith("/library.html") for e in o23["evidence"])
    errors = {e["url"].rsplit("/", 1)[-1] for e in lists_site["report"]["crawl"]["errors"]}
    assert {"missing_report_0.pdf", "missing_report_1.pdf", "missing_report_2.pdf"} <= errors


def test_cover_pictures_inside_document_links_are_not_read(lists_site):
    assert not any("/files/cover" in u for u in lists_site["read"])


def test_an_empty_list_page_and_a_page_whose_document_is_missing_are_not_the_item(lists_site):
    o14 = lists_site["items"]["O14"]
    assert o14["status"] == "fail"
    kinds = {r["kind"] for r in o14["reason_details"]}
    assert "placeholder" in kinds, o14["reasons"]


def test_a_search_page_that_lists_nothing_is_not_the_item(lists_site):
    o12 = lists_site["items"]["O12"]
    assert o12["status"] == "fail" and not o12["found"], o12["reasons"]


def test_a_generic_link_text_takes_the_heading_above_it(lists_site):
    o18 = lists_site["items"]["O18"]
    assert o18["status"] == "pass", o18["reasons"]
    assert o18["evidence"][0]["url"].endswith(lists_site["added"]["budget_pdf"])


def test_admin_forms_are_not_fetched(lists_site):
    assert not any(u.endswith("Create_News.php") for u in lists_site["read"])
