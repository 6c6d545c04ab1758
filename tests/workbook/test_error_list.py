"""The upload's error list: each error with its unit, and the Excel file with one sheet per unit."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from credit.model.contract import UNIT_COL
from credit.model.units import load_units
from credit.workbook.error_list import ALL_SHEET, NO_UNIT, error_list, error_workbook
from credit.workbook.preview import check_file
from tests.support.workbooks import fill_template


def test_errors_grouped_by_unit_one_sheet_each() -> None:
    units = load_units()
    raw = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": -1, "清欠未完成案例数": "两个"},
                                  {UNIT_COL: "孝直镇", "本月出台信用制度文件数": -2}]}, month="2022-10", units=units)
    check = check_file(raw, "十月.xlsx", "2022-10", units)
    listed = error_list([check], {"十月.xlsx": raw})
    assert list(listed["单位"]) == ["榆山街道", "榆山街道", "孝直镇"]
    book = load_workbook(io.BytesIO(error_workbook(listed)))
    assert book.sheetnames == [ALL_SHEET, "榆山街道", "孝直镇"]
    town = [[c.value for c in row] for row in book["孝直镇"].iter_rows()]
    assert town[0] == ["文件", "工作表", "行", "列", "问题", "修改建议"]
    assert len(town) == 2 and town[1][3] == "本月出台信用制度文件数" and "负数" in town[1][4]
    assert book[ALL_SHEET].max_row == 4


def test_a_file_level_problem_has_no_unit() -> None:
    units = load_units()
    check = check_file(b"not a workbook", "坏.xlsx", "2022-10", units)
    listed = error_list([check], {"坏.xlsx": b"not a workbook"})
    assert list(listed["单位"]) == [NO_UNIT]
    assert load_workbook(io.BytesIO(error_workbook(listed))).sheetnames == [ALL_SHEET, NO_UNIT]
