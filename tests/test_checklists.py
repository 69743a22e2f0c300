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


def _copy(tmp_path, year=2568):
    src = checklists.HERE / f"lao-{year}.yaml"
    dst = tmp_path / f"lao-{year}.yaml"
    shutil.copy(src, dst)
    return dst


def test_bad_field_names_file_item_and_field(tmp_path):
    path = _copy(tmp_path)
    path.write_text(path.read_text("utf-8").replace("{code: O5, title: แผนดำเนินงาน", "{code: O5, title: แผนดำเนินงาน, colour: red", 1), "utf-8")
    with pytest.raises(ChecklistError) as e:
        checklists.load(path=path)
    assert "lao-2568.yaml" in str(e.value) and "item O5" in str(e.value) and "colour" in str(e.value)


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
