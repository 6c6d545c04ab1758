"""Shared machinery of the reliability tests and of `benchmarks/reliability_report.py`.

The tests assert; the report counts. Both run the same code from here, so the figures the
README quotes are the figures the tests hold to:

- the catalogue of bad and good uploads (`BAD_INPUTS`, `GOOD_INPUTS`), each sent through the real
  path (`parse_workbook` → `Store.import_workbook`), with the database file hashed around it;
- crash trials: a forked child imports 30,000 event rows and is SIGKILLed at a random moment;
- concurrency rounds: two importers and several readers, each with its own `Store`;
- the fuzz strategies (`fuzz_sheets`, `fuzz_bytes`) and the check of one generated upload (`fuzz_check`).

Workbooks come from `tests.support.workbooks` (template filling, bombs, .xls); only what it lacks is here.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import io
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from credit.app.service import open_store, score
from credit.errors import CellError, StoreBusyError, WorkbookError
from credit.model.accounts import CLI, Actor
from credit.model.contract import (
    ITEM_COL,
    SHEET_COUNTY,
    SHEET_EVENTS,
    SHEET_INSTRUCTIONS,
    SHEET_TOWN,
    SHEETS,
    UNIT_COL,
    VALUE_COL,
)
from credit.model.parsed import ParsedWorkbook
from credit.store.facade import ImportResult, Store
from credit.workbook.importer import parse_workbook
from tests.support import workbooks as wbk
from tests.support.workbooks import MONTH, event, events_sheet, make_workbook, table, to_bytes, town_sheet

ACTOR = Actor(CLI.username, CLI.role, "可靠性测试")
CJK = re.compile(r"[\u4e00-\u9fff]")
BIG_EVENTS = 30_000
TOWN_FIELD = "本月出台信用制度文件数"


# ---- the database file -------------------------------------------------------------------------


def db_hash(store: Store) -> str:
    """SHA-256 of the database file with the WAL folded in: equal hashes, identical databases."""
    store.checkpoint()
    return hashlib.sha256(store.path.read_bytes()).hexdigest()


@cache
def _master_db() -> Path:
    """A seeded database holding one small month, built once per process and then only copied."""
    folder = Path(tempfile.mkdtemp(prefix="credit-reliability-"))
    path = folder / "master.db"
    with open_store(path) as store:
        raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", TOWN_FIELD: 1}], SHEET_EVENTS: [event()]})
        import_bytes(store, raw, "基线.xlsx")
    return path


def seeded_db(dest: Path) -> Path:
    """A private copy of the master database at `dest` (default register and frameworks)."""
    shutil.copyfile(_master_db(), dest)
    return dest


def import_bytes(store: Store, raw: bytes, filename: str, month: str = MONTH) -> tuple[ParsedWorkbook, ImportResult]:
    """The real upload path: parse with the store's register, then one import transaction."""
    parsed = parse_workbook(raw, filename, month, store.units.register())
    return parsed, store.datasets.import_workbook(parsed, raw, filename, by=ACTOR)


def refuse(store: Store, raw: bytes, filename: str, month: str = MONTH) -> list[CellError]:
    """Assert the upload is refused with Chinese CellErrors and the file is byte-for-byte unchanged."""
    before = db_hash(store)
    try:
        import_bytes(store, raw, filename, month)
    except WorkbookError as exc:
        errors = exc.errors
    else:
        raise AssertionError(f"「{filename}」was imported but should have been refused")
    assert errors and all(isinstance(e, CellError) for e in errors), errors
    assert all(CJK.search(e.message) for e in errors), [e.message for e in errors]
    assert db_hash(store) == before, f"refusing「{filename}」changed the database"
    return errors


def assert_imported_whole(store: Store, parsed: ParsedWorkbook, result: ImportResult | None = None) -> None:
    """Every parsed sheet is the current version, record for record (no partial write)."""
    for name, sheet in parsed.sheets.items():
        assert store.datasets.current_sheet(parsed.month, name) == sheet.records, name
    if result is not None:
        assert {s for s, _ in result.created} | set(result.unchanged) == set(parsed.sheets)


# ---- building and patching workbooks -----------------------------------------------------------


