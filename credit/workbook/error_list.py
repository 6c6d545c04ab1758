"""The upload's error list as the office sends it on: each row with the unit it belongs to, and an
Excel file with one sheet per unit, so each town or department gets only its own rows to fix.

The unit of an error is read from the uploaded file itself (the 单位名称 cell of the error's
row). Only files whose errors name a row are read again — those passed the safety checks and
were parsed as far as their rows; a problem of the whole file has no unit.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd
from python_calamine import CalamineWorkbook

from credit.model.contract import UNIT_COL
from credit.workbook.export import to_excel_bytes
from credit.workbook.isolation import run_isolated
from credit.workbook.preview import ERROR_COLUMNS, FileCheck

NO_UNIT = "（整表或整个文件）"
ALL_SHEET = "全部问题"


def _row_units(raw: bytes, sheets: set[str]) -> dict[tuple[str, int], str]:
    """(sheet, Excel row number) → the text in that row's 单位名称 column.

    The file passed the gate before its rows were parsed; it is read again in a reader worker all
    the same (`credit.workbook.isolation`): no read of an upload happens in the server process.
    """
    return run_isolated(_units_by_row, raw, sheets, filename="错误清单")


def _units_by_row(raw: bytes, sheets: set[str]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    for name in sheets & set(book.sheet_names):
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        col = next(((i, row.index(UNIT_COL)) for i, row in enumerate(rows[:10]) if UNIT_COL in row), None)
        if col is None:
            continue
        header, j = col
        for i in range(header + 1, len(rows)):
            value = rows[i][j] if j < len(rows[i]) else ""
            if str(value).strip():
                out[(name, i + 1)] = str(value).strip()
    return out


def error_list(checks: Sequence[FileCheck], raws: Mapping[str, bytes]) -> pd.DataFrame:
    """Every error of every file with its unit first: 单位, 文件, 工作表, 行, 列, 问题, 修改建议."""
    rows = []
    for check in checks:
        with_row = [e for e in check.errors if e.row and e.sheet]
        units: dict[tuple[str, int], str] = {}
        if with_row and check.filename in raws:
            try:
                units = _row_units(raws[check.filename], {e.sheet for e in with_row})
            except Exception:  # noqa: BLE001 — the list still helps without units
                units = {}
        for e in check.errors:
            unit = units.get((e.sheet, e.row), "") if e.row and e.sheet else ""
            rows.append({"单位": unit or NO_UNIT, "文件": check.filename, **e.as_dict()})
    return pd.DataFrame(rows, columns=["单位", *ERROR_COLUMNS]).astype(str)


def error_workbook(errors: pd.DataFrame) -> bytes:
    """All errors on the first sheet, then one sheet per unit (in the order they first appear)."""
    sheets = {ALL_SHEET: errors}
    for unit in dict.fromkeys(errors["单位"]):
        sheets[unit[:31]] = errors[errors["单位"] == unit].drop(columns="单位")
    return to_excel_bytes(sheets, wrap_columns=("问题", "修改建议"))
