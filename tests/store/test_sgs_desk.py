"""The two store parts of 双公示预检: a unit's remembered column mapping and the office's working-day
calendar — who may write, what is refused at the boundary, and that every change is audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from credit.app import service, sgs
from credit.errors import CreditError
from credit.model.accounts import Actor, PermissionDenied
from credit.model.workdays import year_calendar
from tests.support.actors import ADMIN, EDITOR, VIEWER
from tests.support.cli import run_cli

FAGAI = Actor("fagaiju", "unit", "发改局", "fagai")
DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")


@pytest.fixture()
def store(tmp_path: Path):
    with service.open_store(tmp_path / "credit.db") as s:
        yield s


def unit(store, name: str):
    return sgs.resolve_unit(store.units.register(), name, "2022-10")


def test_column_mapping_own_unit_only_and_audited(store) -> None:
    fagai, market = unit(store, "发改局"), unit(store, "市场监管局")
    assert sgs.save_column_mapping(store, fagai, "处罚", {"处罚决定日期": "决定作出时间"}, FAGAI) == {
        "处罚决定日期": "决定作出时间"}
    assert store.sgs_columns.get("fagai", by=EDITOR) == {"处罚": {"处罚决定日期": "决定作出时间"}}
    row = store.audit_log(limit=1)[0]
    assert (row["who"], row["action"], row["detail"]["columns"]) == ("fagaiju", "sgs.columns",
                                                                     {"处罚决定日期": "决定作出时间"})
    assert sgs.save_column_mapping(store, fagai, "处罚", {"处罚决定日期": "决定作出时间"}, FAGAI) == {}  # no-op
    with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
        sgs.save_column_mapping(store, market, "处罚", {"处罚决定日期": "x"}, FAGAI)  # another unit's id
    with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
        store.sgs_columns.get("shichangjianguan", by=FAGAI)
    with pytest.raises(PermissionDenied):
        sgs.save_column_mapping(store, market, "处罚", {"处罚决定日期": "x"}, VIEWER)
    sgs.save_column_mapping(store, market, "许可", {"许可决定日期": "发证时间"}, EDITOR)  # the office: any unit
    assert store.sgs_columns.get("shichangjianguan", by=EDITOR) == {"许可": {"许可决定日期": "发证时间"}}
    with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):  # nor undo another unit's choice
        sgs.forget_column_mapping(store, market, {"许可": {"许可决定日期": "发证时间"}}, FAGAI)
    with pytest.raises(PermissionDenied):
        sgs.forget_column_mapping(store, market, {"许可": {"许可决定日期": "发证时间"}}, VIEWER)
    assert store.sgs_columns.forget("shichangjianguan", "许可", "许可决定日期", ADMIN)
    assert store.sgs_columns.get("shichangjianguan", by=EDITOR) == {}


@pytest.mark.parametrize(("kind", "mapping", "message"), [
    ("处罚", {"不存在的字段": "A"}, "没有字段"),
    ("罚款", {"处罚决定日期": "A"}, "类别"),
    ("处罚", {"处罚决定日期": "A", "上报日期": "A"}, "同一列"),
    ("处罚", {"处罚决定日期": "列" * 101}, "超过 100 个字"),
    ("处罚", {"处罚决定日期": "决定\u200b日期"}, "控制字符"),
    ("处罚", {"处罚决定日期": "决定\x07日期"}, "控制字符"),
])
def test_column_mapping_hostile_input(store, kind, mapping, message) -> None:
    with pytest.raises(CreditError, match=message):
        sgs.save_column_mapping(store, unit(store, "发改局"), kind, mapping, EDITOR)
    assert store.sgs_columns.get("fagai", by=EDITOR) == {}


def test_unknown_unit_id_refused(store) -> None:
    with pytest.raises(CreditError, match="不在单位名册"):
        store.sgs_columns.save("no-such-unit", "处罚", {"处罚决定日期": "A"}, EDITOR)


def test_workday_calendar_office_and_admin_only(store) -> None:
    cal = year_calendar(2027, "2027-01-01", "")
    for who in (VIEWER, FAGAI, DONG):
        with pytest.raises(PermissionDenied):
            store.workdays.save_year(cal, who)
    store.workdays.save_year(cal, EDITOR)
    assert store.workdays.as_map() == {date(2027, 1, 1): False}
    assert store.audit_log(limit=1)[0]["action"] == "workdays.set"
    store.workdays.save_year(year_calendar(2027, "2027-01-01 至 2027-01-03", "2027-02-14"), ADMIN)  # replaces
    assert store.workdays.years()[2027].holidays == (date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3))
    with pytest.raises(PermissionDenied):
        store.workdays.clear_year(2027, VIEWER)
    assert store.workdays.clear_year(2027, EDITOR) and store.workdays.years() == {}
    assert store.audit_log(limit=1)[0]["action"] == "workdays.clear"
    assert not store.workdays.clear_year(2027, EDITOR)


def test_workdays_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    done = run_cli("workdays", "set", "--db", db, "--year", "2027", "--holidays",
                   "2027-01-01至2027-01-03,2027-02-06至2027-02-12", "--workdays", "2027-02-14")
    assert done.returncode == 0 and "放假 10 天、调休上班 1 天" in done.stdout
    listed = run_cli("workdays", "list", "--db", db)
    assert "2027 年：本平台录入" in listed.stdout and "2027-02-06 至 2027-02-12" in listed.stdout
    bad = run_cli("workdays", "set", "--db", db, "--year", "2027", "--holidays", "2027-01-01", "--workdays", "2027-01-04")
    assert bad.returncode == 1 and "周六或周日" in bad.stderr
    assert "2027-02-06 至 2027-02-12" in run_cli("workdays", "list", "--db", db).stdout  # nothing half-written
    assert run_cli("workdays", "clear", "--db", db, "--year", "2027").returncode == 0
    assert "2027 年：按周一至周五" in run_cli("workdays", "list", "--db", db).stdout
