"""Large registers through AppTest (a few hundred 部门): the unit page searches instead of listing
every unit, a link still opens its unit; the what-if page sends one page of rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.bench_large import build
from credit.app import service
from credit.app.service import open_store
from tests.support.apptest import open_page, plotly_array, run
from ui.whatif_results import SLOPE_OPEN_KEY

N_UNITS = 209  # 9 towns + 200 departments: four times the picker's list
MONTHS = ("2022-01", "2022-02")


@pytest.fixture(scope="module")
def large_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.db"
    build(path, N_UNITS, MONTHS)
    return path


@pytest.fixture()
def large_db(large_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "large.db"
    shutil.copyfile(large_master, dest)
    monkeypatch.setenv("CREDIT_DB", str(dest))
    return dest


def departments(db: Path) -> list[tuple[str, str]]:
    with open_store(db) as store:
        s = service.score(store, MONTHS[-1], "部门").summary
    return list(zip(s["unit_id"], s["unit"]))


def unit_page(**params: str) -> AppTest:
    at = open_page()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("pages/unit.py")
    return run(at)


def picker(at: AppTest):
    return at.selectbox(key="unit_id")


def test_a_large_group_lists_fifty_units_and_search_narrows_them(large_db: Path) -> None:
    ranked = departments(large_db)
    at = unit_page(group="部门")
    assert picker(at).options and len(picker(at).options) == 50
    assert [o for o in picker(at).options] == [name for _, name in ranked[:50]]  # the ranking's top 50
    assert "共 200 个单位" in " ".join(c.value for c in at.caption)
    at.text_input(key="unit_query").set_value("市场监管")
    at = run(at)
    assert picker(at).value == "shichangjianguan"  # the best match is shown at once
    assert picker(at).options == ["市场监管局"]
    assert at.query_params["unit"] == "shichangjianguan"
    assert any(h.value == "失分明细" for h in at.subheader)
    at.text_input(key="unit_query").set_value("FGJ")  # 拼音 initials, any case: 发改局
    at = run(at)
    assert picker(at).value == "fagai"
    at.text_input(key="unit_query").set_value("合成部门0015")
    at = run(at)
    assert picker(at).options == [n for _, n in ranked if n.startswith("合成部门0015")]  # in ranking order
    assert len(picker(at).options) == 10
    picker(at).select("syn00157")
    at = run(at)
    assert picker(at).value == "syn00157"
    at.text_input(key="unit_query").set_value("不存在的单位")
    at = run(at)
    assert picker(at).value == "syn00157" and picker(at).options == ["合成部门00157"]  # the shown unit stays
    assert "没有找到与「不存在的单位」匹配的单位。" in [c.value for c in at.caption]


def test_a_link_opens_a_unit_outside_the_first_fifty_even_without_its_group(large_db: Path) -> None:
    last_id, last_name = departments(large_db)[-1]
    at = unit_page(month=MONTHS[-1], unit=last_name)
    assert at.radio(key="unit_group").value == "部门"
    assert picker(at).value == last_id and last_name in picker(at).options
    assert len(picker(at).options) == 51  # the top 50, and the linked unit first
    assert not at.warning
    assert at.query_params["unit"] == last_id and at.query_params["group"] == "部门"


def whatif_page() -> AppTest:
    at = open_page()
    at.switch_page("pages/whatif.py")
    at = run(at)
    at.radio(key="wi_group").set_value("部门")
    return run(at)


def test_what_if_on_a_large_group_sends_one_page_and_explains_it(large_db: Path) -> None:
    at = whatif_page()
    table = at.dataframe[0].value
    assert len(table) == 50 and list(table["官方排名"])[:3] == [1, 2, 3]
    box = next(n for n in at.number_input if n.label.startswith("营商环境（官方"))
    box.set_value(box.value / 3)
    at = run(at)
    moved = next(m for m in at.metric if m.label == "名次变化的单位")
    n_moved = int(moved.value.split()[0])
    assert n_moved > 50
    at.radio(key="wi_order").set_value("moved")
    at = run(at)
    table = at.dataframe[0].value
    assert len(table) == 50
    assert (table["排名变化"] != "—").all() and (table["原因"] != "").all()  # the biggest movers, explained
    notes = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(notes) == 1 and notes[0].count("\n") == 49  # one line per mover on the page
    assert f"名次变化的单位共 {n_moved:,} 个" in " ".join(c.value for c in at.caption)
    assert not at.get("plotly_chart")  # the slope chart is closed, and only the open tab ran (no stability chart)
    assert [e.label for e in at.expander if e.label.startswith("名次变化图")] == ["名次变化图（本页 50 个单位）"]
    at.session_state[SLOPE_OPEN_KEY] = True  # opened, as a click does
    at = run(at)
    assert len(at.get("plotly_chart")) == 1
    slope = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown_ranks = {int(y) for trace in slope["data"] for y in plotly_array(trace["y"]) if y == y}  # NaN: the gaps
    assert set(table["官方排名"]) <= shown_ranks  # this page's units, drawn from their official rank
    at.get("pagination")[0].set_value(2)
    at = run(at)
    assert len(at.dataframe[0].value) == 50 and set(at.dataframe[0].value["单位"]).isdisjoint(table["单位"])
    at.session_state["wi_tabs"] = "排名稳定性"
    at = run(at)
    stab = at.dataframe[0].value
    assert list(stab.columns)[:2] == ["基准排名", "单位"] and len(stab) == 50


def test_a_large_groups_lost_points_are_built_only_when_opened(large_db: Path) -> None:
    """Thousands of units: a closed 失分明细 expander sends no tables (each pick stays light);
    opening one draws its month-by-month figures."""
    with open_store(large_db) as store:
        gm = service.score(store, MONTHS[-1], "部门")
    d = gm.scores.detail
    lost = d[d["applies"] & (d["possible"] - d["earned"] > 1e-9)]
    top = gm.summary["unit_id"].tolist()[:50]
    uid = next(u for u in top if (lost["unit_id"] == u).any())
    codes = lost.loc[lost["unit_id"] == uid, "code"].tolist()
    at = unit_page(group="部门")
    picker(at).select(uid)
    at = run(at)
    boxes = [e for e in at.expander if "：失 " in e.label]
    assert len(boxes) == len(codes)
    assert all(len(e.dataframe) == 0 for e in boxes)
    at.session_state[f"lost_{codes[0]}"] = True  # what a click on the expander does
    at = run(at)
    boxes = [e for e in at.expander if "：失 " in e.label]
    opened = [e for e in boxes if len(e.markdown) or len(e.dataframe)]
    assert len(opened) == 1 and opened[0].label.startswith(gm.scores.framework.indicator(codes[0]).name)


def test_a_large_groups_second_level_weights_are_drawn_when_their_level_is_opened(large_db: Path) -> None:
    with open_store(large_db) as store:
        fw = service.score(store, MONTHS[-1], "部门").scores.framework
    at = whatif_page()
    level = fw.level1[1]
    codes = [i.code for i in fw.indicators if i.level1 == level.name]
    assert not [n for n in at.number_input if n.label.split(" ")[0] in fw.codes]  # closed: no second-level boxes
    box = next(n for n in at.number_input if n.label.startswith(f"{level.name}（官方"))
    box.set_value(level.points / 2)
    at = run(at)
    at.session_state[f"wi:部门:{fw.version_id}:open:1"] = True
    at = run(at)
    shown = {n.label.split(" ")[0]: n.value for n in at.number_input if n.label.split(" ")[0] in fw.codes}
    assert list(shown) == codes  # that level's indicators only, in framework order
    assert sum(shown.values()) == pytest.approx(level.points / 2)  # they followed the level, pro rata


def test_the_ranking_names_the_first_thirty_units_with_new_deductions(large_db: Path) -> None:
    """With a large register the card's list of units with new deductions is cut at 30 names and
    ends with 等 (the card itself says how many); a county's few names are listed in full."""
    at = open_page()
    card = next(m for m in at.metric if m.label == "本月新增扣分单位")
    n_hit = int(card.value.split()[0])
    assert n_hit > 30
    listed = next(c.value for c in at.caption if c.value.endswith("等") and "、" in c.value)
    assert len(listed[:-1].split("、")) == 30


def test_some_names_cuts_a_long_list() -> None:
    from credit.common.labels import some_names

    assert some_names(["甲", "乙"], 3) == "甲、乙"
    assert some_names(["甲", "乙", "丙"], 3) == "甲、乙、丙"
    assert some_names(["甲", "乙", "丙", "丁"], 3) == "甲、乙、丙等"
    assert some_names([], 3) == ""
    # where no count stands beside the list, the list says it (import warnings, month state, refusals)
    assert some_names(["甲", "乙", "丙", "丁"], 3, "个单位") == "甲、乙、丙等 4 个单位"
    assert some_names(["甲", "乙", "丙"], 3, "项") == "甲、乙、丙"
