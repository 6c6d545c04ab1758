"""Issue 23, observation 4 in the domain: a month's state every reader sees, and a collecting
month's ranking that does not rank units on figures carried over from earlier months."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.contract import SHEET_DEPT, SHEET_TOWN, SHEETS, UNIT_COL
from credit.reports.month_state import (
    COLLECTING,
    CORRECTING,
    PENDING,
    SIGNED,
    landing_month,
    month_state,
)
from credit.reports.status import Reporting, month_reporting, month_status, reporting_of
from credit.scoring.compare import movers
from credit.scoring.not_reported import rank_reported
from tests.support.actors import EDITOR
from tests.support.monthdata import import_month, set_value

OCT, NOV = "2022-10", "2022-11"


def test_states_through_a_months_life(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        import_month(store, NOV, only=(SHEET_TOWN,))  # December-like: only the towns' sheet so far
        nov = month_state(store, NOV)
        oct_ = month_state(store, OCT)
        publish_month(store, OCT, "平信用办〔2022〕10号", date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        signed = month_state(store, OCT)
        import_month(store, OCT, set_value(SHEET_TOWN, "孔村镇", "信易贷平台注册企业数", 900), base=OCT,
                     only=(SHEET_TOWN,), reason="孔村镇注册企业数有误")
        correcting = month_state(store, OCT)
    assert (nov.state, nov.expected, nov.reported, len(nov.silent)) == (COLLECTING, 40, 9, 31)
    assert "司法局" in nov.silent and "东阿镇" not in nov.silent and nov.provisional
    assert nov.line().startswith("2022年11月状态：采集中（40 个单位中已报送 9 个，未报送：")
    assert nov.line().endswith("等 31 个单位；当前为临时结果）。")
    assert oct_.state == PENDING and oct_.line() == "2022年10月状态：待签发（40 个单位均已报送，通报尚未签发，当前为临时结果）。"
    assert signed.state == SIGNED and not signed.provisional
    assert signed.line() == "2022年10月状态：已签发（通报 平信用办〔2022〕10号，成文日期 2022-11-05）。"
    assert correcting.state == CORRECTING and correcting.provisional and "更正通报签发前以已签发结果为准" in correcting.line()


def test_readers_land_on_the_latest_signed_month() -> None:
    months = ["2022-09", "2022-10", "2022-11"]
    assert landing_month(months, ["2022-09"]) == "2022-09"
    assert landing_month(months, []) == "2022-11"
    assert landing_month([], []) is None



def test_movers_of_a_collecting_month_leave_out_the_silent_units() -> None:
    """The issue's "司法局 -2.59" among 下降最多 while no department had reported: a 未报送 unit has no
    change (credit.scoring.not_reported blanks it), so it is never a mover. (The ranking rule itself:
    tests/scoring/test_not_reported.py.)"""
    summary = pd.DataFrame({"unit_id": ["a", "b", "c"], "unit": ["司法局", "住建局", "科技局"],
                            "score": [54.66, 78.14, 80.0], "d_score": [-3.22, -2.16, 1.5],
                            "rank": pd.array([3, 2, 1], dtype="Int64"), "d_rank": pd.array([-1, 0, 1], dtype="Int64")})
    kept = rank_reported(summary, ["a"])
    gain, fall = movers(kept, pd.DataFrame({"unit_id": [], "indicator": [], "delta": []}))
    assert list(gain["unit"]) == ["科技局"] and list(fall["unit"]) == ["住建局"]
    assert kept["d_rank"].isna().all()
    assert rank_reported(summary, ["a", "b", "c"])["d_score"].isna().all()


def _blank_row(sheet: str, unit: str):
    def edit(data) -> None:
        row = next(r for r in data.sheets[sheet] if r[UNIT_COL] == unit)
        for header in SHEETS[sheet].numeric_fields:
            row[header] = None
    return edit


def _zero_row(sheet: str, unit: str):
    def edit(data) -> None:
        row = next(r for r in data.sheets[sheet] if r[UNIT_COL] == unit)
        for header in SHEETS[sheet].numeric_fields:
            row[header] = 0
    return edit


def _drop_row(sheet: str, unit: str):
    def edit(data) -> None:
        data.sheets[sheet] = [r for r in data.sheets[sheet] if r[UNIT_COL] != unit]
    return edit


def _both(*edits):
    def edit(data) -> None:
        for e in edits:
            e(data)
    return edit


def test_the_state_counts_what_the_full_status_table_says(demo_db: Path) -> None:
    """`month_state` without a status reads one count per unit (`month_reporting`); with the
    报送进度 table it reads the table. Same rule, same answer, in every shape a month can have:
    a sheet not imported, a unit with no row, a row of blanks, a row of zeros (reported)."""
    with open_store(demo_db) as store:
        import_month(store, NOV, _both(_blank_row(SHEET_TOWN, "东阿镇"), _zero_row(SHEET_TOWN, "孔村镇"),
                                       _drop_row(SHEET_TOWN, "洪范池镇")), only=(SHEET_TOWN,))
        import_month(store, "2022-12", _both(_blank_row(SHEET_DEPT, "司法局"), _drop_row(SHEET_DEPT, "发改局")))
        lean = {m: month_reporting(store, m) for m in (OCT, NOV, "2022-12")}
        full = {m: reporting_of(month_status(store, m)) for m in (OCT, NOV, "2022-12")}
        states = {m: (month_state(store, m), month_state(store, m, month_status(store, m))) for m in lean}
    assert lean == full
    assert all(a == b for a, b in states.values())
    # November: only the towns' sheet; 东阿镇's row blank, 洪范池镇 without a row, 孔村镇's zeros reported
    nov = lean[NOV]
    assert (nov.expected, len(nov.silent), nov.complete) == (40, 31 + 2, False)
    assert {"东阿镇", "洪范池镇", "司法局"} <= set(nov.silent) and "孔村镇" not in nov.silent
    # December: every sheet; 司法局's row blank (报送为空, which is not 未报送), 发改局 without a row
    dec = lean["2022-12"]
    assert set(dec.silent) == {"司法局", "发改局"} and not dec.complete
    assert lean[OCT] == Reporting((), 40, True)


def test_filled_counts_refuses_a_sheet_not_kept_by_unit_and_counts_only_the_named_fields(demo_db: Path) -> None:
    """The aggregate behind the month state: a records sheet or an unknown month is refused in
    Chinese; fields not named (or none at all) are not counted; a month never imported counts nothing."""
    import pytest

    from credit.errors import CreditError

    with open_store(demo_db) as store:
        fields = SHEETS[SHEET_TOWN].numeric_fields
        full = store.datasets.filled_counts(OCT, SHEET_TOWN, fields)
        one = store.datasets.filled_counts(OCT, SHEET_TOWN, fields[:1])
        assert store.datasets.filled_counts(OCT, SHEET_TOWN, []) == dict.fromkeys(full, 0)
        assert store.datasets.filled_counts("2031-01", SHEET_TOWN, fields) == {}
        with pytest.raises(CreditError, match="不是按单位填报的表"):
            store.datasets.filled_counts(OCT, "扣分事项", fields)
        with pytest.raises(CreditError):
            store.datasets.filled_counts("2022-13", SHEET_TOWN, fields)
    assert len(full) == 9 and all(0 < n <= len(fields) for n in full.values())
    assert set(one) == set(full) and all(n <= 1 for n in one.values())
