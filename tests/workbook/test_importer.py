"""The importer on real workbook bytes: what it accepts, and every way it refuses a file."""

from __future__ import annotations

import os
import time
from datetime import date, datetime

import pytest

from credit.errors import CellError, WorkbookError
from credit.model.units import Unit, UnitRegister, load_units
from credit.workbook import importer, isolation
from credit.workbook import safety as xlsx_safety
from credit.workbook.importer import parse_workbook
from credit.workbook.safety import check_upload
from tests.support import workbooks as wbk
from tests.support.workbooks import MONTH, event, events_sheet, make_workbook, table, town_sheet


@pytest.fixture(scope="module")
def units() -> UnitRegister:
    return load_units()


def errors_of(data: bytes, units: UnitRegister, *, filename: str = "上传.xlsx", month: str = MONTH) -> list[CellError]:
    with pytest.raises(WorkbookError) as info:
        parse_workbook(data, filename, month, units)
    assert info.value.errors, "WorkbookError without errors"
    return info.value.errors


def only_error(data: bytes, units: UnitRegister, **kw) -> CellError:
    errors = errors_of(data, units, **kw)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def records(data: bytes, units: UnitRegister, sheet: str, month: str = MONTH) -> list[dict]:
    return parse_workbook(data, "ok.xlsx", month, units).sheets[sheet].records


def where(e: CellError) -> tuple[str | None, int | None, str | None]:
    return e.sheet, e.row, e.column


# ---- the catalogue of bad workbooks ------------------------------------------------------------


def test_unknown_unit(units):
    e = only_error(town_sheet({"单位名称": "榆树街道", "本月出台信用制度文件数": 1}), units)
    assert where(e) == ("镇街", 2, "单位名称")
    assert "不在单位名册中" in e.message and "榆树街道" in e.message
    assert "下拉列表" in e.hint and "单位名册" in e.hint


def test_unit_of_the_other_group(units):
    e = only_error(town_sheet({"单位名称": "发改局", "本月出台信用制度文件数": 1}), units)
    assert where(e) == ("镇街", 2, "单位名称")
    assert "属于「部门」" in e.message
    assert "「部门」工作表" in e.hint


def test_unit_not_active_in_the_month():
    reg = UnitRegister([Unit("a", "甲镇", "镇街", "镇"), Unit("b", "乙镇", "镇街", "镇", retired_from="2022-02")])
    e = only_error(town_sheet({"单位名称": "乙镇", "本月出台信用制度文件数": 1}), reg)
    assert where(e) == ("镇街", 2, "单位名称")
    assert "2022年3月 不在册" in e.message


def test_duplicate_unit_row_names_both_rows(units):
    raw = town_sheet(
        {"单位名称": "东阿镇", "本月出台信用制度文件数": 1},
        {"单位名称": "孝直镇", "本月出台信用制度文件数": 1},
        {"单位名称": "平阴县东阿镇", "本月出台信用制度文件数": 2},  # an alias of the same unit
    )
    e = only_error(raw, units)
    assert where(e) == ("镇街", 4, "单位名称")
    assert "重复" in e.message and "第 2 行" in e.message and "第 4 行" in e.message


@pytest.mark.parametrize("text", ["约10", "十二", "n/a", "12个", "1,23"])
def test_text_in_a_count(units, text):
    e = only_error(town_sheet({"单位名称": "东阿镇", "本月报送信用动态稿件数": text}), units)
    assert where(e) == ("镇街", 2, "本月报送信用动态稿件数")
    assert e.message == f"应为数字，实际为「{text}」"


def test_negative_number(units):
    e = only_error(town_sheet({"单位名称": "东阿镇", "清欠未完成案例数": -3}), units)
    assert where(e) == ("镇街", 2, "清欠未完成案例数")
    assert "不能为负数" in e.message and "-3" in e.message


def test_negative_number_typed_in_full_width(units):
    e = only_error(town_sheet({"单位名称": "东阿镇", "辖区注册企业总数": "－５"}), units)
    assert where(e) == ("镇街", 2, "辖区注册企业总数")
    assert "不能为负数" in e.message


def test_non_integer_count(units):
    e = only_error(town_sheet({"单位名称": "东阿镇", "本月出台信用制度文件数": 2.5}), units)
    assert where(e) == ("镇街", 2, "本月出台信用制度文件数")
    assert e.message == "应为整数，实际为 2.5"


