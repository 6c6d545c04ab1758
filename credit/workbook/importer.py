"""Reads an uploaded monthly workbook into `ParsedWorkbook`, or refuses it with every problem.

Officials fill the template by hand, paste from other tables and re-save in WPS or old Excel, so
the reader is lenient about form (sheet and header spelling, column order, a title above the
header, numbers typed as text, many date spellings) and strict about meaning (unknown units, units
in the wrong group, negative or fractional counts, dates outside the month). Nothing is written
unless the whole file is right, so every error is collected, located by sheet, row and column,
and raised together in one `WorkbookError`.
"""

from __future__ import annotations

import difflib
import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from credit.common.labels import some_names
from credit.common.months import (
    check_data_month,
    month_bounds,
    month_label,
    month_of,
    parse_date_text,
    parse_month_text,
)
from credit.common.text import CELL, text_problem
from credit.errors import CellError, CreditError, MonthMismatch, WorkbookError
from credit.model.contract import (
    EVENT_OBJECTION,
    EVENT_SERIOUS,
    GROUP_SHEET,
    HANDLINGS,
    INDUSTRIES,
    ITEM_COL,
    NO_NEW,
    OPTIONAL_SHEETS,
    SHEET_EVENTS,
    SHEET_INSTRUCTIONS,
    SHEETS,
    UNIT_COL,
    VALUE_COL,
    WORKBOOK_BOUNDS,
    Column,
    Sheet,
    unit_sheet_names,
)
from credit.model.parsed import ParsedSheet, ParsedWorkbook
from credit.model.units import NameIndex, Unit, UnitRegister, norm_name
from credit.workbook.biff import EMPTY_RESULT, xls_error_cells
from credit.workbook.isolation import run_isolated
from credit.workbook.preflight import check_workbook_file
from credit.workbook.safety import UNCALCULATED, not_a_workbook, sniff_format, xlsx_error_cells
from credit.workbook.template import (
    EXCEL_EPOCH,
    MONTH_LABEL,
    NumberRule,
    number_rule,
)

HEADER_SEARCH_ROWS = 20
NEAR_MISS_CUTOFF = 0.6  # difflib ratio from which a registered name is offered for a mistyped one
MONTH_SEARCH_ROWS = 60

Cell = Any  # what python-calamine returns: str, float, int, bool, date, datetime, time, timedelta
Cells = dict[tuple[int, int], str]  # (row0, col0) -> Excel error value such as "#DIV/0!"

_EVENT_TYPE = "事项类型"
_HANDLING = "处理情况"
_OBJECTION_DAYS = "异议处理用时（工作日）"
_INDUSTRY = "国民经济行业分类"
_UNHANDLED = "未处理"  # what a serious event's blank 处理情况 means (one of contract.HANDLINGS)

_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SECTION_LETTERS = "ABCDEFGHIJKLMNOPQRST"  # GB/T 4754 门类 codes, in the contract's order
_INDUSTRY_PREFIX = re.compile(r"^([A-Ta-t]|\d{1,2})[.、．:：\-\s]*(.+)$")
_MAX_SERIAL = 2_958_465  # 9999-12-31

_HINT_NUMBER = "请只填写阿拉伯数字，不要带单位、文字或空格"
_HINT_EMPTY_VALUES = "此前已导入的该表数据保持不变；如本月数值确为 0，请填写 0 后再上传"
_HINT_EMPTY_RECORDS = "此前已导入的该表数据保持不变；本月如有记录，请逐行填写后再上传"
_HINT_NO_NEW = "本月已导入过该表数据的，原数据保持不变；本月如有记录，请逐行填写后再上传"
_HINT_ERROR_VALUE = "请改为直接填写数值，或修正公式后再上传（空白的计数会按 0 计）"
_NUMBER_KINDS = ("flow", "stock", "int")
UNCALCULATED_MESSAGE = "公式没有计算结果，请在 Excel 中打开并保存后再上传，或改为填写数值"
_HINT_UNCALCULATED = "用 WPS 打开并保存也可以；脚本生成的公式不带计算结果，空着会被当作 0"


