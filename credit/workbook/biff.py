"""Reads the few facts of a legacy .xls (BIFF5/BIFF8) that python-calamine hides.

python-calamine reads a FORMULA cell through its saved result and does not expose the formula
itself. A FORMULA record always carries an 8-byte result, but not always a trustworthy one:

- xlwt (and its ancestor pyExcelerator) writes every formula with the result "empty string"
  (`FF FF` marker, type 3) and never calculates it; calamine reads that as a blank cell, which a
  count column takes as 0. Excel and LibreOffice write the same marker for a formula whose
  result really is `""`, so in a number column it is refused either way (a blank computed by a
  formula is not a number the office can check).
- Apache POI writes `setCellFormula` cells with the result 0.0 and option flag 0x0002
  ("calculate on open"): the writer says itself that it did not calculate. Excel and LibreOffice
  never set that bit (LibreOffice sets only 0x0001, "recalculate always", for volatile functions
  such as TODAY(), and still saves their result), so the bit marks an untrusted result anywhere.
- An error result (#DIV/0!, #N/A...) and an error constant (BOOLERR) also read as blank.
- A text result is stored in the STRING record that follows; one that is missing reads as blank.

What is NOT checked: a workbook saved by Excel in manual calculation mode without "recalculate
before saving" holds results that may be stale; nothing in BIFF says which ones, so they are read
as saved (the same holds for .xlsx).

The scan is bounded: the stream is at most the upload limit, every record is visited once, and
a file this reader cannot follow yields no findings (calamine has already read it).
"""

from __future__ import annotations

import io
import struct

import olefile

from credit.workbook.safety import UNCALCULATED

# Cell codes shared with the .xlsx reader in `safety` (`UNCALCULATED`), plus one that only a
# number column refuses.
EMPTY_RESULT = "公式结果为空"

_BOF, _EOF, _BOUNDSHEET, _CODEPAGE = 0x0809, 0x000A, 0x0085, 0x0042
_FORMULA, _STRING, _BOOLERR = 0x0006, 0x0207, 0x0205
# Records that may stand between a FORMULA with a text result and its STRING record.
_FORMULA_COMPANIONS = {0x04BC, 0x0221, 0x0236}  # SHRFMLA, ARRAY, TABLE
_CALC_ON_OPEN = 0x0002
_BIFF8 = 0x0600
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_HEADER = struct.Struct("<HH")
_CELL = struct.Struct("<HHH")

Cells = dict[tuple[int, int], str]


def iter_records(stream: bytes, start: int):
    """(record id, body) from `start` on; stops at the end of the stream or a truncated record."""
    pos = start
    while pos + _HEADER.size <= len(stream):
        rid, size = _HEADER.unpack_from(stream, pos)
        body = stream[pos + _HEADER.size : pos + _HEADER.size + size]
        if len(body) < size:
            return
        yield rid, body
        pos += _HEADER.size + size


def _sheet_name(body: bytes, biff8: bool, codepage: str) -> tuple[int, str] | None:
    """(stream offset of the sheet's BOF, name) of a worksheet's BOUNDSHEET record."""
    if len(body) < 8 or body[5] != 0:  # dt: 0 is a worksheet (1 macro, 2 chart, 6 VBA module)
        return None
    offset, length = struct.unpack_from("<I", body)[0], body[6]
    if biff8:
        wide = body[7] & 0x01
        raw = body[8 : 8 + length * (2 if wide else 1)]
        return offset, raw.decode("utf-16-le" if wide else "latin-1", "replace")
    return offset, body[7 : 7 + length].decode(codepage, "replace")


def sheet_offsets(stream: bytes) -> dict[str, int]:
    """Worksheet name -> offset of its substream, from the workbook globals."""
    biff8, codepage, found = True, "cp1252", {}
    for rid, body in iter_records(stream, 0):
        if rid == _BOF and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body)[0] == _BIFF8
        elif rid == _CODEPAGE and len(body) >= 2:
            codepage = f"cp{struct.unpack_from('<H', body)[0]}"
            try:
                "".encode(codepage)
            except LookupError:
                codepage = "cp1252"
        elif rid == _BOUNDSHEET:
            entry = _sheet_name(body, biff8, codepage)
            if entry is not None:
                found[entry[1]] = entry[0]
        elif rid == _EOF:
            break
    return found


def _formula_code(body: bytes) -> str | None:
    """What is wrong with one FORMULA record's saved result, or None when it can be trusted.

    The string result case is settled by the caller (it depends on the next record).
    """
    result, flags = body[6:14], struct.unpack_from("<H", body, 14)[0]
    if flags & _CALC_ON_OPEN:
        return UNCALCULATED
    if result[6:8] != b"\xff\xff":
        return None  # an IEEE double: a number the writer saved
    kind = result[0]
    if kind == 2:
        return ERROR_CODES.get(result[2], "#错误")
    if kind == 3:
        return EMPTY_RESULT
    return None  # 0: text (STRING record follows), 1: boolean


def worksheet_records(stream: bytes, start: int):
    """The worksheet's own records, from its BOF to its EOF, skipping embedded chart substreams."""
    depth = 0
    for rid, body in iter_records(stream, start):
        if rid == _BOF:
            depth += 1
        elif rid == _EOF:
            depth -= 1
            if depth <= 0:
                return
        elif depth == 1:
            yield rid, body


def _scan_sheet(stream: bytes, start: int) -> Cells:
    found: Cells = {}
    waiting: tuple[int, int] | None = None  # a text-result formula whose STRING record is due
    for rid, body in worksheet_records(stream, start):
        if waiting is not None and rid not in _FORMULA_COMPANIONS:
            if rid != _STRING:
                found[waiting] = UNCALCULATED
            waiting = None
        if rid == _FORMULA and len(body) >= 16:
            cell = _CELL.unpack_from(body)[:2]
            code = _formula_code(body)
            if code:
                found[cell] = code
            elif body[12:14] == b"\xff\xff" and body[6] == 0:
                waiting = cell
        elif rid == _BOOLERR and len(body) >= 8 and body[7] == 1:
            found[_CELL.unpack_from(body)[:2]] = ERROR_CODES.get(body[6], "#错误")
    if waiting is not None:
        found[waiting] = UNCALCULATED
    return found


def xls_error_cells(data: bytes, sheet_names: list[str]) -> dict[str, Cells]:
    """Per sheet {(row0, col0): error code, UNCALCULATED or EMPTY_RESULT}; {} if unreadable.

    Call only after `check_upload` passed (the size is then within the upload limit).
    """
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
        offsets = sheet_offsets(stream)
        return {n: _scan_sheet(stream, offsets[n]) for n in sheet_names if n in offsets}
    except Exception:  # noqa: BLE001 - calamine already read the file; missing this is not fatal
        return {}