def test_a_date_in_a_number_column(units):
    e = only_error(town_sheet({"单位名称": "东阿镇", "辖区注册企业总数": date(2022, 3, 1)}), units)
    assert where(e) == ("镇街", 2, "辖区注册企业总数")
    assert "应为数字" in e.message


def test_date_outside_the_month(units):
    e = only_error(events_sheet(event(发生日期=date(2022, 4, 2))), units)
    assert where(e) == ("扣分事项", 2, "发生日期")
    assert e.message.startswith("日期不在所选月份（2022年3月）内")
    assert "2022-03-01 至 2022-03-31" in e.hint


def test_invalid_date_text(units):
    e = only_error(events_sheet(event(发生日期="2022-02-30")), units)
    assert where(e) == ("扣分事项", 2, "发生日期")
    assert "不是有效日期" in e.message


def test_missing_event_date(units):
    e = only_error(events_sheet(event(发生日期=None)), units)
    assert where(e) == ("扣分事项", 2, "发生日期")
    assert "必填" in e.message


def test_unknown_event_type(units):
    e = only_error(events_sheet(event(事项类型="一般失信")), units)
    assert where(e) == ("扣分事项", 2, "事项类型")
    assert "「一般失信」不是有效的事项类型" in e.message
    assert "村居失信案件" in e.hint


def test_unknown_handling(units):
    e = only_error(events_sheet(event(事项类型="严重失信事件", 处理情况="已处理")), units)
    assert where(e) == ("扣分事项", 2, "处理情况")
    assert "「已处理」不是有效的处理情况" in e.message
    assert "主动处理" in e.hint


def test_objection_needs_its_days(units):
    e = only_error(events_sheet(event(事项类型="异议信息")), units)
    assert where(e) == ("扣分事项", 2, "异议处理用时（工作日）")
    assert "必填" in e.message


@pytest.mark.parametrize("qty", [0, 1.5, "两件"])
def test_bad_quantity(units, qty):
    e = only_error(events_sheet(event(数量=qty)), units)
    assert where(e) == ("扣分事项", 2, "数量")


def test_unknown_industry(units):
    raw = make_workbook(
        {
            "分级分类监管": table(
                "分级分类监管", [{"单位名称": "市场监管局", "监管领域": "食品", "国民经济行业分类": "餐饮"}]
            )
        }
    )
    e = only_error(raw, units)
    assert where(e) == ("分级分类监管", 2, "国民经济行业分类")
    assert "不是国民经济行业分类的门类" in e.message
    assert "1–20" in e.hint


def test_industry_code_and_name_must_agree(units):
    raw = make_workbook(
        {
            "分级分类监管": table(
                "分级分类监管", [{"单位名称": "市场监管局", "监管领域": "食品", "国民经济行业分类": "5 制造业"}]
            )
        }
    )
    assert where(only_error(raw, units)) == ("分级分类监管", 2, "国民经济行业分类")


def test_required_text_in_a_register(units):
    raw = make_workbook({"信易+场景": table("信易+场景", [{"单位名称": "文旅局", "优惠/激励措施": "八折"}])})
    e = only_error(raw, units)
    assert where(e) == ("信易+场景", 2, "信用应用")
    assert "必填" in e.message


def test_missing_figure_column_reads_as_blank_with_a_warning(units):
    cols = [h for h in wbk.headers("镇街") if h not in ("清欠未完成案例数", "本月出台信用制度文件数")]
    raw = make_workbook({"镇街": table("镇街", [{"单位名称": "东阿镇", "本月报送信用动态稿件数": 1}], cols=cols, title="标题")})
    parsed = parse_workbook(raw, "w.xlsx", MONTH, units)
    [rec] = parsed.sheets["镇街"].records
    assert rec["清欠未完成案例数"] is None and rec["本月出台信用制度文件数"] == 0.0  # stock unreported, flow 0
    warned = {(w.sheet, w.row, w.column) for w in parsed.warnings}
    assert warned == {("镇街", 2, "清欠未完成案例数"), ("镇街", 2, "本月出台信用制度文件数")}
    assert all("缺少列" in w.message for w in parsed.warnings)


def test_missing_unit_column(units):
    cols = [h for h in wbk.headers("镇街") if h != "单位名称"] + ["单位"]
    raw = make_workbook({"镇街": table("镇街", [{"单位": "东阿镇", "本月出台信用制度文件数": 1}], cols=cols)})
    e = only_error(raw, units)
    assert e.sheet == "镇街" and "单位名称" in e.message, str(e)


