"""What a clerk acts on: the fix-first list (its arithmetic), the ITAS answer sheet, checking
planned answers with `oitcheck answers`, the spreadsheets' layout, and report.html in a
real headless Chromium."""

from __future__ import annotations

import csv
import json
import re
import urllib.request

import pandas as pd
import pytest
from openpyxl import load_workbook

from oitcheck import checklist as checklists
from oitcheck.answers import AnswersError, read_answers
from oitcheck.collect import Collector
from oitcheck.finish import build_report
from oitcheck.model import Reason, Verdict
from oitcheck.scoring import points_if_fixed
from tests.conftest import ARTIFACTS, run_oitcheck

THAI = re.compile(r"[\u0e00-\u0e7f]")


def by_code(report):
    return {i["code"]: i for i in report["items"]}


# --- fix first: the year's arithmetic ---------------------------------------------------------


def test_fix_first_follows_the_arithmetic():
    # ITA 2567: sub-indicator 9.1 has 8 items, 9.3 has 4, all weighted 20%. Passing one more
    # 9.3 item adds 20% x 100/4 = 5.00 to indicator 9; one more 9.1 item 20% x 100/8 = 2.50.
    c = checklists.load(2567)
    sizes = {s.code: sum(1 for i in c.items if i.subindicator == s.code) for s in c.subindicators}
    assert sizes["9.1"] == 8 and sizes["9.3"] == 4
    of_8 = next(i.code for i in c.items if i.subindicator == "9.1")
    of_4 = next(i.code for i in c.items if i.subindicator == "9.3")
    failing = {of_8, of_4}
    col = Collector(c, "http://x.go.th/")
    col.verdicts = lambda: [Verdict(i.code, "fail" if i.code in failing else "pass", i.code not in failing, 0.9,
                                    [Reason("not_found", "ไม่พบ", "not found")]) for i in c.items]
    report = build_report(col)
    assert [f.code for f in report.fix_first] == [of_4, of_8]  # the 4-item sub-indicator's item first
    assert report.fix_first[0].points == {"9": 5.0} and report.fix_first[1].points == {"9": 2.5}
    passed = {i.code: i.code not in failing for i in c.items}
    for f in report.fix_first:
        assert f.points == points_if_fixed(c, passed, f.code)
        assert f.publish == c.item(f.code).publish


def test_fix_first_on_the_site(e2e):
    report = e2e["report"]
    c = checklists.load(2568)
    passed = {i["code"]: i["status"] == "pass" for i in report["items"]}
    fixes = report["fix_first"]
    assert [f["code"] for f in fixes] != [] and {f["code"] for f in fixes} == {k for k, v in passed.items() if not v}
    for f in fixes:
        assert f["points"] == points_if_fixed(c, passed, f["code"]), f["code"]
    gains = [f["gain"] for f in fixes]
    assert gains == sorted(gains, reverse=True)
    order = [f["code"] for f in fixes]
    # O3 is one of 5 items of 9.1 (+4.00); O7 one of 6 items of 9.2 (+3.33): O3 comes first.
    assert fixes[order.index("O3")]["points"] == {"9": 4.0}
    assert fixes[order.index("O7")]["points"] == {"9": 3.33}
    assert order.index("O3") < order.index("O7")
    o7 = fixes[order.index("O7")]  # last cycle's report: nearly found, and why
    assert o7["near_url"] and "needs 2567" in o7["near_why"]
    o14 = fixes[order.index("O14")]  # the ITA page links a 404: that link is where to start
    assert o14["near_url"].endswith("removed-o14.pdf") and "HTTP 404" in o14["near_why"]
    html = (e2e["out"] / "report.html").read_text("utf-8")
    assert "+4.00 คะแนน ตัวชี้วัดที่ 9" in html
    assert html.index('id="fix-first"') < html.index("<svg") < html.index("รายการตรวจ / items")
    first = load_workbook(e2e["out"] / "report.xlsx").worksheets[0]
    assert first.title == "แก้ก่อน"
    assert [first.cell(row=r, column=2).value for r in range(3, 3 + len(fixes))] == order
    assert first.cell(row=3, column=5).value == f"+{fixes[0]['gain']:.2f} คะแนน ตัวชี้วัดที่ {fixes[0]['indicator']}"


