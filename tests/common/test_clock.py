"""Stored stamps and what readers see: Beijing time (credit.common.clock)."""

from __future__ import annotations

from datetime import datetime, timedelta

from credit.common import clock
from credit.common.clock import BEIJING, beijing, beijing_date


def test_timestamps_are_shown_in_beijing_time() -> None:
    assert beijing("2026-11-28T10:00:38+00:00") == "2026-11-28 18:00:38"
    assert beijing("2026-11-28T23:30:00+00:00", seconds=False) == "2026-11-29 07:30"  # next day in 北京
    assert beijing("2026-11-28T18:00:38+08:00") == "2026-11-28 18:00:38"
    assert beijing("") == "" and beijing(None) == ""
    assert beijing("不是时间") == "不是时间"


def test_a_stamps_day_is_beijings_day() -> None:
    assert beijing_date("2026-11-28T20:00:00+00:00") == "2026-11-29"
    assert beijing_date("2026-11-28T15:59:59+00:00") == "2026-11-28"
    assert beijing_date(None) == ""


def test_now_is_stored_with_its_offset_and_reads_back_as_beijing_now() -> None:
    stamp = clock.now()
    moment = datetime.fromisoformat(stamp)
    assert moment.tzinfo is not None and moment.microsecond == 0
    shown = datetime.strptime(beijing(stamp), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    assert abs(clock.beijing_now() - shown) < timedelta(seconds=5)


def test_today_and_this_month_follow_beijing_not_the_server() -> None:
    bj = clock.beijing_now()
    assert clock.today() in {bj.date(), (bj - timedelta(seconds=5)).date()}
    assert clock.this_month() == clock.today().strftime("%Y-%m")
