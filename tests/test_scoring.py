"""The score arithmetic, checked against the seed report (an อบต., ITA 2566)."""

import json
import subprocess
import sys

from oitcheck import checklist as checklists
from oitcheck.scoring import band, score


def seed_pattern():
    # All of 9.1 (9 items) + half of 9.2 (4 of 8) + one of the eight 10.1 items.
    passed = {f"O{i}": True for i in range(1, 10)}
    passed.update({"O10": True, "O11": True, "O13": True, "O14": True, "O34": True})
    return passed


def test_seed_scores_are_reproduced():
    # 9 = 20% x (100 + 50 + 0 + 0 + 0) = 30.00 ; 10 = 50% x 12.5 + 50% x 0 = 6.25
    s = score(checklists.load(2566), seed_pattern())
    assert s.indicator_9 == 30.00
    assert s.indicator_10 == 6.25
    assert s.subindicators["9.2"] == 50.0 and s.subindicators["10.1"] == 12.5


def test_oit_is_the_mean_of_9_and_10_and_40_percent_of_ita():
    s = score(checklists.load(2566), seed_pattern())
    assert s.oit == 18.13 and s.oit_method == "indicator_mean"  # (30.00 + 6.25) / 2, half up
    assert s.oit_weighted == 7.25 and s.oit_points == 40


def test_all_and_nothing():
    c = checklists.load(2568)
    assert score(c, {i.code: True for i in c.items}).indicator_9 == 100.0
    assert score(c, {}).indicator_10 == 0.0


def test_bands():
    assert [band(x) for x in (100, 95, 94.99, 85, 75, 65, 55, 50, 49.99)] == ["AA", "AA", "A", "A", "B", "C", "D", "E", "F"]


def test_score_command(tmp_path):
    f = tmp_path / "verdicts.json"
    f.write_text(json.dumps({k: "pass" for k in seed_pattern()}), "utf-8")
    out = subprocess.run([sys.executable, "-m", "oitcheck", "score", str(f), "--year", "2566"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert (data["indicator_9"], data["indicator_10"]) == (30.0, 6.25)


def test_score_command_rejects_unknown_items(tmp_path):
    f = tmp_path / "v.json"
    f.write_text(json.dumps({"O99": "pass"}), "utf-8")
    out = subprocess.run([sys.executable, "-m", "oitcheck", "score", str(f), "--year", "2568"], capture_output=True, text=True)
    assert out.returncode == 5 and "O99" in out.stderr


def test_a_colleges_oit_is_the_share_of_items_passed():
    # OVEC published a college's 2568 OIT as 33.51 out of 40: 31 of its 37 items (31/37 x 40).
    c = checklists.load(2568, agency="ovec")
    failing = {"O4", "O14", "O22", "O28", "O32", "O33"}
    s = score(c, {i.code: i.code not in failing for i in c.items})
    assert s.oit_method == "item_share" and s.oit_points == 40
    assert s.oit_weighted == 33.51 and s.oit == 83.78
    assert (s.indicator_9, s.indicator_10) == (86.21, 75.0)  # item shares: 25/29 and 6/8
    # The NACC's mean of the two indicators would have said 32.24: the arithmetic differs.
    assert round((s.indicator_9 + s.indicator_10) / 2 * 0.4, 2) == 32.24
