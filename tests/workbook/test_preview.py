"""The upload preview: diffs, reconciliation flags, duplicates and rank changes, by hand-computed cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit.app.service import open_store
from credit.model.contract import COUNTY, SCENARIOS, TOWN, UNIT_COL
from credit.model.units import load_units
from credit.workbook.preview import (
    ERROR_COLUMNS,
    build_preview,
    candidate_months,
    check_file,
    diff_records,
    diff_values,
    error_table,
    flag_jumps,
    flag_surges,
    long_values,
    missing_units,
    rank_changes,
)
from tests.support.workbooks import fill_template, make_workbook

MONTH = "2022-10"


def frame(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["key", "单位", "指标", "value"])
    out["value"] = out["value"].astype(float)
    return out


def hist(key: str, field: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"key": key, "指标": field, "value": [float(v) for v in values]})


# ---- pure pieces -------------------------------------------------------------------------------


def test_long_values_of_unit_and_item_sheets() -> None:
    rec = {"row": 3, "unit_id": "yushan", UNIT_COL: "榆山街道", "本月出台信用制度文件数": 2.0, "辖区注册企业总数": None}
    long = long_values(TOWN, [rec])
    assert len(long) == len(TOWN.numeric_fields)
    row = long.set_index("指标").loc["本月出台信用制度文件数"]
    assert (row["key"], row["单位"], row["value"]) == ("yushan", "榆山街道", 2.0)
    assert np.isnan(long.set_index("指标").loc["辖区注册企业总数", "value"])
    county = long_values(COUNTY, [{"row": 3, "item": "全市区县数", "value": 12.0}])
    assert county.iloc[0].tolist() == ["全县", "全县", "全市区县数", 12.0]


def test_diff_values_new_changed_unchanged_and_blanks() -> None:
    new = frame([("a", "甲", "x", 3), ("a", "甲", "y", np.nan), ("a", "甲", "z", np.nan), ("b", "乙", "x", 1)])
    current = frame([("a", "甲", "x", 1), ("a", "甲", "y", np.nan), ("a", "甲", "z", 5)])
    previous = frame([("a", "甲", "x", 7)])
    changes, unchanged = diff_values(new, current, previous)
    assert unchanged == 1  # y: blank in both
    got = {(r.单位, r.指标): r for r in changes.itertuples()}
    assert set(got) == {("甲", "x"), ("甲", "z"), ("乙", "x")}
    assert (got[("甲", "x")].当前值, got[("甲", "x")].新值, got[("甲", "x")].上月值, got[("甲", "x")].变化) == (1, 3, 7, "修改")
    assert np.isnan(got[("甲", "z")].新值) and got[("甲", "z")].变化 == "修改"  # a number blanked is a change
    assert np.isnan(got[("乙", "x")].当前值) and got[("乙", "x")].变化 == "新增"


def test_flag_jumps_uses_range_width_and_factor() -> None:
    # history 10, 12, 14: lo 10, hi 14, median 12, width max(4, 3, 1) = 4 → allowed [2, 22]
    history = hist("a", "x", [10, 12, 14])
    new = frame([("a", "甲", "x", 23), ("b", "乙", "x", 23)])
    flags = flag_jumps(new, pd.concat([history, hist("b", "x", [10, 12, 14])]))
    assert len(flags) == 2 and flags.iloc[0]["以往范围"] == "10–14" and "高于" in flags.iloc[0]["说明"]
    assert flag_jumps(frame([("a", "甲", "x", 22)]), history).empty
    assert flag_jumps(frame([("a", "甲", "x", 2)]), history).empty
    low = flag_jumps(frame([("a", "甲", "x", 1)]), history)
    assert len(low) == 1 and "低于" in low.iloc[0]["说明"]


def test_flag_jumps_needs_enough_history_and_scales_a_flat_series() -> None:
    assert flag_jumps(frame([("a", "甲", "x", 1000)]), hist("a", "x", [10, 12])).empty  # 2 points: no flag
    # 5, 5, 5: width max(0, 1.25, 1) = 1.25 → allowed [2.5, 7.5]
    flat = hist("a", "x", [5, 5, 5, np.nan])
    assert flag_jumps(frame([("a", "甲", "x", 7.5)]), flat).empty
    assert len(flag_jumps(frame([("a", "甲", "x", 8)]), flat)) == 1
    assert flag_jumps(frame([("a", "甲", "x", np.nan)]), flat).empty  # a blank is not a jump


def test_flag_surges_more_than_tenfold_last_month() -> None:
    previous = frame([("a", "甲", "x", 10), ("a", "甲", "y", 0), ("b", "乙", "x", 3), ("c", "丙", "x", np.nan)])
    new = frame([("a", "甲", "x", 101), ("a", "甲", "y", 50), ("b", "乙", "x", 30), ("c", "丙", "x", 999),
                 ("d", "丁", "x", 1e6), ("b", "乙", "y", 5)])
    surges = flag_surges(new, previous)
    # 101 > 10 × 10; 30 is exactly 10 × 3 (not more); last month 0 or blank or absent: nothing to compare
    assert surges.to_dict("records") == [{"单位": "甲", "指标": "x", "上月值": 10, "新值": 101, "倍数": "10.1 倍"}]
    assert flag_surges(frame([("a", "甲", "x", 0.5)]), frame([("a", "甲", "x", 10)])).empty  # a fall is normal


def test_missing_units_lists_active_units_left_out() -> None:
    register = load_units()
    towns = register.active(MONTH, "镇街")
    present = [{"unit_id": u.id} for u in towns[1:]]
    assert missing_units(TOWN, present, register, MONTH) == [towns[0].name_at(MONTH)]
    assert missing_units(SCENARIOS, [], register, MONTH) == []  # records sheets have no roster


def test_diff_records_is_a_multiset_difference() -> None:
    a = {"row": 3, "unit_id": "u", UNIT_COL: "甲", "信用应用": "信易批"}
    b = {"row": 4, "unit_id": "u", UNIT_COL: "甲", "信用应用": "信易医"}
    moved_a = {**a, "row": 9}  # the same record on another row is unchanged
    changes, kept = diff_records(SCENARIOS, [moved_a, a, b], [a, {**b, "信用应用": "信易游"}])
    assert kept == 1
    assert sorted(zip(changes["变化"], changes["信用应用"])) == sorted([("删除", "信易游"), ("新增", "信易批"), ("新增", "信易医")])


def test_candidate_months_default_to_the_month_after_the_latest() -> None:
    options, default = candidate_months(["2022-01", "2022-10"], "2023-05")
    assert default == "2022-11" and options[0] == "2022-12" and options[-1] == "2022-01" and len(options) == 12
    options, default = candidate_months(["2022-12"], "2023-05")
    assert default == "2023-01" and len(options) == 24 and options[0] == "2023-12"
    options, default = candidate_months([], "2023-05")
    assert default == "2023-05" and options == [f"2023-{m:02d}" for m in range(12, 0, -1)]


def test_rank_changes_before_after() -> None:
    before = pd.DataFrame({"unit_id": ["a", "b"], "unit": ["甲", "乙"], "rank": [1, 2], "score": [90.0, 80.0]})
    after = pd.DataFrame({"unit_id": ["b", "a", "c"], "unit": ["乙", "甲", "丙"], "rank": [1, 2, 3],
                          "score": [95.0, 85.0, 50.0]})
    table = rank_changes(before, after)
    assert list(table["单位"]) == ["乙", "甲", "丙"]
    assert table["排名变化"].tolist()[:2] == [1, -1] and pd.isna(table["排名变化"].iloc[2])
    assert table["导入前得分率"].tolist()[:2] == [80.0, 90.0]
    first = rank_changes(None, after)
    assert first["导入前排名"].isna().all() and list(first["导入后排名"]) == [1, 2, 3]


# ---- against the demo database -----------------------------------------------------------------


@pytest.fixture
def store(demo_db: Path):
    s = open_store(demo_db)
    yield s
    s.close()


def test_preview_of_a_changed_month(store) -> None:
    register = store.units.register()
    current = {r["unit_id"]: r for r in store.datasets.current_sheet(MONTH, "镇街")}
    previous = {r["unit_id"]: r for r in store.datasets.current_sheet("2022-09", "镇街")}
    raw = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 2, "信易贷平台注册企业数": 99999}],
                         "信易+场景": [{UNIT_COL: "榆山街道", "信用应用": "信易 批"}]}, month=MONTH, units=register)
    check = check_file(raw, "十月.xlsx", MONTH, register)
    assert check.ok
    version = store.data_version()
    preview = build_preview(store, MONTH, [check], register)
    assert store.data_version() == version  # a preview writes nothing
    towns = next(s for s in preview.sheets if s.sheet == "镇街")
    assert towns.status == "changed" and "第 1 版" in towns.note
    row = towns.changes[(towns.changes["单位"] == "榆山街道") & (towns.changes["指标"] == "本月出台信用制度文件数")].iloc[0]
    assert (row["当前值"], row["新值"], row["上月值"]) == (
        current["yushan"]["本月出台信用制度文件数"], 2.0, previous["yushan"]["本月出台信用制度文件数"])
    assert list(towns.flags["指标"]) == ["信易贷平台注册企业数"] and towns.flags.iloc[0]["单位"] == "榆山街道"
    # the template lists every town, but a row of only its name is no report (issue 23, observation 5)
    assert len(towns.missing) == 8 and "榆山街道" not in towns.missing
    scenarios = next(s for s in preview.sheets if s.sheet == "信易+场景")
    assert scenarios.status == "new" and list(scenarios.changes["变化"]) == ["新增"]
    assert "重复" in scenarios.flags.iloc[0]["说明"]  # 榆山街道 reported 信易批 earlier in the year
    assert preview.will_change and preview.new_files and preview.files[0].archived is None


def test_preview_recognises_an_archived_file_and_identical_sheets(store) -> None:
    demo_upload = next(v for v in store.datasets.versions(MONTH) if v["sheet"] == "镇街")["upload_id"]
    name, raw = store.datasets.upload_bytes(demo_upload)
    register = store.units.register()
    checks = [check_file(raw, name, MONTH, register), check_file(raw, "副本.xlsx", MONTH, register)]
    preview = build_preview(store, MONTH, checks, register)
    assert preview.files[0].archived["id"] == demo_upload
    assert preview.files[1].twin_of == name
    assert {s.status for s in preview.sheets if s.filename == name} == {"superseded"}
    assert {s.status for s in preview.sheets if s.filename == "副本.xlsx"} == {"same"}
    assert not preview.will_change and not preview.new_files
    version = store.data_version()
    store.datasets.import_workbooks([(c.parsed, raw, c.filename) for c in checks], _editor())
    assert store.data_version() == version  # the store makes an identical re-import a no-op


def test_later_file_supersedes_the_same_sheet(store) -> None:
    register = store.units.register()
    first = check_file(fill_template({"镇街": [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 1}]}, month=MONTH,
                                     units=register), "a.xlsx", MONTH, register)
    second = check_file(fill_template({"镇街": [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 2}]}, month=MONTH,
                                      units=register), "b.xlsx", MONTH, register)
    preview = build_preview(store, MONTH, [first, second], register)
    towns = [s for s in preview.sheets if s.sheet == "镇街"]
    assert [(s.filename, s.status) for s in towns] == [("a.xlsx", "superseded"), ("b.xlsx", "changed")]
    assert "b.xlsx" in towns[0].note


def test_bad_files_become_an_error_table(store) -> None:
    register = store.units.register()
    checks = [
        check_file(b"not a spreadsheet", "x.xlsx", MONTH, register),
        check_file(b"", "empty.xlsx", MONTH, register),
        check_file(make_workbook({"Sheet1": [["a", "b"]]}), "wrong.xlsx", MONTH, register),
    ]
    assert not any(c.ok for c in checks)
    table = error_table(checks)
    assert list(table.columns) == ERROR_COLUMNS
    assert list(table["文件"]) == ["x.xlsx", "empty.xlsx", "wrong.xlsx"]
    assert "不是有效的 Excel 工作簿" in table.iloc[0]["问题"]
    assert "空文件" in table.iloc[1]["问题"]
    assert "未找到任何可识别的工作表" in table.iloc[2]["问题"]


def _editor():
    from credit.model.accounts import Actor

    return Actor("office", "editor", "信用办")


def test_surge_guard_spares_small_flows_and_checks_stocks_and_amounts() -> None:
    """Issue 25 §17: 11 → 148 records and 53 → 755 (monthly flows from a small base) are real months;
    a flow from the contract's base up, a stock and an amount still need the office's check."""
    from credit.model.contract import SURGE_FLOW_BASE

    flow, stock, flow2 = "本月双公示上报数据量", "统一社会信用代码重错码条数", "本月归集其他信用信息条数"
    assert SURGE_FLOW_BASE == 100
    previous = frame([("a", "甲", flow, 11), ("b", "乙", flow2, 53), ("c", "丙", flow, 150), ("d", "丁", stock, 3)])
    new = frame([("a", "甲", flow, 148), ("b", "乙", flow2, 755), ("c", "丙", flow, 1600), ("d", "丁", stock, 40)])
    got = flag_surges(new, previous, sheet="部门")
    assert got[["单位", "指标", "倍数"]].values.tolist() == [["丙", flow, "10.7 倍"], ["丁", stock, "13.3 倍"]]
    town = flag_surges(frame([("e", "戊", "信易贷融资需求金额（万元）", 1200.0)]),
                       frame([("e", "戊", "信易贷融资需求金额（万元）", 12.0)]), sheet="镇街")
    assert town["倍数"].tolist() == ["100.0 倍"]  # an amount: 元 for 万元 from any base
    assert len(flag_surges(new, previous)) == 4  # without a sheet: every column from any base, as before
