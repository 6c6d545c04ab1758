"""The 权重模拟 page through AppTest: moving a weight re-ranks, roles decide who may save or adopt."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from credit.app import service
from credit.model.accounts import Actor
from tests.support.apptest import open_page, run

LEADER = Actor("leader", "viewer", "领导")
OFFICE = Actor("office", "editor", "信用办")


def _open(actor: Actor, group: str = "镇街") -> AppTest:
    at = open_page("whatif.py", actor)
    if group != "镇街":
        at.radio(key="wi_group").set_value(group)
        at = run(at)
    return at


def _input(at: AppTest, label_start: str):
    return next(n for n in at.number_input if n.label.startswith(label_start))


def _table(at: AppTest):
    return at.dataframe[0].value


def _buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


@pytest.mark.usefixtures("demo_db")
def test_moving_a_weight_changes_the_whatif_ranking_and_keeps_the_budget():
    at = _open(LEADER)
    before = _table(at)
    assert (before["模拟排名"] == before["官方排名"]).all()
    _input(at, "营商环境（官方 80 分）").set_value(40.0).run()
    assert not at.exception
    after = _table(at)
    assert (after["官方排名"] == before["官方排名"]).all()  # the official ranking never moves
    assert (after["模拟排名"] != after["官方排名"]).any()
    moved = after[after["排名变化"] != "—"]
    assert moved["原因"].str.contains("营商环境权重下调").all()
    levels = [_input(at, name).value for name in ("信用制度和基础建设", "营商环境", "信用监管")]
    assert levels == [30.0, 40.0, 30.0]  # budget mode: 60 pts freed, split 10:10
    assert len(at.get("plotly_chart")) >= 2  # slope chart and stability chart
    assert any("营商环境权重下调" in m.value for m in at.markdown)


@pytest.mark.usefixtures("demo_db")
def test_free_mode_shows_the_new_total_and_reset_restores_the_official_points():
    at = _open(LEADER, group="部门")
    at.radio(key="wi_mode").set_value("free").run()
    _input(at, "营商环境（官方 15 分）").set_value(25.0).run()
    assert _input(at, "信用制度和基础建设").value == 60
    total = next(m for m in at.metric if m.label == "分值合计")
    assert total.value == "110.00 分"
    at.button(key="wi_reset").click().run()
    assert _input(at, "营商环境（官方 15 分）").value == 15
    assert (_table(at)["模拟排名"] == _table(at)["官方排名"]).all()


@pytest.mark.usefixtures("demo_db")
def test_a_viewer_sees_no_shared_save_or_adopt_button():
    at = _open(LEADER)
    assert "保存当前方案" not in _buttons(at)
    assert "保存为我的私有方案" in _buttons(at)
    assert "发布为官方权重" not in _buttons(at)
    assert "恢复官方权重" in _buttons(at)
    notes = " ".join(w.value for w in at.warning)
    assert "无权发布官方权重" in notes


def test_a_leader_saves_and_deletes_a_private_scenario_the_office_never_sees(demo_db):
    at = _open(LEADER)
    _input(at, "营商环境（官方 80 分）").set_value(40.0).run()
    at.text_input(key="wi_save_name").set_value("领导草案")
    at.button(key="FormSubmitter:wi_save-保存为我的私有方案").click().run()
    assert not at.exception
    assert any("已保存我的私有方案「领导草案」" in s.value for s in at.success)
    listed = next(d.value for d in at.dataframe if "类型" in d.value.columns)
    assert list(zip(listed["方案"], listed["类型"])) == [("领导草案", "我的私有方案")]
    with service.open_store(demo_db) as store:
        (sc,) = store.scenarios.scenarios("镇街", by=LEADER)
        assert (sc.owner, sc.points["T3"]) == ("leader", 10)  # 20 of 80, scaled to 40
        assert store.scenarios.scenarios("镇街", by=OFFICE) == []

    office = _open(OFFICE)
    assert not any("领导草案" in str(d.value.to_dict()) for d in office.dataframe)
    assert any("还没有保存的方案。" == c.value for c in office.caption)
    assert "领导草案" not in " ".join(str(o) for box in office.selectbox for o in box.options)

    assert at.selectbox(key="wi_delete_pick").value == sc.id
    at.button(key="wi_delete_btn").click().run()
    assert not at.exception
    assert any("已删除我的私有方案「领导草案」" in s.value for s in at.success)
    assert any("还没有保存的方案。" == c.value for c in at.caption)
    with service.open_store(demo_db) as store:
        assert store.scenarios.scenarios("镇街", by=LEADER) == []
        assert store.audit_log(limit=1)[0]["action"] == "scenario.delete"


def test_the_office_saves_a_scenario_then_adopts_it(demo_db):
    at = _open(OFFICE)
    _input(at, "营商环境（官方 80 分）").set_value(60.0).run()
    at.text_input(key="wi_save_name").set_value("营商环境60分")
    at.button(key="FormSubmitter:wi_save-保存当前方案").click().run()
    assert not at.exception
    assert any("已保存方案「营商环境60分」" in s.value for s in at.success)
    with service.open_store(demo_db) as store:
        (sc,) = store.scenarios.scenarios("镇街", by=None)
        assert sc.name == "营商环境60分" and sc.created_by == "office"
        assert sc.points["T3"] == 15  # 20 of 80, scaled to 60
    at.multiselect(key="wi_compare").set_value([sc.id]).run()
    assert any(b.label == "下载对比表（Excel）" for b in at.get("download_button"))

    at.selectbox(key="wi_adopt_src").set_value(sc.id).run()
    at.selectbox(key="wi_adopt_month").set_value("2022-06").run()
    at.text_area(key="wi_adopt_reason").set_value("领导小组会议决定")
    at.checkbox(key="wi_adopt_sure").check()
    at.button(key="FormSubmitter:wi_adopt-发布为官方权重").click().run()
    assert not at.exception
    assert any("已发布新的官方权重" in s.value for s in at.success)
    with service.open_store(demo_db) as store:
        latest = store.frameworks.framework_versions("镇街")[-1]
        assert (latest["effective_month"], latest["reason"]) == ("2022-06", "领导小组会议决定")
        assert service.framework_for(store, "镇街", "2022-05").version_id != latest["id"]
    # the month shown (2022-10) now runs on the adopted weights: they are the new official points
    assert _input(at, "营商环境（官方 60 分）").value == 60
