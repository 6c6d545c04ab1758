"""The monthly template the credit office hands out, built from the contract.

Everything about the sheets and headers comes from `credit.model.contract`; this module adds only what
a filled-in workbook must look like: where the month is written (the importer checks it), which
rows hold data, and what each numeric cell may hold (`number_rule`, shared with the importer so the
dropdowns and the validator never disagree).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from credit.common.months import check_month, month_bounds, month_label
from credit.model.contract import (
    ITEM_COL,
    SHEET_INSTRUCTIONS,
    SHEETS,
    UNIT_COL,
    VALUE_COL,
    Column,
    Sheet,
    unit_sheet_names,
)
from credit.model.units import UnitRegister

MONTH_LABEL = "填报月份"  # column A of the instructions sheet; the month stands in column B
MONTH_ROW = 3
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
DATA_ROWS = 1000  # rows that carry dropdowns and number checks
LIST_SHEET = "_lists"
NOTE_COL = "说明"  # extra column on 全县 (the importer ignores unknown columns)

EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel serial dates (1900 system, after 1900-03-01)
_LIST_LIMIT = 255  # Excel's limit for an inline dropdown list
_FRACTION_WORDS = ("比例", "平均值")
_RANK_WORDS = ("位次", "区县数", "排名")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="9BC2E6")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")


# ---- months ------------------------------------------------------------------------------------


def excel_serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


# ---- what a numeric cell may hold --------------------------------------------------------------


@dataclass(frozen=True)
class NumberRule:
    """What one numeric column accepts; `blank` is the value an empty cell stands for."""

    integer: bool
    minimum: float
    blank: float | int | None
    percent_ok: bool = False
    maximum: float = math.inf  # the contract's plausibility bound (Column.maximum)


def number_rule(sheet: Sheet, header: str) -> NumberRule:
    """Counts are whole numbers, amounts and fractions decimals, ranks start at 1.

    Blank follows the contract: a flow (count this month) means 0, a stock means not reported.
    The 扣分事项 columns are per event: 数量 defaults to 1, 异议处理用时 has no default.
    """
    col = sheet.column(header)
    blank = 0.0 if col.kind == "flow" else None
    top = col.maximum
    if sheet.layout == "unit":
        is_amount = "金额" in header
        return NumberRule(integer=not is_amount, minimum=0, blank=blank, maximum=top)
    if sheet.layout == "item":
        if any(w in header for w in _FRACTION_WORDS):
            return NumberRule(integer=False, minimum=0, blank=blank, percent_ok=True, maximum=top)
        if any(w in header for w in _RANK_WORDS):
            return NumberRule(integer=True, minimum=1, blank=blank, maximum=top)
        return NumberRule(integer=False, minimum=0, blank=blank, maximum=top)
    if col.kind == "int":
        return NumberRule(integer=True, minimum=1, blank=1, maximum=top)
    return NumberRule(integer=False, minimum=0, blank=None, maximum=top)


def column_note(sheet: Sheet, col: Column, month: str) -> str:
    """One line telling an official what goes into a column (instructions sheet, input prompts)."""
    parts = ["必填" if col.required else "选填"]
    if col.kind == "date":
        first, last = month_bounds(month)
        parts.append(f"日期，须在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间，例如 {first:%Y-%m-%d}")
    elif col.kind == "choice":
        parts.append("从下拉列表选择：" + " / ".join(col.choices))
    elif col.kind in ("flow", "stock", "int"):
        rule = number_rule(sheet, col.header)
        parts.append("整数" if rule.integer else "数字，可含小数")
    if col.help:
        parts.append(col.help)
    elif col.kind == "flow":
        parts.append("空白按 0 计")
    return "；".join(parts)


# ---- writing cells -----------------------------------------------------------------------------


def put_text(cell: Cell, text: str) -> None:
    """Write text that Excel must never run as a formula (unit names come from an editable file)."""
    cell.value = text
    if text.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _set_width(ws: Worksheet, col_idx: int, texts: list[str], lo: int = 10, hi: int = 46) -> None:
    width = max((_display_width(t) for t in texts), default=lo) + 3
    ws.column_dimensions[get_column_letter(col_idx)].width = max(lo, min(hi, width))


def _write_header(ws: Worksheet, headers: list[str], title: str) -> None:
    put_text(ws.cell(TITLE_ROW, 1), title)
    ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    if len(headers) > 1:
        ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(headers))
    for idx, header in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, idx)
        put_text(cell, header)
        cell.font, cell.fill, cell.border, cell.alignment = (
            _HEADER_FONT,
            _HEADER_FILL,
            _HEADER_BORDER,
            _WRAP,
        )
        _set_width(ws, idx, [header])
    ws.row_dimensions[HEADER_ROW].height = 36


def _data_range(col_idx: int) -> str:
    letter = get_column_letter(col_idx)
    return f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + DATA_ROWS - 1}"


# ---- dropdown lists and validations ------------------------------------------------------------


class _Lists:
    """Dropdown sources: inline when short, else a column of the hidden `_lists` sheet."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.ws: Worksheet | None = None
        self.used_columns = 0
        self.cache: dict[tuple[str, ...], str] = {}

    def formula(self, items: list[str] | tuple[str, ...]) -> str:
        key = tuple(items)
        if key not in self.cache:
            inline = ",".join(key)
            plain = not any(c in item for item in key for c in '",')
            self.cache[key] = f'"{inline}"' if plain and len(inline) <= _LIST_LIMIT else self._range(key)
        return self.cache[key]

    def _range(self, items: tuple[str, ...]) -> str:
        if self.ws is None:
            self.ws = self.wb.create_sheet(LIST_SHEET)
            self.ws.sheet_state = "hidden"
        self.used_columns += 1
        for row, item in enumerate(items, start=1):
            put_text(self.ws.cell(row, self.used_columns), item)
        letter = get_column_letter(self.used_columns)
        return f"'{LIST_SHEET}'!${letter}$1:${letter}${max(len(items), 1)}"


