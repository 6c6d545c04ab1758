"""Excel/CSV export (credit.workbook.export): text stays text, blanks stay blank, formats and widths."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd

from credit.workbook.export import to_csv_bytes, to_excel_bytes

EVIL = '=HYPERLINK("http://x","y")'


def _sheet(df: pd.DataFrame, **kw) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(to_excel_bytes({"表": df}, **kw)))["表"]


def test_formula_like_text_is_written_as_text_in_header_and_cells() -> None:
    ws = _sheet(pd.DataFrame({"单位": [EVIL, "-1+2"], "=列": [1, 2]}))
    assert ws["A2"].value == EVIL and ws["A2"].data_type == "s"
    assert ws["A3"].value == "-1+2" and ws["A3"].data_type == "s"
    assert ws["B1"].value == "=列" and ws["B1"].data_type == "s"


def test_missing_values_are_empty_cells_and_numpy_scalars_plain_numbers() -> None:
    df = pd.DataFrame({"名称": ["甲", None], "数": pd.array([np.int64(3), pd.NA], dtype="Int64"),
                       "率": [np.nan, 0.5]})
    ws = _sheet(df)
    assert [c.value for c in ws[2]] == ["甲", 3, None]
    assert [c.value for c in ws[3]] == [None, None, 0.5]
    assert isinstance(ws["B2"].value, int)


def test_header_formats_widths_and_wrapping() -> None:
    df = pd.DataFrame({"单位": ["平阴县社会信用体系建设领导小组办公室"], "得分": [92.5], "排名变化": [2], "内容": ["长文本"]})
    ws = _sheet(df, number_formats={"排名变化": '"↑"0;"↓"0;"—"'}, wrap_columns=("内容",))
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert ws["B2"].number_format == "0.00"  # floats get two decimals by default
    assert ws["C2"].number_format == '"↑"0;"↓"0;"—"'
    assert ws["A2"].number_format == "General" and not ws["A2"].alignment.wrap_text
    assert ws["D2"].alignment.wrap_text and ws["D2"].alignment.vertical == "top"
    assert ws.column_dimensions["A"].width == 2 * 18 + 2  # 18 CJK characters count double
    assert ws.column_dimensions["B"].width == 8  # narrow columns get the minimum


def test_csv_has_a_bom_and_neutralised_formulas() -> None:
    raw = to_csv_bytes(pd.DataFrame({"单位": [EVIL]}))
    assert raw.startswith("\ufeff".encode()) and "'=HYPERLINK" in raw.decode("utf-8-sig")
