"""Working days around 元旦 and 春节 2027 with the office's entered calendar (item 18 of issue 25).

chinese-calendar 1.11.0 (the newest on PyPI on 2026-12-07) stops at 2026, and `holidays` 0.109 has
2027's holidays but not its 调休 working days, so 2027 is what the office enters. The days below are a
hand-made arrangement for the test (not the State Council's, which is not out yet): 放假 2027-01-01
(Fri) to 01-03, 放假 2027-02-06 (Sat) to 02-12 (Fri), 调休上班 Sunday 2027-02-14. Every count is by hand.
"""

from __future__ import annotations

from datetime import date

from credit.model.workdays import year_calendar
from credit.scoring.sgs_checks import (
    SOURCE_ENTERED,
    SOURCE_PACKAGE,
    SOURCE_WEEKDAYS,
    WorkingDays,
    calendar_source,
    check_records,
)
from credit.workbook.sgs_reader import read_records
from tests.scoring.test_sgs_checks import RULES
from tests.support.sgs import licence, xlsx

CAL_2027 = year_calendar(2027, "2027-01-01 至 2027-01-03\n2027-02-06 至 2027-02-12", "2027-02-14").as_map()


def test_spring_festival_with_a_tiaoxiu_sunday() -> None:
    """Decided Thu 2027-02-04, reported Wed 02-17: Fri 02-05 (1), 02-06…12 off, Sat 02-13 off,
    Sun 02-14 调休 (2), Mon–Wed 02-15…17 (5) → 5 working days, on time. Monday–Friday would count
    02-05, 02-08…12, 02-15…17 = 9 → late."""
    entered = WorkingDays(CAL_2027)
    assert entered.after(date(2027, 2, 4), date(2027, 2, 17)) == 5
    assert not entered.guessed_years
    guessed = WorkingDays()
    assert guessed.after(date(2027, 2, 4), date(2027, 2, 17)) == 9 and guessed.guessed_years == {2027}


def test_new_year_across_the_year_boundary() -> None:
    """Decided Wed 2026-12-30 (2026 from the package), reported Mon 2027-01-11: Thu 12-31 (1),
    Fri 01-01 off, weekend, 01-04…08 (6), Mon 01-11 (7) → 7, on time; 01-12 is the 8th → late.
    Monday–Friday would count 01-01 too: 8 on 01-11."""
    entered = WorkingDays(CAL_2027)
    assert entered.after(date(2026, 12, 30), date(2027, 1, 11)) == 7
    assert entered.after(date(2026, 12, 30), date(2027, 1, 12)) == 8
    assert WorkingDays().after(date(2026, 12, 30), date(2027, 1, 11)) == 8


def test_the_check_uses_the_entered_year_and_says_nothing_is_guessed() -> None:
    rows = [licence(行政许可决定文书号=f"L{d}", 许可决定日期="2027-02-04", 有效期自="2027-02-04", 有效期至="2030-02-03",
                    上报日期=f"2027-02-{d}") for d in (17, 23)]  # 5 and 9 working days
    file = read_records(xlsx(rows), "导出.xlsx", RULES)
    res = check_records(file, RULES, date(2027, 3, 1), workdays=CAL_2027)
    assert [(p.row, p.check) for p in res.problems] == [(4, "late")]
    assert "9 个工作日" in res.problems[0].message and res.warnings == []
    res = check_records(file, RULES, date(2027, 3, 1))  # not entered: both late, and the page is told
    assert [(p.row, p.check) for p in res.problems] == [(3, "late"), (4, "late")]
    assert any("2027 年的放假和调休安排尚未录入" in w for w in res.warnings)


def test_calendar_source_per_year() -> None:
    assert calendar_source(2026) == SOURCE_PACKAGE == "程序内置日历（国务院办公厅历年放假通知，收录至 2026 年）"
    assert calendar_source(2027) == SOURCE_WEEKDAYS == "按周一至周五"
    assert calendar_source(2027, [2027]) == SOURCE_ENTERED == "本平台录入"
    assert calendar_source(2026, [2026]) == SOURCE_ENTERED  # an entered year corrects the package


def test_tiaoxiu_saturdays_entered_and_from_the_package() -> None:
    """A 调休 Saturday counts as a working day, from the office's entry as from the package.

    Entered 2027 plus Sat 2027-02-20 调休: decided Mon 02-15, reported Thu 02-25: 16…19 (4), Sat 20 (5),
    22…25 (9) → 9; without the Saturday 8. Package 2026 (春节 放假 02-15…23, 调休 Sat 02-14 and Sat
    02-28): decided Fri 02-13, reported Mon 03-02: Sat 02-14 (1), 24…27 (5), Sat 28 (6), Mon 03-02 (7) →
    7, on time (Monday–Friday alone would count 02-16…20, 23…27, 03-02 = 11, late)."""
    with_saturday = year_calendar(2027, "2027-02-06 至 2027-02-12", "2027-02-14\n2027-02-20").as_map()
    assert WorkingDays(with_saturday).after(date(2027, 2, 15), date(2027, 2, 25)) == 9
    assert WorkingDays(CAL_2027).after(date(2027, 2, 15), date(2027, 2, 25)) == 8
    package = WorkingDays()
    assert package.after(date(2026, 2, 13), date(2026, 3, 2)) == 7 and not package.guessed_years
