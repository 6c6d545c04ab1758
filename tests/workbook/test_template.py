"""The monthly template: layout, dropdowns, and the round trip template → fill → import."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from credit.model.contract import SHEETS
from credit.model.units import Unit, UnitRegister, load_units
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template
from tests.support.workbooks import MONTH, fill_template

TOWNS = ["榆山街道", "锦水街道", "东阿镇", "孝直镇", "孔村镇", "洪范池镇", "玫瑰镇", "安城镇", "平阴经济开发区"]


@pytest.fixture(scope="module")
def units() -> UnitRegister:
    return load_units()


@pytest.fixture(scope="module")
def book(units):
    return load_workbook(io.BytesIO(build_template(MONTH, units)))


def validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def validation_at(ws, cell: str):
    found = [dv for dv in validations(ws) if cell in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{cell}: {len(found)} validations"
    return found[0]


def test_sheet_order_instructions_first(book):
    assert book.sheetnames == ["填报说明", "镇街", "部门", "全县", "扣分事项", "信易+场景", "分级分类监管"]
    assert book.active.title == "填报说明"


def test_month_is_written_where_the_importer_reads_it(book):
    ws = book["填报说明"]
    assert ws["A1"].value == "平阴县信用体系建设监测月度数据（2022年3月）"
    assert ws["A3"].value == "填报月份"
    assert ws["B3"].value == "2022-03"
    assert ws["B3"].data_type == "s"


def test_instructions_explain_blank_rules_and_every_column(book):
    text = "\n".join(str(c.value) for row in book["填报说明"].iter_rows() for c in row if c.value)
    assert "空白按 0 计" in text
    assert "空白表示本月未报送" in text
    assert "2022-03-01 至 2022-03-31" in text
    assert "市信用办月报中我县的位次（1 为最好）" in text  # a column help text from the contract
    for sheet in SHEETS.values():
        assert f"工作表「{sheet.name}」" in text
        for col in sheet.columns:
            assert col.header in text


def test_headers_are_the_contract_headers_on_row_2(book):
    ws = book["扣分事项"]
    assert [c.value for c in ws[2]] == [
        "单位名称",
        "事项类型",
        "发生日期",
        "事项说明",
        "处理情况",
        "异议处理用时（工作日）",
        "数量",
    ]
    assert ws["A1"].value == "扣分事项（村居失信案件、严重失信事件、异议信息）（2022年3月）"
    assert ws["A2"].font.b
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width >= 16
    for name, sheet in SHEETS.items():
        if sheet.layout != "item":
            assert [c.value for c in book[name][2]] == [c.header for c in sheet.columns]


def test_unit_sheets_are_prefilled_with_the_active_units(book):
    ws = book["镇街"]
    assert [ws.cell(r, 1).value for r in range(3, 3 + len(TOWNS) + 1)] == [*TOWNS, None]
    assert ws.freeze_panes == "B3"
    depts = [ws_row[0].value for ws_row in book["部门"].iter_rows(min_row=3) if ws_row[0].value]
    assert depts[:3] == ["发改局", "城管局", "市场监管局"]
    assert "县人民检察院" in depts and "榆山街道" not in depts


def test_county_sheet_lists_every_item(book):
    ws = book["全县"]
    assert [c.value for c in ws[2]] == ["项目", "数值", "说明"]
    items = [ws.cell(r, 1).value for r in range(3, 16)]
    assert items[0] == "全县信易贷平台注册企业数"
    assert items[-1] == "全县信用监测全市排名"
    assert items == [c.header for c in SHEETS["全县"].columns]
    assert ws.cell(3, 2).value is None
    assert ws.cell(11, 3).value.endswith("小数，例如 0.05 表示 5%")


def test_unit_dropdowns_hold_the_right_group(book):
    town = validation_at(book["镇街"], "A3")
    assert town.type == "list"
    assert town.formula1 == '"' + ",".join(TOWNS) + '"'
    assert str(town.sqref) == "A3:A1002"
    dept = validation_at(book["部门"], "A500")
    assert "发改局" in dept.formula1 and "榆山街道" not in dept.formula1
    anyone = validation_at(book["扣分事项"], "A3")
    assert "榆山街道" in anyone.formula1 and "发改局" in anyone.formula1


def test_choice_dropdowns(book):
    ev = book["扣分事项"]
    assert validation_at(ev, "B3").formula1 == '"村居失信案件,严重失信事件,异议信息"'
    assert validation_at(ev, "E3").formula1 == '"主动处理,被举报后处置,上级责令查处,未处理"'
    industry = validation_at(book["分级分类监管"], "C3")
    assert industry.type == "list"
    assert "农、林、牧、渔业" in industry.formula1 and "国际组织" in industry.formula1


def test_number_and_date_validations(book):
    count = validation_at(book["镇街"], "B3")
    assert (count.type, count.operator, count.formula1, count.formula2) == ("whole", "between", "0", "1000000")
    amount = validation_at(book["镇街"], "G3")  # 信易贷融资需求金额（万元）
    assert (amount.type, amount.formula1, amount.formula2) == ("decimal", "0", "10000000")
    assert validation_at(book["全县"], "B3").type == "decimal"
    quantity = validation_at(book["扣分事项"], "G3")
    assert (quantity.type, quantity.formula1, quantity.formula2) == ("whole", "1", "10000")
    days = validation_at(book["扣分事项"], "F3")
    assert days.type == "decimal"
    when = validation_at(book["扣分事项"], "C3")
    assert (when.type, when.operator) == ("date", "between")
    assert (when.formula1, when.formula2) == ("44621", "44651")  # 2022-03-01 .. 2022-03-31
    assert when.showErrorMessage and when.error


def test_every_validation_covers_cells(book):
    for ws in book.worksheets:
        for dv in validations(ws):
            assert str(dv.sqref), f"{ws.title}: validation without cells"


def test_long_lists_go_to_a_hidden_sheet():
    many = [Unit(f"d{i}", f"平阴县第{i}个很长名称的县直部门单位", "部门", "部门") for i in range(40)]
    wb = load_workbook(io.BytesIO(build_template(MONTH, UnitRegister(many))))
    assert wb.sheetnames[-1] == "_lists"
    assert wb["_lists"].sheet_state == "hidden"
    dv = validation_at(wb["部门"], "A3")
    assert dv.formula1 == "'_lists'!$A$1:$A$40"
    assert wb["_lists"]["A40"].value == "平阴县第39个很长名称的县直部门单位"
    assert wb["镇街"].cell(3, 1).value is None  # no town in this register


def test_retired_and_future_units_are_not_prefilled():
    units = UnitRegister(
        [
            Unit("a", "甲镇", "镇街", "镇"),
            Unit("b", "乙镇", "镇街", "镇", retired_from="2022-03"),
            Unit("c", "丙街道", "镇街", "街道", active_from="2022-04"),
        ]
    )
    wb = load_workbook(io.BytesIO(build_template(MONTH, units)))
    assert [wb["镇街"].cell(r, 1).value for r in (3, 4)] == ["甲镇", None]
    assert validation_at(wb["镇街"], "A3").formula1 == '"甲镇"'


def test_a_unit_name_is_never_written_as_a_formula():
    units = UnitRegister([Unit("x", "=HYPERLINK(1)", "镇街", "镇")])
    ws = load_workbook(io.BytesIO(build_template(MONTH, units)))["镇街"]
    assert ws["A3"].data_type == "s"
    assert ws["A3"].value == "=HYPERLINK(1)"


def test_bad_month_is_a_programming_error(units):
    with pytest.raises(ValueError):
        build_template("2022-3", units)


FLOWS_TOWN = [
    "本月出台信用制度文件数",
    "本月报送信用动态稿件数",
    "本月信用动态稿件被采用数",
    "本月开展诚信宣传活动次数",
]
STOCKS_TOWN = [
    "信易贷平台注册企业数",
    "辖区注册企业总数",
    "信易贷融资需求金额（万元）",
    "信易贷授信成功金额（万元）",
    "清欠未完成案例数",
]


def test_round_trip_template_fill_parse(units):
    raw = fill_template(
        {
            "镇街": [
                {
                    "单位名称": "榆山街道",
                    "本月出台信用制度文件数": 2,
                    "本月报送信用动态稿件数": 3,
                    "本月信用动态稿件被采用数": 1,
                    "信易贷平台注册企业数": 120,
                    "辖区注册企业总数": 2400,
                    "信易贷融资需求金额（万元）": 350.5,
                    "信易贷授信成功金额（万元）": 200,
                    "清欠未完成案例数": 0,
                    "本月开展诚信宣传活动次数": 1,
                },
                {"单位名称": "锦水街道", "本月出台信用制度文件数": 1},
            ],
            "部门": [{"单位名称": "金融事业发展中心", "本月双公示上报数据量": 40, "统一社会信用代码重错码条数": 2}],
            "全县": {"全县信易贷平台注册企业数": 500, "全市区县数": 12, "全市守信企业平均比例": 0.05},
            "扣分事项": [
                {
                    "单位名称": "孔村镇",
                    "事项类型": "村居失信案件",
                    "发生日期": date(2022, 3, 15),
                    "事项说明": "某村拖欠工程款",
                    "数量": 2,
                },
                {
                    "单位名称": "税务局",
                    "事项类型": "异议信息",
                    "发生日期": date(2022, 3, 31),
                    "异议处理用时（工作日）": 1.5,
                },
                {
                    "单位名称": "东阿镇",
                    "事项类型": "严重失信事件",
                    "发生日期": date(2022, 3, 1),
                    "处理情况": "主动处理",
                },
            ],
            "信易+场景": [
                {
                    "单位名称": "文旅局",
                    "信用应用": "信易游",
                    "开展方案/制度文件名称": "《信易游实施方案》",
                    "优惠/激励措施": "景区门票八折",
                }
            ],
            "分级分类监管": [
                {
                    "单位名称": "市场监管局",
                    "监管领域": "食品生产",
                    "国民经济行业分类": "制造业",
                    "监管部门": "县市场监管局",
                    "文件名称": "《食品生产企业信用分级分类监管办法》",
                    "文件链接或主要内容": "按信用等级确定检查频次",
                }
            ],
        },
        units=units,
    )
    parsed = parse_workbook(raw, "2022年3月.xlsx", MONTH, units)

    assert parsed.month == MONTH
    assert list(parsed.sheets) == ["镇街", "部门", "全县", "扣分事项", "信易+场景", "分级分类监管"]
    # the towns whose prefilled rows stayed blank sent nothing: one warning names them (issue 23, obs. 5)
    warned = {w.sheet: w.message for w in parsed.warnings}
    assert len(parsed.warnings) == 2 and warned["镇街"] == (
        "、".join(TOWNS[2:]) + "的行除单位名称外各项均为空白，按未报送处理（填 0 才算报送 0）")
    assert warned["部门"].endswith("等 30 个单位的行除单位名称外各项均为空白，按未报送处理（填 0 才算报送 0）")
    town = parsed.sheets["镇街"].records
    assert town[0] == {
        "row": 3,
        "unit_id": "yushan",
        "单位名称": "榆山街道",
        "本月出台信用制度文件数": 2.0,
        "本月报送信用动态稿件数": 3.0,
        "本月信用动态稿件被采用数": 1.0,
        "信易贷平台注册企业数": 120.0,
        "辖区注册企业总数": 2400.0,
        "信易贷融资需求金额（万元）": 350.5,
        "信易贷授信成功金额（万元）": 200.0,
        "清欠未完成案例数": 0.0,
        "本月开展诚信宣传活动次数": 1.0,
    }
    assert town[1] == {
        "row": 4,
        "unit_id": "jinshui",
        "单位名称": "锦水街道",
        "本月出台信用制度文件数": 1.0,
        "本月报送信用动态稿件数": 0.0,
        "本月信用动态稿件被采用数": 0.0,
        "信易贷平台注册企业数": None,
        "辖区注册企业总数": None,
        "信易贷融资需求金额（万元）": None,
        "信易贷授信成功金额（万元）": None,
        "清欠未完成案例数": None,
        "本月开展诚信宣传活动次数": 0.0,
    }
    # a row with a figure counts (its blank flows 0, blank stocks None); a row of blanks is no report
    assert [r["单位名称"] for r in town] == TOWNS[:2]

    dept = {r["unit_id"]: r for r in parsed.sheets["部门"].records}
    assert dept["jinrong"]["本月双公示上报数据量"] == 40.0
    assert dept["jinrong"]["统一社会信用代码重错码条数"] == 2.0
    assert dept["jinrong"]["清欠未完成案例数"] is None
    assert "fagai" not in dept  # its prefilled row left blank: not reported (issue 23, observation 5)

    assert parsed.sheets["全县"].records == [
        {"row": 3, "item": "全县信易贷平台注册企业数", "value": 500.0},
        {"row": 4, "item": "信易贷注册企业数全市位次", "value": None},
        {"row": 5, "item": "信易贷融资需求金额全市位次", "value": None},
        {"row": 6, "item": "信易贷授信成功金额全市位次", "value": None},
        {"row": 7, "item": "全市区县数", "value": 12.0},
        {"row": 8, "item": "A级纳税人数", "value": None},
        {"row": 9, "item": "海关高级认证企业数", "value": None},
        {"row": 10, "item": "法人企业数", "value": None},
        {"row": 11, "item": "全市守信企业平均比例", "value": 0.05},
        {"row": 12, "item": "本月信用核查和联合奖惩系统应用次数", "value": 0.0},
        {"row": 13, "item": "市场主体数量", "value": None},
        {"row": 14, "item": "全市信用核查应用比例平均值", "value": None},
        {"row": 15, "item": "全县信用监测全市排名", "value": None},
    ]
    assert parsed.sheets["扣分事项"].records == [
        {
            "row": 3,
            "unit_id": "kongcun",
            "单位名称": "孔村镇",
            "事项类型": "村居失信案件",
            "发生日期": "2022-03-15",
            "事项说明": "某村拖欠工程款",
            "处理情况": "",
            "异议处理用时（工作日）": None,
            "数量": 2,
        },
        {
            "row": 4,
            "unit_id": "shuiwu",
            "单位名称": "税务局",
            "事项类型": "异议信息",
            "发生日期": "2022-03-31",
            "事项说明": "",
            "处理情况": "",
            "异议处理用时（工作日）": 1.5,
            "数量": 1,
        },
        {
            "row": 5,
            "unit_id": "dong_e",
            "单位名称": "东阿镇",
            "事项类型": "严重失信事件",
            "发生日期": "2022-03-01",
            "事项说明": "",
            "处理情况": "主动处理",
            "异议处理用时（工作日）": None,
            "数量": 1,
        },
    ]
    assert parsed.sheets["信易+场景"].records == [
        {
            "row": 3,
            "unit_id": "wenlv",
            "单位名称": "文旅局",
            "信用应用": "信易游",
            "开展方案/制度文件名称": "《信易游实施方案》",
            "优惠/激励措施": "景区门票八折",
        },
    ]
    assert parsed.sheets["分级分类监管"].records == [
        {
            "row": 3,
            "unit_id": "shichangjianguan",
            "单位名称": "市场监管局",
            "监管领域": "食品生产",
            "国民经济行业分类": "制造业",
            "监管部门": "县市场监管局",
            "文件名称": "《食品生产企业信用分级分类监管办法》",
            "文件链接或主要内容": "按信用等级确定检查频次",
        },
    ]


def test_untouched_sheets_of_the_template_are_skipped_with_a_warning(units):
    raw = fill_template({"镇街": [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}]}, units=units)
    parsed = parse_workbook(raw, "t.xlsx", MONTH, units)
    assert list(parsed.sheets) == ["镇街"]
    skipped = {w.sheet for w in parsed.warnings if "未报送" not in w.message}  # 镇街: the eight silent towns
    assert skipped == {"部门", "全县", "扣分事项", "信易+场景", "分级分类监管"}
    by_sheet = {w.sheet: w.message for w in parsed.warnings}
    assert all("未填写任何数据" in by_sheet[s] for s in ("部门", "全县"))
    # the optional sheets, with headers and no row, say 本月无新增 (kept by the store, not versioned)
    assert all(by_sheet[s] == "工作表没有数据行，记为“本月无新增”" for s in ("扣分事项", "信易+场景", "分级分类监管"))
    assert parsed.empty == ["扣分事项", "信易+场景", "分级分类监管"]


def test_unit_template_instructions_speak_to_that_unit() -> None:
    """Issue 25 §6: a town's own file describes only its sheets and never asks it to edit 单位名册."""
    register = load_units()
    town = next(u for u in register if u.group == "镇街")
    wb = load_workbook(io.BytesIO(build_template("2022-10", register, town.id)))
    text = "\n".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value is not None)
    assert "工作表「部门」" not in text and "工作表「全县」" not in text
    assert "单位名册" not in text and "工作表「镇街」" in text and "工作表「扣分事项」" in text
    assert text.startswith(f"{town.name_at('2022-10')} 填报文件（2022年10月）")
    assert "须经信用办审核采纳" in text and "严重失信事件必须填写处理情况" in text
    full = load_workbook(io.BytesIO(build_template("2022-10", register)))
    whole = "\n".join(str(c.value) for row in full["填报说明"].iter_rows() for c in row if c.value is not None)
    assert "工作表「部门」" in whole and "单位名册" in whole  # the office's template is unchanged