# --- the ITAS answer sheet -------------------------------------------------------------------


def test_itas_sheet_has_one_row_per_item_and_working_urls(e2e):
    report = e2e["report"]
    raw = (e2e["out"] / "itas.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    for sheet in (pd.read_excel(e2e["out"] / "itas.xlsx", header=1),
                  pd.read_csv(e2e["out"] / "itas.csv", encoding="utf-8-sig", header=1)):
        assert list(sheet["code"]) == [i["code"] for i in report["items"]]  # ITAS order, one row each
        url_cols = [c for c in sheet.columns if c.startswith("url_")]
        for row, item in zip(sheet.to_dict("records"), report["items"]):
            urls = [row[c] for c in url_cols if isinstance(row[c], str) and row[c]]
            assert row["answer"] == ("มี" if item["status"] == "pass" else "ไม่มี"), item["code"]
            assert isinstance(row["note"], str) and THAI.search(row["note"])
            if row["answer"] == "ไม่มี":
                assert not urls
                continue
            assert urls == item["answer_urls"] and urls, item["code"]
            for url in urls:
                with urllib.request.urlopen(url) as resp:
                    assert resp.status == 200, url
    o12 = by_code(report)["O12"]  # monthly summaries: one link per month, October first
    assert o12["status"] == "pass" and len(o12["answer_urls"]) == 6
    assert [u.rsplit("-", 1)[-1] for u in o12["answer_urls"]] == [f"{n}.pdf" for n in range(1, 7)]


def test_spreadsheets_have_thai_headers_frozen_and_filtered(e2e):
    for name in ("report.xlsx", "itas.xlsx"):
        wb = load_workbook(e2e["out"] / name)
        for ws in wb.worksheets:
            assert ws.freeze_panes and int(re.sub(r"\D", "", ws.freeze_panes)) == 3, (name, ws.title)
            assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:"), (name, ws.title)
            assert THAI.search(ws["A1"].value) and ws["A1"].font.b, (name, ws.title)
            assert re.fullmatch(r"[a-z0-9_]+", ws["A2"].value), (name, ws.title)  # the English key row
    wb = load_workbook(e2e["out"] / "report.xlsx")
    assert wb.sheetnames[:3] == ["แก้ก่อน", "ตรวจด้วยตา", "รายการตรวจ"]
    items = wb["รายการตรวจ"]
    keys = [c.value for c in items[2]]
    col = {k: n + 1 for n, k in enumerate(keys)}
    rows = {items.cell(row=r, column=1).value: r for r in range(3, items.max_row + 1)}
    statuses = {items.cell(row=r, column=col["status"]).value for r in rows.values()}
    assert statuses == {"ผ่าน", "ไม่ผ่าน"}
    o12 = items.cell(row=rows["O12"], column=col["evidence_urls"])  # every evidence URL, not only the first
    assert len(o12.value.splitlines()) == len(by_code(e2e["report"])["O12"]["evidence"]) >= 6
    assert o12.hyperlink is not None and o12.alignment.wrap_text
    assert items.column_dimensions["B"].width >= 30 and items.cell(row=3, column=col["reasons"]).alignment.wrap_text
    conf = {code: items.cell(row=r, column=col["confidence"]).value for code, r in rows.items()}
    report = by_code(e2e["report"])
    for code, value in conf.items():  # confidence on passes and review items only
        assert (value is not None) == (report[code]["status"] == "pass" or report[code]["review"]), code
    evidence = pd.read_excel(e2e["out"] / "report.xlsx", sheet_name="หลักฐาน", header=1)
    assert len(evidence) == sum(len(i["evidence"]) for i in e2e["report"]["items"])


# --- checking planned answers ------------------------------------------------------------------


