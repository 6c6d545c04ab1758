"""Checks an uploaded file before any spreadsheet library touches it.

Neither openpyxl nor python-calamine limits decompression, and an .xlsx is a zip: a few hundred
kilobytes can inflate to gigabytes. So the upload is sniffed by its magic bytes (never by the
extension a user can rename), and a zip is inflated here once, in C, counting real bytes with a
hard cap, before the parser sees it. The sizes a zip declares are checked too, but not trusted.

XML entity bombs ("billion laughs") are refused here too: Excel never writes a DTD into a package
part, so any `<!DOCTYPE` or `<!ENTITY` met while inflating refuses the file before any XML parser
could expand it (calamine and defusedxml would refuse it later anyway; this says so plainly).

This module also reads the few pieces of an .xlsx that python-calamine hides: it turns Excel error
values (#DIV/0!, #N/A, ...) into empty strings, and reads a formula saved without its result (as
scripts such as openpyxl write them, of any type: number, text `t="str"`, boolean `t="b"`) as an
empty cell, which would silently count as 0; so `xlsx_error_cells` finds both in the sheet XML.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from typing import Literal

# A hard import on purpose: openpyxl guards against XML bombs only when defusedxml is importable.
from defusedxml import ElementTree as SafeET

from credit.common.filetypes import WORKBOOK_TYPES, accepted_text, type_error
from credit.errors import CellError
from credit.workbook.zipdir import entries_up_to

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_ENTRY_BYTES = 1024 * 1024
MAX_ENTRIES = 10_000

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

FileFormat = Literal["xlsx", "xls"]

_HINT_RESAVE = "请用 Excel 或 WPS 打开后另存为“Excel 工作簿（*.xlsx）”再上传"
_HINT_BOMB = "该文件解压后体积异常，疑似恶意文件；请重新导出正常的工作簿后上传"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the 30-byte local file header of a zip entry
_CHUNK = 1024 * 1024


def _encoded(*markers: str) -> tuple[bytes, ...]:
    """Each marker in UTF-8 and in both UTF-16 byte orders (a package part's XML may be either)."""
    return tuple(m.encode(codec) for m in markers for codec in ("utf-8", "utf-16-le", "utf-16-be"))


# What the inflating pass looks for in every part: a DTD (an entity bomb), and a link that makes
# Excel fetch another workbook or start a DDE server on open (`ddeLink`, `externalReference`).
_MARKERS = {
    "dtd": _encoded("<!DOCTYPE", "<!ENTITY"),
    "link": _encoded("<ddeLink", ":ddeLink", "<externalReference", ":externalReference", "<oleLink", ":oleLink"),
}
_MARKER_OVERLAP = max(len(m) for found in _MARKERS.values() for m in found) - 1
_EXTERNAL_DIR = "xl/externallinks/"
_CONTENT_TYPES = "[Content_Types].xml"
# The main part a spreadsheet package declares (workbook, template; the macro kinds are refused as macros).
_SPREADSHEET_MAIN = (b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml",
                     b"ms-excel.sheet.macroEnabled.main+xml", b"ms-excel.template.macroEnabled.main+xml")
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument"
# An Excel error value, or a formula saved without its result (`xlsx_error_cells` reports both).
UNCALCULATED = "未计算的公式"


def sniff_format(data: bytes) -> FileFormat | None:
    """The container by its magic bytes: a zip is treated as .xlsx, OLE2 as legacy .xls."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xls"
    return None


def not_a_workbook(filename: str, hint: str = _HINT_RESAVE) -> CellError:
    """The one error for anything that is not a readable .xlsx/.xls (shared with the importer)."""
    return CellError(None, None, None, f"文件「{filename}」不是有效的 Excel 工作簿（.xlsx 或 .xls）", hint)


def wrong_type(filename: str, types: Sequence[str] = WORKBOOK_TYPES) -> CellError | None:
    """The file-level error for a name that is not one of `types` (see `credit.common.filetypes`)."""
    message = type_error(filename, types)
    return None if message is None else _file_error(message, f"请选择 {accepted_text(types)} 文件后重新上传")


def _file_error(message: str, hint: str) -> CellError:
    return CellError(None, None, None, message, hint)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def check_upload(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES,
                 types: Sequence[str] = WORKBOOK_TYPES) -> list[CellError]:
    """Every reason to refuse the raw upload; empty when it is safe to hand to the parser.

    The name's type is asked first (`credit.common.filetypes`): a .pdf or .exe is refused by name,
    in the words the page shows for every wrong type, before its bytes are looked at.
    """
    refused = wrong_type(filename, types)
    if refused is not None:
        return [refused]
    if not data:
        return [_file_error(f"文件「{filename}」是空文件（0 字节）", "请重新选择要上传的 Excel 文件")]
    if len(data) > max_bytes:
        return [
            _file_error(
                f"文件「{filename}」大小为 {_mb(len(data))}，超过上限 {_mb(max_bytes)}",
                "请删除无关的工作表、图片后再上传，或分几个文件上传",
            )
        ]
    fmt = sniff_format(data)
    if fmt == "xlsx":
        return _check_zip(data, filename)
    if fmt == "xls":
        return _check_ole2(data, filename)
    return [not_a_workbook(filename)]


def _check_ole2(data: bytes, filename: str) -> list[CellError]:
    """Legacy .xls: refuse macros and password-encrypted files (both are OLE2 storages by name)."""
    if "_VBA_PROJECT".encode("utf-16-le") in data:
        return [_macro_error(filename)]
    if "EncryptionInfo".encode("utf-16-le") in data:
        return [_file_error(f"文件「{filename}」设置了打开密码，无法读取", "请取消密码保护后再上传")]
    return []


def _macro_error(filename: str) -> CellError:
    return _file_error(
        f"文件「{filename}」包含宏（VBA），出于安全考虑不接受带宏的工作簿（.xlsm）",
        "请在 Excel 中另存为“Excel 工作簿（*.xlsx）”，去掉宏后再上传",
    )


def _check_zip(data: bytes, filename: str) -> list[CellError]:
    if entries_up_to(data, MAX_ENTRIES) > MAX_ENTRIES:  # counted before zipfile builds one ZipInfo each
        return [
            _file_error(
                f"文件「{filename}」内部包含超过 {MAX_ENTRIES} 个条目（上限 {MAX_ENTRIES}），疑似异常文件",
                _HINT_BOMB,
            )
        ]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return [not_a_workbook(filename, "文件可能已损坏，" + _HINT_RESAVE)]
    errors: list[CellError] = []
    if any(posixpath.basename(i.filename).lower() == "vbaproject.bin" for i in infos):
        errors.append(_macro_error(filename))
    if any(i.flag_bits & 0x1 for i in infos):
        errors.append(_file_error(f"文件「{filename}」设置了密码，无法读取", "请取消密码保护后再上传"))
        return errors
    bomb = _declared_bomb(infos, filename) or _inflated_bomb(data, infos, filename)
    if bomb:
        return errors + bomb
    return errors + _package_errors(data, infos, filename)


def _package_errors(data: bytes, infos: list[zipfile.ZipInfo], filename: str) -> list[CellError]:
    """A zip that is no spreadsheet package, or one that links to other workbooks.

    Runs after the bomb checks, so reading the small parts named here is safe. An OpenDocument
    spreadsheet (.ods) renamed .xlsx is a zip too, and calamine would read it — its formulas
    without results as 0 — so the package must say it is a spreadsheet in [Content_Types].xml.
    """
    names = {i.filename.lower(): i.filename for i in infos}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if _CONTENT_TYPES.lower() not in names:
                if "mimetype" in names and zf.read(names["mimetype"])[:200].startswith(_ODF_MIMETYPE):
                    return [_file_error(f"文件「{filename}」是 OpenDocument 表格（.ods），不是 Excel 工作簿，只是扩展名改成了 .xlsx",
                                        "请用 WPS 或 LibreOffice 打开后另存为“Excel 工作簿（*.xlsx）”再上传")]
                return [not_a_workbook(filename, "文件是压缩包但不是 Excel 工作簿；" + _HINT_RESAVE)]
            declared = zf.read(names[_CONTENT_TYPES.lower()])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        # A bad CRC or a truncated entry surfaces only when the part is read.
        return [not_a_workbook(filename, "文件可能已损坏，" + _HINT_RESAVE)]
    if not any(kind in declared for kind in _SPREADSHEET_MAIN):
        return [not_a_workbook(filename, "文件是压缩包但不是 Excel 工作簿；" + _HINT_RESAVE)]
    if any(name.startswith(_EXTERNAL_DIR) for name in names) or b"externalLink+xml" in declared:
        return [_link_error(filename, "指向其他工作簿的外部链接（externalLinks）")]
    return []


def _link_error(filename: str, what: str) -> CellError:
    return _file_error(f"文件「{filename}」含有{what}，打开时会读取其他文件或启动程序，出于安全考虑已拒绝",
                       "请在 Excel 中点“数据 → 编辑链接 → 断开链接”，删除 DDE 公式后保存，再上传")


def _bomb_error(filename: str, detail: str) -> list[CellError]:
    return [_file_error(f"文件「{filename}」{detail}，疑似压缩炸弹，已拒绝", _HINT_BOMB)]


def _ratio_too_high(size: int, compressed: int) -> bool:
    return size > RATIO_MIN_ENTRY_BYTES and size > MAX_RATIO * max(compressed, 1)


def _declared_bomb(infos: list[zipfile.ZipInfo], filename: str) -> list[CellError]:
    """Cheap first look at the sizes the zip claims (a liar is caught by `_inflated_bomb`)."""
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return _bomb_error(filename, f"解压后约 {_mb(total)}，超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)}")
    for i in infos:
        if _ratio_too_high(i.file_size, i.compress_size):
            return _bomb_error(filename, f"中的「{i.filename}」压缩比超过 {MAX_RATIO}:1")
    return []


def _inflated_bomb(data: bytes, infos: list[zipfile.ZipInfo], filename: str) -> list[CellError]:
    """Inflate every entry for real, counting bytes and stopping at the cap, output discarded."""
    view = memoryview(data)
    budget = MAX_UNCOMPRESSED_BYTES
    for info in infos:
        try:
            raw = _compressed_bytes(view, info)
            size, found = _inflated_size(raw, info.compress_type, budget + 1)
        except (ValueError, zlib.error, struct.error):
            return [not_a_workbook(filename, "文件可能已损坏，" + _HINT_RESAVE)]
        if size > budget:
            return _bomb_error(filename, f"解压后超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)}")
        if _ratio_too_high(size, len(raw)):
            return _bomb_error(filename, f"中的「{info.filename}」压缩比超过 {MAX_RATIO}:1")
        if size != info.file_size:
            return [not_a_workbook(filename, "文件内部记录的大小与实际不符，可能已损坏或被篡改")]
        if found == "link":
            return [_link_error(filename, f"外部链接或 DDE 链接（「{info.filename}」中的 ddeLink/externalReference）")]
        if found == "dtd":
            return [
                _file_error(
                    f"文件「{filename}」中的「{info.filename}」含有 XML 实体声明（DOCTYPE/ENTITY），"
                    "疑似 XML 炸弹，已拒绝",
                    "Excel 和 WPS 保存的工作簿不含此类声明，疑似恶意文件；请重新导出正常的工作簿后上传",
                )
            ]
        budget -= size
    return []


def _compressed_bytes(view: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """The entry's compressed payload, located through its local header as a reader would."""
    start = info.header_offset
    fields = _LOCAL_HEADER.unpack_from(view, start)
    if fields[0] != ZIP_MAGIC:
        raise ValueError("bad local header")
    name_len, extra_len = fields[-2], fields[-1]
    begin = start + _LOCAL_HEADER.size + name_len + extra_len
    end = begin + info.compress_size
    if end > len(view):
        raise ValueError("entry runs past the end of the file")
    return view[begin:end]


class _MarkerScan:
    """Looks for the `_MARKERS` across the chunks of one entry (a marker may straddle two).

    `found` is the first kind met ("dtd" or "link"), None while there is none.
    """

    def __init__(self) -> None:
        self.tail = b""
        self.found: str | None = None

    def feed(self, chunk: bytes | memoryview) -> None:
        if self.found or not chunk:
            return
        window = self.tail + bytes(chunk)
        self.found = next((kind for kind, marks in _MARKERS.items() if any(m in window for m in marks)), None)
        self.tail = window[-_MARKER_OVERLAP:]


def _inflated_size(raw: memoryview, method: int, cap: int) -> tuple[int, str | None]:
    """(real uncompressed size, marker kind found) of a stored or deflated entry; stops past `cap`."""
    scan = _MarkerScan()
    if method == zipfile.ZIP_STORED:
        scan.feed(raw)
        return len(raw), scan.found
    if method != zipfile.ZIP_DEFLATED:
        raise ValueError(f"unsupported compression method {method}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    for pos in range(0, len(raw), _CHUNK):
        pending: bytes | memoryview = raw[pos : pos + _CHUNK]
        while pending:
            out = inflater.decompress(pending, _CHUNK)
            total += len(out)
            if total > cap:
                return total, scan.found
            scan.feed(out)
            pending = inflater.unconsumed_tail
    rest = inflater.flush()
    scan.feed(rest)
    return total + len(rest), scan.found


# ---- Excel error values, which python-calamine reads as "" -------------------------------------

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.DOTALL)
_TYPE = re.compile(rb"""\bt\s*=\s*["'](\w*)["']""")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)<|<(?:[\w.-]+:)?v/>")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip path of its XML, following workbook.xml and its relationships."""
    book_path = "xl/workbook.xml"
    for rel in SafeET.fromstring(zf.read("_rels/.rels")):
        if rel.get("Type", "").endswith("/officeDocument"):
            book_path = rel.get("Target", book_path).lstrip("/")
    base = posixpath.dirname(book_path)
    rels_path = posixpath.join(base, "_rels", posixpath.basename(book_path) + ".rels")
    targets = {r.get("Id"): r.get("Target", "") for r in SafeET.fromstring(zf.read(rels_path))}
    parts: dict[str, str] = {}
    for node in SafeET.fromstring(zf.read(book_path)).iter():
        if node.tag.endswith("}sheet") and node.get(f"{_REL_NS}id") in targets:
            target = targets[node.get(f"{_REL_NS}id")]
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            parts[node.get("name", "")] = posixpath.normpath(path)
    return parts


