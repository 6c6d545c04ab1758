"""Issue 23, observation 4 in the domain: a month's state every reader sees, and a collecting
month's ranking that does not rank units on figures carried over from earlier months."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.contract import SHEET_TOWN
from credit.reports.month_state import (
    COLLECTING,
    CORRECTING,
    PENDING,
    SIGNED,
    landing_month,
    month_state,
)
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
