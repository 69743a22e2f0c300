"""Checklist files: every year loads and validates; counts match shared/oit; errors name
the file, the item and the field."""

import shutil

import pytest

from oitcheck import checklist as checklists
from oitcheck.checklist import ChecklistError


def test_every_year_loads():
    assert checklists.years() == [2566, 2567, 2568, 2569]
    for y in checklists.years():
        c = checklists.load(y)
        assert c.year == y
        assert [i.code for i in c.items] == [f"O{n}" for n in range(1, len(c.items) + 1)]
        for item in c.items:
            assert item.phrases and item.publish and item.indicator in (9, 10)


def test_2566_matches_shared_notes():
    # shared/oit/README.md: 43 items; 9.1 = O1-O9, 9.2 = O10-O17, 9.3 = O18-O24, 9.4 = O25-O28,
    # 9.5 = O29-O33, 10.1 = O34-O41, 10.2 = O42-O43.
    c = checklists.load(2566)
    groups = {}
    for it in c.items:
        groups.setdefault(it.subindicator, []).append(int(it.code[1:]))
    assert {k: (min(v), max(v)) for k, v in groups.items()} == {
        "9.1": (1, 9), "9.2": (10, 17), "9.3": (18, 24), "9.4": (25, 28), "9.5": (29, 33),
        "10.1": (34, 41), "10.2": (42, 43)}
    assert c.item("O42").title == "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"


def test_2568_shape():
    c = checklists.load(2568)
    assert len(c.items) == 26
    assert c.item("O1").title == "โครงสร้างและอำนาจหน้าที่"  # merged in 2568
    assert c.item("O3").rules.link_kind == "qa"  # contact must offer a two-way channel


def test_every_item_says_how_sure_and_from_where():
    for agency in checklists.agency_types():
        for y in checklists.years(agency):
            c = checklists.load(y, agency=agency)
            for it in c.items:
                assert it.confidence in ("confirmed", "single", "inferred"), (agency, y, it.code)
                assert len(it.source) > 10, (agency, y, it.code)
            assert c.status != "confirmed"  # no manual text was found for any year
            assert c.bands_source


def test_2566_corrections_of_2026_11_26():
    c = checklists.load(2566)
    o34 = c.item("O34")  # No Gift Policy from 2565; the older title is accepted too
    assert "No Gift Policy" in o34.title and [a.title for a in o34.alternatives] == ["เจตจำนงสุจริตของผู้บริหาร"]
    assert o34.confidence == "inferred"
    assert c.item("O36").title == "การประเมินความเสี่ยงการทุจริตและประพฤติมิชอบประจำปี"
    assert c.item("O37").title == "การดำเนินการเพื่อจัดการความเสี่ยงการทุจริตและประพฤติมิชอบ"
    assert c.oit_share == 0.4 and c.oit_method == "indicator_mean"
    assert "AA" in c.bands_source and "B-F" in c.bands_source
    assert c.unconfirmed == 3


def test_2567_marks_what_has_no_source():
    c = checklists.load(2567)
    assert {s.code: s.title for s in c.subindicators}["9.2"] == "การบริหารงานและการใช้จ่ายงบประมาณ"
    assert all(it.confidence == "inferred" for it in c.items if it.indicator == 10)
    assert c.unconfirmed == len(c.items)  # not one item has two sources


def test_2568_and_2569_plan_and_progress_are_one_item():
    for y in (2568, 2569):
        c = checklists.load(y)
        assert len(c.items) == 26  # O8-O26 are numbered by the source: the merge frees a number, not a code
        o6 = c.item("O6")
        assert o6.title == "แผนและความก้าวหน้าในการดำเนินงานและการใช้จ่ายงบประมาณประจำปี"
        assert [a.topic for a in o6.alternatives] == ["plan_6m_report"]
        assert not any(it.topic == "plan_6m_report" for it in c.items)
        assert {it.code for it in c.items if it.confidence == "inferred"} >= {"O2", "O5", "O6", "O7"}
    assert not any("26 ข้อ" in s for s in checklists.load(2568).sources)  # the admin tool is not a source
    c = checklists.load(2569)
    assert c.item("O9").title == checklists.load(2568).item("O9").title
    assert c.item("O20").title.endswith("โดยธรรมจรรยาของเจ้าพนักงานของรัฐ")