def rewrite_parts(raw: bytes, patches: Mapping[str, Callable[[bytes], bytes]]) -> bytes:
    """A copy of the .xlsx `raw` with some parts rewritten (a valid zip, unlike byte flipping)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            patch = patches.get(info.filename)
            dst.writestr(info.filename, patch(data) if patch else data)
    return out.getvalue()


SHEET1 = "xl/worksheets/sheet1.xml"  # the only sheet of a one-sheet `make_workbook`


def _cell_xml(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _rows_xml(rows: list[list[object]]) -> str:
    letters = [chr(ord("A") + i) for i in range(26)]
    out = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell_xml(f"{letters[c]}{r}", v) for c, v in enumerate(row))
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def fast_sheet_workbook(sheet: str, rows: list[list[object]]) -> bytes:
    """A one-sheet workbook of many rows in a fraction of openpyxl's time: openpyxl writes the
    package, and the sheet XML (inline strings, as openpyxl writes them) is generated here."""
    skeleton = make_workbook({sheet: rows[:1]})
    body = _rows_xml(rows).encode()
    dimension = f'<dimension ref="A1:{chr(ord("A") + max(len(r) for r in rows) - 1)}{len(rows)}"/>'.encode()

    def patch(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", dimension, xml)
        return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", b"<sheetData>" + body + b"</sheetData>", xml,
                      flags=re.DOTALL)

    return rewrite_parts(skeleton, {SHEET1: patch})


def event_rows(n: int, month: str = MONTH) -> list[dict[str, object]]:
    towns = wbk.register().names_at(month, "镇街")
    year, mon = (int(x) for x in month.split("-"))
    return [
        event(单位名称=towns[i % len(towns)], 发生日期=date(year, mon, 1 + i % 28).isoformat(),
              事项说明=f"第{i + 1}件：村居失信案件，已核实", 数量=1 + i % 3)
        for i in range(n)
    ]


@cache
def big_events_workbook(n: int = BIG_EVENTS, bad_last_row: bool = False) -> bytes:
    """`n` event rows (header on row 1); with `bad_last_row` the last date is 2022-02-30."""
    rows = event_rows(n)
    if bad_last_row:
        rows[-1] = {**rows[-1], "发生日期": "2022-02-30"}
    return fast_sheet_workbook(SHEET_EVENTS, table(SHEET_EVENTS, rows))


def billion_laughs(xml: bytes) -> bytes:
    """The same part behind a billion-laughs DTD (10^9 "lol" if expanded), the entity used once."""
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    dtd = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>\n'.encode()
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    body = body.replace(b"</t>", b"&lol9;</t>", 1)
    return dtd + body


def entity_bomb(part: str = SHEET1) -> bytes:
    return rewrite_parts(town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: 1}), {part: billion_laughs})


def cached_formula_workbook() -> bytes:
    """A formula with its result saved, as Excel and WPS write it (openpyxl cannot)."""
    raw = town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "=1+2", "辖区注册企业总数": 3100})
    return rewrite_parts(raw, {SHEET1: lambda xml: xml.replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>")})


def uncalculated_cell(cell: bytes) -> bytes:
    """东阿镇's TOWN_FIELD (B2) replaced by the raw cell XML `cell` (a formula of some type)."""
    raw = town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "=1+2", "辖区注册企业总数": 3100})
    return rewrite_parts(raw, {SHEET1: lambda xml: xml.replace(b'<c r="B2"><f>1+2</f><v></v></c>', cell)})


def xlwt_formula_xls() -> bytes:
    """A legacy .xls as an xlwt script writes it: 东阿镇's TOWN_FIELD (B2) the formula 1+2, never calculated."""
    rows = table(SHEET_TOWN, [{UNIT_COL: "东阿镇", TOWN_FIELD: "=1+2", "辖区注册企业总数": 3100}])
    return wbk.xlwt_workbook({SHEET_TOWN: rows})


def truncated(raw: bytes, keep: float = 0.6) -> bytes:
    return raw[: int(len(raw) * keep)]