def _bad_cell(attrs: bytes, body: bytes) -> str | None:
    """The error code of an error cell, UNCALCULATED for a formula without a saved result.

    Without a result calamine reads the cell as blank, which counts as 0: a formula with no
    `<v>` at all (any type: number, `t="str"`, `t="b"`), or a number or boolean formula with an
    empty `<v></v>` (openpyxl writes that). Only a text formula may have an empty result: that
    is Excel's saved value of `=""`, a real blank.
    """
    kind = _TYPE.search(attrs)
    found = _VALUE.search(body)
    value = (found.group(1) or b"").strip() if found else None  # None: no <v> element at all
    if kind and kind.group(1) == b"e":
        return (value or b"").decode("utf-8", "replace") or "#错误"
    if not _FORMULA.search(body):
        return None
    text_result = kind is not None and kind.group(1) == b"str"
    if value is None or (not text_result and not value):
        return UNCALCULATED
    return None


def _errors_in_xml(xml: bytes) -> dict[tuple[int, int], str]:
    maybe_formula = (b"<f" in xml or b":f" in xml) and _FORMULA.search(xml) is not None
    if b't="e"' not in xml and b"t='e'" not in xml and not maybe_formula:
        return {}
    found: dict[tuple[int, int], str] = {}
    for m in _CELL.finditer(xml):
        ref = _REF.search(m.group(1))
        code = _bad_cell(m.group(1), m.group(2) or b"") if ref else None
        if code:
            found[(int(ref.group(2)) - 1, _col_index(ref.group(1).decode()))] = code
    return found


def xlsx_error_cells(data: bytes, sheet_names: list[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Error-valued cells per sheet as {(row0, col0): "#DIV/0!" or UNCALCULATED}; {} if unreadable.

    Call only after `check_upload` passed: the sizes are then known to be sane.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = sheet_parts(zf)
            return {name: _errors_in_xml(zf.read(parts[name])) for name in sheet_names if name in parts}
    except Exception:  # noqa: BLE001 - calamine already read the file; missing this is not fatal
        return {}
