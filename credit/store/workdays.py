"""The working-day calendar the credit office enters (`workday_calendar`): a year's 放假 and 调休上班 days.

A year is replaced whole (the notice is one text), inside one transaction, audited with its days;
clearing a year is audited too. Reading is open to everyone (the days are public); writing needs
the office's "settings" permission, checked here so the CLI and the page cannot differ.
"""

from __future__ import annotations

from datetime import date

from credit.common.clock import now
from credit.model.accounts import Action, Actor, authorize
from credit.model.workdays import HOLIDAY, WORKDAY, YearCalendar, check_year
from credit.store.core import Core


class Workdays:
    """Read and replace the entered calendar, one year at a time."""

    def __init__(self, core: Core):
        self._core = core

    def years(self) -> dict[int, YearCalendar]:
        """Every entered year, ascending."""
        rows = self._core.all("SELECT day, year, kind FROM workday_calendar ORDER BY day")
        out: dict[int, tuple[list[date], list[date]]] = {}
        for r in rows:
            off, on = out.setdefault(int(r["year"]), ([], []))
            (off if r["kind"] == HOLIDAY else on).append(date.fromisoformat(r["day"]))
        return {y: YearCalendar(y, tuple(off), tuple(on)) for y, (off, on) in out.items()}

    def as_map(self) -> dict[date, bool]:
        """{day: is a working day} over all entered years (what the working-day check reads)."""
        out: dict[date, bool] = {}
        for cal in self.years().values():
            out.update(cal.as_map())
        return out

    def save_year(self, cal: YearCalendar, by: Actor) -> None:
        """Replace the year's days with `cal` (validated by `credit.model.workdays.year_calendar`)."""
        who = authorize(by, Action.SETTINGS)
        year = check_year(cal.year)
        if any(d.year != year for d in (*cal.holidays, *cal.workdays)) or set(cal.holidays) & set(cal.workdays):
            raise ValueError("YearCalendar not built by year_calendar()")
        at = now()
        with self._core.write():
            old = self.years().get(year)
            if old is not None and (old.holidays, old.workdays) == (cal.holidays, cal.workdays):
                return
            self._core.db.execute("DELETE FROM workday_calendar WHERE year = ?", [year])
            self._core.db["workday_calendar"].insert_all(
                [{"day": d.isoformat(), "year": year, "kind": HOLIDAY, "saved_by": who, "saved_at": at}
                 for d in cal.holidays]
                + [{"day": d.isoformat(), "year": year, "kind": WORKDAY, "saved_by": who, "saved_at": at}
                   for d in cal.workdays])
            self._core.changed(who, "workdays.set", {
                "year": year, "放假": [d.isoformat() for d in cal.holidays],
                "调休上班": [d.isoformat() for d in cal.workdays]})

    def clear_year(self, year: int, by: Actor) -> bool:
        """Remove a year's entries (it goes back to the package, or Monday–Friday); False if none."""
        who = authorize(by, Action.SETTINGS)
        year = check_year(year)
        with self._core.write():
            n = self._core.scalar("SELECT COUNT(*) FROM workday_calendar WHERE year = ?", [year])
            if not n:
                return False
            self._core.db.execute("DELETE FROM workday_calendar WHERE year = ?", [year])
            self._core.changed(who, "workdays.clear", {"year": year, "days": int(n)})
        return True