def corrupted(raw: bytes) -> bytes:
    """64 bytes zeroed in the middle of the sheet's compressed data (headers left intact)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.getinfo(SHEET1)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 3
    buf = bytearray(raw)
    buf[start : start + 64] = bytes(64)
    return bytes(buf)


def oversized(megabytes: int = 21) -> bytes:
    """A real workbook carrying an incompressible picture: over the 20 MB upload limit."""
    return wbk.with_entries(town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: 1}),
                            {"xl/media/image1.png": random.Random(1).randbytes(megabytes * 1024 * 1024)})


def docx_renamed() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>通报</w:p></w:body></w:document>")
    return out.getvalue()


def merged_unit_rows() -> bytes:
    """单位名称 merged over two data rows that both hold figures: the second row has no unit."""
    wb = load_workbook(io.BytesIO(town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: 1}, {UNIT_COL: None, TOWN_FIELD: 2})))
    wb.active.merge_cells("A2:A3")
    return to_bytes(wb)


def merged_and_hidden() -> bytes:
    """The template (merged title) with merged figure cells, hidden rows and a hidden column."""
    raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", TOWN_FIELD: 2, "本月报送信用动态稿件数": 5},
                                          {UNIT_COL: "孝直镇", TOWN_FIELD: 4}]})
    wb = load_workbook(io.BytesIO(raw))
    ws = wb[SHEET_TOWN]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.merge_cells(start_row=rows["东阿镇"], start_column=3, end_row=rows["东阿镇"], end_column=4)
    ws.row_dimensions[rows["孝直镇"]].hidden = True
    ws.column_dimensions["B"].hidden = True
    return to_bytes(wb)


def numbers_as_text() -> bytes:
    return town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "12", "辖区注册企业总数": " 1,234 ",
                       "本月报送信用动态稿件数": "１２"})


def dates_serial_and_text() -> bytes:
    return events_sheet(event(发生日期=44630), event(发生日期="2022年3月10日"), event(发生日期="2022/3/10"),
                        event(发生日期="20220310"))


def soffice_convert(data: bytes, target: str) -> bytes:
    """Save `data` (an .xlsx) with LibreOffice as `target` ("xlsx" or "xls"); it recalculates formulas."""
    if target == "xls":
        return wbk.to_xls(data)
    exe = wbk.soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in" / "book.xlsx", Path(tmp) / "out"
        src.parent.mkdir()
        src.write_bytes(data)
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
             "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
            check=True, capture_output=True, timeout=120,
        )
        return (out / "book.xlsx").read_bytes()


def libreoffice_source() -> bytes:
    """What LibreOffice is asked to re-save: figures typed and computed by formulas."""
    return wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", TOWN_FIELD: "=1+2", "辖区注册企业总数": "=31*100"}],
                              SHEET_EVENTS: [event(数量="=2*1")]})


# ---- the catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str  # what an official would call it
    build: Callable[[], bytes]
    filename: str = "月报.xlsx"
    expect: str = ""  # a piece of the Chinese message (bad cases)
    needs_soffice: bool = False


BAD_INPUTS: list[Case] = [
    Case("改了扩展名的文本文件", lambda: "单位名称,数量\n东阿镇,1\n".encode("gbk"), expect="不是有效的 Excel 工作簿"),
    Case("改了扩展名的 PDF", lambda: b"%PDF-1.7\n" + bytes(2048), expect="不是有效的 Excel 工作簿"),
    Case("改了扩展名的 Word 文档", docx_renamed, expect="不是有效的 Excel 工作簿"),
    Case("非工作簿的 zip", wbk.plain_zip, expect="不是有效的 Excel 工作簿"),
    Case("截断的 xlsx", lambda: truncated(numbers_as_text()), expect="不是有效的 Excel 工作簿"),
    Case("内容损坏的 xlsx", lambda: corrupted(numbers_as_text()), expect="不是有效的 Excel 工作簿"),
    Case("空文件", lambda: b"", expect="空文件"),
    Case("空工作簿", lambda: make_workbook({}), expect="未找到任何可识别的工作表"),
    Case("未填写的模板", lambda: wbk.fill_template({}), expect="都没有填写数据"),
    Case("压缩炸弹（200 MB）", lambda: wbk.zip_bomb(200), expect="压缩炸弹"),
    Case("伪造大小的压缩炸弹", lambda: wbk.forged_bomb(120), expect="压缩炸弹"),
    Case("XML 实体炸弹（工作表）", entity_bomb, expect="XML 实体声明"),
    Case("XML 实体炸弹（workbook.xml）", lambda: entity_bomb("xl/workbook.xml"), expect="XML 实体声明"),
    Case("超过大小上限", oversized, expect="超过上限"),
    Case("带宏的工作簿（改名为 .xlsx）", lambda: wbk.with_entries(numbers_as_text(), {"xl/vbaProject.bin": bytes(64)}),
         filename="月报.xlsx", expect="包含宏"),
    Case("带宏的工作簿（.xlsm）", lambda: wbk.with_entries(numbers_as_text(), {"xl/vbaProject.bin": bytes(64)}),
         filename="月报.xlsm", expect="不是可上传的文件类型"),
    Case("数值单元格为 #DIV/0!", lambda: town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "#DIV/0!"}), expect="错误值 #DIV/0!"),
    Case("未保存结果的公式", lambda: town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "=1+2", "辖区注册企业总数": 1}),
         expect="公式没有计算结果"),
    Case("未保存结果的文本公式（t=\"str\"）", lambda: uncalculated_cell(b'<c r="B2" t="str"><f>2+3</f></c>'),
         expect="公式没有计算结果"),
    Case("未保存结果的布尔公式（t=\"b\"）", lambda: uncalculated_cell(b'<c r="B2" t="b"><f>1=1</f></c>'),
         expect="公式没有计算结果"),
    Case("旧版 .xls：脚本（xlwt）写入、未计算的公式", xlwt_formula_xls, filename="月报.xls", expect="公式没有计算结果"),
    Case("旧版 .xls：公式结果为 #DIV/0!", lambda: wbk.patch_xls_cell(
        xlwt_formula_xls(), 1, 1, 0x0006, wbk.formula_result(bytes([2, 0, 0x07, 0, 0, 0, 0xFF, 0xFF]))),
         filename="月报.xls", expect="错误值 #DIV/0!"),
    Case("金额 1e300 万元", lambda: town_sheet({UNIT_COL: "东阿镇", "信易贷融资需求金额（万元）": 1e300}),
         expect="超出合理范围"),
    Case("计数 1e20", lambda: town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: 1e20}), expect="超出合理范围"),
    Case("扣分事项数量 1e300", lambda: events_sheet(event(数量=1e300)), expect="超出合理范围"),
    Case("单位名称合并单元格跨两行", merged_unit_rows, expect="单位名称为空"),
    Case("含文字的数字", lambda: town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "12个"}), expect="应为数字"),
    Case("全角负数", lambda: town_sheet({UNIT_COL: "东阿镇", TOWN_FIELD: "－３"}), expect="不能为负数"),
    Case("不存在的日期", lambda: events_sheet(event(发生日期="2022-02-30")), expect="不是有效日期"),
    Case("序列号日期不在本月", lambda: events_sheet(event(发生日期=44600)), expect="日期不在所选月份"),
    Case("月份不符的模板", lambda: wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", TOWN_FIELD: 1}]},
                                                  month="2022-02"), expect="月份不符"),
    Case("30,000 行中最后一行有错", lambda: big_events_workbook(BIG_EVENTS, bad_last_row=True),
         expect="不是有效日期"),
]

GOOD_INPUTS: list[Case] = [
    Case("保存了结果的公式", cached_formula_workbook),
    Case("合并单元格、隐藏行和列", merged_and_hidden),
    Case("以文本存储的数字（含全角）", numbers_as_text),
    Case("序列号日期和文本日期", dates_serial_and_text),
    Case("30,000 行扣分事项", big_events_workbook),
    Case("旧版 Excel（.xls）", lambda: soffice_convert(libreoffice_source(), "xls"), filename="月报.xls",
         needs_soffice=True),
    Case("LibreOffice 保存的工作簿", lambda: soffice_convert(libreoffice_source(), "xlsx"), needs_soffice=True),
]


def run_catalogue(workdir: Path) -> dict[str, int]:
    """Every case of the catalogue through the real path on a fresh database (for the report)."""
    have_soffice = wbk.soffice() is not None
    counts = {"bad_refused": 0, "good_imported": 0, "skipped": 0}
    with Store(seeded_db(workdir / "catalogue.db")) as store:
        for case in BAD_INPUTS:
            errors = refuse(store, case.build(), case.filename)
            assert any(case.expect in e.message for e in errors), (case.name, [str(e) for e in errors])
            counts["bad_refused"] += 1
        for case in GOOD_INPUTS:
            if case.needs_soffice and not have_soffice:
                counts["skipped"] += 1
                continue
            parsed, result = import_bytes(store, case.build(), case.filename)
            assert_imported_whole(store, parsed, result)
            counts["good_imported"] += 1
    return counts


# ---- fuzz: one generated upload ----------------------------------------------------------------


def fuzz_check(store: Store, raw: bytes) -> str:
    """Import or refuse one upload: 'imported' (whole) or 'refused' (listed errors, nothing written).

    Any other exception propagates and fails the caller.
    """
    before = db_hash(store)
    try:
        parsed = parse_workbook(raw, "随机.xlsx", MONTH, store.units.register())
    except WorkbookError as exc:
        assert exc.errors and all(isinstance(e, CellError) and CJK.search(e.message) for e in exc.errors)
        assert db_hash(store) == before
        return "refused"
    result = store.datasets.import_workbook(parsed, raw, "随机.xlsx", by=ACTOR)
    assert_imported_whole(store, parsed, result)
    return "imported"


# ---- crashes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DbState:
    """What a crash must leave exactly as it was, or move forward by exactly one import."""

    versions: int
    records: int
    uploads: int
    data_version: int
    current_id: int


def db_state(path: Path, month: str = MONTH, sheet: str = SHEET_EVENTS) -> DbState:
    with closing(sqlite3.connect(path)) as conn:
        one = lambda sql, *p: conn.execute(sql, p).fetchone()[0]  # noqa: E731
        return DbState(
            one("SELECT COUNT(*) FROM dataset_versions"),
            one("SELECT COUNT(*) FROM records"),
            one("SELECT COUNT(*) FROM uploads"),
            int(one("SELECT value FROM meta WHERE key = 'data_version'")),
            one("SELECT id FROM dataset_versions WHERE month = ? AND sheet = ? AND is_current = 1", month, sheet),
        )


def after_crash(path: Path, before: DbState, rows: int, month: str = MONTH, sheet: str = SHEET_EVENTS) -> str:
    """'whole' or 'none' after a kill; AssertionError on anything in between or a damaged file."""
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    now = db_state(path, month, sheet)
    if now == before:
        return "none"
    assert now.versions == before.versions + 1 and now.uploads == before.uploads + 1, (before, now)
    assert now.records == before.records + rows and now.data_version == before.data_version + 1, (before, now)
    with closing(sqlite3.connect(path)) as conn:
        got = conn.execute("SELECT row_count, (SELECT COUNT(*) FROM records WHERE version_id = v.id)"
                           " FROM dataset_versions v WHERE id = ?", (now.current_id,)).fetchone()
    assert now.current_id != before.current_id and got == (rows, rows), got
    return "whole"


def fork_import(db: Path, parsed: ParsedWorkbook, raw: bytes, filename: str) -> tuple[int, int]:
    """Fork a child that opens its own Store on `db`, says it is ready, then imports.

    A fork starts at once with everything imported, so the kills land in the write and not in
    Python's start-up. The child never returns into the parent's code (os._exit).
    Returns (pid, fd to read "r" = ready, "d" = done from).

    SQLite's rule: never carry a connection across fork(). A connection left for the garbage
    collector (e.g. `with sqlite3.connect(...)`, which does not close) would be closed later in
    the child, and closing any descriptor of a file drops all of the child's POSIX locks on it;
    other processes then read the file mid-write and see it "malformed". So we check first.
    """
    _no_open_connection(db)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            with Store(db) as store:
                os.write(write_fd, b"r")
                store.datasets.import_workbook(parsed, raw, filename, by=ACTOR)
            os.write(write_fd, b"d")
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    if os.read(read_fd, 1) != b"r":
        os.waitpid(pid, 0)
        raise RuntimeError("the importing child died before it was ready")
    return pid, read_fd


def _no_open_connection(db: Path) -> None:
    gc.collect()  # connections in reference cycles are closed only by the collector
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return
    mine = {str(db.resolve()) + suffix for suffix in ("", "-wal", "-shm")}
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target in mine:
            raise RuntimeError(f"{target} is open in the parent: refusing to fork")


def reap(pid: int, fd: int) -> None:
    os.waitpid(pid, 0)
    os.close(fd)


def time_one_import(base: Path, parsed: ParsedWorkbook, raw: bytes, workdir: Path) -> float:
    """How long the child's import takes when left alone (the window the kills aim at)."""
    db = workdir / "calibrate.db"
    shutil.copyfile(base, db)
    started = time.perf_counter()
    pid, fd = fork_import(db, parsed, raw, "大文件.xlsx")
    assert os.read(fd, 1) == b"d"
    reap(pid, fd)
    return time.perf_counter() - started


