"""Formula cells without a saved result are refused at their cell, never read as 0 (issue 13, item 6).

python-calamine reads a formula whose result was never saved (scripts write formulas that way;
Excel and WPS save the result) as a blank cell, and a blank count is 0. The sheet XML is rewritten
here to each form such a cell takes, in a count column where 0 would be a plausible value.

Legacy .xls: a FORMULA record always carries a result, so what matters is whether it can be
trusted (see `credit.workbook.biff`). The files are written by xlwt (every formula saved as
"empty", uncalculated) and then patched to what Apache POI (0 with "calculate on open") or Excel
(the real result) would have saved in that record; one is made by LibreOffice itself.
"""

from __future__ import annotations

import struct

import pytest

from credit.errors import WorkbookError
from credit.model.contract import SHEET_EVENTS, SHEET_TOWN, UNIT_COL
from credit.model.units import UnitRegister, load_units
from credit.workbook.importer import UNCALCULATED_MESSAGE, parse_workbook
from tests.support import reliability as rh
from tests.support import workbooks as wbk
from tests.support.workbooks import MONTH, event, table

FIELD = rh.TOWN_FIELD
OPENPYXL_CELL = b'<c r="B2"><f>1+2</f><v></v></c>'  # what openpyxl writes for "=1+2"


@pytest.fixture(scope="module")
def units() -> UnitRegister:
    return load_units()


with_cell = rh.uncalculated_cell

@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="B2" t="str"><f>2+3</f></c>',
        b'<c r="B2" t="b"><f>TRUE()</f></c>',
        b'<c r="B2" t="b"><f>1=1</f><v></v></c>',
        b'<c r="B2"><f>2+3</f></c>',
        b'<c r="B2"><f>2+3</f><v/></c>',
        OPENPYXL_CELL,
    ],
    ids=["str-no-value", "bool-no-value", "bool-empty-value", "number-no-value", "number-empty-tag", "openpyxl"],
)
def test_formula_without_saved_result_is_refused_at_its_cell(units: UnitRegister, cell: bytes) -> None:
    with pytest.raises(WorkbookError) as info:
        parse_workbook(with_cell(cell), "公式.xlsx", MONTH, units)
    [e] = info.value.errors
    assert (e.sheet, e.row, e.column) == ("镇街", 2, FIELD)
    assert e.message == "公式没有计算结果，请在 Excel 中打开并保存后再上传，或改为填写数值" == UNCALCULATED_MESSAGE


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (b'<c r="B2"><f>2+3</f><v>5</v></c>', 5),
        (b'<c r="B2" t="str"><f>"7"</f><v>7</v></c>', 7),
    ],
    ids=["number-with-result", "text-with-result"],
)
def test_formula_with_saved_result_is_read(units: UnitRegister, cell: bytes, expected: int) -> None:
    [row] = parse_workbook(with_cell(cell), "公式.xlsx", MONTH, units).sheets["镇街"].records
    assert row[FIELD] == expected


def test_formula_refused_through_the_store_changes_nothing(tmp_path) -> None:
    from credit.store.facade import Store

    with Store(rh.seeded_db(tmp_path / "f.db")) as store:
        [e] = rh.refuse(store, with_cell(b'<c r="B2" t="str"><f>2+3</f></c>'), "公式.xlsx")
    assert e.message == UNCALCULATED_MESSAGE


# ---- legacy .xls -------------------------------------------------------------------------------

FORMULA, BOOLERR = 0x0006, 0x0205
SECOND = "辖区注册企业总数"
NUMBER = struct.pack("<d", 3.0)  # a result saved as an IEEE double
EMPTY = bytes([3, 0, 0, 0, 0, 0, 0xFF, 0xFF])  # what xlwt saves for every formula
DIV0 = bytes([2, 0, 0x07, 0, 0, 0, 0xFF, 0xFF])
TEXT_NO_STRING = bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF])  # a text result whose STRING record is missing


def town_xls(**cells: object) -> bytes:
    """An xlwt .xls with one 镇街 row (东阿镇, B2 = TOWN_FIELD), cells given by header."""
    return wbk.xlwt_workbook({SHEET_TOWN: table(SHEET_TOWN, [{UNIT_COL: "东阿镇", **cells}])})


def xls_formula(result: bytes | None, flags: int = 0) -> bytes:
    """东阿镇's TOWN_FIELD as the formula 1+2, saved with `result` (None: as xlwt left it)."""
    raw = town_xls(**{FIELD: "=1+2", SECOND: 3100})
    return raw if result is None else wbk.patch_xls_cell(raw, 1, 1, FORMULA, wbk.formula_result(result, flags))


def only_error(raw: bytes, units: UnitRegister):
    with pytest.raises(WorkbookError) as info:
        parse_workbook(raw, "公式.xls", MONTH, units)
    [e] = info.value.errors
    return e


