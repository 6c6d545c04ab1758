"""The leadership pages (AppTest): ranking, unit detail with drill-down, 信易贷, indicator guide."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from credit.app import service
from credit.app.service import open_store
from credit.scoring.xyd import progress
from tests.support.apptest import month_picker, open_page, open_tab, plotly_array, switch
from tests.support.paths import ROOT

MONTH = "2022-10"


def test_home_ranking_matches_the_engine(demo_db: Path) -> None:
    at = open_page()
    assert any("演示数据库" in w.value for w in at.warning)
    assert month_picker(at).value == MONTH  # latest month with data by default
    with open_store(demo_db) as store:
        towns = service.score(store, MONTH, "镇街")
        depts = service.score(store, MONTH, "部门")
        p = progress(towns.inputs.county_monthly, MONTH, *store.xyd_target(2022))
    (town_table,) = [df.value for df in at.dataframe]  # the groups are lazy tabs: only the chosen one is drawn
    (dept_table,) = [df.value for df in open_tab(at, "home_group", "部门（单位）").dataframe]
    assert list(town_table["单位"]) == list(towns.summary["unit"])
    assert list(town_table["得分率"]) == list(towns.summary["score"].round(2))
    assert list(dept_table["排名"]) == list(depts.summary["rank"])
    assert set(town_table.columns) >= {"信用制度和基础建设", "营商环境", "信用监管", "排名变化", "较上月"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["信易贷本年新增注册"] == f"{p.new:,.0f} 家"
    assert metrics["完成目标每月还需"] == f"{p.pace_needed:,.0f} 家/月"
    assert metrics["全县信用监测全市排名"].startswith("第 ")


def test_month_picker_changes_every_table(demo_db: Path) -> None:
    at = open_page()
    month_picker(at).set_value("2022-03").run()
    with open_store(demo_db) as store:
        march = service.score(store, "2022-03", "镇街")
    assert list(at.dataframe[0].value["得分率"]) == list(march.summary["score"].round(2))


def test_unit_page_drills_into_events(demo_db: Path) -> None:
    at = open_page("unit.py")
    at.selectbox(key="unit_id").select("dong_e").run()
    titles = [e.label for e in at.expander]
    # 东阿镇: one village case in March and one in August → T7 loses 2 of 10 points.
    t7 = next(t for t in titles if t.startswith("村居失信治理情况"))
    assert "失 2.00 分" in t7
    i = titles.index(t7)
    frames = [df.value for df in at.expander[i].dataframe]
    events = next(f for f in frames if "扣分" in f.columns)
    assert list(events["月份"]) == ["2022-03", "2022-08"] and list(events["扣分"]) == [1.0, 1.0]
    assert len(at.get("plotly_chart")) >= 4  # level-1 bars, rank history, level-2 bars, radar, heat map


def test_unit_page_heat_map_sums_by_first_level_and_drills_down(demo_db: Path) -> None:
    at = open_page("unit.py")
    with open_store(demo_db) as store:
        gm = service.score(store, MONTH, "镇街")
    d = gm.scores.detail
    d = d[d["applies"] & (d["unit_id"] == gm.summary["unit_id"].iloc[0])]
    level = gm.scores.level1_names[0]
    mine = d[d["level1"] == level]
    expected = mine["earned"].sum() / mine["possible"].sum() * 100
    heat = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert list(heat["x"]) == gm.scores.level1_names  # first-level columns only
    assert heat["y"][0] == gm.summary["unit"].iloc[0]  # rows in ranking order
    assert plotly_array(heat["z"])[0][0] == pytest.approx(expected)
    at.selectbox(key="heat_level").select(level).run()
    assert not at.exception
    drilled = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    short = {i.code: i.label for i in gm.scores.framework.indicators}
    assert list(drilled["x"]) == [short[c] for c in mine["code"]]  # that level's indicators, by short name


def test_unit_page_shows_points_needed_to_overtake(demo_db: Path) -> None:
    at = open_page("unit.py")
    with open_store(demo_db) as store:
        summary = service.score(store, MONTH, "镇街").summary
    second = summary.iloc[1]
    at.selectbox(key="unit_id").select(second["unit_id"]).run()
    metric = next(m for m in at.metric if m.label == "超过上一名还需")
    first = summary.iloc[0]
    needed = (round(first["score"], 2) + 0.01 - second["score"]) * second["possible"] / 100
    assert metric.value == f"{needed:.2f} 分"


def test_xyd_page_reports_progress_and_town_shares(demo_db: Path) -> None:
    at = open_page("xyd.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["按当前速度达标月份"] == "年内难以完成"
    towns = at.dataframe[0].value
    assert len(towns) == 9
    assert towns["全年任务数"].sum() == pytest.approx(4000)  # the whole target is allocated
    assert len(at.get("plotly_chart")) == 2


def test_guide_lists_every_indicator_with_its_formula(demo_db: Path) -> None:
    at = open_page("guide.py")
    text = "\n".join(m.value for m in at.markdown)
    for code in ["T1", "T7", "T9", "D2a", "D13", "D15b"]:
        assert f"**{code}" in text
    assert "开发区" in text and "“90分”" in "\n".join(c.value for c in at.caption)


def test_cached_scores_are_not_recomputed_on_widget_touch(demo_db: Path, monkeypatch) -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    calls = []
    real = service.score
    monkeypatch.setattr(service, "score", lambda *a, **k: calls.append(a[1:3]) or real(*a, **k))
    at = open_page()
    first = len(calls)
    assert first >= 2
    at.run()  # a rerun, as after any widget touch
    switch(at, "ranking.py")
    assert len(calls) == first


def test_every_page_is_routed_through_home() -> None:
    """Deep links must not bypass the login gate: each page calls ensure_router() first."""
    for path in (ROOT / "pages").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        assert calls and getattr(calls[0].value.func, "id", "") == "ensure_router", path.name


def test_every_table_is_downloadable(demo_db: Path) -> None:
    at = open_page()
    for label in ("镇（街道）、开发区", "部门（单位）"):  # each group's tab: its table and both files
        open_tab(at, "home_group", label)
        labels = [b.label for b in at.get("download_button")]
        assert labels.count("下载 CSV") == 1 and labels.count("下载 Excel") == 1, label
        assert len(at.dataframe) == 1 and isinstance(at.dataframe[0].value, pd.DataFrame)
        shown = [*(m.value for m in at.markdown), *(c.value for c in at.caption), *(h.value for h in at.subheader)]
        panels = [t.split("\n\n")[0] for t in shown if t.startswith("#### ")]
        assert panels == ["#### :green[进步最大]", "#### :red[下降最多]"], label  # the movers of the chosen group
        assert not [t for t in shown if re.search(r"(?<![A-Za-z])(None|nan|NaN)(?![A-Za-z])", t)], label


def test_a_movers_panel_is_one_markdown_with_its_heading_or_a_grey_none() -> None:
    from ui.widgets import mover_panel

    assert mover_panel("进步最大", "green", ["**东阿镇** 第 5 → 2 名", "**孝直镇** 第 9 → 7 名"], "上升") == (
        "#### :green[进步最大]\n\n**东阿镇** 第 5 → 2 名\n\n**孝直镇** 第 9 → 7 名")
    assert mover_panel("下降最多", "red", [], "下降") == "#### :red[下降最多]\n\n:gray[本月没有得分下降的单位]"