@dataclass
class CrashStats:
    runs: int = 0
    whole: int = 0  # the kill came after the commit: the whole new version is there
    none: int = 0  # the kill came before: not a trace of it
    delays: list[float] = field(default_factory=list)


def run_crash_trials(runs: int, workdir: Path, seed: int = 8) -> CrashStats:
    """SIGKILL an importing child `runs` times at random moments; check each database after."""
    rng = random.Random(seed)
    base = seeded_db(workdir / "base.db")
    raw = big_events_workbook()
    parsed = parse_workbook(raw, "大文件.xlsx", MONTH, wbk.register())
    rows = len(parsed.sheets[SHEET_EVENTS].records)
    window = time_one_import(base, parsed, raw, workdir)
    before = db_state(base)
    stats = CrashStats()
    for i in range(runs):
        db = workdir / f"crash{i}.db"
        shutil.copyfile(base, db)
        pid, fd = fork_import(db, parsed, raw, "大文件.xlsx")
        delay = rng.uniform(0, window * 1.25)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        reap(pid, fd)
        outcome = after_crash(db, before, rows)
        stats.runs += 1
        stats.delays.append(delay)
        setattr(stats, outcome, getattr(stats, outcome) + 1)
        for p in db.parent.glob(f"{db.name}*"):
            p.unlink()
    return stats


