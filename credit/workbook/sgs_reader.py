"""Reads 双公示 record exports (.xlsx / .xls / .csv) into `RecordFile`, and the two side lists
(统一社会信用代码 list for D5, the office's entity list) — or refuses them like the monthly importer.

The reporting system's exports differ by version and by who re-saved them, so sheets are found by
their header row (the first of the top 20 rows that holds the kind's 文书号 column and at least
three other known fields, spelled as in `data/sgs_rules.toml` after folding full-width brackets and
spaces), never by sheet name or column position. Each cell is turned into what the checks need
(dates, 万元 amounts, text); a cell that cannot be read is kept as a located format problem, so one
bad date never hides the rest of the file. The raw bytes go through the same safety layer as the
monthly workbook first (size, zip and XML bombs, macros, real format).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from credit.common.filetypes import TABLE_TYPES, extension
from credit.common.text import CELL, text_problem
from credit.errors import CellError, WorkbookError
from credit.model.contract import TABLE_BOUNDS
from credit.model.sgs_rules import RecordFile, RecordKind, RecordSheet, SgsRules, spellings
from credit.workbook.importer import HEADER_SEARCH_ROWS, cell_text, fold, is_blank, parse_date
from credit.workbook.isolation import run_isolated
from credit.workbook.preflight import check_grid, check_workbook_file
from credit.workbook.safety import check_upload, not_a_workbook, sniff_format, wrong_type

MAX_SGS_BYTES = 10 * 1024 * 1024  # an export of a year's records is a few MB; 10 MB+ is refused
MIN_HEADER_MATCHES = 4  # the 文书号 column and three more known fields make a header row
LONG_TERM = date(9999, 12, 31)  # 有效期至 written as 长期 / 长期有效
_LONG_TERM_WORDS = {"长期", "长期有效", "永久", "永久有效", "无固定期限"}
CODE_HEADERS = ("统一社会信用代码", "社会信用代码", "信用代码", "代码")
NAME_HEADERS = ("名称", "行政相对人名称", "企业名称", "主体名称", "单位名称", "市场主体名称")

Cell = Any
Rows = list[list[Cell]]


def _refuse(message: str, hint: str) -> WorkbookError:
    return WorkbookError([CellError(None, None, None, message, hint)])


# ---- the raw file ---------------------------------------------------------------------------------


def _decode_csv(raw: bytes, filename: str) -> str:
    if b"\x00" in raw:
        raise _refuse(f"文件「{filename}」不是文本格式的 CSV（含二进制内容）",
                      "请从上报系统导出 .xlsx、.xls 或 .csv 文件后上传")
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    raise _refuse(f"文件「{filename}」的文字编码无法识别", "请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后上传")


def read_sheets(raw: bytes, filename: str, *, max_bytes: int = MAX_SGS_BYTES) -> list[tuple[str, Rows]]:
    """(sheet title, rows) of an .xlsx/.xls/.csv upload after the safety checks; raises `WorkbookError`."""
    refused = wrong_type(filename, TABLE_TYPES)
    if refused is not None:
        raise WorkbookError([refused])
    if sniff_format(raw) is None and extension(filename) == ".csv" and raw:
        if len(raw) > max_bytes:
            problems = check_upload(raw, filename, max_bytes=max_bytes, types=TABLE_TYPES)  # the same "too large" message
            raise WorkbookError(problems)
        text = _decode_csv(raw, filename)
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise _refuse(f"CSV 文件「{filename}」格式有误：{exc}", "请用 Excel 打开后另存为 .xlsx 再上传") from exc
        problems = check_grid(filename, rows, TABLE_BOUNDS)
        if problems:
            raise WorkbookError(problems)
        return [(filename, rows)]
    problems = check_workbook_file(raw, filename, TABLE_BOUNDS, max_bytes=max_bytes, types=TABLE_TYPES)
    if problems:
        raise WorkbookError(problems)
    return run_isolated(_workbook_sheets, raw, filename, filename=filename)


def _workbook_sheets(raw: bytes, filename: str) -> list[tuple[str, Rows]]:
    """Every sheet's rows (runs in a reader worker, `credit.workbook.isolation`)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        return [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names]
    except PasswordError as exc:
        raise _refuse(f"文件「{filename}」设置了密码，无法读取", "请取消密码保护后再上传") from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise WorkbookError([not_a_workbook(filename, "文件可能已损坏；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")]) \
            from exc


# ---- record sheets -------------------------------------------------------------------------------


