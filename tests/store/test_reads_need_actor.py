"""Reads that take an actor get checked in `credit/`, whoever calls them: evidence files and a unit's
双公示 column mapping are not public (no account: refused; a unit account: its own unit only),
and the 双公示 check refuses another unit's data. (Shared weight scenarios are public and a private
one is its owner's only: tests/scoring/test_scenarios.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.app import sgs
from credit.app.service import open_store
from credit.model.accounts import Actor, PermissionDenied
from credit.model.contract import SHEET_SCENARIOS
from credit.workbook.registers import KEY_COLUMN
from tests.app.test_sgs_service import faulty
from tests.support.actors import EDITOR, VIEWER

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")
FAGAI = Actor("fagaiju", "unit", "发改局", "fagai")


@pytest.fixture
def files(demo_db: Path):
    """The demo store with one evidence file for 东阿镇 and one for another town."""
    with open_store(demo_db) as store:
        view = store.registers.register_view(2022, 10, SHEET_SCENARIOS).table
        ids = {}
        for mine in (True, False):
            entry = view[(view["unit_id"] == "dong_e") == mine].iloc[0]
            ids[entry["unit_id"]] = store.registers.add_evidence(
                SHEET_SCENARIOS, 2022, entry["unit_id"], entry[KEY_COLUMN[SHEET_SCENARIOS]], "方案.pdf", PDF, by=EDITOR)
        yield store, ids


def test_evidence_files_are_refused_without_an_account(files) -> None:
    store, ids = files
    with pytest.raises(PermissionDenied, match="只向登录的账户提供"):
        store.registers.evidence_files(2022, by=None)
    with pytest.raises(PermissionDenied, match="只向登录的账户提供"):
        store.registers.evidence_bytes(ids["dong_e"], by=None)
    # how many files an entry has stays public: the register view counts them without a reader
    view = store.registers.register_view(2022, 10, SHEET_SCENARIOS).table
    assert int(view.loc[view["unit_id"] == "dong_e", "证明材料"].sum()) >= 1


def test_a_unit_account_reads_only_its_own_evidence(files) -> None:
    store, ids = files
    other = next(i for u, i in ids.items() if u != "dong_e")
    other_unit = next(u for u in ids if u != "dong_e")
    with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
        store.registers.evidence_bytes(other, by=DONG)
    with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
        store.registers.evidence_files(2022, SHEET_SCENARIOS, other_unit, by=DONG)
    assert {f["unit_id"] for f in store.registers.evidence_files(2022, by=DONG)} == {"dong_e"}
    assert store.registers.evidence_bytes(ids["dong_e"], by=DONG) == ("方案.pdf", PDF)
    assert {f["unit_id"] for f in store.registers.evidence_files(2022, by=VIEWER)} == set(ids)  # 领导: all
    assert store.registers.evidence_bytes(other, by=VIEWER)[1] == PDF


def test_a_units_column_mapping_is_read_by_who_may_use_the_precheck(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        market = sgs.resolve_unit(store.units.register(), "市场监管局", "2022-10")
        sgs.save_column_mapping(store, market, "许可", {"许可决定日期": "发证时间"}, EDITOR)
        with pytest.raises(PermissionDenied, match="未登录"):
            store.sgs_columns.get("shichangjianguan", by=None)
        with pytest.raises(PermissionDenied):
            store.sgs_columns.get("shichangjianguan", by=VIEWER)  # 领导 does not use the 预检
        with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
            store.sgs_columns.get("shichangjianguan", by=FAGAI)
        assert store.sgs_columns.get("fagai", by=FAGAI) == {}


def test_the_sgs_check_refuses_another_units_data_in_the_domain(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        market = sgs.resolve_unit(store.units.register(), "市场监管局", "2022-10")
        fagai = sgs.resolve_unit(store.units.register(), "发改局", "2022-10")
        with pytest.raises(PermissionDenied, match="未登录"):
            sgs.run_check(store, market, "2022-10", faulty(), "导出.xlsx", by=None)
        with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
            sgs.run_check(store, market, "2022-10", faulty(), "导出.xlsx", by=FAGAI)
        assert sgs.run_check(store, fagai, "2022-10", faulty(), "导出.xlsx", by=FAGAI).unit.id == "fagai"