def _copy(tmp_path, year=2568):
    src = checklists.HERE / f"lao-{year}.yaml"
    dst = tmp_path / f"lao-{year}.yaml"
    shutil.copy(src, dst)
    return dst


def test_bad_field_names_file_item_and_field(tmp_path):
    path = _copy(tmp_path)
    path.write_text(path.read_text("utf-8").replace("{code: O6, title: แผนและ", "{code: O6, colour: red, title: แผนและ", 1), "utf-8")
    with pytest.raises(ChecklistError) as e:
        checklists.load(path=path)
    assert "lao-2568.yaml" in str(e.value) and "item O6" in str(e.value) and "colour" in str(e.value)


def test_unknown_topic_and_bad_weights(tmp_path):
    path = _copy(tmp_path)
    path.write_text(path.read_text("utf-8").replace("topic: news", "topic: newz", 1), "utf-8")
    with pytest.raises(ChecklistError, match=r"item O4, field topic: unknown topic 'newz'"):
        checklists.load(path=path)
    path = _copy(tmp_path)
    path.write_text(path.read_text("utf-8").replace('title: การป้องกันการทุจริต, weight: 50', 'title: การป้องกันการทุจริต, weight: 40', 1), "utf-8")
    with pytest.raises(ChecklistError, match="indicator 10 weights sum to 90"):
        checklists.load(path=path)


def test_false_friends_never_exclude_an_items_own_words():
    # A `not` phrase inside one of the topic's own names would silently drop real evidence.
    from oitcheck.thai import normalize

    for name, topic in checklists.topics().items():
        own = [normalize(p) for p in topic["keywords"] + topic.get("aliases", [])]
        for n in topic.get("not", []):
            assert not [p for p in own if normalize(n) in p], (name, n)


def ranges(c):
    groups = {}
    for it in c.items:
        groups.setdefault(it.subindicator, []).append(int(it.code[1:]))
    return {k: (min(v), max(v)) for k, v in groups.items()}


def test_vocational_colleges_have_their_own_lists():
    assert checklists.years("ovec") == [2568, 2569]
    c = checklists.load(2568, agency="ovec")
    assert c.agency_type == "ovec" and c.agency.head == "ผู้อำนวยการ"
    # Three colleges' 2568 pages: 9.1 o1-o6, 9.2 o7-o16, 9.3 o17-o22, 9.4 o23-o25, 9.5 o26-o29,
    # 10.1 o30-o35, 10.2 o36-o37.
    assert ranges(c) == {"9.1": (1, 6), "9.2": (7, 16), "9.3": (17, 22), "9.4": (23, 25), "9.5": (26, 29),
                         "10.1": (30, 35), "10.2": (36, 37)}
    assert c.item("O22").confidence == "inferred"  # the hub repeats O19's title
    assert c.oit_method == "item_share" and c.oit_share == 0.4
    c = checklists.load(2569, agency="ovec")
    assert ranges(c) == {"9.1": (1, 5), "9.2": (6, 9), "9.3": (10, 11), "9.4": (12, 15), "9.5": (16, 17),
                         "10.1": (18, 19), "10.2": (20, 23)}
    assert c.item("O8").topic == "sar" and c.item("O21").title == "การประเมินผลควบคุมภายในของสถานศึกษา"


def test_checklists_command_lists_the_college_items():
    from tests.conftest import run_oitcheck

    for year, n in ((2568, 37), (2569, 23)):
        p = run_oitcheck("checklists", "--agency", "ovec", "--year", year)
        assert p.returncode == 0, p.stderr
        listed = [ln.split()[0] for ln in p.stdout.splitlines() if ln.startswith("  O")]
        assert listed == [f"O{k}" for k in range(1, n + 1)]
        assert f"· {n} items" in p.stdout and "ovec-" in p.stdout  # names the file to edit
