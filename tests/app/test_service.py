"""The use-cases shared by the CLI and the pages (credit.app.service): database path, batch import."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from credit.app import service
from credit.model.accounts import Actor
from credit.model.contract import UNIT_COL
from tests.support.workbooks import fill_template

OFFICE = Actor("office", "editor", "信用办")
MONTH = "2022-03"


def _book(name: str, value: int, field: str = "本月出台信用制度文件数") -> bytes:
    return fill_template({"镇街": [{UNIT_COL: name, field: value}]}, month=MONTH)


STOCK = "清欠未完成案例数"  # a stock: the surge guard checks it from any base (a flow only from 100 up)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_db_path_is_the_environment_variable_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDIT_DB", "x/credit.db")
    assert service.db_path() == tmp_path / "x" / "credit.db"
    monkeypatch.delenv("CREDIT_DB")
    assert service.db_path() == service.DEFAULT_DB


def test_one_bad_file_refuses_the_whole_batch_and_lists_every_error(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    service.open_store(db).close()
    before = _digest(db)
    files = [("好.xlsx", _book("榆山街道", 1)), ("坏.xlsx", _book("不存在的镇", -1)),
             ("丢.xlsx", FileNotFoundError(2, "No such file or directory"))]
    with service.open_store(db) as store:
        batch = service.import_batch(store, MONTH, files, OFFICE)
    assert not batch.ok and batch.results == ()
    assert [c.filename for c in batch.failed] == ["坏.xlsx", "丢.xlsx"]
    assert [(e.sheet, e.column, e.message) for e in batch.failed[0].errors] == [
        ("镇街", "单位名称", "单位「不存在的镇」不在单位名册中"),
        ("镇街", "本月出台信用制度文件数", "不能为负数，实际为 -1"),
    ]
    assert str(batch.failed[1].errors[0]) == "文件：文件无法读取（No such file or directory）（请确认文件存在且未被其他程序占用）"
    assert batch.error_count == 3
    assert _digest(db) == before  # the good file was not written either


def test_a_good_batch_is_imported_in_order_later_files_superseding(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    files = [("一.xlsx", _book("榆山街道", 1)), ("二.xlsx", _book("榆山街道", 3))]
    with service.open_store(db) as store:
        batch = service.import_batch(store, MONTH, files, OFFICE)
        assert batch.ok and [r.created for r in batch.results] == [[("镇街", 1)], [("镇街", 2)]]
        town = {r["unit_id"]: r for r in store.datasets.current_sheet(MONTH, "镇街")}
    assert town["yushan"]["本月出台信用制度文件数"] == 3


def test_checks_made_beforehand_are_used_and_must_match_the_files(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    files = [("一.xlsx", _book("榆山街道", 2))]
    with service.open_store(db) as store:
        checks = service.check_batch(files, MONTH, store.units.register())
        with pytest.raises(ValueError):
            service.import_batch(store, MONTH, files * 2, OFFICE, checks=checks)
        batch = service.import_batch(store, MONTH, files, OFFICE, checks=checks)
        assert batch.ok and batch.checks == tuple(checks)


def test_a_tenfold_rise_is_refused_until_confirmed_and_nothing_is_written(tmp_path: Path) -> None:
    """Ten times last month's figure: the import itself refuses it (not only the page's tick box)."""
    db = tmp_path / "d.db"
    with service.open_store(db) as store:
        prev = fill_template({"镇街": [{UNIT_COL: "榆山街道", STOCK: 2}]}, month="2022-02")
        assert service.import_batch(store, "2022-02", [("二月.xlsx", prev)], OFFICE).ok
    before = _digest(db)
    files = [("三月.xlsx", _book("榆山街道", 21, STOCK)), ("三月（改）.xlsx", _book("榆山街道", 25, STOCK))]
    with service.open_store(db) as store, pytest.raises(service.SurgeNotConfirmed) as refused:
        service.import_batch(store, MONTH, files, OFFICE, confirm_how="加 --confirm-surges 重新执行")
    # only the sheet that would be written counts (the later file supersedes the earlier one): 25 > 10 × 2
    assert refused.value.lines == ["工作表「镇街」榆山街道「清欠未完成案例数」：上月 2.00，本次 25.00（12.5 倍）"]
    assert str(refused.value).endswith("核对无误后加 --confirm-surges 重新执行。")
    assert _digest(db) == before
    # exactly tenfold is not a surge; confirmed, the rise is written
    with service.open_store(db) as store:
        assert service.import_batch(store, MONTH, [("三月.xlsx", _book("榆山街道", 20, STOCK))], OFFICE).ok
        batch = service.import_batch(store, MONTH, files, OFFICE, surges_confirmed=True)
        assert batch.ok and {r["unit_id"]: r for r in store.datasets.current_sheet(MONTH, "镇街")}["yushan"][STOCK] == 25


def test_a_sheet_identical_to_the_current_version_is_not_asked_about(tmp_path: Path) -> None:
    """A tenfold rise already stored is not written again by re-uploading the same sheet."""
    db = tmp_path / "e.db"
    with service.open_store(db) as store:
        feb = fill_template({"镇街": [{UNIT_COL: "榆山街道", STOCK: 1}]}, month="2022-02")
        assert service.import_batch(store, "2022-02", [("二月.xlsx", feb)], OFFICE).ok
        assert service.import_batch(store, MONTH, [("三月.xlsx", _book("榆山街道", 40, STOCK))], OFFICE,
                                    surges_confirmed=True).ok
        again = service.import_batch(store, MONTH, [("三月（再传）.xlsx", _book("榆山街道", 40, STOCK))], OFFICE)
        assert again.ok and again.results[0].created == []