class _Cells:
    """Cell readers by field kind; a value that cannot be read is filed in `bad` at its cell."""

    def __init__(self, bad: dict[tuple[int, str], tuple[str, str]]):
        self.bad = bad
        self.dates: dict[str, date | tuple[str, str] | None] = {}

    def read(self, kind: str, value: Cell, row: int, name: str) -> object:
        if isinstance(value, str):  # the one text policy (credit.common.text), filed at this cell
            problem = text_problem(value, limit=CELL, multiline=True)
            if problem is not None:
                self.bad[(row, name)] = (f"文字{problem}", "请删除控制字符、零宽字符和文字方向字符，或缩短文字后重新上传")
                return ""  # never carried on into the problem list or the generated data
        if isinstance(value, str) and kind in ("text", "docno", "category", "status", "penalty"):
            return value.strip()
        if kind == "date":
            return self._date(value, row, name)
        if kind == "money":
            return self._money(value, row, name)
        if kind == "uscc" and isinstance(value, (int, float)) and not isinstance(value, bool):
            self.bad[(row, name)] = ("代码以数字格式保存，超过 15 位的数字在 Excel 中末几位会丢失",
                                     "请把该列设为“文本”格式后重新填写代码")
        return cell_text(value)

    def _date(self, value: Cell, row: int, name: str) -> date | None:
        if isinstance(value, str):
            return self._date_text(value, row, name)
        try:
            return parse_date(value)
        except Exception as exc:  # noqa: BLE001 - the importer's own problem type carries message and hint
            self.bad[(row, name)] = (getattr(exc, "message", f"「{cell_text(value)}」不是有效日期"),
                                     getattr(exc, "hint", "请按 2022-03-15 的格式填写日期"))
            return None

    def _date_text(self, value: str, row: int, name: str) -> date | None:
        """Dates typed as text repeat across an export: each distinct spelling is parsed once."""
        found = self.dates.get(value)
        if found is None:
            if fold(value) in _LONG_TERM_WORDS:
                found = LONG_TERM
            else:
                try:
                    found = parse_date(value)
                except Exception as exc:  # noqa: BLE001 - as in _date
                    found = (getattr(exc, "message", f"「{value.strip()}」不是有效日期"),
                             getattr(exc, "hint", "请按 2022-03-15 的格式填写日期"))
            self.dates[value] = found
        if isinstance(found, tuple):
            self.bad[(row, name)] = found
            return None
        return found

    def _money(self, value: Cell, row: int, name: str) -> float | None:
        if is_blank(value):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            amount = float(value)
        else:
            text = fold(cell_text(value)).replace(",", "").removesuffix("万元")
            try:
                amount = float(text)
            except ValueError:
                self.bad[(row, name)] = (f"「{cell_text(value)}」不是金额", "罚款金额以万元为单位，只填数字，如 200 元填 0.02")
                return None
        if amount < 0 or amount != amount:
            self.bad[(row, name)] = (f"罚款金额不能为负数（{cell_text(value)}）", "请填写 0 或正数，单位为万元")
            return None
        return amount


_REQUIRED_MARK = re.compile(r"^[*＊★※]+|[（(]\s*(必填|选填|可选|非必填)\s*[）)]$|[*＊]+$")


def header_text(value: object) -> str:
    """A header cell as shown and remembered: without invisible format characters (zero-width space,
    BOM, direction marks — pasted from web pages) and surrounding spaces, so it matches an alias and
    can be saved as a column mapping."""
    return "".join(ch for ch in cell_text(value) if unicodedata.category(ch) != "Cf").strip()


def header_key(text: object) -> str:
    """Compare key for a header cell: `fold` (full-width brackets, spaces) without the marks exports add
    for required columns ("*行政相对人名称", "处罚决定日期（必填）")."""
    return _REQUIRED_MARK.sub("", fold(header_text(text)))


def _known(kind: RecordKind) -> dict[str, str]:
    return {header_key(s): f for s, f in spellings(kind).items()}


def _header_score(row: Sequence[Cell], kind: RecordKind) -> int:
    """Known fields in the row; a row without the 文书号 column needs more of them to count as a header
    (so a file whose 文书号 column is spelled some unknown way is still read, and can be mapped)."""
    known = _known(kind)
    found = {known[k] for k in map(header_key, row) if k in known}
    if kind.docno_field in found:
        return len(found)
    return len(found) - 2 if len(found) >= MIN_HEADER_MATCHES + 2 else 0


def _find_header(rows: Rows, rules: SgsRules) -> tuple[int, RecordKind] | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        scored = sorted(((_header_score(row, k), k.key) for k in rules.kinds), reverse=True)
        if scored[0][0] >= MIN_HEADER_MATCHES:
            return i, rules.kind(scored[0][1])
    return None


