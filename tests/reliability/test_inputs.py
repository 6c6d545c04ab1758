"""The catalogue of bad (and awkward but good) uploads, through the real path into a real store.

Every bad file must be refused with a Chinese message and leave the database file byte-for-byte
as it was (hashed after a checkpoint); every good one must land whole. The importer's own tests
(tests/test_importer.py) check the messages cell by cell; these check what reaches the database.
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import defusedxml
import pytest
from defusedxml import ElementTree as SafeET

from credit.model.contract import SHEET_EVENTS, SHEET_TOWN
from credit.store.facade import Store
from credit.workbook import importer, isolation
from credit.workbook.safety import MAX_UPLOAD_BYTES
from tests.support import reliability as rh
from tests.support import workbooks as wbk
from tests.support.paths import ROOT
from tests.support.reliability import BAD_INPUTS, BIG_EVENTS, TOWN_FIELD, Case

MB = 1024 * 1024
needs_soffice = pytest.mark.skipif(wbk.soffice() is None, reason="LibreOffice (soffice) is not installed here")


@pytest.fixture()
def store(tmp_path: Path):
    with Store(rh.seeded_db(tmp_path / "r.db")) as s:
        yield s


def _id(case: Case) -> str:
    return case.name


@pytest.mark.parametrize("case", BAD_INPUTS, ids=_id)
def test_bad_upload_is_refused_and_the_database_is_unchanged(store: Store, case: Case) -> None:
    errors = rh.refuse(store, case.build(), case.filename)
    assert any(case.expect in e.message for e in errors), [str(e) for e in errors]


# ---- bombs: refused before any parser runs, in bounded memory ----------------------------------


def _peak_while(fn) -> tuple[object, int, int]:
    """(result, tracemalloc peak bytes, growth of the process's peak RSS in bytes) while `fn` runs."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024  # Linux: KB
    return result, peak, growth


@pytest.fixture()
def no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the spreadsheet reader is ever asked to open the file."""

    def refuse_to_open(*_args: object) -> None:
        raise AssertionError("the file reached the spreadsheet parser")

    monkeypatch.setattr(isolation, "ISOLATE", False)  # read in this process, where the patch is
    monkeypatch.setattr(importer, "_open", refuse_to_open)


@pytest.mark.parametrize("bomb", [wbk.zip_bomb, wbk.forged_bomb], ids=["declared", "forged-sizes"])
def test_zip_bomb_is_refused_before_parsing_in_bounded_memory(store: Store, no_parser: None, bomb) -> None:
    raw = bomb(200)  # inflates to 200 MB of sheet XML
    assert len(raw) < MB
    errors, peak, growth = _peak_while(lambda: rh.refuse(store, raw, "炸弹.xlsx"))
    assert "压缩炸弹" in errors[0].message
    print(f"\n200 MB zip bomb refused: traced peak {peak / MB:.1f} MB, peak RSS growth {growth / MB:.1f} MB")
    assert peak < 16 * MB  # inflated in 1 MB chunks and thrown away
    assert growth < 64 * MB  # far below the 200 MB the bomb expands to


def test_defusedxml_is_installed_and_used() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert defusedxml.__version__ and DEFUSEDXML


@pytest.mark.parametrize("part", [rh.SHEET1, "xl/workbook.xml", "[Content_Types].xml"])
def test_entity_bomb_is_refused_without_expanding_it(store: Store, no_parser: None, part: str) -> None:
    raw = rh.entity_bomb(part)
    errors, peak, _ = _peak_while(lambda: rh.refuse(store, raw, "实体炸弹.xlsx"))
    assert "XML 实体声明" in errors[0].message and part in errors[0].message
    assert peak < 16 * MB  # a billion "lol"s would be 3 GB
    # and defusedxml, which openpyxl and our own XML reads go through, would refuse it too
    with pytest.raises(defusedxml.EntitiesForbidden):
        SafeET.fromstring(rh.billion_laughs(b'<?xml version="1.0"?><a><t>x</t></a>'))


def test_entity_bomb_in_utf16_is_refused_too(store: Store, no_parser: None) -> None:
    def utf16(xml: bytes) -> bytes:
        return rh.billion_laughs(xml).decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode(
            "utf-16")

    raw = rh.rewrite_parts(wbk.make_workbook({"镇街": [["单位名称"]]}), {rh.SHEET1: utf16})
    assert "XML 实体声明" in rh.refuse(store, raw, "u16.xlsx")[0].message


def test_file_over_the_size_limit(store: Store, no_parser: None) -> None:
    raw = rh.oversized(21)
    assert len(raw) > MAX_UPLOAD_BYTES
    [e] = rh.refuse(store, raw, "大文件.xlsx")
    assert "超过上限 20.0 MB" in e.message


# ---- located refusals --------------------------------------------------------------------------


def test_one_bad_row_in_30000_refuses_the_whole_file(store: Store) -> None:
    [e] = rh.refuse(store, rh.big_events_workbook(BIG_EVENTS, bad_last_row=True), "大文件.xlsx")
    assert (e.sheet, e.row, e.column) == (SHEET_EVENTS, BIG_EVENTS + 1, "发生日期")


def test_formula_without_its_result_is_not_read_as_zero(store: Store) -> None:
    [e] = rh.refuse(store, wbk.town_sheet({"单位名称": "东阿镇", TOWN_FIELD: "=1+2"}), "公式.xlsx")
    assert (e.sheet, e.row, e.column) == (SHEET_TOWN, 2, TOWN_FIELD)
    assert e.message.startswith("公式没有计算结果") and "WPS" in e.hint


def test_error_value_in_a_number_cell_is_located(store: Store) -> None:
    [e] = rh.refuse(store, wbk.town_sheet({"单位名称": "东阿镇", "辖区注册企业总数": "#DIV/0!"}), "错.xlsx")
    assert (e.sheet, e.row, e.column, e.message) == (SHEET_TOWN, 2, "辖区注册企业总数", "单元格为错误值 #DIV/0!")


# ---- good files land whole ---------------------------------------------------------------------


def _town(store: Store, unit_id: str) -> dict:
    return next(r for r in store.datasets.current_sheet(wbk.MONTH, SHEET_TOWN) if r["unit_id"] == unit_id)


def _imported(store: Store, raw: bytes, filename: str = "月报.xlsx"):
    parsed, result = rh.import_bytes(store, raw, filename)
    rh.assert_imported_whole(store, parsed, result)
    return parsed


def test_formula_with_its_saved_result(store: Store) -> None:
    _imported(store, rh.cached_formula_workbook())
    assert _town(store, "dong_e")[TOWN_FIELD] == 3.0 and _town(store, "dong_e")["辖区注册企业总数"] == 3100.0


def test_merged_cells_hidden_rows_and_columns(store: Store) -> None:
    _imported(store, rh.merged_and_hidden())
    dong_e = _town(store, "dong_e")
    assert dong_e[TOWN_FIELD] == 2.0  # in a hidden column: data is data
    assert dong_e["本月报送信用动态稿件数"] == 5.0  # the merged cell's value sits in its first cell
    assert dong_e["本月信用动态稿件被采用数"] == 0.0  # covered by the merge: blank, a flow counts 0
    assert _town(store, "xiaozhi")[TOWN_FIELD] == 4.0  # in a hidden row


def test_numbers_stored_as_text_and_full_width_digits(store: Store) -> None:
    _imported(store, rh.numbers_as_text())
    dong_e = _town(store, "dong_e")
    assert (dong_e[TOWN_FIELD], dong_e["辖区注册企业总数"], dong_e["本月报送信用动态稿件数"]) == (12.0, 1234.0, 12.0)


def test_dates_as_serial_numbers_and_as_text(store: Store) -> None:
    _imported(store, rh.dates_serial_and_text())
    assert [r["发生日期"] for r in store.datasets.current_sheet(wbk.MONTH, SHEET_EVENTS)] == ["2022-03-10"] * 4


def test_30000_event_rows(store: Store) -> None:
    _imported(store, rh.big_events_workbook(), "大文件.xlsx")
    [current] = [v for v in store.datasets.versions(wbk.MONTH, SHEET_EVENTS) if v["is_current"]]
    assert current["row_count"] == BIG_EVENTS


def _libreoffice_figures(store: Store) -> None:
    dong_e = _town(store, "dong_e")
    assert (dong_e[TOWN_FIELD], dong_e["辖区注册企业总数"]) == (3.0, 3100.0)  # formulas, recalculated
    assert [r["数量"] for r in store.datasets.current_sheet(wbk.MONTH, SHEET_EVENTS)] == [2]


@needs_soffice
def test_legacy_xls_saved_by_libreoffice(store: Store) -> None:
    xls = rh.soffice_convert(rh.libreoffice_source(), "xls")
    assert xls[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    _imported(store, xls, "旧版.xls")
    _libreoffice_figures(store)


@needs_soffice
def test_workbook_saved_by_libreoffice(store: Store) -> None:
    _imported(store, rh.soffice_convert(rh.libreoffice_source(), "xlsx"), "LibreOffice.xlsx")
    _libreoffice_figures(store)


# ---- the command line: same refusals, same all-or-nothing -------------------------------------


def _file_hash(db: Path) -> str:
    with Store(db) as s:
        s.checkpoint()
    return hashlib.sha256(db.read_bytes()).hexdigest()


def _cli_import(db: Path, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "credit", "import", "--db", str(db), "--month", wbk.MONTH,
                           *map(str, files)], capture_output=True, text=True, cwd=ROOT)


def test_cli_refuses_a_batch_with_one_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    db = rh.seeded_db(tmp_path / "cli.db")
    good, bomb = tmp_path / "好.xlsx", tmp_path / "炸弹.xlsx"
    good.write_bytes(rh.numbers_as_text())
    bomb.write_bytes(wbk.zip_bomb(200))
    before = _file_hash(db)
    res = _cli_import(db, good, bomb)
    assert res.returncode == 1
    assert "未导入任何数据" in res.stderr and "[炸弹.xlsx]" in res.stderr and "压缩炸弹" in res.stderr
    assert _file_hash(db) == before
    res = _cli_import(db, good)
    assert res.returncode == 0, res.stderr
    with Store(db) as s:
        assert _town(s, "dong_e")[TOWN_FIELD] == 12.0