def test_missing_event_date_column(units):
    cols = ["单位名称", "事项类型", "事项说明"]
    raw = make_workbook({"扣分事项": table("扣分事项", [event()], cols=cols)})
    e = only_error(raw, units)
    assert where(e) == ("扣分事项", 1, "发生日期")
    assert "缺少列" in e.message


def test_optional_record_columns_may_be_missing(units):
    cols = ["单位名称", "事项类型", "发生日期"]
    raw = make_workbook({"扣分事项": table("扣分事项", [event()], cols=cols)})
    [rec] = records(raw, units, "扣分事项")
    assert rec["数量"] == 1 and rec["处理情况"] == "" and rec["事项说明"] == ""


def test_duplicate_header(units):
    cols = [*wbk.headers("镇街"), "本月出台信用制度文件数"]
    e = only_error(make_workbook({"镇街": table("镇街", [{"单位名称": "东阿镇"}], cols=cols)}), units)
    assert where(e) == ("镇街", 1, "本月出台信用制度文件数")
    assert "重复" in e.message and "第 B 列" in e.message and "第 K 列" in e.message


def test_header_row_not_found(units):
    raw = make_workbook({"镇街": [["名称", "文件数"], ["东阿镇", 1]]})
    e = only_error(raw, units)
    assert where(e) == ("镇街", None, "单位名称")
    assert "未找到表头行" in e.message


def test_data_without_unit_name(units):
    e = only_error(town_sheet({"单位名称": None, "本月出台信用制度文件数": 1}), units)
    assert where(e) == ("镇街", 2, "单位名称")
    assert "单位名称为空" in e.message


def test_month_mismatch(units):
    raw = make_workbook({"镇街": table("镇街", [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}])}, month="2022-02")
    e = only_error(raw, units)
    assert where(e) == ("填报说明", 3, "填报月份")
    assert e.message == "月份不符：文件为 2022年2月，所选为 2022年3月"


def test_month_mismatch_of_the_real_template(units):
    raw = wbk.fill_template({"镇街": [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}]}, month="2022-02")
    e = only_error(raw, units)
    assert e.message == "月份不符：文件为 2022年2月，所选为 2022年3月"


@pytest.mark.parametrize(
    "data",
    [os.urandom(4096), "单位名称,数量\n东阿镇,1\n".encode(), b"PK\x03\x04 truncated zip", wbk.plain_zip()],
    ids=["random-bytes", "text-renamed", "broken-zip", "zip-not-workbook"],
)
def test_not_a_spreadsheet(units, data):
    e = only_error(data, units, filename="数据.xlsx")
    assert where(e) == (None, None, None)
    assert e.message == "文件「数据.xlsx」不是有效的 Excel 工作簿（.xlsx 或 .xls）"


def test_ole2_that_is_not_a_workbook(units):
    e = only_error(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4096), units, filename="a.xls")
    assert "不是有效的 Excel 工作簿" in e.message


def test_empty_file(units):
    e = only_error(b"", units, filename="空.xlsx")
    assert "空文件" in e.message


def test_empty_workbook(units):
    e = only_error(make_workbook({}), units)
    assert where(e) == (None, None, None)
    assert e.message.startswith("未找到任何可识别的工作表，应包含：镇街、部门、全县、扣分事项、信易+场景、分级分类监管")
    assert "Sheet1" in e.hint


def test_workbook_with_nothing_filled(units):
    raw = wbk.fill_template({})
    e = only_error(raw, units)
    assert "都没有填写数据" in e.message


@pytest.mark.parametrize("code", ["#DIV/0!", "#N/A", "#VALUE!"])
def test_error_value(units, code):
    e = only_error(town_sheet({"单位名称": "东阿镇", "辖区注册企业总数": code}), units)
    assert where(e) == ("镇街", 2, "辖区注册企业总数")
    assert e.message == f"单元格为错误值 {code}"


def test_error_value_in_an_ignored_column_is_ignored(units):
    cols = [*wbk.headers("镇街"), "备注"]
    raw = make_workbook(
        {"镇街": table("镇街", [{"单位名称": "东阿镇", "备注": "#REF!", "本月出台信用制度文件数": 1}], cols=cols)}
    )
    assert records(raw, units, "镇街")[0]["unit_id"] == "dong_e"


def test_zip_bomb(units):
    e = only_error(wbk.zip_bomb(200), units)
    assert where(e) == (None, None, None)
    assert "压缩炸弹" in e.message


def test_zip_bomb_with_forged_sizes(units):
    e = only_error(wbk.forged_bomb(120), units)
    assert "压缩炸弹" in e.message