def _add_validation(ws: Worksheet, col_idx: int, dv: DataValidation, prompt: str) -> None:
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = "输入有误"
    dv.showInputMessage = bool(prompt)
    dv.prompt = prompt[:255] if prompt else None
    dv.add(_data_range(col_idx))
    ws.add_data_validation(dv)


def _list_validation(ws: Worksheet, col_idx: int, formula: str, what: str) -> None:
    dv = DataValidation(type="list", formula1=formula, error=f"请从下拉列表中选择{what}")
    _add_validation(ws, col_idx, dv, f"请从下拉列表选择{what}")


def _number_validation(ws: Worksheet, col_idx: int, rule: NumberRule) -> None:
    kind = "whole" if rule.integer else "decimal"
    minimum = f"{rule.minimum:g}"
    word = "整数" if rule.integer else "数字"
    if math.isfinite(rule.maximum):  # the contract's plausibility bound, caught while typing
        maximum = f"{rule.maximum:g}" if rule.maximum < 1e6 else f"{rule.maximum:.0f}"
        dv = DataValidation(type=kind, operator="between", formula1=minimum, formula2=maximum,
                            error=f"请填写 {minimum} 到 {maximum} 之间的{word}")
    else:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=minimum,
                            error=f"请填写不小于 {minimum} 的{word}")
    _add_validation(ws, col_idx, dv, "")


def _date_validation(ws: Worksheet, col_idx: int, month: str) -> None:
    first, last = month_bounds(month)
    dv = DataValidation(
        type="date",
        operator="between",
        formula1=str(excel_serial(first)),
        formula2=str(excel_serial(last)),
        error=f"日期须在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间",
    )
    _add_validation(ws, col_idx, dv, f"填写 {month_label(month)} 内的日期，例如 {first:%Y-%m-%d}")


# ---- sheets ------------------------------------------------------------------------------------


