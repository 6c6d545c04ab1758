"""Plausibility bounds from the contract (issue 13, item 8): a value beyond its column's bound is
refused at its cell; the bound itself is accepted. 1e300 万元 once moved 东阿镇 from rank 8 to 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.errors import WorkbookError
from credit.model.contract import MAX_AMOUNT, MAX_COUNT, MAX_EVENT_QUANTITY, MAX_RATIO, SHEETS
from credit.model.units import UnitRegister, load_units
from credit.store.facade import Store
from credit.workbook.importer import parse_workbook
from tests.support import reliability as rh
from tests.support.workbooks import MONTH, event, events_sheet, make_workbook, table, town_sheet

AMOUNT = "信易贷融资需求金额（万元）"
COUNT = "本月出台信用制度文件数"
RATIO = "全市守信企业平均比例"


@pytest.fixture(scope="module")
def units() -> UnitRegister:
    return load_units()


def county(item: str, value: object) -> bytes:
    return make_workbook({"全县": table("全县", [{"项目": item, "数值": value}])})


def test_bounds_are_stated_per_column_in_the_contract() -> None:
    assert (MAX_COUNT, MAX_AMOUNT, MAX_RATIO, MAX_EVENT_QUANTITY) == (1_000_000, 10_000_000, 1, 10_000)
    assert SHEETS["镇街"].column(AMOUNT).maximum == MAX_AMOUNT
    assert SHEETS["镇街"].column(COUNT).maximum == MAX_COUNT
    assert SHEETS["全县"].column(RATIO).maximum == MAX_RATIO
    assert SHEETS["扣分事项"].column("数量").maximum == MAX_EVENT_QUANTITY


@pytest.mark.parametrize(
    ("raw", "where", "message"),
    [
        (town_sheet({"单位名称": "东阿镇", AMOUNT: 1e300}), ("镇街", 2, AMOUNT), "应不大于 10,000,000，实际为 1e+300"),
        (town_sheet({"单位名称": "东阿镇", AMOUNT: 10_000_000.5}), ("镇街", 2, AMOUNT), "应不大于 10,000,000"),
        (town_sheet({"单位名称": "东阿镇", COUNT: 1e20}), ("镇街", 2, COUNT), "应不大于 1,000,000，实际为 1e+20"),
        (town_sheet({"单位名称": "东阿镇", COUNT: 1_000_001}), ("镇街", 2, COUNT), "应不大于 1,000,000"),
        (events_sheet(event(数量=1e300)), ("扣分事项", 2, "数量"), "应不大于 10,000，实际为 1e+300"),
        (events_sheet(event(数量=10_001)), ("扣分事项", 2, "数量"), "应不大于 10,000，实际为 10001"),
        (county(RATIO, 1.01), ("全县", 2, "数值"), "应不大于 1，实际为 1.01"),
        (county(RATIO, "101%"), ("全县", 2, "数值"), "应不大于 1，实际为 1.01"),
    ],
    ids=["amount-1e300", "amount-just-over", "count-1e20", "count-just-over", "quantity-1e300",
         "quantity-just-over", "ratio", "ratio-percent"],
)
def test_value_beyond_its_bound_is_refused_at_its_cell(units: UnitRegister, raw: bytes, where: tuple,
                                                       message: str) -> None:
    with pytest.raises(WorkbookError) as info:
        parse_workbook(raw, "上传.xlsx", MONTH, units)
    [e] = info.value.errors
    assert (e.sheet, e.row, e.column) == where
    assert e.message.startswith("超出合理范围：") and message in e.message


def test_the_bounds_themselves_are_accepted(units: UnitRegister) -> None:
    [town] = parse_workbook(town_sheet({"单位名称": "东阿镇", AMOUNT: MAX_AMOUNT, COUNT: MAX_COUNT}), "a.xlsx", MONTH,
                            units).sheets["镇街"].records
    assert (town[AMOUNT], town[COUNT]) == (MAX_AMOUNT, MAX_COUNT)
    [ev] = parse_workbook(events_sheet(event(数量=MAX_EVENT_QUANTITY)), "b.xlsx", MONTH, units).sheets["扣分事项"].records
    assert ev["数量"] == MAX_EVENT_QUANTITY
    [item] = parse_workbook(county(RATIO, "100%"), "c.xlsx", MONTH, units).sheets["全县"].records
    assert item["value"] == 1.0


def test_refused_through_the_store_and_the_cli_writes_nothing(tmp_path: Path, capsys) -> None:
    from credit.app import cli

    db = rh.seeded_db(tmp_path / "b.db")
    raw = town_sheet({"单位名称": "东阿镇", AMOUNT: 1e300})
    with Store(db) as store:
        rh.refuse(store, raw, "巨额.xlsx")
        before = rh.db_hash(store)
    path = tmp_path / "巨额.xlsx"
    path.write_bytes(raw)
    code = cli.main(["import", "--db", str(db), "--month", MONTH, str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "超出合理范围" in err and f"「{AMOUNT}」" in err
    with Store(db) as store:
        assert rh.db_hash(store) == before