def test_high_compression_ratio_alone():
    [e] = check_upload(wbk.zip_bomb(30), "x.xlsx")
    assert "压缩比超过 100:1" in e.message


def test_too_many_zip_entries():
    [e] = check_upload(wbk.many_entries(10_001), "x.xlsx")
    assert "超过 10000 个条目（上限 10000）" in e.message


def test_macro_workbook(units):
    """An .xlsm is refused by its name; renamed to .xlsx, by the macro inside it."""
    raw = wbk.with_entries(town_sheet({"单位名称": "东阿镇"}), {"xl/vbaProject.bin": b"\x00" * 64})
    e = only_error(raw, units, filename="宏.xlsm")
    assert e.message == "「宏.xlsm」不是可上传的文件类型：这里只接受 .xlsx、.xls"
    e = only_error(raw, units, filename="宏.xlsx")
    assert "包含宏" in e.message and "xlsx" in e.hint


def test_size_limit():
    [e] = check_upload(b"PK\x03\x04" + bytes(2000), "big.xlsx", max_bytes=1000)
    assert "超过上限" in e.message


def test_many_errors_are_all_reported(units):
    raw = make_workbook(
        {
            "镇街": table(
                "镇街",
                [
                    {"单位名称": "榆树街道", "本月出台信用制度文件数": 1},
                    {"单位名称": "东阿镇", "本月出台信用制度文件数": "约10", "清欠未完成案例数": -1},
                ],
            ),
            "扣分事项": table("扣分事项", [event(事项类型="其他", 发生日期="2022-05-01")]),
            "全县": table("全县", [{"项目": "不存在的项目", "数值": 1}, {"项目": "全市区县数", "数值": 0}]),
        },
        month=MONTH,
    )
    got = {where(e) for e in errors_of(raw, units)}
    assert got == {
        ("镇街", 2, "单位名称"),
        ("镇街", 3, "本月出台信用制度文件数"),
        ("镇街", 3, "清欠未完成案例数"),
        ("扣分事项", 2, "事项类型"),
        ("扣分事项", 2, "发生日期"),
        ("全县", 2, "项目"),
        ("全县", 3, "数值"),
    }


def test_month_mismatch_is_one_error_for_the_whole_file(units):
    """Issue 25 §13: a file of another month is one error (its event dates are not each reported),
    carrying the file's month so the page can offer to switch."""
    from credit.errors import MonthMismatch

    raw = make_workbook({"镇街": table("镇街", [{"单位名称": "东阿真", "本月出台信用制度文件数": 1}]),
                         "扣分事项": table("扣分事项", [event(发生日期="2022-02-03"), event(发生日期="2022-02-09")])},
                        month="2022-02")
    (e,) = errors_of(raw, units)
    assert isinstance(e, MonthMismatch) and e.found == "2022-02"


def test_unexpected_failure_becomes_a_cell_error(units, monkeypatch):
    def boom(self):
        raise RuntimeError("internal")

    monkeypatch.setattr(isolation, "ISOLATE", False)  # the patch must reach the reader
    monkeypatch.setattr(importer._SheetReader, "parse", boom)
    e = only_error(town_sheet({"单位名称": "东阿镇"}), units, filename="x.xlsx")
    assert where(e) == (None, None, None)
    assert "读取文件「x.xlsx」时出错" in e.message


# ---- 全县 ---------------------------------------------------------------------------------------


def county(*pairs: tuple[str, object]) -> bytes:
    return make_workbook({"全县": table("全县", [{"项目": k, "数值": v} for k, v in pairs])})


def test_county_items(units):
    raw = county(
        ("全县信易贷平台注册企业数", "1,234"),
        ("全市守信企业平均比例", "5%"),
        ("本月信用核查和联合奖惩系统应用次数", None),
        ("全 县 信用监测全市排名", 3),
    )
    assert records(raw, units, "全县") == [
        {"row": 2, "item": "全县信易贷平台注册企业数", "value": 1234.0},
        {"row": 3, "item": "全市守信企业平均比例", "value": 0.05},
        {"row": 4, "item": "本月信用核查和联合奖惩系统应用次数", "value": 0.0},
        {"row": 5, "item": "全县信用监测全市排名", "value": 3.0},
    ]


def test_county_unknown_item(units):
    e = only_error(county(("全县注册企业数", 1)), units)
    assert where(e) == ("全县", 2, "项目")
    assert "不是「全县」工作表的项目" in e.message


