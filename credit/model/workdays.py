"""A year's 放假 and 调休上班 days as the credit office types them, read into dates or refused.

Why data and not code: the State Council publishes each year's holiday notice in November or
December, and the `chinese-calendar` package ships it only in a later release; the office can enter
the notice the day it is out (one line a day or a range, "2027-02-06 至 2027-02-12"). The store keeps
the days (`credit.store.workdays`); `credit.scoring.sgs_checks.WorkingDays` reads them before the package.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from credit.common.months import read_date
from credit.errors import CreditError

HOLIDAY = "放假"
WORKDAY = "调休上班"
KINDS = (HOLIDAY, WORKDAY)
MAX_LINES = 60  # a year has about 30 放假 days and 8 调休 days; more is a pasted wrong text
MAX_RANGE_DAYS = 31
MIN_YEAR, MAX_YEAR = 2000, 2100
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–|－)\s*|\s+-\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True)
class YearCalendar:
    """One year as entered: its 放假 days and its 调休上班 days (each sorted, none in both)."""

    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]

    def as_map(self) -> dict[date, bool]:
        """{day: is a working day} — what `WorkingDays` reads."""
        return {**{d: False for d in self.holidays}, **{d: True for d in self.workdays}}


def check_year(year: object) -> int:
    """The year as an int between 2000 and 2100, or a Chinese error."""
    if isinstance(year, bool) or not isinstance(year, (int, str)):
        raise CreditError(f"年份「{year}」无效，应为 {MIN_YEAR}—{MAX_YEAR} 之间的四位数字")
    text = unicodedata.normalize("NFKC", str(year)).strip().removesuffix("年")
    if not re.fullmatch(r"\d{4}", text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise CreditError(f"年份「{year}」无效，应为 {MIN_YEAR}—{MAX_YEAR} 之间的四位数字")
    return int(text)


def _line_days(line: str, what: str, n: int, year: int) -> list[date]:
    parts = _RANGE.split(line.strip())
    if len(parts) > 2:
        raise CreditError(f"{what}第 {n} 行「{line.strip()}」无法识别：每行写一个日期或一段日期，如 2027-02-06 至 2027-02-12")
    first = read_date(parts[0], f"{what}第 {n} 行的日期")
    last = read_date(parts[-1], f"{what}第 {n} 行的日期")
    if last < first:
        raise CreditError(f"{what}第 {n} 行的结束日期早于开始日期（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise CreditError(f"{what}第 {n} 行的一段日期超过 {MAX_RANGE_DAYS} 天，请核对")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    outside = [d for d in days if d.year != year]
    if outside:
        raise CreditError(f"{what}第 {n} 行的日期 {outside[0]:%Y-%m-%d} 不在 {year} 年内：每年单独录入")
    return days


def read_days(text: str, what: str, year: int) -> list[date]:
    """The dates of a text box (one date or range per line; commas and 、 also separate)."""
    if not isinstance(text, str):
        raise CreditError(f"{what}应为文字")
    if _CONTROL.search(text):
        raise CreditError(f"{what}含有不可见的控制字符，请删除后重新填写（可从通知原文中逐行复制日期）")
    lines = [ln for ln in re.split(r"[\n,，、;；]", unicodedata.normalize("NFKC", text)) if ln.strip()]
    if len(lines) > MAX_LINES:
        raise CreditError(f"{what}有 {len(lines)} 行，超过 {MAX_LINES} 行：请只填该年的放假或调休日期")
    out: list[date] = []
    for n, line in enumerate(lines, 1):
        out.extend(_line_days(line, what, n, year))
    return sorted(set(out))


def year_calendar(year: object, holidays: str, workdays: str) -> YearCalendar:
    """Read the two text boxes of one year; `CreditError` (Chinese, naming the box and line) on anything wrong."""
    y = check_year(year)
    off = read_days(holidays, f"{y} 年放假日期", y)
    on = read_days(workdays, f"{y} 年调休上班日期", y)
    both = sorted(set(off) & set(on))
    if both:
        raise CreditError(f"{both[0]:%Y-%m-%d} 同时填在放假和调休上班中，请只保留一处")
    weekday_on = [d for d in on if d.weekday() < 5]
    if weekday_on:
        raise CreditError(f"调休上班日期 {weekday_on[0]:%Y-%m-%d} 是工作日（周一至周五）：调休上班日应为周六或周日")
    if not off and not on:
        raise CreditError(f"{y} 年没有填写任何日期：如要删除该年的录入，请使用“清除”")
    return YearCalendar(y, tuple(off), tuple(on))


def days_text(days: tuple[date, ...] | list[date]) -> str:
    """Days back as text for the box, consecutive days folded into "a 至 b" lines."""
    lines: list[str] = []
    run: list[date] = []
    for d in sorted(days):
        if run and (d - run[-1]).days == 1:
            run.append(d)
            continue
        if run:
            lines.append(_run_text(run))
        run = [d]
    if run:
        lines.append(_run_text(run))
    return "\n".join(lines)


def _run_text(run: list[date]) -> str:
    return f"{run[0]:%Y-%m-%d}" if len(run) == 1 else f"{run[0]:%Y-%m-%d} 至 {run[-1]:%Y-%m-%d}"
