"""Hostile files of issue 22 (§1 sizes that kill or flood a reader, §4 links a workbook may carry).

Built as an attacker would: a real package from `make_workbook` with one part rewritten, so every
check before the one under test passes. `run_file_cases` sends each through the real paths (the
monthly import, a unit's 填报 file, the 双公示 reader, the CLI) for the reliability report; the
tests in tests/workbook/test_preflight.py and tests/workbook/test_isolation.py assert the same.
The functions `abort_now`, `allocate` and `sleep_for` run inside a reader worker (they must be
importable there), to prove the second wall without relying on a particular reader bug.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from credit.errors import CreditError, WorkbookError
from credit.model.contract import SHEET_EVENTS, SHEET_TOWN, UNIT_COL
from tests.support import workbooks as wbk
from tests.support.reliability import SHEET1, rewrite_parts  # noqa: F401 - re-exported for the tests
from tests.support.workbooks import MONTH, make_workbook

XFD_LAST = "XFD1048576"


def _with_sheet_data(sheet: str, cells_xml: str, dimension: str | None) -> bytes:
    skeleton = make_workbook({sheet: [[UNIT_COL]]})

    def patch(xml: bytes) -> bytes:
        dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
        xml = re.sub(rb"<dimension [^>]*/>", dim, xml)
        return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", b"<sheetData>" + cells_xml.encode() + b"</sheetData>",
                      xml, flags=re.DOTALL)

    return rewrite_parts(skeleton, {SHEET1: patch})


def far_cell(ref: str = XFD_LAST, *, with_dimension: bool = True, sheet: str = SHEET_TOWN) -> bytes:
    """The 2 KB workbook of issue 22: A1 and one cell at `ref` (python-calamine aborts on it)."""
    row = int(re.sub(r"\D", "", ref))
    cells = f'<row r="1"><c r="A1"><v>1</v></c></row><row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    return _with_sheet_data(sheet, cells, f"A1:{ref}" if with_dimension else None)


def declared_only(ref: str = f"A1:{XFD_LAST}") -> bytes:
    """A sheet that claims the whole grid in `<dimension>` but holds one cell."""
    return _with_sheet_data(SHEET_TOWN, '<row r="1"><c r="A1"><v>1</v></c></row>', ref)


def cells_workbook(cells: list[tuple[str | None, str | None]], dimension: str | None = None) -> bytes:
    """A sheet of cells given as (row, cell r or None: no attribute); the row is a new row's r, ""
    for a new row without r, None to stay in the current row."""
    out, open_row = [], False
    for row_r, cell_r in cells:
        if row_r is not None or not open_row:
            if open_row:
                out.append("</row>")
            out.append(f'<row r="{row_r}">' if row_r else "<row>")
            open_row = True
        out.append(f'<c r="{cell_r}"><v>1</v></c>' if cell_r is not None else "<c><v>1</v></c>")
    if open_row:
        out.append("</row>")
    return _with_sheet_data(SHEET_TOWN, "".join(out), dimension)


def million_event_rows(n: int = 1_000_000) -> bytes:
    """`n` valid 扣分事项 rows (unit, type, date in the month, quantity), written compactly as a
    script would — shared strings and no `r` attributes — so the file stays a few MB: the flood of
    the issue (main read it all: gigabytes and a minute of CPU)."""
    towns = wbk.register().names_at(MONTH, "镇街")
    year, month = (int(x) for x in MONTH.split("-"))
    first = (date(year, month, 1) - date(1899, 12, 30)).days
    strings = [UNIT_COL, "事项类型", "发生日期", "数量", "村居失信案件", *towns]
    sst = "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
    header = "<row>" + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(4)) + "</row>"
    rows = "".join(f'<row><c t="s"><v>{5 + i % len(towns)}</v></c><c t="s"><v>4</v></c>'
                   f"<c><v>{first + i % 28}</v></c><c><v>{1 + i % 7}</v></c></row>" for i in range(n))
    raw = _with_sheet_data(SHEET_EVENTS, header + rows, None)
    ss_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    rel = ('<Relationship Id="rIdSst" Target="sharedStrings.xml" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>')
    raw = rewrite_parts(raw, {
        "[Content_Types].xml": lambda x: x.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                                   f'ContentType="{ss_type}"/></Types>'.encode()),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", rel.encode() + b"</Relationships>"),
    })
    sst_xml = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
               f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>')
    return wbk.with_entries(raw, {"xl/sharedStrings.xml": sst_xml.encode()})


def dde_formula(formula: str = "cmd|'/c calc.exe'!A0") -> bytes:
    """A town row whose figure is a DDE formula with a saved result (Excel would offer to run it)."""
    from xml.sax.saxutils import escape

    raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 1}]})
    return _patch_first_sheet_cell(raw, f"<f>{escape(formula)}</f><v>0</v>")


def _patch_first_sheet_cell(raw: bytes, body: str) -> bytes:
    """Give the number cell holding 1 on the town sheet the XML `body` instead of its value."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        town = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"<v>1</v>" in zf.read(n))
    return rewrite_parts(raw, {town: lambda xml: xml.replace(b"<v>1</v>", body.encode(), 1)})