def test_county_duplicate_item(units):
    e = only_error(county(("法人企业数", 1), ("法人企业数", 2)), units)
    assert where(e) == ("全县", 3, "项目")
    assert "第 2 行和第 3 行" in e.message


@pytest.mark.parametrize("value", [0, 2.5])
def test_county_rank_is_a_whole_number_from_1(units, value):
    e = only_error(county(("信易贷注册企业数全市位次", value)), units)
    assert where(e) == ("全县", 2, "数值")


def test_county_fraction_above_one_is_refused(units):
    e = only_error(county(("全市守信企业平均比例", 5)), units)
    assert where(e) == ("全县", 2, "数值") and e.message == "超出合理范围：应不大于 1，实际为 5"
    assert "0.05 或 5%" in e.hint


# ---- good variants -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["12", " 12 ", "１２", "12.0", "+12", 12.0])
def test_numbers_as_text(units, typed):
    [rec] = records(town_sheet({"单位名称": "东阿镇", "本月报送信用动态稿件数": typed}), units, "镇街")
    assert rec["本月报送信用动态稿件数"] == 12.0


def test_thousands_and_decimal_amounts(units):
    raw = town_sheet({"单位名称": "东阿镇", "辖区注册企业总数": "1,234", "信易贷融资需求金额（万元）": "１，２３４.５"})
    [rec] = records(raw, units, "镇街")
    assert rec["辖区注册企业总数"] == 1234.0
    assert rec["信易贷融资需求金额（万元）"] == 1234.5


@pytest.mark.parametrize(
    "typed",
    [
        date(2022, 3, 15),
        datetime(2022, 3, 15, 9, 30),
        44635,
        "44635",
        "2022-03-15",
        "2022/3/15",
        "2022.3.15",
        "2022年3月15日",
        "20220315",
        20220315,
        "2022-03-15 00:00:00",
    ],
)
def test_date_spellings(units, typed):
    [rec] = records(events_sheet(event(发生日期=typed)), units, "扣分事项")
    assert rec["发生日期"] == "2022-03-15"


def test_event_defaults_and_serious_blank_handling(units):
    parsed = parse_workbook(events_sheet(event(事项类型="严重失信事件")), "e.xlsx", MONTH, units)
    [rec] = parsed.sheets["扣分事项"].records
    assert rec["处理情况"] == "未处理" and rec["数量"] == 1
    [w] = parsed.warnings
    assert where(w) == ("扣分事项", 2, "处理情况") and "未处理" in w.message


def test_header_below_a_title_and_columns_reordered_with_extras(units):
    cols = [
        "备注",
        "本月出台信用制度文件数",
        "单 位 名 称",
        "清欠未完成案例数",
        *wbk.headers("镇街")[2:8],
        "本月开展诚信宣传活动次数",
        "填表人",
    ]
    rows = [
        ["平阴县各镇街月度数据"],
        [],
        ["填报单位：县信用办"],
        [],
        cols,
        ["见附件", 3, "平阴经济开发区", 4, *[None] * 6, 1, "张三"],
    ]
    [rec] = records(make_workbook({"镇街": rows}), units, "镇街")
    assert rec["row"] == 6
    assert rec["unit_id"] == "kaifaqu"
    assert rec["本月出台信用制度文件数"] == 3.0
    assert rec["清欠未完成案例数"] == 4.0
    assert rec["本月开展诚信宣传活动次数"] == 1.0
    assert rec["辖区注册企业总数"] is None


def test_brackets_and_plus_signs_are_folded(units):
    cols = ["单位名称", "事项类型", "发生日期", "异议处理用时(工作日)"]
    ev = event(事项类型="异议信息")
    ev["异议处理用时(工作日)"] = "2"
    raw = make_workbook(
        {
            "扣分事项": table("扣分事项", [ev], cols=cols),
            " 信易＋场景 ": table(
                "信易+场景",
                [{"单位名称": "文旅局", "信用应用": "信易游"}],
                cols=["单位名称", "信用应用", "开展方案／制度文件名称"],
            ),
        }
    )
    parsed = parse_workbook(raw, "x.xlsx", MONTH, units)
    assert parsed.sheets["扣分事项"].records[0]["异议处理用时（工作日）"] == 2.0
    assert parsed.sheets["信易+场景"].records[0]["开展方案/制度文件名称"] == ""


