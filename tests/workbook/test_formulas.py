"""Formula cells without a saved result are refused at their cell, never read as 0 (issue 13, item 6).

python-calamine reads a formula whose result was never saved (scripts write formulas that way;
Excel and WPS save the result) as a blank cell, and a blank count is 0. The sheet XML is rewritten
here to each form such a cell takes, in a count column where 0 would be a plausible value.
"""

from __future__ import annotations

import pytest

from credit.errors import WorkbookError
from credit.model.units import UnitRegister, load_units
from credit.workbook.importer import UNCALCULATED_MESSAGE, parse_workbook
from tests.support import reliability as rh
from tests.support.workbooks import MONTH

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
