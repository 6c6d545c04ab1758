"""Bounds every sheet of an upload before any spreadsheet reader allocates for it.

python-calamine sizes a sheet's grid from the cells' extent (and reserves from the declared one):
a 2 KB .xlsx holding A1 and XFD1048576 asks for 17 billion cells and aborts the whole process,
which no `try` catches; a 1.6 MB file of 1,000,000 short rows takes gigabytes and a minute.
So each sheet is read here first, as a stream, without building anything:

- .xlsx: the part of each sheet (found through workbook.xml and its relationships, and every part
  under xl/worksheets/ besides) is inflated in chunks; its `<dimension ref>` and the position of
  every `<row>` and `<c>` (from `r`, or implied by the previous one when `r` is absent, as readers
  do) are checked against `SheetBounds` as they come, so a flood is refused after the first
  `rows` rows, not after the last. A position that is not a plain cell reference is refused
  (Excel, WPS and LibreOffice never write another).
- .xls: the BIFF DIMENSIONS record of each worksheet and the row/column of every cell record.

The same pass refuses DDE formulas (`cmd|'/c calc.exe'!A0`: `|` is no Excel operator, it only
names a DDE server) and, in a .xls, links to other workbooks (a SUPBOOK that is not the file
itself); the zip-level links (xl/externalLinks/, `ddeLink`) are refused by `safety.check_upload`.

Call only after `safety.check_upload` passed: the sizes are then known to be sane.
"""

from __future__ import annotations

import collections
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import olefile
from openpyxl.utils import column_index_from_string, get_column_letter

from credit.common.filetypes import WORKBOOK_TYPES
from credit.errors import CellError
from credit.model.contract import SheetBounds
from credit.workbook.biff import iter_records, sheet_offsets, worksheet_records
from credit.workbook.safety import MAX_UPLOAD_BYTES, FileFormat, check_upload, not_a_workbook, sheet_parts, sniff_format