# ---- concurrency -------------------------------------------------------------------------------


def _events_count(n: int) -> int:
    return 1 + n % 4  # distinct for any 4 consecutive variants, so a torn read cannot pass


@dataclass(frozen=True)
class Variant:
    """A complete month: every town's TOWN_FIELD is `k`, and `_events_count(k)` events."""

    k: int
    parsed: ParsedWorkbook

    def signature(self, towns: int) -> tuple[float, int]:
        return float(self.k * towns), _events_count(self.k)


def month_variants(count: int) -> tuple[list[Variant], int]:
    """`count` complete, distinct months built from one real parsed workbook; and the town count."""
    register = wbk.register()
    towns = register.active(MONTH, "镇街")
    raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: u.name, TOWN_FIELD: 0} for u in towns],
                             SHEET_EVENTS: [event()]})
    base = parse_workbook(raw, "base.xlsx", MONTH, register)
    variants = []
    for k in range(count):
        parsed = copy.deepcopy(base)
        for rec in parsed.sheets[SHEET_TOWN].records:
            rec[TOWN_FIELD] = float(k)
        first = parsed.sheets[SHEET_EVENTS].records[0]
        parsed.sheets[SHEET_EVENTS].records = [
            {**first, "row": 3 + i, "事项说明": f"第{k}版第{i + 1}件"} for i in range(_events_count(k))
        ]
        variants.append(Variant(k, parsed))
    return variants, len(towns)


