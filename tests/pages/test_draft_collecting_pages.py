"""A month still being collected on the pages (AppTest): Home, the 月度通报 preview and 单位详情 mark
the unit that sent nothing the same way — 未报送, last, not ranked — and rank the others alike.
November: the towns' sheet without 孔村镇, no department has reported."""

from __future__ import annotations

from pathlib import Path

from credit.app.service import open_store
from credit.model.contract import SHEET_TOWN, UNIT_COL
from tests.support.actors import EDITOR
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    month_picker,
    navigation_mode,
    open_page,
    open_tab,
    run,
)
from tests.support.monthdata import import_month

NOV = "2022-11"


def _collecting(db: Path) -> None:
    def drop_kongcun(data) -> None:
        data.sheets[SHEET_TOWN] = [r for r in data.sheets[SHEET_TOWN] if r[UNIT_COL] != "孔村镇"]

    with open_store(db) as store:
        import_month(store, NOV, drop_kongcun, only=(SHEET_TOWN,))


def test_home_and_the_bulletin_preview_rank_the_collecting_month_alike(demo_db: Path) -> None:
    _collecting(demo_db)
    home = open_page(actor=EDITOR)
    assert month_picker(home).value == NOV
    towns = home.dataframe[0].value
    page = open_page("bulletin.py", EDITOR)
    preview = page.dataframe[0].value  # the 镇街 tab of the preview
    assert list(towns["单位"]) == list(preview["单位"]) and list(towns["单位"])[-1] == "孔村镇"
    assert list(towns["排名"].astype(str)) == list(preview["排名"].astype(str))
    assert list(preview["排名"].astype(str)) == [*[str(i) for i in range(1, 9)], "—"]
    assert list(preview["状态"])[-1] == "未报送" and list(towns["状态"])[-1] == "未报送"
    assert preview["得分率"].iloc[-1] == "—" and towns["得分率"].iloc[-1] == "—"
    overall = " ".join(m.value for m in page.markdown)
    assert "9个镇（街道）、开发区中已报送 8 个" in overall and "孔村镇 1 个单位未报送、不参加排名" in overall
    assert "31个部门（单位）本月均未报送，暂不排名" in overall
    depts = open_tab(home, "home_group", "部门（单位）").dataframe[0].value
    assert (depts["状态"] == "未报送").all() and (depts["排名"] == "—").all()


def test_the_unit_page_of_a_unit_that_sent_nothing_says_so_and_gives_no_rank(demo_db: Path) -> None:
    _collecting(demo_db)
    at = open_page("unit.py", EDITOR)
    at.session_state["unit_group"] = "镇街"
    at = run(at)
    at.selectbox(key="unit_id").set_value("kongcun")
    at = run(at)
    assert any("本单位2022年11月未报送：不参加本月排名" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["排名"] == "未报送" and metrics["得分率"] == "未报送" and metrics["超过上一名还需"] == "—"
    at.selectbox(key="unit_id").set_value("dong_e")  # a town that reported: ranked among the eight
    at = run(at)
    assert {m.label: m.value for m in at.metric}["排名"].endswith("/ 8")


def test_the_what_if_page_simulates_only_the_units_that_reported(demo_db: Path) -> None:
    _collecting(demo_db)
    at = open_page("whatif.py", EDITOR)
    assert not at.exception
    assert any("尚有 1 个单位未报送（孔村镇），不参加本月排名，也不参加模拟" in c.value for c in at.caption)
    at.radio(key="wi_group").set_value("部门")
    at = run(at)
    assert not at.exception and any("本组单位均未报送，报送后才能模拟排名" in i.value for i in at.info)
