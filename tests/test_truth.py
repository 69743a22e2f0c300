"""Scoring a report against a person's judgement of a real site (oitcheck eval --truth):
the figures of issue 13 (topic recall with the right evidence URL, found precision) come
from this comparison, so it is tested on a judgement of our own making."""

import io
import json
import subprocess
import sys

import yaml

from oitcheck import checklist as checklists
from oitcheck.collect import Collector
from oitcheck.demo.truth import judge, url_key
from oitcheck.finish import build_report, write_run
from oitcheck.model import Document
from oitcheck.thai import normalize

C = checklists.load(2566)
SITE = "http://127.0.0.1:9/"


def page(path, title, text, anchors=()):
    return Document(url=SITE + path, kind="html", title=normalize(title), text=normalize(text, keep_newlines=True),
                    anchors=[normalize(a) for a in anchors])


def small_report():
    col = Collector(C, SITE)
    col.add_document(page("", "องค์การบริหารส่วนตำบลหนองบัว", "หน้าหลัก", ()))
    col.add_document(page("structure.php", "โครงสร้างส่วนราชการ", "แผนภูมิโครงสร้าง สำนักปลัด กองคลัง กองช่าง"))
    # The executives' page is titled with the agency's name only; its menu link says what it is.
    col.add_document(page("page.php?id=%E0%B8%81", "องค์การบริหารส่วนตำบลหนองบัว", "นายสมชาย ใจดี นายก", ["คณะผู้บริหาร"]))
    # A news post that names the contact page's topic (the tool may take it; the truth says where it is).
    col.add_document(page("news.php?id=3", "ข้อมูลการติดต่อ", "โทร 045-000000"))
    return build_report(col)


TRUTH = {
    "site": "fixture",
    "items": {
        "O1": {"published": True, "evidence": [SITE + "structure.php"]},
        "O2": {"published": True, "evidence": [SITE + "page.php?id=ก"]},  # decoded, as a person writes it
        "O5": {"published": True, "evidence": [SITE + "contact.php"]},  # the real contact page: the tool found another
        "O4": {"published": True, "evidence": [SITE + "plan.pdf"]},  # not crawled here: missed
        "O12": {"published": False},
    },
}


def test_url_key_agrees_on_the_same_page():
    assert url_key("http://h:1/a/index.php") == url_key("http://h:1/a/")
    assert url_key("http://h:1/page.php?id=%E0%B8%81") == url_key("http://h:1/page.php?id=ก")
    assert url_key("http://h:1/a?id=1") != url_key("http://h:1/a?id=2")


def test_judge_counts_hits_wrong_pages_and_misses_item_by_item():
    score = judge(small_report(), TRUTH)
    by = {i.code: i.outcome for i in score.items}
    assert by == {"O1": "hit", "O2": "hit", "O5": "wrong page", "O4": "missed", "O12": "absent"}
    s = score.summary()
    assert (s["published"], s["found"], s["hits"]) == (4, 3, 2)
    assert s["topic_recall"] == 0.5 and s["found_precision"] == round(2 / 3, 3)


def test_eval_truth_command_prints_the_figures(tmp_path):
    write_run(small_report(), tmp_path / "report")
    (tmp_path / "truth.yaml").write_text(yaml.safe_dump(TRUTH, allow_unicode=True), "utf-8")
    r = subprocess.run([sys.executable, "-m", "oitcheck", "eval", "--truth", str(tmp_path / "truth.yaml"),
                        str(tmp_path / "report")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    last = json.loads(r.stdout.strip().splitlines()[-1])
    assert last["topic_recall"] == 0.5 and last["hits"] == 2 and last["wrong page"] == 1
    assert "O5    published fail" in r.stdout or "O5    published pass" in r.stdout
    bad = subprocess.run([sys.executable, "-m", "oitcheck", "eval", "--truth", str(tmp_path / "nope.yaml"),
                          str(tmp_path / "report")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 5 and "Traceback" not in bad.stderr