def read_signature(store: Store) -> tuple[float, int]:
    """(sum of TOWN_FIELD, number of events) of MONTH, read in one snapshot."""
    year, mon = (int(x) for x in MONTH.split("-"))
    with store.snapshot():
        facts = store.datasets.facts_frame(year, mon, SHEET_TOWN)
        events = store.datasets.records_frame(year, mon, SHEET_EVENTS)
    town = facts[(facts["month"] == MONTH) & (facts["field"] == TOWN_FIELD)]["value"].sum()
    return float(town), int((events["month"] == MONTH).sum())


def score_signature(store: Store) -> tuple[float, int]:
    """The same signature as `credit.app.service.score` saw it, from the inputs it scored."""
    gm = score(store, MONTH, "镇街", with_previous=False)
    units = gm.inputs.unit_monthly
    events = gm.inputs.events
    return float(units[units["month"] == MONTH][TOWN_FIELD].sum()), int((events["month"] == MONTH).sum())


@dataclass
class ConcurrencyStats:
    rounds: int = 0
    imports_landed: int = 0
    busy_refusals: int = 0
    reads: int = 0
    score_reads: int = 0
    torn_reads: int = 0
    problems: list[str] = field(default_factory=list)


def _importer(path: Path, variant: Variant, timeout_ms: int, barrier: threading.Barrier, out: dict) -> None:
    with Store(path, busy_timeout_ms=timeout_ms) as store:
        barrier.wait()
        try:
            res = store.datasets.import_workbook(variant.parsed, f"round-variant-{variant.k}".encode(), f"v{variant.k}.xlsx",
                                        by=ACTOR)
            out[variant.k] = ("landed", res)
        except StoreBusyError as exc:
            out[variant.k] = ("busy", str(exc))