_CHUNK = 1024 * 1024
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(c|row|dimension|f)(?=[\s/>])((?:[^>"']+|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(rb"""(?:^|\s)(r|ref)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})([0-9]{1,7})$")
_FORMULA_TEXT = re.compile(rb"([^<]*)")
# The fast path (`_SheetXml._fast`): plain positions as every writer puts them, and counts of all
# row/cell tags and `r=` attributes to prove that nothing else is in the chunk.
# Each pattern starts with a literal, so `re` scans for it in C (a chunk of 1 MB in a few ms).
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_PLAIN_ROW = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
_TAG_ENDS = (b" ", b">", b"/", b"\t", b"\r", b"\n")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # a namespace prefix on a row or cell tag
_SPACED_R = re.compile(rb" r\s+=")
_ODD_R = (b"\tr", b"\nr", b"\rr")  # an r attribute after other whitespace (or text that looks like it)
_LAST_POSITION = re.compile(rb'<(?:row r="([0-9]+)"|c r="([A-Z]+)([0-9]+)")')
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension(?=[\s/>])((?:[^>"']+|"[^"]*"|'[^']*')*)>""")
_FORMULA_TAG = re.compile(rb"""<(?:[\w.-]+:)?f(?=[\s>])(?:[^>"'/]+|"[^"]*"|'[^']*')*>([^<]*)""")
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_WORKSHEET_DIR = "xl/worksheets/"

# BIFF record ids: DIMENSIONS, ROW, the cell records that start with (row u16, column u16), the
# two that end with their last column (MULRK, MULBLANK), and SUPBOOK (a referenced workbook).
_DIMENSIONS, _ROW, _SUPBOOK = 0x0200, 0x0208, 0x01AE
_CELL_RECORDS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
_MULTI_RECORDS = {0x00BD, 0x00BE}
_SELF_REFERENCE, _ADD_IN = 0x0401, 0x3A01

_HINT_DDE = "DDE 链接可在打开文件时运行程序；请删除该公式或改为直接填写数值后再上传"
_HINT_LINK = "请在 Excel 中点“数据 → 编辑链接 → 断开链接”，保存后再上传"


class _Refused(Exception):
    def __init__(self, error: CellError):
        self.error = error


def _unescape(text: str) -> str:
    """XML character and entity references, as an XML reader resolves them in an attribute."""

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(min(int(ref[2:], 16), 0x10FFFF))
        if ref.startswith("#"):
            return chr(min(int(ref[1:]), 0x10FFFF))
        return _NAMED[ref]

    return _ENTITY.sub(one, text) if "&" in text else text


def _is_dde(formula: str) -> bool:
    """A formula naming a DDE server: a `|` outside its string literals (`cmd|'/c calc'!A0`)."""
    return "|" in _STRING_LITERAL.sub("", formula)


def _dde_error(sheet: str, formula: str) -> CellError:
    shown = formula if len(formula) <= 60 else formula[:60] + "…"
    return CellError(sheet, None, None, f"含有 DDE 动态数据交换公式「{shown}」，出于安全考虑已拒绝", _HINT_DDE)


@dataclass
class _Extent:
    """The extent a sheet's cells reach, checked against the bounds as each cell arrives."""

    sheet: str
    bounds: SheetBounds
    rows: int = 0
    columns: int = 0
    cells: int = 0

    def _refuse(self, what: str, actual: str, limit: str) -> None:
        raise _Refused(
            CellError(self.sheet, None, None, f"{what}{actual}，超过上限 {limit}，未读取该文件",
                      self.bounds.describe() + "；请删除多余的行列或分成几个文件上传")
        )

    def reach(self, row: int, column: int, *, declared: str = "", at: str = "") -> None:
        """Note the extent reaching (row, column), 1-based; `declared` names the sheet's own claim,
        `at` the cell or row that reaches it."""
        what = f"声明的数据范围 {declared} 的" if declared else "数据"
        where = f"（{at}）" if at else ""
        least = "为 " if declared else "至少 "  # the scan stops at the first cell beyond the bounds
        if row > self.bounds.rows:
            self._refuse(f"{what}行数", f"{least}{row:,} 行{where}", f"{self.bounds.rows:,} 行")
        if column > self.bounds.columns:
            self._refuse(f"{what}列数", f"{least}{column:,} 列{where}", f"{self.bounds.columns:,} 列")
        rows, columns = max(self.rows, row), max(self.columns, column)
        if rows * columns > self.bounds.cells:
            self._refuse(f"{what}单元格数（行数 × 列数）", f"{least}{rows:,} × {columns:,} = {rows * columns:,}",
                         f"{self.bounds.cells:,} 个")
        if not declared:
            self.rows, self.columns = rows, columns

    def count(self, n: int = 1) -> None:
        self.cells += n
        if self.cells > self.bounds.cells:
            self._refuse("单元格个数", f"已超过 {self.bounds.cells:,} 个", f"{self.bounds.cells:,} 个")


# ---- .xlsx ---------------------------------------------------------------------------------------


class _SheetXml:
    """Streams one worksheet part: positions of rows and cells, the declared dimension, formulas."""

    def __init__(self, sheet: str, bounds: SheetBounds):
        self.extent = _Extent(sheet, bounds)
        self.row = 0
        self.column = 0

    def _bad_ref(self, value: str, what: str) -> None:
        shown = value if len(value) <= 30 else value[:30] + "…"
        raise _Refused(
            CellError(self.extent.sheet, None, None, f"{what}「{shown}」不是有效的单元格位置，文件可能被篡改",
                      "Excel 和 WPS 保存的工作簿不会这样写；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
        )

    def _cell_ref(self, raw: bytes, what: str) -> tuple[int, int]:
        value = _unescape(raw.decode("utf-8", "replace"))
        m = _CELL_REF.match(value)
        if not m or int(m.group(2)) < 1 or column_index_from_string(m.group(1)) > 16384:
            self._bad_ref(value, what)
        return int(m.group(2)), column_index_from_string(m.group(1))

    @staticmethod
    def _attr(attrs: bytes, name: bytes) -> bytes | None:
        for m in _ATTR.finditer(attrs):
            if m.group(1) == name:
                return m.group(2) if m.group(2) is not None else m.group(3)
        return None

    def feed(self, xml: bytes) -> None:
        """Every complete tag of `xml` (the caller cuts chunks just before a `<`)."""
        if not self._fast(xml):
            self._slow(xml)

    def _fast(self, xml: bytes) -> bool:
        """The chunk at C speed when every row and cell carries a plain `r` first, as Excel, WPS,
        LibreOffice and openpyxl write them; False (nothing noted) when anything is unusual, and
        `_slow` then reads it tag by tag. Extents are maxima, so a chunk's maxima are exact."""
        if _PREFIXED.search(xml) or _SPACED_R.search(xml) or any(odd in xml for odd in _ODD_R):
            return False
        cells, rows = _PLAIN_CELL.findall(xml), _PLAIN_ROW.findall(xml)
        n_cells = sum(xml.count(b"<c" + end) for end in _TAG_ENDS)
        n_rows = sum(xml.count(b"<row" + end) for end in _TAG_ENDS)
        if len(cells) != n_cells or len(rows) != n_rows or xml.count(b" r=") != n_cells + n_rows:
            return False
        for m in _DIMENSION.finditer(xml):
            self._dimension(m.group(1))
        if b"|" in xml:
            self._formulas(xml)
        if not cells and not rows:
            return True
        max_row = max(max(map(int, rows), default=0), max((int(r) for _, r in cells), default=0))
        max_col = max((column_index_from_string(x.decode()) for x in {c for c, _ in cells}), default=1)
        bounds, rows_now, cols_now = self.extent.bounds, max(self.extent.rows, max_row), max(self.extent.columns, max_col)
        if rows_now > bounds.rows or cols_now > bounds.columns or rows_now * cols_now > bounds.cells:
            return False  # refused either way: `_slow` names the first cell beyond the bounds
        self.extent.reach(max_row, max_col)
        self.extent.count(n_cells)
        last = collections.deque(_LAST_POSITION.finditer(xml, max(0, len(xml) - 4096)), maxlen=1)
        last = last[0] if last else None
        if last is not None and last.group(1):
            self.row, self.column = int(last.group(1)), 0
        elif last is not None:
            self.row, self.column = int(last.group(3)), column_index_from_string(last.group(2).decode())
        return True

    def _formulas(self, xml: bytes) -> None:
        for m in _FORMULA_TAG.finditer(xml):
            text = _unescape(m.group(1).decode("utf-8", "replace"))
            if _is_dde(text):
                raise _Refused(_dde_error(self.extent.sheet, text))

    def _slow(self, xml: bytes) -> None:
        for m in _TAG.finditer(xml):
            tag, attrs = m.group(1), m.group(2)
            if tag == b"c":
                self._cell(attrs)
            elif tag == b"row":
                self._row(attrs)
            elif tag == b"f":
                if not attrs.endswith(b"/"):
                    text = _FORMULA_TEXT.match(xml, m.end()).group(1).decode("utf-8", "replace")
                    if _is_dde(_unescape(text)):
                        raise _Refused(_dde_error(self.extent.sheet, _unescape(text)))
            else:
                self._dimension(attrs)

    def _row(self, attrs: bytes) -> None:
        raw = self._attr(attrs, b"r")
        if raw is None:
            self.row += 1
        else:
            text = _unescape(raw.decode("utf-8", "replace")).strip()
            if not text.isdigit() or not 1 <= int(text) <= 1_048_576:
                self._bad_ref(text, "行号")
            self.row = int(text)
        self.column = 0
        self.extent.reach(self.row, 1, at=f"第 {self.row:,} 行")

    def _cell(self, attrs: bytes) -> None:
        raw = self._attr(attrs, b"r")
        if raw is None:
            row, column = max(self.row, 1), self.column + 1
        else:
            row, column = self._cell_ref(raw, "单元格位置")
        self.row, self.column = row, column
        self.extent.reach(row, column, at=f"单元格 {get_column_letter(column)}{row}")
        self.extent.count()

    def _dimension(self, attrs: bytes) -> None:
        raw = self._attr(attrs, b"ref")
        if raw is None:
            return
        ref = _unescape(raw.decode("utf-8", "replace")).strip()
        corners = [self._cell_ref(part.encode(), "声明的数据范围") for part in ref.split(":", 1)]
        self.extent.reach(max(r for r, _ in corners), max(c for _, c in corners), declared=ref)


def _stream(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's XML in pieces that each end just before a `<` (or at the very end)."""
    tail = b""
    with zf.open(part) as f:
        while chunk := f.read(_CHUNK):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            if cut <= 0:
                tail = buffer
                continue
            yield buffer[:cut]
            tail = buffer[cut:]
    if tail:
        yield tail


def _xlsx_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part) of every sheet a reader may open: listed ones, and any worksheet part."""
    try:
        listed = sheet_parts(zf)
    except Exception:  # noqa: BLE001 - an unreadable listing: every worksheet part is still scanned
        listed = {}
    names = {info.filename for info in zf.infolist()}
    parts = [(name, part) for name, part in listed.items() if part in names]
    seen = {part for _, part in parts}
    for part in sorted(names):
        if part.lower().startswith(_WORKSHEET_DIR) and part.lower().endswith(".xml") and part not in seen:
            parts.append((part.rsplit("/", 1)[-1], part))
    return parts


def _defined_name_dde(zf: zipfile.ZipFile) -> CellError | None:
    """A DDE formula hidden in a defined name of workbook.xml (a cell may use the name)."""
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    except KeyError:
        return None
    for m in re.finditer(r"<(?:[\w.-]+:)?definedName\b[^>]*>([^<]*)<", book):
        if _is_dde(_unescape(m.group(1))):
            return _dde_error("（名称管理器）", _unescape(m.group(1)))
    return None


def _check_xlsx(data: bytes, bounds: SheetBounds) -> CellError | None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        found = _defined_name_dde(zf)
        if found:
            return found
        for sheet, part in _xlsx_parts(zf):
            scan = _SheetXml(sheet, bounds)
            for piece in _stream(zf, part):
                scan.feed(piece)
    return None


# ---- .xls ----------------------------------------------------------------------------------------


def _cells_of(rid: int, body: bytes) -> Iterable[tuple[int, int]]:
    """(row, column), 1-based, of the cells one BIFF record writes (both ends of a MUL record)."""
    if rid in _CELL_RECORDS and len(body) >= 4:
        row, col = struct.unpack_from("<HH", body)
        return ((row + 1, col + 1),)
    if rid in _MULTI_RECORDS and len(body) >= 6:
        row, first = struct.unpack_from("<HH", body)
        last = struct.unpack_from("<H", body, len(body) - 2)[0]
        return ((row + 1, first + 1), (row + 1, max(first, last) + 1))
    if rid == _ROW and len(body) >= 6:
        row, first, end = struct.unpack_from("<HHH", body)
        return ((row + 1, max(first, end, 1)),) if end > first else ((row + 1, 1),)
    return ()


def _dimensions(body: bytes) -> tuple[int, int] | None:
    """(rows, columns) a DIMENSIONS record declares, both as counts from A1."""
    if len(body) >= 14:  # BIFF8: first row, last row + 1 (u32 each), first column, last column + 1
        _, rows, _, columns = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:  # BIFF5/7: the same with 16-bit rows
        _, rows, _, columns = struct.unpack_from("<HHHH", body)
    else:
        return None
    return (rows, columns) if rows and columns else None


def _external_books(stream: bytes) -> bool:
    """A SUPBOOK in the workbook globals that is neither the file itself nor an add-in."""
    for rid, body in iter_records(stream, 0):
        if rid == 0x000A:  # EOF of the globals
            return False
        if rid == _SUPBOOK and len(body) >= 4:
            if struct.unpack_from("<H", body, 2)[0] not in (_SELF_REFERENCE, _ADD_IN):
                return True
    return False


def _check_xls(data: bytes, bounds: SheetBounds, filename: str) -> CellError | None:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - not a readable compound file: no reader will get further
        return not_a_workbook(filename, "文件可能已损坏；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
    if _external_books(stream):
        return CellError(None, None, None, f"文件「{filename}」含有指向其他工作簿或 DDE 的外部链接，出于安全考虑已拒绝",
                         _HINT_LINK)
    for sheet, offset in sheet_offsets(stream).items():
        extent = _Extent(sheet, bounds)
        for rid, body in worksheet_records(stream, offset):
            if rid == _DIMENSIONS:
                declared = _dimensions(body)
                if declared:
                    rows, columns = declared
                    ref = f"A1:{get_column_letter(columns)}{rows}"
                    extent.reach(rows, columns, declared=ref)
                continue
            cells = tuple(_cells_of(rid, body))
            for row, column in cells:
                extent.reach(row, column)
            if cells and rid != _ROW:
                extent.count(cells[-1][1] - cells[0][1] + 1)
    return None


def check_sheets(data: bytes, filename: str, fmt: FileFormat, bounds: SheetBounds) -> list[CellError]:
    """The first reason to refuse the sheets of an upload that passed `check_upload`; [] if none."""
    try:
        found = _check_xlsx(data, bounds) if fmt == "xlsx" else _check_xls(data, bounds, filename)
    except _Refused as refused:
        return [refused.error]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError, zlib.error):
        return [not_a_workbook(filename, "文件可能已损坏；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")]
    return [found] if found else []


def check_workbook_file(data: bytes, filename: str, bounds: SheetBounds, *, max_bytes: int = MAX_UPLOAD_BYTES,
                        types: Sequence[str] = WORKBOOK_TYPES) -> list[CellError]:
    """Every check before a reader may open an uploaded workbook: `check_upload`, then `check_sheets`.

    The one gate of every workbook path (monthly workbook, a unit's template, 双公示 files); [] when
    the file may be handed to `credit.workbook.isolation.run_isolated`.
    """
    problems = check_upload(data, filename, max_bytes=max_bytes, types=types)
    if problems:
        return problems
    fmt = sniff_format(data)
    return check_sheets(data, filename, fmt, bounds) if fmt else [not_a_workbook(filename)]


def check_grid(sheet: str, rows: Sequence[Sequence[object]], bounds: SheetBounds) -> list[CellError]:
    """The same bounds for a table already split into rows (a CSV upload); [] when within them."""
    try:
        _Extent(sheet, bounds).reach(len(rows), max((len(r) for r in rows), default=0))
    except _Refused as refused:
        return [refused.error]
    return []