@pytest.mark.parametrize(
    ("result", "flags"),
    [(None, 0), (struct.pack("<d", 0.0), 0x0002), (NUMBER, 0x0003), (TEXT_NO_STRING, 0)],
    ids=["xlwt-empty", "poi-zero-calc-on-open", "calc-on-open-with-number", "text-without-string-record"],
)
def test_xls_formula_without_trustworthy_result_is_refused_at_its_cell(
    units: UnitRegister, result: bytes | None, flags: int
) -> None:
    e = only_error(xls_formula(result, flags), units)
    assert (e.sheet, e.row, e.column) == (SHEET_TOWN, 2, FIELD)
    assert e.message == UNCALCULATED_MESSAGE


@pytest.mark.parametrize("flags", [0, 0x0001], ids=["saved", "recalc-always"])
def test_xls_formula_with_saved_number_is_read(units: UnitRegister, flags: int) -> None:
    """Excel and LibreOffice save the result; LibreOffice sets 0x0001 for TODAY() and the like."""
    [row] = parse_workbook(xls_formula(NUMBER, flags), "公式.xls", MONTH, units).sheets[SHEET_TOWN].records
    assert row[FIELD] == 3 and row[SECOND] == 3100


def test_xls_error_result_and_error_constant_are_named(units: UnitRegister) -> None:
    e = only_error(xls_formula(DIV0), units)
    assert (e.sheet, e.row, e.column, e.message) == (SHEET_TOWN, 2, FIELD, "单元格为错误值 #DIV/0!")
    constant = wbk.patch_xls_cell(town_xls(**{FIELD: True}), 1, 1, BOOLERR, lambda b: b[:6] + bytes([0x2A, 1]))
    e = only_error(constant, units)
    assert (e.row, e.column, e.message) == (2, FIELD, "单元格为错误值 #N/A")


def test_xls_empty_result_is_refused_only_where_a_number_belongs(units: UnitRegister) -> None:
    """In a text column a formula's "" is a blank; in 数量 (a whole-number column) it is refused;
    a row of nothing but such formulas (Excel's `=IF(…,"",…)` dragged down) is no row at all."""
    rows = table(SHEET_EVENTS, [event(事项说明="=\"\"", 数量="=1+2"), {"事项说明": "=\"\""}])
    e = only_error(wbk.xlwt_workbook({SHEET_EVENTS: rows}), units)
    assert (e.sheet, e.row, e.column, e.message) == (SHEET_EVENTS, 2, "数量", UNCALCULATED_MESSAGE)
    rows = table(SHEET_EVENTS, [event(事项说明="=\"\"", 数量=2), {"事项说明": "=\"\"", "数量": "=1"}])
    [record] = parse_workbook(wbk.xlwt_workbook({SHEET_EVENTS: rows}), "公式.xls", MONTH, units).sheets[
        SHEET_EVENTS
    ].records
    assert record["数量"] == 2 and record["事项说明"] == ""


def test_xls_formula_refused_through_the_store_changes_nothing(tmp_path) -> None:
    from credit.store.facade import Store

    with Store(rh.seeded_db(tmp_path / "f.db")) as store:
        errors = rh.refuse(store, xls_formula(struct.pack("<d", 0.0), 0x0002), "公式.xls")
    assert [(e.sheet, e.row, e.column, e.message) for e in errors] == [(SHEET_TOWN, 2, FIELD, UNCALCULATED_MESSAGE)]


@pytest.mark.slow  # runs LibreOffice
@pytest.mark.skipif(wbk.soffice() is None, reason="LibreOffice (soffice) is not installed; cannot write .xls")
def test_libreoffice_saved_xls_formulas_are_trusted(units: UnitRegister) -> None:
    """LibreOffice calculates on save (even formulas openpyxl left without a result), marks volatile
    ones 0x0001, and saves `=""` as an empty result: all of it reads as the office meant."""
    raw = wbk.fill_template(
        {SHEET_TOWN: [{UNIT_COL: "东阿镇", FIELD: "=1+2", SECOND: "=TODAY()*0+3100", "本月报送信用动态稿件数": '=""'}]}
    )
    xls = wbk.to_xls(raw)
    e = only_error(xls, units)  # the "" result in a number column: a blank no one typed
    assert (e.sheet, e.column, e.message) == (SHEET_TOWN, "本月报送信用动态稿件数", UNCALCULATED_MESSAGE)
    raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", FIELD: "=1+2", SECOND: "=TODAY()*0+3100"}]})
    [dong_e] = [r for r in parse_workbook(wbk.to_xls(raw), "旧版.xls", MONTH, units).sheets[SHEET_TOWN].records
                if r["unit_id"] == "dong_e"]
    assert dong_e[FIELD] == 3 and dong_e[SECOND] == 3100