def _columns_sheet(ws: Worksheet, sheet: Sheet, month: str, register: UnitRegister, lists: _Lists) -> None:
    """A unit or records sheet: contract headers, prefilled units, a check on every column."""
    headers = [c.header for c in sheet.columns]
    _write_header(ws, headers, f"{sheet.title or sheet.name}（{month_label(month)}）")
    names = register.names_at(month, sheet.group)
    for idx, col in enumerate(sheet.columns, start=1):
        if col.header == UNIT_COL:
            _list_validation(ws, idx, lists.formula(names), "单位名称（单位名册中的在册单位）")
            _set_width(ws, idx, [col.header, *names], lo=16, hi=30)
        elif col.kind == "choice":
            _list_validation(ws, idx, lists.formula(col.choices), f"「{col.header}」")
            _set_width(ws, idx, [col.header, *col.choices], lo=12, hi=34)
        elif col.kind == "date":
            _date_validation(ws, idx, month)
            _set_width(ws, idx, [col.header, "2022-03-31"], lo=14)
        elif col.kind in ("flow", "stock", "int"):
            _number_validation(ws, idx, number_rule(sheet, col.header))
        elif col.kind == "text":
            _set_width(ws, idx, [col.header], lo=18, hi=40)
    if sheet.layout == "unit":
        for row, name in enumerate(names, start=FIRST_DATA_ROW):
            put_text(ws.cell(row, 1), name)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2 if sheet.layout == "unit" else 1)


def _item_sheet(ws: Worksheet, sheet: Sheet, month: str) -> None:
    """全县: one row per item, 数值 to fill, and what each item means beside it."""
    _write_header(ws, [ITEM_COL, VALUE_COL, NOTE_COL], f"{sheet.title or sheet.name}（{month_label(month)}）")
    for row, col in enumerate(sheet.columns, start=FIRST_DATA_ROW):
        put_text(ws.cell(row, 1), col.header)
        put_text(ws.cell(row, 3), column_note(sheet, col, month))
    _set_width(ws, 1, [c.header for c in sheet.columns], lo=16, hi=40)
    _set_width(ws, 2, [VALUE_COL], lo=14)
    _set_width(ws, 3, [column_note(sheet, c, month) for c in sheet.columns], lo=20, hi=60)
    _number_validation(ws, 2, NumberRule(integer=False, minimum=0, blank=None))
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)


_GENERAL_RULES = (
    "请勿修改各工作表第 2 行的表头文字；列的先后顺序可以调整，多出的列导入时会被忽略。",
    "可以只填写、只上传其中几张工作表；同一月份再次上传某张工作表，会作为新版本替换该表（旧版本保留）。",
    "单位名称请从下拉列表选择；名册中没有的单位，请先在系统的“单位名册”中添加。",
    (
        "“本月…数”等计数列填写本月新增数，空白按 0 计；存量列（如注册企业数、清欠未完成案例数）"
        "填写月末数，空白表示本月未报送，系统沿用此前最近一次报送的数值。"
    ),
    "数字请直接填写阿拉伯数字，不要带单位、文字或公式错误值（如 #DIV/0!）；计数为整数，金额可含小数。",
    "扣分事项的发生日期必须在本填报月份之内；严重失信事件请填写处理情况（空白视为“未处理”）。",
    "从其他表格粘贴数据会绕过下拉检查，系统导入时会重新逐格检查，并一次列出全部问题。",
)


# A unit's own file (build_template with unit_id): rules that speak to that unit — its name is
# filled in, it cannot edit the register, and what it sends waits for the office's 采纳.
_UNIT_RULES = (
    "本文件只用于填报本单位的数据：单位名称已填好，请勿修改，也不要加入其他单位的行。",
    "请勿修改各工作表第 2 行的表头文字；列的先后顺序可以调整，多出的列导入时会被忽略。",
    "填好后在系统“填报与申诉”页上传；提交后须经信用办审核采纳才计入本月数据，可在“我的报送”中查看结果。",
    _GENERAL_RULES[3],
    _GENERAL_RULES[4],
    "扣分事项的发生日期必须在本填报月份之内；严重失信事件必须填写处理情况（从下拉列表选择）。",
    "没有扣分事项或登记表内容的，保留表头、不填数据行即可。",
    _GENERAL_RULES[6],
)


