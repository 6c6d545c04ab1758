"""Builds monthly workbooks in memory for the template and importer tests, good and bad.

Everything is written with openpyxl or zipfile the way an office (or an attacker) would produce
it, so the importer is tested on real .xlsx bytes, never on pre-parsed rows.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook

from credit.model.contract import ITEM_COL, SHEET_INSTRUCTIONS, SHEETS, UNIT_COL, VALUE_COL
from credit.model.units import UnitRegister, load_units
from credit.workbook.template import HEADER_ROW, MONTH_LABEL, build_template

MONTH = "2022-03"
Row = Sequence[object]


def register() -> UnitRegister:
    return load_units()


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- filling the real template -----------------------------------------------------------------


def _header_columns(ws) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[HEADER_ROW] if c.value is not None}


def _row_of(ws, col: int, key: object) -> int:
    """The row whose key cell holds `key`, else the first row below the data with that cell empty."""
    last = HEADER_ROW
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        value = ws.cell(row, col).value
        if value == key:
            return row
        if value not in (None, ""):
            last = row
    return last + 1


def fill_template(
    data: Mapping[str, Iterable[Mapping[str, object]] | Mapping[str, object]],
    *,
    month: str = MONTH,
    units: UnitRegister | None = None,
) -> bytes:
    """The month's template with values written by header, as an official would type them.

    Unit sheets take rows keyed by 单位名称 (written into the prefilled row, or appended);
    全县 takes {item: value}; record sheets take rows appended below the header.
    """
    wb = load_workbook(io.BytesIO(build_template(month, units or register())))
    for name, rows in data.items():
        ws = wb[name]
        cols = _header_columns(ws)
        if SHEETS[name].layout == "item":
            for item, value in dict(rows).items():
                ws.cell(_row_of(ws, cols[ITEM_COL], item), cols[VALUE_COL]).value = value
            continue
        for rec in rows:
            key = rec.get(UNIT_COL) if SHEETS[name].layout == "unit" else object()
            row = _row_of(ws, cols[UNIT_COL], key)
            for header, value in rec.items():
                ws.cell(row, cols[header]).value = value
    return to_bytes(wb)


# ---- free-form workbooks -----------------------------------------------------------------------


def make_workbook(sheets: Mapping[str, Sequence[Row]], *, month: str | None = None) -> bytes:
    """A workbook whose sheets hold exactly `rows` from A1; `month` adds a 填报说明 sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    if month is not None:
        ws = wb.create_sheet(SHEET_INSTRUCTIONS)
        ws.append(["平阴县信用体系建设监测月度数据"])
        ws.append([])
        ws.append([MONTH_LABEL, month])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return to_bytes(wb)


def headers(sheet: str) -> list[str]:
    return [c.header for c in SHEETS[sheet].columns]


def table(
    sheet: str, rows: Iterable[Mapping[str, object]], *, cols: Sequence[str] | None = None, title: str | None = None
) -> list[list[object]]:
    """Rows for `make_workbook`: optional title row, header row, then values by header."""
    cols = list(cols or (headers(sheet) if SHEETS[sheet].layout != "item" else [ITEM_COL, VALUE_COL]))
    out: list[list[object]] = [[title]] if title else []
    out.append(list(cols))
    out += [[rec.get(c) for c in cols] for rec in rows]
    return out


def town_sheet(*rows: Mapping[str, object]) -> bytes:
    """A workbook with only a 镇街 sheet (header on row 1, data from row 2)."""
    return make_workbook({"镇街": table("镇街", rows)})


def events_sheet(*rows: Mapping[str, object]) -> bytes:
    """A workbook with only a 扣分事项 sheet (header on row 1, data from row 2)."""
    return make_workbook({"扣分事项": table("扣分事项", rows)})


def event(**fields: object) -> dict[str, object]:
    """A valid 扣分事项 row for 2022-03, with fields overridden by keyword (Chinese headers)."""
    base: dict[str, object] = {UNIT_COL: "榆山街道", "事项类型": "村居失信案件", "发生日期": "2022-03-10"}
    base.update(fields)
    return base


