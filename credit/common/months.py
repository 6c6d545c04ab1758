"""Months, the unit of everything the office collects: one spelling in, one spelling out.

A month is the text "YYYY-MM" everywhere inside the system (database keys, file names, CLI
arguments, session state). Plain strings sort in time order and survive JSON and SQLite unchanged,
which is why this is a small module over `str` rather than `pandas.Period` objects.

- `check_month` is the one validator; bad input raises `MonthError` (a `CreditError` with a
  Chinese message, and a `ValueError` for code that treats it as a programming error).
- `parse_month_text` is the one lenient reader of what officials type ("2022-3", "2022年3月",
  "202203", "2022/03/15"); the workbook importer adds Excel dates and serial numbers on top.
  `parse_date_text` is its twin for a day ("2022-11-05", "2022/11/5", "2022年11月5日", "20221105"),
  and `read_date` the form field's reader of it: a date, or a Chinese error naming the field.
- `month_label` is the one way a month is shown: "2022年3月", the form Chinese official documents
  use (no leading zero).
- Arithmetic: `previous_month`, `next_month`, `shift_month`, `year_to_date`, `month_bounds`.
- `check_data_month` is the one range check for a month that data is entered for (CLI flags,
  workbook month cells, imports, forms): from the framework's first year (`FIRST_YEAR`) to next
  year. "2099-01" once imported and became the default month of every page; "0001-01" gave
  "月份「0-12」不存在".
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

from credit.common.clock import today as beijing_today
from credit.errors import CreditError, MonthError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_MONTH_TEXT = (
    # 2022-03, 2022/3, 2022.03, 2022年3月, 2022年03月份, optionally followed by a day (2022-03-15, 2022年3月15日)
    re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月份?|月)?(?:[-/.]\d{1,2}日?|\d{1,2}日)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),  # 202203
)
_DATE_TEXT = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),  # 2022-11-05, 2022/11/5, 2022.11.5
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),  # 2022年11月5日
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20221105
)
_SPACE = re.compile(r"\s+")

# The first year of the assessment framework (平信用办〔2022〕2号): no month before it holds data.
FIRST_YEAR = 2022


def is_month(text: object) -> bool:
    """True for "YYYY-MM" with a month 01–12 (the only form stored or passed around)."""
    return isinstance(text, str) and _MONTH.fullmatch(text) is not None


def check_month(month: object) -> str:
    """`month` itself if it is "YYYY-MM"; otherwise a `MonthError` an official can act on."""
    if not isinstance(month, str) or not is_month(month):
        raise MonthError(f"月份「{month}」格式有误，应为 YYYY-MM，例如 2022-03")
    return month


def data_month_range(today: date | None = None) -> tuple[str, str]:
    """The first and last month data may be entered for: January of `FIRST_YEAR` to December of next year."""
    year = (today or beijing_today()).year
    return f"{FIRST_YEAR:04d}-01", f"{year + 1:04d}-12"


def check_data_month(month: object, what: str = "月份", *, today: date | None = None) -> str:
    """`month` if it is "YYYY-MM" within `data_month_range`; otherwise a `MonthError` naming `what`."""
    if not isinstance(month, str) or not is_month(month):
        raise MonthError(f"{what}「{month}」格式有误，应为 YYYY-MM，例如 2022-03")
    first, last = data_month_range(today)
    if not first <= month <= last:
        raise MonthError(f"{what}「{month}」超出可填报的范围：应在 {month_label(first)} 至 {month_label(last)} 之间"
                         f"（考核办法自 {FIRST_YEAR} 年起施行，最多可提前填报到下一年）")
    return month


def make_month(year: int, month: int) -> str:
    """(2022, 3) → "2022-03"; a month outside 1–12 or a year outside 1–9999 is refused."""
    if not (1 <= int(month) <= 12 and 1 <= int(year) <= 9999):
        raise MonthError(f"月份「{year}-{month}」不存在，应为 1—12 月")
    return f"{int(year):04d}-{int(month):02d}"


def month_of(day: date) -> str:
    """The month a date falls in: date(2022, 3, 15) → "2022-03"."""
    return make_month(day.year, day.month)


def month_parts(month: str) -> tuple[int, int]:
    """"2022-03" → (2022, 3)."""
    year, m = check_month(month).split("-")
    return int(year), int(m)


def shift_month(month: str, n: int) -> str:
    """The month `n` months later (earlier for negative `n`), across year ends."""
    year, m = month_parts(month)
    index = year * 12 + (m - 1) + n
    return make_month(index // 12, index % 12 + 1)


def previous_month(month: str) -> str:
    """"2022-01" → "2021-12" (last month: rank changes, the bulletin's comparison)."""
    return shift_month(month, -1)


def next_month(month: str) -> str:
    """"2022-12" → "2023-01" (the month the office collects next; weights adopted ahead)."""
    return shift_month(month, 1)


def year_to_date(month: str) -> list[str]:
    """January of `month`'s year up to `month` itself — the months a cumulative score covers."""
    year, m = month_parts(month)
    return [make_month(year, i) for i in range(1, m + 1)]


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of the month (event dates must fall inside)."""
    year, m = month_parts(month)
    return date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1])


def month_label(month: str) -> str:
    """How a month is shown to officials, everywhere: "2022-03" → "2022年3月"."""
    year, m = month_parts(month)
    return f"{year}年{m}月"


def parse_month_text(text: str) -> str | None:
    """The month in what an official typed ("2022-3", "2022年3月", "2022/03/15", "202203"), or None.

    Expects text already stripped and width-folded; a month number outside 1–12 gives None.
    """
    for pattern in _MONTH_TEXT:
        m = pattern.match(text)
        if m and 1 <= int(m[2]) <= 12:
            return make_month(int(m[1]), int(m[2]))
    return None


def parse_date_text(text: str) -> date | None:
    """The day in what an official typed ("2022-11-05", "2022/11/5", "2022年11月5日", "20221105"), or None.

    Expects text already stripped and width-folded; a day that does not exist (2023-02-30) gives None.
    """
    for pattern in _DATE_TEXT:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def read_date(text: object, what: str) -> date:
    """A date typed into a form field called `what`, or a `CreditError` saying how to write it.

    Folds full-width digits and drops spaces first, as people type them on a Chinese keyboard
    ("２０２２年１１月５日", "2022 - 11 - 05"). A `date` passes through unchanged.
    """
    if isinstance(text, date):
        return text
    typed = str(text or "").strip()
    if not typed:
        raise CreditError(f"请填写{what}，例如 2022-11-05。")
    found = parse_date_text(_SPACE.sub("", unicodedata.normalize("NFKC", typed)))
    if found is None:
        raise CreditError(f"{what}「{typed}」不是有效的日期，请按 2022-11-05 的格式填写（也可写 2022年11月5日）。")
    return found