def test_unit_aliases_and_spaces(units):
    rows = [
        {"单位名称": "平阴县榆山街道办事处", "本月出台信用制度文件数": 1},
        {"单位名称": " 锦水 街道 ", "本月出台信用制度文件数": 1},
    ]
    got = [(r["unit_id"], r["单位名称"]) for r in records(town_sheet(*rows), units, "镇街")]
    assert got == [("yushan", "榆山街道"), ("jinshui", "锦水街道")]


@pytest.mark.parametrize("typed", ["农、林牧渔业", "农 林 牧 渔 业", 1, "1", "A", "1 农、林、牧、渔业"])
def test_industry_spellings(units, typed):
    raw = make_workbook(
        {
            "分级分类监管": table(
                "分级分类监管", [{"单位名称": "农业农村局", "监管领域": "种子", "国民经济行业分类": typed}]
            )
        }
    )
    [rec] = records(raw, units, "分级分类监管")
    assert rec["国民经济行业分类"] == "农、林、牧、渔业"


@pytest.mark.parametrize("typed", ["2022-3", "2022年3月", "2022/03", "2022年03月份", date(2022, 3, 1), "202203"])
def test_month_spellings_in_the_instructions(units, typed):
    raw = make_workbook({"镇街": table("镇街", [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}])}, month=typed)
    assert records(raw, units, "镇街")[0]["unit_id"] == "dong_e"


def test_unreadable_month_is_only_a_warning(units):
    raw = make_workbook({"镇街": table("镇街", [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}])}, month="三月")
    parsed = parse_workbook(raw, "m.xlsx", MONTH, units)
    assert "无法识别填报月份" in parsed.warnings[0].message


def test_unknown_sheets_are_ignored(units):
    town = table("镇街", [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}])
    raw = make_workbook({"Sheet1": [["随便", 1]], "镇街": town, "_lists": [["x"]]})
    parsed = parse_workbook(raw, "u.xlsx", MONTH, units)
    assert list(parsed.sheets) == ["镇街"]
    assert parsed.warnings == []


@pytest.mark.slow  # runs LibreOffice
@pytest.mark.skipif(wbk.soffice() is None, reason="LibreOffice (soffice) is not installed; cannot write .xls")
def test_legacy_xls(units):
    raw = wbk.fill_template(
        {
            "镇街": [{"单位名称": "东阿镇", "本月出台信用制度文件数": 2, "信易贷融资需求金额（万元）": 10.5}],
            "扣分事项": [event(发生日期=date(2022, 3, 9), 数量=3)],
        }
    )
    xls = wbk.to_xls(raw)
    assert xls[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    parsed = parse_workbook(xls, "旧版.xls", MONTH, units)
    dong_e = next(r for r in parsed.sheets["镇街"].records if r["unit_id"] == "dong_e")
    assert dong_e["本月出台信用制度文件数"] == 2.0 and dong_e["信易贷融资需求金额（万元）"] == 10.5
    assert dong_e["row"] == 5  # row numbers as Excel shows them, title and header above
    assert parsed.sheets["扣分事项"].records[0]["row"] == 3
    assert parsed.sheets["扣分事项"].records[0]["发生日期"] == "2022-03-09"
    assert parsed.sheets["扣分事项"].records[0]["数量"] == 3


def test_2000_event_rows_parse_fast(units):
    towns = units.names_at(MONTH, "镇街")
    rows = [
        event(单位名称=towns[i % len(towns)], 发生日期=date(2022, 3, 1 + i % 28), 事项说明=f"第{i}件", 数量=1 + i % 3)
        for i in range(2000)
    ]
    raw = events_sheet(*rows)
    parse_workbook(raw, "big.xlsx", MONTH, units)  # warm up imports
    best = min(_timed(lambda: parse_workbook(raw, "big.xlsx", MONTH, units)) for _ in range(3))
    print(f"\n2,000 event rows parsed in {best * 1000:.0f} ms")
    assert best < 1.0
    assert len(records(raw, units, "扣分事项")) == 2000


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_two_sheets_for_one_dataset(units):
    town = table("镇街", [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1}])
    e = only_error(make_workbook({"镇街": town, "镇街 ": town}), units)
    assert e.sheet == "镇街 " and "都对应「镇街」" in e.message


def test_error_values_found_in_excel_style_xml():
    xml = (
        b'<x:worksheet><x:sheetData><x:row r="4"><x:c r="B4" s="1"><x:v>3</x:v></x:c>'
        b'<x:c r="C4" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c><x:c r="AA4" t="e"/></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    assert xlsx_safety._errors_in_xml(xml) == {(3, 2): "#DIV/0!", (3, 26): "#错误"}


def test_openpyxl_reads_xml_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
