"""The checklists on fixture sites: a 2566 agency whose O34 is published under either accepted
wording (No Gift Policy or เจตจำนงสุจริตของผู้บริหาร), how sure the checklist is of each item
in every report, and a vocational college (OVEC 2568) crawled with ``--agency ovec``."""

import json

import pandas as pd
import pytest

from oitcheck import checklist as checklists
from oitcheck.collect import Collector
from oitcheck.demo.serve import LocalSite
from oitcheck.demo.sitegen import build_site
from oitcheck.model import Document
from oitcheck.thai import normalize
from tests.conftest import run_oitcheck

NO_GIFT = "นโยบายไม่รับของขวัญ (No Gift Policy)"
INTENT = "เจตจำนงสุจริตของผู้บริหาร"

# A college with every way an item can be published or missed (scanned PDFs left to the OCR tests).
COLLEGE_SCENARIOS = {
    "O2": "no_parts", "O4": "deep_pdf", "O7": "stale", "O8": "no_parts", "O11": "docx", "O13": "missing",
    "O15": "decoy", "O21": "few_months", "O22": "index_only", "O24": "no_parts", "O31": "cp874", "O32": "broken",
    "O33": "stale", "O36": "stale",
}


def crawl(tmp_path_factory, name, checklist, scenarios, *args, **site_kw):
    root = tmp_path_factory.mktemp(f"{name}-site")
    out = tmp_path_factory.mktemp(f"{name}-report")
    site = build_site(root, checklist, scenarios, filler_pages=2, **site_kw)
    with LocalSite(root) as url:
        p = run_oitcheck("crawl", url, "--year", checklist.year, "--out", out, "--no-history", "--no-ocr", *args)
    assert p.returncode == 0, p.stderr[-2000:]
    return site, out, json.loads((out / "report.json").read_text("utf-8")), p


@pytest.fixture(scope="module")
def lao2566(tmp_path_factory):
    return crawl(tmp_path_factory, "lao2566", checklists.load(2566), {"O36": "missing", "O12": "stale"})


@pytest.fixture(scope="module")
def college(tmp_path_factory):
    return crawl(tmp_path_factory, "ovec2568", checklists.load(2568, agency="ovec"), COLLEGE_SCENARIOS,
                 "--agency", "ovec", org="วิทยาลัยเทคนิคหนองบัว")


def item(report, code):
    return next(i for i in report["items"] if i["code"] == code)


def test_2566_o34_passes_on_the_no_gift_policy_and_names_it(lao2566):
    site, out, report, _ = lao2566
    o34 = item(report, "O34")
    assert o34["status"] == "pass" and site.scenarios["O34"] == "good"
    assert o34["evidence"][0]["wording"] == NO_GIFT
    assert f"พบในชื่อ «{NO_GIFT}» / found as «{NO_GIFT}»" in o34["reasons"]
    assert o34["alternatives"] == [INTENT]
    assert {code: i["status"] == "pass" for code, i in ((i["code"], i) for i in report["items"])} == site.expected


def test_2566_o34_passes_on_the_older_wording_too():
    # The same item published as a เจตจำนงสุจริต announcement: accepted, and said so.
    c = checklists.load(2566)
    col = Collector(c, "http://x.go.th/")
    col.add_document(Document(url="http://x.go.th/files/intent.pdf", kind="pdf", method="text-layer",
                              text=normalize("ประกาศเจตจำนงสุจริตในการบริหารงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๖\nนายก อบต.",
                                             keep_newlines=True)))
    v = {x.code: x for x in col.verdicts()}["O34"]
    assert v.status == "pass" and v.evidence[0].wording == INTENT
    assert any(r.kind == "wording" and INTENT in r.th for r in v.reasons)


def test_each_item_says_how_sure_the_checklist_is_in_json_html_and_xlsx(lao2566):
    _, out, report, _ = lao2566
    c = checklists.load(2566)
    assert report["checklist"]["unconfirmed_items"] == 3
    assert "AA" in report["checklist"]["bands_source"]
    for it in report["items"]:
        assert it["checklist_confidence"] == c.item(it["code"]).confidence
        assert it["checklist_source"] == c.item(it["code"]).source
    assert (report["scores"]["oit_method"], report["scores"]["oit_points"]) == ("indicator_mean", 40)
    html = (out / "report.html").read_text("utf-8")
    assert "3 จาก 43 ข้อยังไม่ยืนยันจากสองแหล่ง" in html
    assert "อนุมาน ยังไม่พบแหล่ง / inferred" in html and "ยืนยันแล้ว (สองแหล่งขึ้นไป) / confirmed" in html
    assert f"หรือ / or: {INTENT}" in html
    assert "ระดับ AA–F / levels:" in html and 'id="oit"' in html
    xl = pd.read_excel(out / "report.xlsx", sheet_name="รายการตรวจ", header=1)  # Thai header, then the English key
    assert list(xl["checklist_source"].fillna("")) == [i["checklist_source"] for i in report["items"]]
    assert xl.loc[xl["code"] == "O34", "found_as"].item() == NO_GIFT


def test_a_college_is_judged_on_its_own_list(college):
    site, out, report, proc = college
    assert [i["code"] for i in report["items"]] == [f"O{n}" for n in range(1, 38)]
    got = {i["code"]: i["status"] == "pass" for i in report["items"]}
    assert got == site.expected, {c: (site.scenarios[c], got[c]) for c in got if got[c] != site.expected[c]}
    assert report["agency"] == "ovec" and report["checklist"]["agency_head"] == "ผู้อำนวยการ"
    assert report["checklist"]["agency_name"] == "วิทยาลัยเทคนิคหนองบัว"
    # OIT out of 40 is the share of the 37 items passed (as OVEC publishes it).
    passed = sum(got.values())
    s = report["scores"]
    assert s["oit_method"] == "item_share" and s["oit_weighted"] == round(passed / 37 * 40 + 1e-9, 2)
    assert f"{s['oit_weighted']:.2f}/40" in proc.stdout
    html = (out / "report.html").read_text("utf-8")
    assert "สถานศึกษาสังกัดสำนักงานคณะกรรมการการอาชีวศึกษา" in html and "สรุปสำหรับผู้อำนวยการ" in html
    o2 = item(report, "O2")  # the executives' page without a contact channel
    assert any("ช่องทางการติดต่อ" in r for r in o2["reasons"])