def _instructions_sheet(ws: Worksheet, month: str, sheets: Sequence[Sheet] | None = None,
                        unit_name: str | None = None) -> None:
    """First sheet: title and the month (read back by the importer), then rules and column notes —
    for a unit's own file (`unit_name`) only its sheets and rules that speak to it."""
    title = f"平阴县信用体系建设监测月度数据（{month_label(month)}）"
    put_text(ws.cell(1, 1), f"{unit_name} 填报文件（{month_label(month)}）" if unit_name else title)
    ws.cell(1, 1).font = Font(bold=True, size=16)
    put_text(ws.cell(MONTH_ROW, 1), MONTH_LABEL)
    ws.cell(MONTH_ROW, 1).font = _HEADER_FONT
    put_text(ws.cell(MONTH_ROW, 2), month)
    ws.cell(MONTH_ROW, 2).number_format = "@"
    row = MONTH_ROW + 2
    put_text(ws.cell(row, 1), "填报规则")
    ws.cell(row, 1).font = _HEADER_FONT
    for n, rule in enumerate(_UNIT_RULES if unit_name else _GENERAL_RULES, start=1):
        row += 1
        put_text(ws.cell(row, 1), str(n))
        put_text(ws.cell(row, 2), rule)
    for sheet in sheets if sheets is not None else SHEETS.values():
        row = _instructions_for_sheet(ws, sheet, month, row + 2)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    for cells in ws.iter_rows(min_row=MONTH_ROW + 2, min_col=2, max_col=2):
        cells[0].alignment = Alignment(wrap_text=True, vertical="top")


def _instructions_for_sheet(ws: Worksheet, sheet: Sheet, month: str, row: int) -> int:
    put_text(ws.cell(row, 1), f"工作表「{sheet.name}」")
    put_text(ws.cell(row, 2), sheet.title or sheet.name)
    ws.cell(row, 1).font = ws.cell(row, 2).font = _HEADER_FONT
    ws.cell(row, 1).fill = ws.cell(row, 2).fill = _HEADER_FILL
    for col in sheet.columns:
        row += 1
        put_text(ws.cell(row, 1), col.header)
        put_text(ws.cell(row, 2), column_note(sheet, col, month))
    return row


def unit_sheets(group: str) -> list[Sheet]:
    """The sheets a unit of `group` reports itself: its group's sheet, events and the registers."""
    return [SHEETS[name] for name in unit_sheet_names(group)]


def build_template(month: str, register: UnitRegister, unit_id: str | None = None,
                   fill: Mapping[str, Sequence[Mapping[str, object]]] | None = None) -> bytes:
    """The .xlsx to fill for `month`: instructions first, then one sheet per dataset.

    With `unit_id`, the one-unit workbook a 被考核单位 fills: only its own group's sheet, 扣分事项
    and the two registers, with its own name as the only choice (the importer and the
    submission check still refuse any other unit's row). `fill` writes rows into it (sheet name →
    records keyed by header; the unit sheet's first row is the unit's), which is how the 填报 form
    becomes a workbook that goes through exactly the same import checks as an upload.
    """
    check_month(month)
    sheets = list(SHEETS.values())
    unit_name = None
    if unit_id is not None:
        unit = register.get(unit_id)
        register = UnitRegister([unit])
        sheets = unit_sheets(unit.group)
        unit_name = unit.name_at(month)
    wb = Workbook()
    _instructions_sheet(wb.active, month, sheets if unit_id is not None else None, unit_name)
    wb.active.title = SHEET_INSTRUCTIONS
    lists = _Lists(wb)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        if sheet.layout == "item":
            _item_sheet(ws, sheet, month)
        else:
            _columns_sheet(ws, sheet, month, register, lists)
            for offset, record in enumerate((fill or {}).get(sheet.name, ())):
                _fill_row(ws, sheet, FIRST_DATA_ROW + offset, record)
    if lists.ws is not None:  # keep the hidden sheet last, out of the way
        wb.move_sheet(lists.ws, offset=len(wb.sheetnames) - 1 - wb.index(lists.ws))
    wb.active = 0
    wb.properties.title = f"平阴县信用体系建设监测月度数据（{month_label(month)}）"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _fill_row(ws: Worksheet, sheet: Sheet, row: int, record: Mapping[str, object]) -> None:
    """Write one record's values under the contract headers (text escaped, numbers as numbers)."""
    for idx, col in enumerate(sheet.columns, start=1):
        value = record.get(col.header)
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.cell(row, idx).value = value
        else:
            put_text(ws.cell(row, idx), str(value))