def fold(text: str) -> str:
    """Compare key for names typed by people: NFKC folds full-width （）／＋ and digits; no spaces."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def _fold_loose(text: str) -> str:
    """Also drop the list punctuation people vary, for industry names (农、林牧渔业 -> 农林牧渔业)."""
    return re.sub(r"[、，,;；·/]", "", fold(text))


class _Problem(Exception):
    """A bad cell value; the caller attaches sheet, row and column."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


# ---- cell values -------------------------------------------------------------------------------


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Cell) -> str:
    """A cell as the text an official sees: 12.0 -> "12", dates as YYYY-MM-DD."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _number_from_text(text: str, percent_ok: bool) -> float:
    t = unicodedata.normalize("NFKC", text).strip()
    scale = 1.0
    if percent_ok and t.endswith("%"):
        t, scale = t[:-1].strip(), 0.01
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    if not _DECIMAL.match(t):
        raise _Problem(f"应为数字，实际为「{text.strip()}」", _HINT_NUMBER)
    return float(t) * scale


def parse_number(value: Cell, rule: NumberRule) -> float | None:
    """A number under `rule`, None when blank; text like " 1,234 " or "１２" is accepted."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        shown = cell_text(value)
        raise _Problem(f"应为数字，实际为「{shown}」", "请把单元格格式改为“常规”或“数值”后重新填写")
    x = _number_from_text(value, rule.percent_ok) if isinstance(value, str) else float(value)
    if not math.isfinite(x):
        raise _Problem(f"应为数字，实际为「{cell_text(value)}」", _HINT_NUMBER)
    if x < 0:
        raise _Problem(f"不能为负数，实际为 {_fmt(x)}", "请填写 0 或正数")
    if x < rule.minimum:
        raise _Problem(f"应不小于 {_fmt(rule.minimum)}，实际为 {_fmt(x)}", "位次、区县数从 1 开始")
    if x > rule.maximum:
        shown = f"{x:.3g}" if x >= 1e12 else _fmt(x)  # 1e+300, not three hundred digits
        raise _Problem(f"超出合理范围：应不大于 {_bound(rule.maximum)}，实际为 {shown}", _bound_hint(rule))
    if rule.integer and not x.is_integer():
        raise _Problem(f"应为整数，实际为 {_fmt(x)}", "计数类数据只能填写整数")
    return x


def read_number(value: object, rule: NumberRule, where: str) -> float:
    """A number typed into a form field (appeal, 填报, what-if) under the contract's `rule`: the same
    bounds as a workbook cell (NaN, inf, 1e300, negatives refused), a `CreditError` naming `where`."""
    try:
        x = parse_number(value, rule)  # type: ignore[arg-type]
    except _Problem as p:
        raise CreditError(f"{where}{p.message}。{p.hint}") from None
    if x is None:
        raise CreditError(f"请填写{where}")
    return x


