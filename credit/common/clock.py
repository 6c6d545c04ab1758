"""The one clock: stamps for the database, and Beijing time for every reader.

Timestamps are stored as ISO 8601 with the server's offset (whatever the machine's zone is);
readers in Pingyin expect 北京时间, so every page, CLI listing and export shows them converted with
`beijing`. China has no daylight saving, so a fixed +08:00 is exact and needs no time-zone database
on the office PC. "Today" and "this month" are Beijing's too: at 20:00 UTC it is already tomorrow
in Pingyin, and a bulletin dated by the server's calendar would carry yesterday's date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "北京时间")


def now() -> str:
    """The stamp stored with every write: local wall-clock time with its offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def beijing_now() -> datetime:
    """The current moment on Beijing's clock (aware)."""
    return datetime.now(BEIJING)


def today() -> date:
    """Today's date in Beijing (bulletin issue dates, default months)."""
    return beijing_now().date()


def this_month() -> str:
    """The current month in Beijing, "YYYY-MM"."""
    return beijing_now().strftime("%Y-%m")


def beijing(stamp: str | None, seconds: bool = True) -> str:
    """'2026-11-28T10:00:38+00:00' → '2026-11-28 18:00:38' (北京时间); unparseable text unchanged."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:  # a naive stamp was written in the server's local time
        moment = moment.astimezone()
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def beijing_date(stamp: str | None) -> str:
    """The Beijing calendar day of a stored stamp: '2026-11-28T20:00:00+00:00' → '2026-11-29'."""
    return beijing(stamp)[:10]