def test_read_answers_in_the_shapes_clerks_write(tmp_path):
    codes = {f"O{n}" for n in range(1, 27)}
    plain = tmp_path / "plain.csv"
    plain.write_text("o1,https://a.go.th/x.pdf,https://a.go.th/y.pdf\nO 2,https://a.go.th/z\n", "utf-8")
    assert read_answers(plain, codes) == {"O1": ["https://a.go.th/x.pdf", "https://a.go.th/y.pdf"],
                                          "O2": ["https://a.go.th/z"]}
    thai = tmp_path / "thai.csv"  # Excel on Thai Windows, several URLs in one cell, a ไม่มี row
    thai.write_bytes("ข้อ,คำตอบ,ลิงก์,หมายเหตุ\nO3,มี,\"https://a.go.th/1.pdf\nhttps://a.go.th/2.pdf\",ดู https://a.go.th/no\n"
                     "O4,ไม่มี,https://a.go.th/old,\n".encode("cp874"))
    assert read_answers(thai, codes) == {"O3": ["https://a.go.th/1.pdf", "https://a.go.th/2.pdf"], "O4": []}
    bad = tmp_path / "bad.csv"
    bad.write_text("code,url\nO99,https://a.go.th/x\n", "utf-8")
    with pytest.raises(AnswersError, match="O99"):
        read_answers(bad, codes)
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["code", "url"])
    wb.active.append(["O5", "แผนดำเนินงาน 2568"])  # the text a clerk sees, the URL behind it
    wb.active["B2"].hyperlink = "https://a.go.th/plan.pdf"
    wb.save(tmp_path / "a.xlsx")
    assert read_answers(tmp_path / "a.xlsx", codes) == {"O5": ["https://a.go.th/plan.pdf"]}


def test_answers_judge_only_the_planned_urls(e2e, tmp_path):
    items = by_code(e2e["report"])
    fixes = {f["code"]: f for f in e2e["report"]["fix_first"]}
    wrong = items["O13"]["evidence"][0]["url"]  # another item's document, given for O5
    stale = fixes["O7"]["near_url"]  # last cycle's report
    right = items["O6"]["evidence"][0]["url"]
    planned = tmp_path / "planned.csv"
    planned.write_text(f"code,url\nO5,{wrong}\nO7,{stale}\nO6,{right}\n", "utf-8")
    p = run_oitcheck("answers", planned, "--year", 2568, "--out", tmp_path / "out", "--no-ocr")
    assert p.returncode == 0, p.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    got = by_code(report)
    assert report["mode"] == "answers"
    assert [got[c]["status"] for c in ("O5", "O7", "O6")] == ["fail", "fail", "pass"]
    o5 = got["O5"]["reason_details"][0]
    assert o5["kind"] == "wrong_url" and "O13" in o5["en"] and "not this item" in o5["en"]
    o7 = got["O7"]["reason_details"][0]
    assert o7["kind"] == "wrong_year" and "needs 2567" in o7["en"]
    assert got["O6"]["reason_details"][0]["kind"] == "found" and got["O6"]["answer_urls"] == [right]
    # Only what was planned (and one click down) was read; every other item is ไม่มี.
    assert report["crawl"]["pages"] + report["crawl"]["documents"] <= 4
    assert all(got[c]["reason_details"][0]["kind"] == "no_answer" for c in got if c not in ("O5", "O6", "O7"))
    assert "O5   ไม่ผ่าน / fail: URL ที่จะกรอกสำหรับ O5" in p.stdout
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "ตรวจคำตอบที่จะกรอกในระบบ ITAS" in html


def test_answers_read_back_the_itas_sheet(e2e, tmp_path, ocr_cache):
    # The sheet the crawl wrote, checked as the assessor will open it: every มี still passes.
    # Not the scanned O21: the crawl took its year from the ITA page's link text, which the
    # assessor does not see, and OCR finds no year in the scan (it fails for no year).
    p = run_oitcheck("answers", e2e["out"] / "itas.xlsx", "--year", 2568, "--out", tmp_path, "--quiet",
                     env={"OITCHECK_CACHE": str(ocr_cache)})
    assert p.returncode == 0, p.stderr
    again = by_code(json.loads((tmp_path / "report.json").read_text("utf-8")))
    for code, it in by_code(e2e["report"]).items():
        if it["status"] == "pass" and "ocr" not in it["evidence"][0]["method"]:
            assert again[code]["status"] == "pass", (code, again[code]["reasons"])
            assert again[code]["answer_urls"] == it["answer_urls"], code
        elif it["status"] == "fail":
            assert again[code]["status"] == "fail" and again[code]["reason_details"][0]["kind"] == "no_answer"