def _bound(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


def _bound_hint(rule: NumberRule) -> str:
    if rule.percent_ok:
        return "比例请填写 0 到 1 之间的小数，例如 0.05 或 5%"
    return "请核对是否多输了位数、误填了其他列，或金额单位是否为万元"


def _date_from_serial(serial: float) -> date:
    if not 1 <= serial <= _MAX_SERIAL:
        raise _Problem(f"「{_fmt(serial)}」不是有效日期", "请按 2022-03-15 的格式填写日期")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _date_from_text(text: str) -> date:
    t = _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", text).strip())
    found = parse_date_text(t)
    if found is not None:
        return found
    if t.isdigit() and len(t) <= 6:
        return _date_from_serial(int(t))
    raise _Problem(f"「{text.strip()}」不是有效日期", "请按 2022-03-15 的格式填写日期")


def parse_date(value: Cell) -> date | None:
    """Excel dates, serial numbers (44621), and text such as 2022/3/15, 2022年3月15日, 20220315."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (bool, time, timedelta)):
        raise _Problem(f"「{cell_text(value)}」不是有效日期", "请按 2022-03-15 的格式填写日期")
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 99991231 and float(value).is_integer():
            return _date_from_text(str(int(value)))
        return _date_from_serial(float(value))
    return _date_from_text(str(value))


def parse_month(value: Cell) -> str | None:
    """The month written in the instructions sheet (2022-03, 2022-3, 2022年3月, a date), or None."""
    if isinstance(value, (datetime, date)):
        return month_of(value)
    found = parse_month_text(fold(cell_text(value)))
    if found is not None:
        return found
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value <= _MAX_SERIAL:
        return month_of(EXCEL_EPOCH + timedelta(days=int(value)))
    return None


def parse_choice(value: Cell, column: Column) -> str:
    """One of the column's choices, spelled exactly as the contract does; "" when blank."""
    text = cell_text(value)
    if not text:
        return ""
    found = {fold(c): c for c in column.choices}.get(fold(text))
    if found is None:
        raise _Problem(f"「{text}」不是有效的{column.header}", "应为以下之一：" + " / ".join(column.choices))
    return found


def _industry_by_code(code: str) -> str | None:
    if code.isdigit() and 1 <= int(code) <= len(INDUSTRIES):
        return INDUSTRIES[int(code) - 1]
    if len(code) == 1 and code.upper() in _SECTION_LETTERS:
        return INDUSTRIES[_SECTION_LETTERS.index(code.upper())]
    return None


def parse_industry(value: Cell) -> str:
    """A 门类 by exact name, loose spelling, section number 1–20 or letter A–T ("3 制造业" too)."""
    text = cell_text(value)
    if not text:
        return ""
    by_name = {_fold_loose(i): i for i in INDUSTRIES}
    key = fold(text)
    found = by_name.get(_fold_loose(key)) or _industry_by_code(key)
    m = _INDUSTRY_PREFIX.match(key)
    if found is None and m:
        named = by_name.get(_fold_loose(m[2]))
        found = named if named is not None and named == _industry_by_code(m[1]) else None
    if found is None:
        raise _Problem(
            f"「{text}」不是国民经济行业分类的门类",
            "请从下拉列表选择 20 个门类之一（如「制造业」），也可填写门类序号 1–20",
        )
    return found


# ---- one sheet ---------------------------------------------------------------------------------


class _SheetReader:
    """Parses one data sheet; problems go to the shared `errors` and `warnings` lists."""

    def __init__(
        self,
        spec: Sheet,
        title: str,
        rows: list[list[Cell]],
        bad_cells: Cells,
        month: str,
        register: UnitRegister,
        errors: list[CellError],
        warnings: list[CellError],
        only_unit: Unit | None = None,
    ):
        self.only_unit = only_unit  # a unit's own file: every row must be this unit's (see parse_workbook)
        self.spec, self.title, self.rows, self.bad = spec, title, rows, bad_cells
        self.month, self.register = month, register
        self.errors, self.warnings = errors, warnings
        self.cols: dict[str, int] = {}
        self.empty = False  # an optional sheet with its headers and no data row: "本月无新增"
        self.duplicate_header = False
        self.seen: dict[str, int] = {}  # unit id or item -> first Excel row
        # records sheets: column -> (parser, holds numbers)
        self.parsers: dict[str, tuple[Callable[[Cell], object], bool]] = {}
        self.name_indexes: dict[str | None, NameIndex] = {}  # group (None: all) -> the month's units by name

    def error(self, row: int | None, column: str | None, message: str, hint: str = "") -> None:
        self.errors.append(CellError(self.title, row, column, message, hint))

    # -- header --

    def _expected(self) -> list[str]:
        if self.spec.layout == "item":
            return [ITEM_COL, VALUE_COL]
        return [c.header for c in self.spec.columns]

    def _required(self) -> list[str]:
        if self.spec.layout == "item":
            return [ITEM_COL, VALUE_COL]
        if self.spec.layout == "unit":
            return [UNIT_COL]
        return [c.header for c in self.spec.columns if c.required]

    def _find_header(self) -> int | None:
        key = fold(self.spec.key_header)
        for i, row in enumerate(self.rows[:HEADER_SEARCH_ROWS]):
            if any(isinstance(v, str) and fold(v) == key for v in row):
                return i
        return None

    def _map_columns(self, header: int) -> bool:
        """Find each contract column by its header text; False when a required one is missing."""
        wanted = {fold(h): h for h in self._expected()}
        row = header + 1
        for idx, value in enumerate(self.rows[header]):
            name = wanted.get(fold(cell_text(value)))
            if name is None:
                continue
            if name in self.cols:
                self.duplicate_header = True
                first, second = get_column_letter(self.cols[name] + 1), get_column_letter(idx + 1)
                self.error(
                    row, name, f"表头「{name}」重复出现（第 {first} 列和第 {second} 列）", "请删除或改名其中一列"
                )
            else:
                self.cols[name] = idx
        missing = [h for h in self._required() if h not in self.cols]
        self._warn_missing_figures(row)
        for h in missing:
            self.error(
                row, h, f"缺少列「{h}」", f"请在第 {row} 行表头补上该列，列名须与模板一致；建议使用系统下载的本月模板"
            )
        return not missing and not self.duplicate_header

    def _warn_missing_figures(self, row: int) -> None:
        """[interp] A figure column left out of 镇街/部门 reads as blank (flow 0, stock not reported):
        returns that only carry some figures are accepted, and the preview says what was missing."""
        if self.spec.layout != "unit":
            return
        for h in self.spec.numeric_fields:
            if h not in self.cols:
                self.warnings.append(CellError(
                    self.title, row, h, f"缺少列「{h}」，该项按空白处理（本月新增数按 0 计，存量视为未报送）",
                    "如该项本月有数据，请补上该列后重新上传",
                ))

    # -- rows --

    def _data_headers(self) -> list[str]:
        """Columns whose content makes a sheet 'filled' (the prefilled key column does not)."""
        if self.spec.layout == "records":
            return list(self.cols)
        return [h for h in self.cols if h != self.spec.key_header]

    def _row_values(self, i: int) -> dict[str, Cell]:
        row = self.rows[i]
        return {h: (row[c] if c < len(row) else "") for h, c in self.cols.items()}

    def _filled(self, i: int, values: dict[str, Cell], headers: list[str]) -> bool:
        """Whether a row holds anything; a formula whose result is "" (.xls) does not fill a row
        (Excel saves `=IF(…,"",…)` dragged down below the data that way)."""
        return any(
            not is_blank(values[h]) or self.bad.get((i, self.cols[h]), EMPTY_RESULT) != EMPTY_RESULT for h in headers
        )

    def parse(self) -> ParsedSheet | None:
        """The sheet's records; None (with a warning) when it holds no data at all."""
        header = self._find_header()
        if header is None:
            key = self.spec.key_header
            self.error(
                None,
                key,
                f"未找到表头行：前 {HEADER_SEARCH_ROWS} 行中没有「{key}」",
                "请保留模板第 2 行的表头，不要删除或改名",
            )
            return None
        if not self._map_columns(header):
            return None
        data_headers, all_headers = self._data_headers(), list(self.cols)
        rows = [(i, self._row_values(i)) for i in range(header + 1, len(self.rows))]
        rows = [(i, v) for i, v in rows if self._filled(i, v, all_headers)]
        if not any(self._filled(i, v, data_headers) for i, v in rows):
            self.empty = self.spec.name in OPTIONAL_SHEETS
            if self.empty:
                message, hint = f"工作表没有数据行，记为“{NO_NEW}”", _HINT_NO_NEW
            else:
                message = "工作表未填写任何数据，已跳过，本次不导入该表"
                hint = _HINT_EMPTY_RECORDS if self.spec.layout == "records" else _HINT_EMPTY_VALUES
            self.warnings.append(CellError(self.title, None, None, message, hint))
            return None
        if self.spec.layout == "records":
            self.parsers = {
                c.header: (self._field_parser(c), c.kind in _NUMBER_KINDS) for c in self.spec.columns if c.header != UNIT_COL
            }
        build = {"unit": self._unit_record, "item": self._item_record}.get(self.spec.layout, self._records_record)
        self.silent: list[str] = []
        records = [r for r in (build(_Row(self, i, v)) for i, v in rows) if r is not None]
        if self.silent:
            names = some_names(self.silent, 10, "个单位")
            self.warnings.append(CellError(
                self.title, None, UNIT_COL, f"{names}的行除单位名称外各项均为空白，按未报送处理（填 0 才算报送 0）",
                "这些单位本月如有数据（含 0），请填写后重新上传"))
        return ParsedSheet(self.spec.name, records)

    # -- one record per layout --

    def _unit_record(self, row: _Row) -> dict[str, object] | None:
        unit = row.get(UNIT_COL, self._resolve_unit)
        record: dict[str, object] = {}
        given = 0
        for h in self.spec.numeric_fields:
            rule = number_rule(self.spec, h)
            value = row.get(h, lambda v, r=rule: parse_number(v, r), numeric=True)
            given += value is not None
            record[h] = rule.blank if value is None else value
        self._check_own(row, unit)
        if unit is None or not self._first_time(row, unit.id, f"单位「{unit.name_at(self.month)}」", UNIT_COL):
            return None
        if not given and row.ok:
            # Only the (prefilled) name: the unit sent nothing. Not a row of zeros — a reported 0 is a
            # figure, a blank row is 未报送 (issue 23, observation 5) and keeps the unit's earlier stocks.
            self.silent.append(unit.name_at(self.month))
            return None
        return {"row": row.excel_row, "unit_id": unit.id, UNIT_COL: unit.name_at(self.month)} | record

    def _check_own(self, row: _Row, unit: Unit | None) -> None:
        """In a unit's own file, another unit's row is an error at its 单位名称 cell (with the rest)."""
        own = self.only_unit
        if own is not None and unit is not None and unit.id != own.id:
            row.flag(UNIT_COL, f"本行是「{unit.name_at(self.month)}」的数据，只能报送本单位（{own.name_at(self.month)}）的数据",
                     "请删除该行，或改为本单位的数据")

    def _item_record(self, row: _Row) -> dict[str, object] | None:
        item = row.get(ITEM_COL, self._resolve_item)
        if item is None:
            return None
        rule = number_rule(self.spec, item)
        value = row.get(VALUE_COL, lambda v: parse_number(v, rule), numeric=True)  # a ratio above 1 is refused there
        if not self._first_time(row, item, f"项目「{item}」", ITEM_COL):
            return None
        return {"row": row.excel_row, "item": item, "value": rule.blank if value is None else value}

    def _records_record(self, row: _Row) -> dict[str, object] | None:
        unit = row.get(UNIT_COL, self._resolve_unit)
        record = {header: row.get(header, parse, numeric=number) for header, (parse, number) in self.parsers.items()}
        if self.spec.name == SHEET_EVENTS:
            self._check_event(row, record)
        self._check_own(row, unit)
        if unit is None or not row.ok:
            return None
        return {"row": row.excel_row, "unit_id": unit.id, UNIT_COL: unit.name_at(self.month)} | record

    def _first_time(self, row: _Row, key: str, what: str, column: str) -> bool:
        first = self.seen.setdefault(key, row.excel_row)
        if first != row.excel_row:
            self.error(
                row.excel_row,
                column,
                f"{what}重复：第 {first} 行和第 {row.excel_row} 行",
                "每个单位（项目）只能填一行，请合并或删除重复的行",
            )
            return False
        return row.ok

    # -- cell parsers that need the sheet --

    def _resolve_unit(self, value: Cell) -> Unit:
        name = cell_text(value)
        if not name:
            raise _Problem("单位名称为空，但本行填写了其他内容", "请填写单位名称，或删除整行")
        unit = self._names(self.spec.group).get(name)
        if unit is not None:
            return unit
        other = self._names(None).get(name)
        if other is not None:
            raise _Problem(
                f"「{name}」属于「{other.group}」，不应填在「{self.spec.name}」工作表",
                f"请把该行移到「{GROUP_SHEET[other.group]}」工作表",
            )
        if any(fold(name) in {fold(n) for n in u.all_names()} for u in self.register):
            raise _Problem(
                f"单位「{name}」在 {month_label(self.month)} 不在册（已撤销、合并或尚未设立）",
                "请核对单位名册中该单位的起止月份，或选择现用名称",
            )
        guess = self._near_miss(name)
        if guess:
            raise _Problem(f"单位「{name}」不在单位名册中，是否为 {guess}？",
                           f"如是，请改为「{guess}」；否则请从下拉列表选择，或先在“单位名册”中添加该单位")
        raise _Problem(
            f"单位「{name}」不在单位名册中", "请从下拉列表选择，或先在“单位名册”中添加该单位（也可作为别名添加）"
        )

    def _near_miss(self, name: str) -> str | None:
        """The active unit of the sheet's group whose name is closest to a mistyped one ("东阿真",
        "孔村" → 东阿镇, 孔村镇), when one is close enough to suggest."""
        names = self.register.names_at(self.month, self.spec.group)
        key = norm_name(name)
        prefix = [n for n in names if norm_name(n).startswith(key) and len(key) >= 2]
        if len(prefix) == 1:
            return prefix[0]
        close = difflib.get_close_matches(key, [norm_name(n) for n in names], n=1, cutoff=NEAR_MISS_CUTOFF)
        return next((n for n in names if close and norm_name(n) == close[0]), None)

    def _names(self, group: str | None) -> NameIndex:
        """The month's units by name (of the sheet's group, or all): indexed once per sheet."""
        index = self.name_indexes.get(group)
        if index is None:
            index = self.name_indexes[group] = self.register.name_index(self.month, group)
        return index

    def _resolve_item(self, value: Cell) -> str:
        text = cell_text(value)
        if not text:
            raise _Problem("项目为空，但本行填写了数值", "请填写项目名称，或删除整行")
        found = {fold(c.header): c.header for c in self.spec.columns}.get(fold(text))
        if found is None:
            raise _Problem(
                f"「{text}」不是「{self.spec.name}」工作表的项目", "项目名称须与模板一致，请从系统下载的本月模板复制"
            )
        return found

    def _field_parser(self, col: Column) -> Callable[[Cell], object]:
        """Parser for one records column, with the contract's blank rules."""
        if col.header == _INDUSTRY:
            return self._required_value(col, parse_industry)
        if col.kind == "choice":
            return self._required_value(col, lambda v: parse_choice(v, col))
        if col.kind == "date":
            return self._required_value(col, self._date_in_month)
        if col.kind in _NUMBER_KINDS:
            rule = number_rule(self.spec, col.header)
            cast = int if col.kind == "int" else float

            def number(v: Cell) -> object:
                x = parse_number(v, rule)
                return rule.blank if x is None else cast(x)

            return number
        return self._required_value(col, cell_text)

    @staticmethod
    def _required_value(col: Column, parse: Callable[[Cell], Any]) -> Callable[[Cell], object]:
        def parse_required(value: Cell) -> object:
            if col.required and is_blank(value):
                raise _Problem(f"「{col.header}」为必填项，不能为空", col.help or "请补充后再上传")
            return parse(value)

        return parse_required

    def _date_in_month(self, value: Cell) -> str:
        day = parse_date(value)
        first, last = month_bounds(self.month)
        if day is None:
            return ""
        if not first <= day <= last:
            raise _Problem(
                f"日期不在所选月份（{month_label(self.month)}）内：{day:%Y-%m-%d}",
                f"发生日期须在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间；其他月份的事项请在对应月份上传",
            )
        return day.isoformat()

    def _check_event(self, row: _Row, record: dict[str, object]) -> None:
        """Rules across columns: objections need the days; a serious event's blank handling."""
        kind = record.get(_EVENT_TYPE)
        if kind == EVENT_OBJECTION and record.get(_OBJECTION_DAYS) is None and row.fine(_OBJECTION_DAYS):
            row.flag(
                _OBJECTION_DAYS,
                f"事项类型为「{EVENT_OBJECTION}」时，「{_OBJECTION_DAYS}」必填",
                "填写处理该异议所用的工作日数，例如 1",
            )
        if kind == EVENT_SERIOUS and record.get(_HANDLING) == "" and row.fine(_HANDLING) and self.only_unit is not None:
            row.flag(_HANDLING, f"事项类型为「{EVENT_SERIOUS}」时，「{_HANDLING}」必填",
                     f"请从下拉列表选择处理情况（{'、'.join(HANDLINGS)}）")
        elif kind == EVENT_SERIOUS and record.get(_HANDLING) == "" and row.fine(_HANDLING):
            record[_HANDLING] = _UNHANDLED
            self.warnings.append(
                CellError(
                    self.title,
                    row.excel_row,
                    _HANDLING,
                    "严重失信事件未填写处理情况，按“未处理”计（将扣分）",
                    "如已主动处理，请填写“主动处理”后重新上传",
                )
            )


class _Row:
    """One data row: reads cells through parsers and files each problem at its cell."""

    def __init__(self, reader: _SheetReader, index: int, values: dict[str, Cell]):
        self.reader, self.index, self.values = reader, index, values
        self.excel_row = index + 1
        self.ok = True
        self.failed: set[str] = set()

    def flag(self, header: str, message: str, hint: str = "") -> None:
        self.ok = False
        self.failed.add(header)
        self.reader.error(self.excel_row, header, message, hint)

    def fine(self, header: str) -> bool:
        return header not in self.failed

    def get(self, header: str, parse: Callable[[Cell], Any], *, numeric: bool = False) -> Any:
        """The parsed cell, or None after filing its problem (a missing optional column is blank).

        `numeric`: the column holds numbers, where a formula's empty result (.xls) would count as 0.
        """
        col = self.reader.cols.get(header)
        code = self.reader.bad.get((self.index, col)) if col is not None else None
        if code == EMPTY_RESULT:
            code = UNCALCULATED if numeric else None
        try:
            if code == UNCALCULATED:  # would read as blank, i.e. silently as 0
                raise _Problem(UNCALCULATED_MESSAGE, _HINT_UNCALCULATED)
            if code:
                raise _Problem(f"单元格为错误值 {code}", _HINT_ERROR_VALUE)
            value = self.values.get(header, "")
            if isinstance(value, str):  # the one text policy (credit.common.text), filed at this cell
                problem = text_problem(value, limit=CELL, multiline=True)
                if problem is not None:
                    raise _Problem(f"文字{problem}", "请删除控制字符、零宽字符和文字方向字符，或缩短文字后重新上传")
            return parse(value)
        except _Problem as p:
            self.flag(header, p.message, p.hint)
            return None


# ---- the workbook ------------------------------------------------------------------------------


def _match_sheets(names: Sequence[str], errors: list[CellError]) -> dict[str, str]:
    """Contract sheet name -> the sheet's name in the file, in contract order."""
    by_key = {fold(n): n for n in SHEETS}
    found: dict[str, str] = {}
    for actual in names:
        name = by_key.get(fold(actual))
        if name is None:
            continue
        if name in found:
            errors.append(
                CellError(
                    actual, None, None, f"工作表「{found[name]}」和「{actual}」都对应「{name}」", "请删除或改名其中一张"
                )
            )
        else:
            found[name] = actual
    return {n: found[n] for n in SHEETS if n in found}


def _check_month(
    book: CalamineWorkbook, names: Sequence[str], month: str, errors: list[CellError], warnings: list[CellError]
) -> None:
    """Compare the month written in 填报说明 (if any) with the month chosen at upload."""
    title = next((n for n in names if fold(n) == fold(SHEET_INSTRUCTIONS)), None)
    if title is None:
        return
    try:
        rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False, nrows=MONTH_SEARCH_ROWS)
    except (CalamineError, ValueError):
        return  # an unreadable instructions sheet holds no data; the month is then not checked
    label = fold(MONTH_LABEL)
    for i, row in enumerate(rows):
        texts = [fold(cell_text(v)).rstrip(":") for v in row]
        if label not in texts:
            continue
        rest = [v for v in row[texts.index(label) + 1 :] if not is_blank(v)]
        if not rest:
            return
        found = parse_month(rest[0])
        if found is None:
            warnings.append(
                CellError(
                    title,
                    i + 1,
                    MONTH_LABEL,
                    f"无法识别填报月份「{cell_text(rest[0])}」，已按所选月份 {month_label(month)} 导入",
                    "填报月份请写成 2022-03 的形式",
                )
            )
        elif found != month:
            errors.append(
                MonthMismatch(
                    title,
                    i + 1,
                    MONTH_LABEL,
                    f"月份不符：文件为 {month_label(found)}，所选为 {month_label(month)}",
                    "请确认上传的是所选月份的数据，或在上传时改选月份",
                    found=found,
                )
            )
        return