def _reader(path: Path, allowed: set, use_score: bool, barrier: threading.Barrier, done: threading.Event,
            stats: ConcurrencyStats, lock: threading.Lock) -> None:
    with Store(path) as store:
        barrier.wait()
        while True:
            finished = done.is_set()  # one more read after the imports are over
            sig = score_signature(store) if use_score else read_signature(store)
            with lock:
                stats.reads += 1
                stats.score_reads += use_score
                if sig not in allowed:
                    stats.torn_reads += 1
                    stats.problems.append(f"read {sig} not in {sorted(allowed)}")
            if finished:
                return


def run_concurrency_rounds(path: Path, rounds: int, readers: int = 3, seed: int = 4) -> ConcurrencyStats:
    """Each round: two importers (own Store each) race with `readers` readers over one month.

    Even rounds give the importers a 5 s busy timeout (both land, one after the other); odd
    rounds 1 ms (the loser gets StoreBusyError). Readers must always see one whole month.
    """
    rng = random.Random(seed)
    variants, towns = month_variants(2 * rounds + 1)
    with Store(path) as store:
        store.datasets.import_workbook(variants[0].parsed, b"round-variant-0", "v0.xlsx", by=ACTOR)
    current = variants[0]
    stats = ConcurrencyStats()
    lock = threading.Lock()
    for r in range(rounds):
        pair = [variants[2 * r + 1], variants[2 * r + 2]]
        rng.shuffle(pair)
        allowed = {v.signature(towns) for v in (current, *pair)}
        barrier, done, out = threading.Barrier(2 + readers), threading.Event(), {}
        timeout = 5000 if r % 2 == 0 else 1
        importers = [threading.Thread(target=_importer, args=(path, v, timeout, barrier, out)) for v in pair]
        reading = [threading.Thread(target=_reader, args=(path, allowed, i == 0, barrier, done, stats, lock))
                   for i in range(readers)]
        for t in (*importers, *reading):
            t.start()
        for t in importers:
            t.join()
        done.set()
        for t in reading:
            t.join()
        current = _check_round(path, pair, out, current, towns, stats)
        stats.rounds += 1
    return stats


def _check_round(path: Path, pair: list[Variant], out: dict, current: Variant, towns: int,
                 stats: ConcurrencyStats) -> Variant:
    """Both landed in some order, or one was told to retry; the final month is the last to land."""
    landed = [(v, out[v.k][1]) for v in pair if out[v.k][0] == "landed"]
    for v in pair:
        if out[v.k][0] == "busy":
            stats.busy_refusals += 1
            if "数据库正忙" not in out[v.k][1] or "请稍后重试" not in out[v.k][1]:
                stats.problems.append(f"busy message: {out[v.k][1]}")
    stats.imports_landed += len(landed)
    if landed:
        last = max(landed, key=lambda item: dict(item[1].created)[SHEET_TOWN])
        current = last[0]
    with Store(path) as store:
        if read_signature(store) != current.signature(towns):
            stats.problems.append(f"final state {read_signature(store)} != {current.signature(towns)}")
    return current


# ---- fuzz: generated uploads -------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from("0123456789１２３－-+.,% 　abcXYZ东阿镇榆山街道个年月日#=/:"), max_size=10)
_AWKWARD = ["#DIV/0!", "#N/A", "#VALUE!", "=1+2", "=A1", "=1/0", "１２", "－３", " 1,234 ", "12个", "1.2.3", "1e3",
            "2022-03-10", "2022年3月10日", "2022-02-30", "44630", "20220310", "TRUE", "  ", "不详", "平阴县东阿镇",
            "发改局", "严重失信事件", "主动处理", "制造业", "3"]