def external_link() -> bytes:
    """A workbook with an external-workbook link part (as Excel saves `='[其他.xlsx]Sheet1'!A1`)."""
    part = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
            b'<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>')
    raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 1}]})
    return wbk.with_entries(raw, {"xl/externalLinks/externalLink1.xml": part})


def dde_link_part() -> bytes:
    """A `ddeLink` (DDE server cmd, topic /c calc.exe) in a part not under xl/externalLinks/."""
    part = (b'<?xml version="1.0" encoding="UTF-8"?><externalLink '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<ddeLink ddeService="cmd" ddeTopic="/c calc.exe"/></externalLink>')
    raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 1}]})
    return wbk.with_entries(raw, {"xl/links/l1.xml": part})


def ods_renamed() -> bytes:
    """OpenDocument spreadsheet content (mimetype first, stored) under an .xlsx name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return out.getvalue()


# ---- run inside a reader worker -----------------------------------------------------------------


def abort_now() -> None:
    """What a native reader's failed allocation does: SIGABRT, no Python exception."""
    os.abort()


def allocate(megabytes: int) -> int:
    """Ask for more memory than a worker may have (a Python-level MemoryError under RLIMIT_AS)."""
    return len(bytearray(megabytes * 1024 * 1024))


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def worker_pid() -> int:
    return os.getpid()


# ---- the report's table ------------------------------------------------------------------------


def _refused(action: Callable[[], object]) -> str:
    try:
        action()
    except (WorkbookError, CreditError) as exc:
        errors = getattr(exc, "errors", None)
        return str(errors[0]) if errors else str(exc)
    raise AssertionError("not refused")


def file_cases() -> list[tuple[str, Callable[[], bytes], str]]:
    """(case, build, a piece of the expected refusal)."""
    return [
        ("2 KB 工作簿，唯一的远端单元格在 XFD1048576（calamine 曾使整个服务进程中止）", far_cell, "超过上限"),
        ("同上，不写 <dimension>，只有单元格位置", lambda: far_cell(with_dimension=False), "超过上限"),
        ("<dimension> 声明 A1:XFD1048576，实际只有一个单元格", declared_only, "声明的数据范围"),
        ("1,000,000 行有效的扣分事项（共享字符串、不写位置，约 1.1 MB）", million_event_rows, "50,000 行"),
        ("单元格位置不是合法引用（r=\"A0\"）", lambda: cells_workbook([("1", "A0")]), "不是有效的单元格位置"),
        ("DDE 公式 cmd|'/c calc.exe'!A0（保存了结果 0）", dde_formula, "DDE"),
        ("外部工作簿链接（xl/externalLinks/）", external_link, "外部链接"),
        ("ddeLink 部件（不在 externalLinks 目录下）", dde_link_part, "DDE"),
        ("OpenDocument 表格（.ods）改名为 .xlsx", ods_renamed, "OpenDocument"),
    ]


def run_file_cases(db: Path) -> list[tuple[str, str, str]]:
    """Each hostile file through the monthly import into `db` (hash unchanged), as report rows."""
    from credit.store.facade import Store
    from tests.support.reliability import refuse

    rows = []
    with Store(db) as store:
        store.checkpoint()
        before = hashlib.sha256(Path(db).read_bytes()).hexdigest()
        for name, build, expect in file_cases():
            raw = build()
            started = time.perf_counter()
            errors = refuse(store, raw, "月报.xlsx", MONTH)
            seconds = time.perf_counter() - started
            message = str(errors[0])
            assert expect in message, (name, message)
            rows.append(("22 文件", f"{name}，{len(raw) / 1024:,.0f} KB", f"{message}（{seconds:.2f} s，数据库不变）"))
        store.checkpoint()
        assert hashlib.sha256(Path(db).read_bytes()).hexdigest() == before
        rows.append(_reader_abort(store))
    return rows


def _reader_abort(store) -> tuple[str, str, str]:
    """The second wall: the real calamine abort, the preflight skipped, in a reader worker."""
    from credit.workbook import importer, isolation
    from tests.support.reliability import import_bytes

    before = os.getpid()
    try:
        isolation.run_isolated(importer._parse_guarded, far_cell(), "月报.xlsx", MONTH, store.units.register(),
                               filename="月报.xlsx")
    except WorkbookError as exc:
        message = str(exc.errors[0])
    else:
        raise AssertionError("the reader did not abort")
    assert "异常终止" in message and os.getpid() == before
    good = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 3}]})
    parsed, _ = import_bytes(store, good, "下一个.xlsx", MONTH)
    assert parsed.sheets[SHEET_TOWN].records
    return ("22 文件", "读取库本身中止（跳过预检，把 XFD1048576 文件直接交给 calamine，在读取进程中）",
            f"{message}；服务进程不受影响，紧接着的正常上传照常读取并导入")