def test_answers_refuse_an_unreadable_file(tmp_path):
    f = tmp_path / "planned.csv"
    f.write_text("code,url\nO1,not a link\n", "utf-8")
    p = run_oitcheck("answers", f, "--year", 2568, "--out", tmp_path / "out")
    assert p.returncode == 5 and "no item code with a URL" in p.stderr
    assert not (tmp_path / "out" / "report.json").exists()


# --- gaps.csv keeps its keys ---------------------------------------------------------------------


def test_gaps_csv_has_thai_headers_and_english_keys(e2e):
    with open(e2e["out"] / "gaps.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    thai, keys = rows[0], rows[1]
    assert thai[0] == "ข้อ" and keys[:2] == ["code", "title"] and "gain" in keys and "evidence_url" in keys
    failing = [i["code"] for i in e2e["report"]["items"] if i["status"] != "pass"]
    assert [r[0] for r in rows[2:]] == failing


# --- report.html in a browser --------------------------------------------------------------------


def test_report_html_in_chromium_at_1280(e2e, browser):
    from selenium.webdriver.common.by import By

    browser.get((e2e["out"] / "report.html").as_uri())
    height = browser.execute_script("return window.innerHeight")
    assert browser.execute_script("return window.innerWidth") == 1280
    first_fix = browser.find_element(By.CSS_SELECTOR, "#fix-first ol li")
    assert first_fix.is_displayed() and first_fix.rect["y"] + first_fix.rect["height"] <= height  # above the fold
    top = e2e["report"]["fix_first"][0]
    assert top["code"] in first_fix.text and f"+{top['gain']:.2f} คะแนน" in first_fix.text
    # Thai drawn with a Thai font (not boxes): the browser says which font rendered the glyphs.
    doc = browser.execute_cdp_cmd("DOM.getDocument", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    for selector in ("h1", "#fix-first li"):
        node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": selector})
        fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        thai_fonts = {"Sarabun", "TH Sarabun New", "Noto Sans Thai", "Laksaman", "Garuda", "Loma"}
        assert any(f["familyName"] in thai_fonts and f["glyphCount"] > 10 for f in fonts), fonts
    # The charts name their bars: sub-indicator titles, the labelled target line.
    labels = [t for t in browser.find_elements(By.CSS_SELECTOR, "svg text") if t.text.strip()]
    texts = [t.text for t in labels]
    assert any("9.1 ข้อมูลพื้นฐาน" in t for t in texts) and any("เป้าหมาย 85" in t for t in texts)
    shown = next(t for t in labels if "ข้อมูลพื้นฐาน" in t.text)
    assert shown.is_displayed() and shown.rect["width"] > 30
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-1280.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000


def test_batch_index_sorts_without_network_scripts(tmp_path, browser):
    from selenium.webdriver.common.by import By

    from oitcheck.reports.summary import write_summary

    sites = [{"name": n, "url": f"https://{u}.go.th/", "year": 2568, "indicator_9": s, "indicator_10": 50.0,
              "level": lvl, "passed": p, "items": 26, "outcome": "ตรวจเสร็จ", "outcome_code": "ok", "reason": "",
              "report": f"{u}/report.html", "checked": "26 พ.ย. 2569 13:47 น."}
             for n, u, s, lvl, p in (("อบต.ก <script>x</script>", "a", 74.76, "C", 17), ("อบต.ข", "b", 95.5, "AA", 25),
                                     ("อบต.ค", "c", 30.0, "F", 8))]
    gaps = [{"name": "อบต.ก", "year": 2568, "code": "O3", "title": "ข้อมูลการติดต่อ", "gain": 5.0, "reason": "ไม่พบ",
             "near_url": "", "url": "https://a.go.th/"}]
    matrix = [{"name": s["name"], "year": 2568, "passed": s["passed"], "O1": "ผ่าน", "O3": "ไม่ผ่าน"} for s in sites]
    write_summary(sites, gaps, matrix, [("O1", "โครงสร้าง"), ("O3", "ข้อมูลการติดต่อ")], tmp_path)
    page = (tmp_path / "index.html").read_text("utf-8")
    assert "script-src 'sha256-" in page and "<script>x</script>" not in page and "src=" not in page
    browser.get((tmp_path / "index.html").as_uri())
    table = browser.find_elements(By.CSS_SELECTOR, "table.sortable")[0]
    header = [th for th in table.find_elements(By.TAG_NAME, "th") if th.text == "ตัวชี้วัดที่ 9"][0]

    def names():
        return [r.find_elements(By.TAG_NAME, "td")[0].text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]

    header.click()
    assert names() == ["อบต.ค", "อบต.ก <script>x</script>", "อบต.ข"]
    header.click()
    assert names() == ["อบต.ข", "อบต.ก <script>x</script>", "อบต.ค"]
    wb = load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames == ["sites", "gaps", "items"]
    assert [c.value for c in wb["items"][2]][:5] == ["name", "year", "passed", "O1", "O3"]
    assert wb["items"]["D3"].value == "ผ่าน" and wb["items"]["E3"].value == "ไม่ผ่าน"


# --- what report.html says beside the verdicts ---------------------------------------------------


def test_html_says_what_a_clerk_needs_to_know(e2e):
    from oitcheck.model import report_from_dict
    from oitcheck.reports.html_report import render_html

    data = json.loads(json.dumps(e2e["report"]))
    data["partial"] = True
    data["crawl"].update(complete=False, stopped_by="page_limit",
                         stopped_reason="ถึงจำนวนหน้าสูงสุดที่กำหนด / the page limit was reached",
                         started="2026-11-26T06:47:46+00:00")
    o5 = next(i for i in data["items"] if i["code"] == "O5")
    thai = "https://drive.google.com/files/%E0%B9%81%E0%B8%9C%E0%B8%99%E0%B8%94%E0%B8%B3%E0%B9%80%E0%B8%99%E0%B8%B4%E0%B8%99%E0%B8%87%E0%B8%B2%E0%B8%99.pdf"
    o5["evidence"][0].update(url=thai, off_site=True, host="drive.google.com", notes=["อ่าน 150 จาก 400 หน้าแรก / read the first 150 of 400 pages"])
    o5.update(review=True, review_reason="ปี 2568 อ่านจาก OCR ควรตรวจด้วยตา / year 2568 was read by OCR: check it by eye")
    data["review"] = [{"code": "O5", "title": o5["title"], "status": o5["status"], "reason": o5["review_reason"],
                       "url": thai, "confidence": 0.85}]
    page = render_html(report_from_dict(data))
    assert "26 พ.ย. 2569 13:47 น." in page  # Buddhist era, Bangkok time
    assert "drive.google.com/files/แผนดำเนินงาน.pdf" in page and f'href="{thai}"' in page  # decoded text, raw link
    assert "เก็บไว้นอกเว็บไซต์ (drive.google.com) / hosted off-site" in page
    assert "read the first 150 of 400 pages" in page
    assert "ตรวจไม่ครบทั้งเว็บไซต์ (ถึงจำนวนหน้าสูงสุดที่กำหนด" in page and "partial report" in page
    assert "ข้อยังไม่ยืนยันจากสองแหล่ง" in page and "only AA (95 and over) and A (85–94.99) are sourced" in page
    review = page[page.index('id="review"'):page.index("</section>", page.index('id="review"'))]
    assert "O5" in review and "year 2568 was read by OCR" in review and "ความมั่นใจ 85%" in review
    assert "ความมั่นใจ คือ" in page  # and what confidence means
    for it in data["items"]:  # confidence only where it helps: passes and items to check by eye
        row = page[page.index(f'<tr id="{it["code"]}">'):]
        row = row[:row.index("</tr>")]
        assert ("ความมั่นใจ " in row) == (it["status"] == "pass" or it["review"]), it["code"]
        assert ("ผ่าน" if it["status"] == "pass" else "ไม่ผ่าน") in row
    assert 'class="tag" title=' in page  # the checklist's own confidence on items not confirmed


def test_itas_csv_and_xlsx_read_back_alike(e2e):
    codes = {i["code"] for i in e2e["report"]["items"]}
    xlsx = read_answers(e2e["out"] / "itas.xlsx", codes)
    assert xlsx == read_answers(e2e["out"] / "itas.csv", codes)
    assert xlsx == {i["code"]: i["answer_urls"] for i in e2e["report"]["items"]}
