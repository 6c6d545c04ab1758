"""Issue 23, what is said about the figures: a reported 0 is filled (observation 5), a carried-over
stock is not 本月新增 (observation 6). Hand-counted against the demo database's figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit.app.service import open_store
from credit.model.contract import SHEET_DEPT, SHEET_TOWN, SHEETS, UNIT_COL
from credit.reports.bulletin import YELLOW, build_bulletin_data, flow_alerts, not_sent
from credit.reports.scored import score
from credit.reports.status import EMPTY, MISSING, REPORTED, chase_list, month_status
from credit.scoring.explain import new_this_month
from tests.support.monthdata import import_month, row

NOV = "2022-11"
DEPT_FIELDS = SHEETS[SHEET_DEPT].numeric_fields


def _november(data) -> None:
    """发改局 fills all 11 cells, nine of them 0; 县人民法院 sends its row blank; 司法局 sends no row."""
    fagai = row(data, SHEET_DEPT, "发改局")
    for i, h in enumerate(DEPT_FIELDS):
        fagai[h] = 3 if i in (0, 6) else 0
    court = row(data, SHEET_DEPT, "县人民法院")
    for h in DEPT_FIELDS:
        court[h] = None
    data.sheets[SHEET_DEPT] = [r for r in data.sheets[SHEET_DEPT] if r[UNIT_COL] != "司法局"]


def test_a_reported_zero_is_filled_and_only_silent_units_are_not_reported(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        import_month(store, NOV, _november)
        status = month_status(store, NOV)
        data = build_bulletin_data(store, NOV)
    t = status.table[status.table["工作表"] == SHEET_DEPT].set_index("单位")
    assert len(DEPT_FIELDS) == 11
    assert (t.at["发改局", "状态"], t.at["发改局", "说明"]) == (REPORTED, "已填 11/11 项，其中 9 项为 0")
    assert t.at["司法局", "状态"] == MISSING
    assert t.at["县人民法院", "状态"] in (EMPTY, MISSING)  # the importer may keep or drop a row of blanks
    chased = set(chase_list(status)["单位"])
    assert "发改局" not in chased and {"司法局", "县人民法院"} <= chased
    dept = {a.unit: a for a in data.alerts_of(YELLOW) if a.group.startswith("部门")}
    assert not_sent(dept["县人民法院"]) and "为 0" not in dept["县人民法院"].reason
    assert not_sent(dept["司法局"])
    assert not not_sent(dept["发改局"]) and "为 0" in dept["发改局"].reason  # its zeros are zeros
    silent = [p for p in data.text.paragraphs("problems") if "未报送" in p]
    assert len(silent) == 1 and "2 个单位本月有按月报送的指标未报送" in silent[0]
    assert "县人民法院" in silent[0] and "司法局" in silent[0] and "发改局" not in silent[0]


def test_a_blank_cell_of_a_filled_row_is_unfilled_not_zero(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        gm = score(store, "2022-10", "镇街")
    um = gm.inputs.unit_monthly
    at = (um["unit_id"] == "yushan") & (um["month"] == "2022-10")
    assert um.loc[at, "本月报送信用动态稿件数"].item() == 0  # reported 0 in the demo
    alerts = {a.unit: a.reason for a in flow_alerts(gm)}
    assert "本月报送信用动态稿件数为 0" in alerts["榆山街道"]
    um.loc[at, "本月报送信用动态稿件数"] = float("nan")
    alerts = {a.unit: a.reason for a in flow_alerts(gm)}
    assert "本月报送信用动态稿件数未填写" in alerts["榆山街道"] and "为 0" not in alerts["榆山街道"]



def _items(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"unit_id": u, "code": c, "month": m, "source": "月报", "quantity": q, "deduction": q}
                         for u, c, m, q in rows])


def test_new_this_month_for_stocks_flows_and_events(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        fw = score(store, "2022-09", "部门").scores.framework
    before = _items([("a", "D5", "2022-08", 1.0), ("b", "D5", "2022-08", 2.0), ("c", "D2a", "2022-08", 4.0)])
    now = _items([("a", "D5", "2022-09", 1.0),  # re-reported, unchanged: carried over
                  ("b", "D5", "2022-09", 3.0),  # grew: new
                  ("d", "D5", "2022-09", 1.0),  # first report: new
                  ("e", "D5", "2022-07", 2.0),  # last reported in July: not this month's
                  ("c", "D2a", "2022-09", 4.0)])  # a flow: this month's figure is new
    assert list(new_this_month(now, before, "2022-09", fw)) == [False, True, True, False, True]
    assert list(new_this_month(now, None, "2022-09", fw)) == [True, True, True, False, True]


def test_september_counts_only_new_items(demo_db: Path) -> None:
    """Observation 6: 东阿镇's 清欠案例 (1 since May) and six departments' 重错码 (1 since June) are stock."""
    with open_store(demo_db) as store:
        data = build_bulletin_data(store, "2022-09")
    new = data.new_deductions
    assert len(new) == 6
    assert "东阿镇" not in set(new["单位"]) and not new["事项"].str.contains("存量").any()
    assert "本月新增扣分事项 6 项" in "\n".join(data.text.paragraphs("problems"))
    assert any("其中本月新增 6 项" in s for s in data.sentences)


def test_a_stock_that_grows_is_new(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        import_month(store, NOV, lambda d: row(d, SHEET_TOWN, "东阿镇").update({"清欠未完成案例数": 2}))
        data = build_bulletin_data(store, NOV)
    new = data.new_deductions
    assert list(new.loc[new["单位"] == "东阿镇", "事项"]) == ["截至 2022-11 报送清欠未完成案例数：2（存量）"]