def _open(data: bytes, filename: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise WorkbookError(
            [CellError(None, None, None, f"文件「{filename}」设置了密码，无法读取", "请取消密码保护后再上传")]
        ) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise WorkbookError(
            [not_a_workbook(filename, "文件可能已损坏；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")]
        ) from exc


def _no_sheets(names: Sequence[str]) -> CellError:
    return CellError(
        None,
        None,
        None,
        "未找到任何可识别的工作表，应包含：" + "、".join(SHEETS) + " 中的一张或多张",
        f"本文件的工作表为：{'、'.join(names) or '（无）'}；请使用系统下载的模板，不要修改工作表名称",
    )


def _read_sheet(book: CalamineWorkbook, title: str, errors: list[CellError]) -> list[list[Cell]]:
    try:
        return book.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        errors.append(
            CellError(
                title,
                None,
                None,
                f"工作表无法读取（{type(exc).__name__}）",
                "文件可能已损坏；请用 Excel 或 WPS 打开后另存再上传",
            )
        )
        return []


def _parse(data: bytes, filename: str, month: str, register: UnitRegister,
           only_unit: Unit | None = None) -> ParsedWorkbook:
    book = _open(data, filename)
    names = list(book.sheet_names)
    errors: list[CellError] = []
    warnings: list[CellError] = []
    matched = _match_sheets(names, errors)
    _check_month(book, names, month, errors, warnings)
    if any(isinstance(e, MonthMismatch) for e in errors):
        raise WorkbookError(errors)  # one cause, one error: its dates would each be "out of the month" too
    if only_unit is not None:  # a unit's own file: only the sheets it reports itself
        allowed = unit_sheet_names(only_unit.group)
        for name in [n for n in matched if n not in allowed]:
            errors.append(CellError(matched.pop(name), None, None,
                                    f"单位只能报送本单位的{'、'.join(allowed)}表，不能报送「{name}」表",
                                    "请使用系统下载的本单位填报文件，删除该工作表后重新上传"))
    if not matched:
        raise WorkbookError([*errors, _no_sheets(names)])
    scan = xlsx_error_cells if sniff_format(data) == "xlsx" else xls_error_cells
    bad = scan(data, list(matched.values()))
    sheets: dict[str, ParsedSheet] = {}
    empty: list[str] = []
    for name, title in matched.items():
        rows = _read_sheet(book, title, errors)
        reader = _SheetReader(SHEETS[name], title, rows, bad.get(title, {}), month, register, errors, warnings,
                              only_unit)
        parsed = reader.parse()
        if parsed is not None:
            sheets[name] = parsed
        elif reader.empty:
            empty.append(name)
    if not sheets and not errors:
        # A blank template is far more often a mistake than a report; "no new entries" alone is
        # said with the 本月无新增 button, which asks for it on purpose.
        errors.append(
            CellError(None, None, None, "工作簿中的工作表都没有填写数据，未导入任何内容",
                      f"请填写数据后再上传；登记表、扣分事项本月确无记录的，可在“数据版本”页标记“{NO_NEW}”")
        )
    if errors:
        raise WorkbookError(errors)
    return ParsedWorkbook(month=month, sheets=sheets, warnings=warnings, empty=empty)


def parse_workbook(data: bytes, filename: str, month: str, register: UnitRegister, *,
                   only_unit: str | None = None) -> ParsedWorkbook:
    """Parse and validate an upload for `month`; raise `WorkbookError` listing every problem.

    `only_unit` (a register id): the file is that unit's own 填报 — a row of any other unit is an
    error at its cell and a 严重失信事件 must state its 处理情况 (the office's importer reads a blank
    as 未处理 with a warning), listed with every other problem of the file in one go.

    The raw bytes are checked first (size, zip bomb, macros, links, real format, and each sheet's
    extent against `WORKBOOK_BOUNDS`), then the file is read in a worker process
    (`credit.workbook.isolation`), so a reader that aborts ends the worker, not the server; any
    exception a damaged file provokes inside the readers becomes one plain error, not a traceback.
    """
    check_data_month(month, "导入月份")
    problems = check_workbook_file(data, filename, WORKBOOK_BOUNDS)
    if problems:
        raise WorkbookError(problems)
    return run_isolated(_parse_guarded, data, filename, month, register, only_unit, filename=filename)


def _parse_guarded(data: bytes, filename: str, month: str, register: UnitRegister,
                   only_unit: str | None = None) -> ParsedWorkbook:
    """`_parse`, with any unexpected exception turned into the file's one plain error (runs in the worker)."""
    try:
        return _parse(data, filename, month, register, register.get(only_unit) if only_unit else None)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile or broken file must never show a traceback
        raise WorkbookError(
            [
                CellError(
                    None,
                    None,
                    None,
                    f"读取文件「{filename}」时出错（{type(exc).__name__}），未导入任何数据",
                    "请确认文件能在 Excel 中正常打开并另存为 .xlsx 后再上传",
                )
            ]
        ) from exc
