"""Tables out of the system (Excel, CSV), safe against formula injection.

Unit names and event descriptions come from uploads; a cell starting with `= + - @`, a tab or a
carriage return would be run as a formula by Excel/WPS, so such text is always written as text.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping

import pandas as pd

# openpyxl is imported where a workbook is written, not here: every page imports this module for
# its download buttons, and openpyxl took a fifth of a second at a new server's first page while
# no file is built until a button is clicked (tests/test_architecture.py keeps Home free of it).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_COLOUR = "DDEBF7"


def safe_text(value: object) -> object:
    """Neutralise text that a spreadsheet would read as a formula (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_text)
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel on a Chinese Windows PC opens it without mojibake."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


def write_sheet(ws, df: pd.DataFrame, number_formats: Mapping[str, str] | None = None,
                wrap_columns: Collection[str] = ()) -> None:
    """One table on one sheet: bold frozen header, widths, number formats; text stays text.

    Columns named in `wrap_columns` (long free text) wrap within their width instead of spilling."""
    from openpyxl.utils import get_column_letter

    _write_header(ws, df.columns)
    for row in df.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
        _keep_text(ws[ws.max_row])
    for idx, col in enumerate(df.columns, start=1):
        _format_column(ws, get_column_letter(idx), df.iloc[:, idx - 1], (number_formats or {}).get(str(col)),
                       wrap=str(col) in wrap_columns)
    ws.freeze_panes = "A2"


def _write_header(ws, columns: pd.Index) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    ws.append([str(c) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    _keep_text(ws[1])


def _keep_text(cells) -> None:
    """Text cells are typed as strings: never a formula, whatever they start with."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _cell_value(v: object) -> object:
    """A pandas/NumPy value as openpyxl takes it: missing → empty cell, NumPy scalars → Python."""
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _format_column(ws, letter: str, values: pd.Series, fmt: str | None, wrap: bool) -> None:
    """Width from the longest of the first 200 values (CJK counts double); number format; wrapping."""
    from openpyxl.styles import Alignment

    texts = [str(values.name)] + [str(v) for v in values.head(200).tolist()]
    ws.column_dimensions[letter].width = min(max(8, max(_display_width(t) for t in texts) + 2), 60)
    if fmt is None and pd.api.types.is_float_dtype(values):
        fmt = "0.00"
    for cell in ws[letter][1:]:
        if fmt:
            cell.number_format = fmt
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def to_excel_bytes(sheets: Mapping[str, pd.DataFrame], number_formats: Mapping[str, str] | None = None,
                   wrap_columns: Collection[str] = ()) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=_sheet_title(name))
        write_sheet(ws, df, number_formats, wrap_columns)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(name: str) -> str:
    for ch in '[]:*?/\\':
        name = name.replace(ch, "_")
    return name[:31] or "Sheet"