def _record_sheet(title: str, rows: Rows, header: int, kind: RecordKind, notes: list[str],
                  mapping: Mapping[str, str] | None = None) -> RecordSheet:
    known = _known(kind)
    cols: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra: dict[str, int] = {}
    for idx, value in enumerate(rows[header]):
        text = header_text(value)
        name = known.get(header_key(value))
        if name is None:
            if text and text not in extra:
                extra[text] = idx
            continue
        if name in cols:
            notes.append(f"工作表「{title}」的「{text}」列与「{headers[name]}」是同一字段，只读取了「{headers[name]}」")
            continue
        cols[name] = idx
        headers[name] = text
    mapped: dict[str, str] = {}
    for name, text in (mapping or {}).items():  # the unit's own choice for a column the aliases missed
        if name in kind.names and name not in cols and text in extra:
            cols[name] = extra.pop(text)
            headers[name] = mapped[name] = text
    bad: dict[tuple[int, str], tuple[str, str]] = {}
    reader = _Cells(bad)
    kinds = {f.name: f.kind for f in kind.fields}
    records: list[tuple[int, dict[str, object]]] = []
    for i in range(header + 1, len(rows)):
        raw = rows[i]
        cells = {name: (raw[c] if c < len(raw) else None) for name, c in cols.items()}
        if all(is_blank(v) for v in cells.values()):
            continue
        excel_row = i + 1
        values = {name: reader.read(kinds[name], v, excel_row, name) for name, v in cells.items()}
        for name in kind.names:
            values.setdefault(name, None if kinds[name] in ("date", "money") else "")
        records.append((excel_row, values))
    missing = [f.name for f in kind.fields if f.name not in cols and (f.required or f.required_for)]
    return RecordSheet(kind.key, title, header + 1, list(cols), records, missing, bad, headers, list(extra),
                       mapped)


def read_records(raw: bytes, filename: str, rules: SgsRules, *, max_bytes: int = MAX_SGS_BYTES,
                 mapping: Mapping[str, Mapping[str, str]] | None = None) -> RecordFile:
    """Every 行政许可 / 行政处罚 sheet of the upload; `WorkbookError` when none can be found.

    `mapping` is the unit's remembered column choice, {kind key: {standard field: the file's header}},
    used only for fields the alias table did not find."""
    sheets: list[RecordSheet] = []
    notes: list[str] = []
    titles = []
    for title, rows in read_sheets(raw, filename, max_bytes=max_bytes):
        titles.append(title)
        found = _find_header(rows, rules)
        if found is None:
            if any(not is_blank(v) for row in rows[:HEADER_SEARCH_ROWS] for v in row):
                notes.append(f"工作表「{title}」未找到行政许可或行政处罚的表头，已跳过")
            continue
        header, kind = found
        sheet = _record_sheet(title, rows, header, kind, notes, (mapping or {}).get(kind.key))
        if not sheet.rows:
            notes.append(f"工作表「{title}」（{kind.name}）没有数据行")
        sheets.append(sheet)
    if not sheets:
        wanted = "、".join(f"「{k.docno_field}」" for k in rules.kinds)
        raise _refuse(
            f"文件「{filename}」中未找到双公示数据的表头：前 {HEADER_SEARCH_ROWS} 行中没有含 {wanted} 的表头行",
            f"请上传从“双公示”上报系统导出的行政许可或行政处罚数据（本文件的工作表：{'、'.join(titles) or '无'}）",
        )
    return RecordFile(filename, sheets, notes)


# ---- one-column lists ------------------------------------------------------------------------------


def _column_of(rows: Rows, headers: Sequence[str]) -> tuple[int, int] | None:
    wanted = {fold(h) for h in headers}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for j, v in enumerate(row):
            if fold(cell_text(v)) in wanted:
                return i, j
    return None


def read_code_list(raw: bytes, filename: str, *, max_bytes: int = MAX_SGS_BYTES) -> list[tuple[int, str, bool]]:
    """(Excel row, code as written, stored as a number) of the first sheet holding a 统一社会信用代码 column."""
    for _title, rows in read_sheets(raw, filename, max_bytes=max_bytes):
        found = _column_of(rows, CODE_HEADERS)
        if found is None:
            continue
        header, col = found
        out = []
        for i in range(header + 1, len(rows)):
            value = rows[i][col] if col < len(rows[i]) else None
            if not is_blank(value):
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                out.append((i + 1, cell_text(value), numeric))
        return out
    raise _refuse(f"文件「{filename}」中未找到「统一社会信用代码」列的表头",
                  "请上传一列统一社会信用代码，第一行为表头“统一社会信用代码”")


def read_entity_list(raw: bytes, filename: str, *, max_bytes: int = MAX_SGS_BYTES) -> dict[str, tuple[str, int]]:
    """The office's entity list: {统一社会信用代码: (名称, Excel row)}; needs both columns."""
    for _title, rows in read_sheets(raw, filename, max_bytes=max_bytes):
        code = _column_of(rows, CODE_HEADERS)
        if code is None:
            continue
        header = code[0]
        names = {fold(h) for h in NAME_HEADERS}
        name_col = next((j for j, v in enumerate(rows[header]) if fold(cell_text(v)) in names), None)
        if name_col is None:
            continue
        out: dict[str, tuple[str, int]] = {}
        for i in range(header + 1, len(rows)):
            row = rows[i]
            c = cell_text(row[code[1]]) if code[1] < len(row) else ""
            n = cell_text(row[name_col]) if name_col < len(row) else ""
            if c and n:
                out.setdefault(fold(c).upper(), (n, i + 1))
        return out
    raise _refuse(f"主体名录「{filename}」中未找到「统一社会信用代码」和「名称」两列",
                  "主体名录第一行应为表头，至少包含“统一社会信用代码”和“名称”（或“企业名称”）两列")
