"""The 双公示 reader: headers found by text (title rows, aliases, column order, .csv in UTF-8 or GBK,
legacy .xls), cells read or filed as located format problems, and hostile files refused with the
monthly importer's own messages."""

from __future__ import annotations

import os
from datetime import date

import pytest

from credit.app.sgs import blank_template
from credit.errors import WorkbookError
from credit.model.sgs_rules import load_sgs_rules
from credit.workbook.sgs_reader import LONG_TERM, MAX_SGS_BYTES, read_code_list, read_entity_list, read_records
from tests.support import workbooks as wbk
from tests.support.sgs import LICENCE_HEADERS, PENALTY_HEADERS, VALID_A, codes_xlsx, csv_bytes, licence, penalty, xlsx

RULES = load_sgs_rules()


def refused(raw: bytes, name: str = "导出.xlsx") -> str:
    with pytest.raises(WorkbookError) as exc:
        read_records(raw, name, RULES)
    return " ".join(str(e) for e in exc.value.errors)


def test_header_below_a_title_columns_by_text_in_any_order() -> None:
    shuffled = list(reversed(LICENCE_HEADERS)) + ["备注"]
    f = read_records(xlsx([licence(有效期至="长期")], [penalty()], headers=(shuffled, PENALTY_HEADERS)),
                     "导出.xlsx", RULES)
    lic, pen = f.sheets
    assert (lic.kind, lic.header_row, pen.kind) == ("许可", 2, "处罚")
    row, values = lic.rows[0]
    assert row == 3 and values["许可决定日期"] == date(2022, 11, 1) and values["有效期至"] == LONG_TERM
    assert values["统一社会信用代码"] == VALID_A and pen.rows[0][1]["罚款金额（万元）"] == 0.5
    assert lic.missing == [] and lic.bad == {}


def test_unreadable_cells_become_located_problems() -> None:
    f = read_records(xlsx([licence(许可决定日期="2022年13月1日", 统一社会信用代码=913701240000000000)],
                          [penalty(**{"罚款金额（万元）": "五千元"})]), "导出.xlsx", RULES)
    lic, pen = f.sheets
    assert set(lic.bad) == {(3, "许可决定日期"), (3, "统一社会信用代码")}
    assert "数字格式" in lic.bad[(3, "统一社会信用代码")][0]
    assert set(pen.bad) == {(3, "罚款金额（万元）")}


def test_csv_utf8_and_gbk_and_missing_columns_listed() -> None:
    headers = [h for h in LICENCE_HEADERS if h != "许可机关"]
    for enc in ("utf-8-sig", "gbk"):
        f = read_records(csv_bytes(headers, [licence()], enc), "导出.csv", RULES)
        assert f.n_records == 1 and f.sheets[0].missing == ["许可机关"]


@pytest.mark.skipif(wbk.soffice() is None, reason="LibreOffice not installed")
def test_legacy_xls() -> None:
    f = read_records(wbk.to_xls(xlsx([licence()])), "导出.xls", RULES)
    assert f.n_records == 1 and f.sheets[0].rows[0][1]["许可决定日期"] == date(2022, 11, 1)


def test_no_recognisable_header_is_refused() -> None:
    msg = refused(wbk.make_workbook({"Sheet1": [["姓名", "电话"], ["张三", "123"]]}))
    assert "未找到双公示数据的表头" in msg and "行政许可决定文书号" in msg and "Sheet1" in msg


def test_too_large_is_refused_like_the_monthly_importer() -> None:
    big = b"a," * (MAX_SGS_BYTES // 2 + 10)
    assert "超过上限 10.0 MB" in refused(big, "导出.csv")
    assert "超过上限 10.0 MB" in refused(b"PK\x03\x04" + os.urandom(MAX_SGS_BYTES))


def test_zip_bomb_and_entity_bomb_and_macros_are_refused() -> None:
    assert "压缩炸弹" in refused(wbk.zip_bomb(120))
    assert "压缩炸弹" in refused(wbk.forged_bomb(120))
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
           b"<lolz>&lol2;</lolz>")
    assert "XML 炸弹" in refused(wbk.with_entries(xlsx([licence()]), {"xl/worksheets/sheet9.xml": lol}))
    assert "宏" in refused(wbk.with_entries(xlsx([licence()]), {"xl/vbaProject.bin": b"x"}))


def test_not_a_workbook_and_binary_csv() -> None:
    assert "不是有效的 Excel 工作簿" in refused(b"%PDF-1.4 not a sheet", "导出.xlsx")
    assert "二进制" in refused(b"a,b\x00c", "导出.csv")
    assert "不是有效的 Excel 工作簿" in refused(wbk.plain_zip())