# ---- hostile and broken files ------------------------------------------------------------------

_MINIMAL_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    ),
    "_rels/.rels": "<Relationships/>",
    "xl/workbook.xml": "<workbook/>",
}


def zip_bomb(megabytes: int = 200) -> bytes:
    """An .xlsx-looking zip whose sheet XML inflates to `megabytes` of zeros (a few hundred KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in _MINIMAL_PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = b"0" * (1024 * 1024)
            for _ in range(megabytes):
                entry.write(chunk)
    return out.getvalue()


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Make the zip lie about an entry's uncompressed size, in both of its headers."""
    buf = bytearray(data)
    eocd = buf.rfind(b"PK\x05\x06")
    count, _, offset = struct.unpack_from("<HLL", buf, eocd + 10)
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, offset + 28)
        local = struct.unpack_from("<L", buf, offset + 42)[0]
        if buf[offset + 46 : offset + 46 + name_len].decode() == name:
            struct.pack_into("<L", buf, offset + 24, size)
            struct.pack_into("<L", buf, local + 22, size)
        offset += 46 + name_len + extra_len + comment_len
    return bytes(buf)


def forged_bomb(megabytes: int = 120) -> bytes:
    """A bomb whose headers claim a tiny sheet, so only inflating for real can catch it."""
    return _patch_declared_size(zip_bomb(megabytes), "xl/worksheets/sheet1.xml", 1000)


def with_entries(data: bytes, entries: Mapping[str, bytes]) -> bytes:
    """A copy of the .xlsx `data` with extra zip entries (e.g. xl/vbaProject.bin)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, payload in entries.items():
            dst.writestr(name, payload)
    return out.getvalue()


def many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(f"xl/media/x{i}.txt", b"")
    return out.getvalue()


def plain_zip() -> bytes:
    """A zip that is not a workbook at all."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "not a spreadsheet")
    return out.getvalue()


# ---- legacy .xls -------------------------------------------------------------------------------


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_xls(data: bytes) -> bytes:
    """Convert .xlsx bytes to legacy .xls with LibreOffice (callers skip when it is absent)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "book.xlsx"
        src.write_bytes(data)
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "xls",
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(tmp) / "book.xls").read_bytes()


def xlwt_workbook(sheets: Mapping[str, Sequence[Row]]) -> bytes:
    """A legacy .xls as a Python script writes it with xlwt: rows from A1, and text starting with
    "=" written as a formula (xlwt saves every formula with the result "empty", never calculated)."""
    import xlwt  # test-only dependency (requirements-dev.txt)

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("="):
                    ws.write(r, c, xlwt.Formula(value[1:]))
                elif value is not None:
                    ws.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patch_xls_cell(xls: bytes, sheet_row: int, col: int, rid: int, patch: Callable[[bytes], bytes]) -> bytes:
    """The .xls with the body of the cell record `rid` at (row0, col0) rewritten by `patch`
    (same length), as another writer (Apache POI, Excel) would have saved that cell.

    Every cell at that address in any sheet is patched: the test workbooks have one data sheet.
    """
    import olefile

    from credit.workbook.biff import iter_records

    with olefile.OleFileIO(io.BytesIO(xls)) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
    pos, hits = 0, 0
    for record_id, body in iter_records(bytes(stream), 0):
        if record_id == rid and struct.unpack_from("<HH", body) == (sheet_row, col):
            new = patch(body)
            assert len(new) == len(body)
            stream[pos + 4 : pos + 4 + len(body)] = new
            hits += 1
        pos += 4 + len(body)
    assert hits, f"no record {rid:#06x} at ({sheet_row}, {col})"
    out = io.BytesIO(xls)
    with olefile.OleFileIO(out, write_mode=True) as ole:
        ole.write_stream("Workbook", bytes(stream))
    return out.getvalue()


def formula_result(result: bytes, flags: int = 0) -> Callable[[bytes], bytes]:
    """A FORMULA record patch: the 8-byte saved result and the option flags."""
    assert len(result) == 8
    return lambda body: body[:6] + result + struct.pack("<H", flags) + body[16:]