CELLS = st.one_of(
    st.none(),
    st.integers(-10, 10**7),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.booleans(),
    st.dates(date(1899, 12, 31), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.sampled_from(_AWKWARD),
    _TEXT,
)
_SHEET_NAMES = ["Sheet1", "说明", "部门", "镇街 ", "镇 街", "全县（备用）", "扣分事项", "填报说明"]


def _valid_cell(sheet: str, header: str, i: int) -> object:
    """A plausible value for a cell of a fuzzed workbook, before mutation."""
    towns = ["东阿镇", "孝直镇", "榆山街道", "锦水街道"]
    if header == UNIT_COL:
        return towns[i % len(towns)]
    if sheet == SHEET_EVENTS:
        return event(数量=1 + i % 3).get(header)
    return i % 7


@st.composite
def fuzz_sheets(draw: st.DrawFn) -> bytes:
    """A workbook of 1–3 contract sheets with plausible rows, then mutated: cells of random types
    in random columns, headers deleted or garbled, extra sheets, a 填报说明 with some month."""
    sheets: dict[str, list[list[object]]] = {}
    for name in draw(st.sets(st.sampled_from([SHEET_TOWN, SHEET_COUNTY, SHEET_EVENTS]), min_size=1, max_size=3)):
        cols = [ITEM_COL, VALUE_COL] if name == SHEET_COUNTY else [c.header for c in SHEETS[name].columns]
        header = list(cols)
        if draw(st.integers(0, 9)) == 0:
            header[draw(st.integers(0, len(header) - 1))] = draw(st.one_of(st.none(), _TEXT))
        rows: list[list[object]] = [header]
        for i in range(draw(st.integers(0, 4))):
            if name == SHEET_COUNTY:
                row: list[object] = [SHEETS[name].columns[i].header, i + 1]
            else:
                row = [_valid_cell(name, h, i) for h in cols]
            for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
                row[draw(st.integers(0, len(row) - 1))] = draw(CELLS)
            rows.append(row)
        sheets[name] = rows
    for extra in draw(st.lists(st.sampled_from(_SHEET_NAMES), max_size=draw(st.sampled_from([0, 0, 1, 2])),
                               unique=True)):
        if extra not in sheets and extra != SHEET_INSTRUCTIONS:
            sheets[extra] = [[draw(CELLS) for _ in range(3)] for _ in range(draw(st.integers(0, 3)))]
    month = draw(st.sampled_from([None, MONTH, MONTH, "2022年3月", "2022-02", "不详"]))
    return make_workbook(sheets, month=month)


def _flip(data: bytes, draw: st.DrawFn) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(buf) - 1))
        buf[pos] = draw(st.integers(0, 255))
    return bytes(buf)


@cache
def _fuzz_bases() -> list[bytes]:
    return [numbers_as_text(), dates_serial_and_text(),
            wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", TOWN_FIELD: 2}], SHEET_EVENTS: [event()]})]


@st.composite
def fuzz_bytes(draw: st.DrawFn) -> bytes:
    """A good workbook damaged: random bytes flipped in the zip, bytes flipped inside one of its
    XML parts (re-zipped, so only the XML is broken), or the file cut short."""
    base = draw(st.sampled_from(_fuzz_bases()))
    how = draw(st.sampled_from(["zip", "xml", "truncate"]))
    if how == "zip":
        return _flip(base, draw)
    if how == "truncate":
        return base[: draw(st.integers(0, len(base) - 1))]
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        part = draw(st.sampled_from(sorted(zf.namelist())))
    return rewrite_parts(base, {part: lambda xml: _flip(xml, draw)})


FUZZ_SETTINGS = settings(deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def run_fuzz(store: Store, strategy: st.SearchStrategy[bytes], examples: int) -> Counter[str]:
    """Feed `examples` generated uploads to `fuzz_check`; counts of 'imported' and 'refused'.

    Derandomized, so a run is repeatable; a failing example is shrunk and re-raised by hypothesis.
    """
    outcomes: Counter[str] = Counter()

    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(raw=strategy)
    def check(raw: bytes) -> None:
        outcomes[fuzz_check(store, raw)] += 1

    check()
    return outcomes