def test_code_and_entity_lists() -> None:
    codes = read_code_list(codes_xlsx([VALID_A, 913701240000000000]), "c.xlsx")
    assert codes == [(2, VALID_A, False), (3, "913701240000000000", True)]
    with pytest.raises(WorkbookError, match="统一社会信用代码"):
        read_code_list(wbk.make_workbook({"S": [["名称"], ["x"]]}), "c.xlsx")
    entities = read_entity_list(wbk.make_workbook({"名录": [["统一社会信用代码", "企业名称"], [VALID_A, "甲公司"]]}), "e.xlsx")
    assert entities == {VALID_A: ("甲公司", 2)}


def test_official_and_provincial_header_variants() -> None:
    """The national standard's and provincial exports' spellings all land on the standard fields;
    required-column marks ("*", "（必填）") are ignored; the file's own header is kept for display."""
    rename = {"行政相对人名称": "*行政相对人名称", "统一社会信用代码": "行政相对人代码_1（统一社会信用代码）",
              "行政处罚决定书文号": "行政处罚决定文书号（必填）", "处罚决定日期": "作出行政处罚决定日期",
              "上报日期": "公示日期", "处罚机关": "处罚决定机关"}
    headers = [rename.get(h, h) for h in PENALTY_HEADERS]
    raw = xlsx([], [{rename.get(k, k): v for k, v in penalty().items()}], headers=([], headers))
    sheet = read_records(raw, "导出.xlsx", load_sgs_rules()).sheets[0]
    assert sheet.missing == [] and sheet.extra == []
    assert sheet.label("上报日期") == "公示日期" and sheet.label("行政处罚决定书文号") == "行政处罚决定文书号（必填）"
    assert sheet.rows[0][1]["处罚决定日期"].isoformat() == "2022-11-01"


def test_unknown_docno_spelling_still_read_and_mappable() -> None:
    """A file whose 文书号 column has an unknown name is no longer refused: it is read, the column is
    missing (said once), and the unit's mapping fills it in."""
    headers = ["案卷编号" if h == "行政处罚决定书文号" else h for h in PENALTY_HEADERS]
    raw = xlsx([], [{("案卷编号" if k == "行政处罚决定书文号" else k): v for k, v in penalty().items()}],
               headers=([], headers))
    sheet = read_records(raw, "导出.xlsx", load_sgs_rules()).sheets[0]
    assert "行政处罚决定书文号" in sheet.missing and sheet.extra == ["案卷编号"]
    sheet = read_records(raw, "导出.xlsx", load_sgs_rules(), mapping={"处罚": {"行政处罚决定书文号": "案卷编号"}}).sheets[0]
    assert sheet.missing == [] and sheet.mapped == {"行政处罚决定书文号": "案卷编号"}
    assert sheet.rows[0][1]["行政处罚决定书文号"] == "平市监罚〔2022〕201号"


def test_blank_template_reads_back_with_every_field() -> None:
    rules = load_sgs_rules()
    file = read_records(blank_template(rules), "模板.xlsx", rules)
    assert sorted(s.kind for s in file.sheets) == ["处罚", "许可"]
    assert all(s.rows == [] and s.missing == [] for s in file.sheets)


def test_invisible_characters_in_headers_neither_hide_a_field_nor_block_a_mapping() -> None:
    """A header pasted from a web page carries a zero-width space, a BOM or a direction mark: it still
    matches its field, and an unknown one is offered (and remembered) without them."""
    rename = {"处罚决定日期": "处罚决定\u200b日期", "行政相对人名称": "\ufeff行政相对人名称", "上报日期": "网上\u200e公示时间"}
    headers = [rename.get(h, h) for h in PENALTY_HEADERS]
    raw = xlsx([], [{rename.get(k, k): v for k, v in penalty().items()}], headers=([], headers))
    sheet = read_records(raw, "导出.xlsx", load_sgs_rules()).sheets[0]
    assert sheet.missing == [] and sheet.extra == ["网上公示时间"]
    assert sheet.label("处罚决定日期") == "处罚决定日期" and sheet.rows[0][1]["处罚决定日期"].isoformat() == "2022-11-01"
    sheet = read_records(raw, "导出.xlsx", load_sgs_rules(), mapping={"处罚": {"上报日期": "网上公示时间"}}).sheets[0]
    assert sheet.mapped == {"上报日期": "网上公示时间"} and sheet.extra == []
