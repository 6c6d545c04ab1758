"""报送进度 as a pure function: hand-made versions and rows, hand-counted answers."""

from __future__ import annotations

from credit.model.units import Unit, UnitRegister
from credit.reports.status import EMPTY, MISSING, OPTIONAL, REPORTED, chase_list, compute_status

REG = UnitRegister([
    Unit("a", "甲镇", "镇街", "镇"), Unit("b", "乙镇", "镇街", "镇"), Unit("c", "丙镇", "镇街", "镇", retired_from="2022-05"),
    Unit("x", "财政局", "部门", "部门"),
])
V = {"version": 2, "filename": "十月.xlsx", "created_by": "wang", "created_at": "2022-11-03T02:00:00+00:00",
     "upload_id": 7, "action": "import"}


def test_reported_empty_missing_and_optional_per_unit_and_sheet() -> None:
    versions = {"镇街": V, "部门": None, "全县": V, "扣分事项": V, "信易+场景": None, "分级分类监管": None}
    rows = {
        "镇街": [{"unit_id": "a", "本月出台信用制度文件数": 1.0, "信易贷平台注册企业数": None},
                 {"unit_id": "b", "本月出台信用制度文件数": None, "信易贷平台注册企业数": None}],
        "全县": [{"item": "法人企业数", "value": 120.0}],
        "扣分事项": [{"unit_id": "x"}, {"unit_id": "x"}],
    }
    st = compute_status("2022-10", REG, versions, rows)
    got = {(r["单位"], r["工作表"]): (r["状态"], r["说明"]) for r in st.table.to_dict("records")}
    assert got[("甲镇", "镇街")] == (REPORTED, "已填 1/9 项")
    assert got[("乙镇", "镇街")] == (EMPTY, "该单位的行各项均为空白")
    assert ("丙镇", "镇街") not in got  # retired from May on
    assert got[("财政局", "部门")] == (MISSING, "本月尚未上传“部门”表")
    assert got[("全县", "全县")] == (REPORTED, "已填 1/13 项")
    assert got[("财政局", "扣分事项")] == (REPORTED, "2 条") and got[("甲镇", "扣分事项")][0] == OPTIONAL
    assert st.count(MISSING) == 1 and not st.complete
    a = st.table[(st.table["单位"] == "甲镇") & (st.table["工作表"] == "镇街")].iloc[0]
    assert (a["上传文件"], a["上传人"], a["上传时间"], a["上传编号"]) == ("十月.xlsx（第 2 版）", "wang", "2022-11-03 10:00", 7)
    assert st.missing_text() == "财政局（部门）"
    chase = chase_list(st)
    assert list(chase["单位"]) == ["乙镇", "财政局"]  # empty rows are worth a call too
    assert chase.iloc[1]["未报送或需核实"] == "部门：未报送（本月尚未上传“部门”表）"


def test_a_unit_missing_from_an_uploaded_sheet_is_missing() -> None:
    versions = {"镇街": V, "部门": V, "全县": None}
    rows = {"镇街": [{"unit_id": "a", "本月出台信用制度文件数": 2.0}], "部门": [{"unit_id": "x", "本月双公示上报数据量": 5.0}]}
    st = compute_status("2022-10", REG, versions, rows)
    missing = set(zip(st.missing["单位"], st.missing["说明"]))
    assert missing == {("乙镇", "“镇街”表中没有该单位的行"), ("全县", "本月尚未上传“全县”表")}


def test_a_reported_zero_is_filled_not_empty() -> None:
    """Observation 5 of issue 23: 发改局 filling 11 cells, nine of them 0, has filled 11 of 11."""
    fields = ["本月出台信用制度文件数", "信易贷平台注册企业数"]
    versions = {"镇街": V, "部门": None, "全县": V}
    rows = {
        "镇街": [{"unit_id": "a", fields[0]: 0.0, fields[1]: 0.0}, {"unit_id": "b", fields[0]: None, fields[1]: None}],
        "全县": [{"item": "法人企业数", "value": 0.0}, {"item": "A级纳税人数", "value": None}],
    }
    st = compute_status("2022-10", REG, versions, rows)
    got = {(r["单位"], r["工作表"]): (r["状态"], r["说明"]) for r in st.table.to_dict("records")}
    assert got[("甲镇", "镇街")] == (REPORTED, "已填 2/9 项，其中 2 项为 0")
    assert got[("乙镇", "镇街")] == (EMPTY, "该单位的行各项均为空白")
    assert got[("全县", "全县")] == (REPORTED, "已填 1/13 项，其中 1 项为 0")
    assert list(chase_list(st)["单位"]) == ["乙镇", "财政局"]  # the zeros are not chased
