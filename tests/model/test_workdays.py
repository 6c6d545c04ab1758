"""Reading a year's 放假 / 调休上班 days as the office types them: what is accepted, what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from credit.errors import CreditError
from credit.model.workdays import days_text, read_days, year_calendar


def test_lines_ranges_and_chinese_dates() -> None:
    cal = year_calendar("２０２７年", "2027年1月1日\n2027-02-06 至 2027-02-08、2027/2/9~2027/2/10", "2027-02-14")
    assert cal.year == 2027
    assert cal.holidays == (date(2027, 1, 1), *(date(2027, 2, d) for d in range(6, 11)))
    assert cal.workdays == (date(2027, 2, 14),)
    assert days_text(cal.holidays) == "2027-01-01\n2027-02-06 至 2027-02-10"
    assert cal.as_map()[date(2027, 2, 14)] is True and cal.as_map()[date(2027, 1, 1)] is False


@pytest.mark.parametrize(("year", "off", "on", "message"), [
    (2027, "2027-02-30", "", "不是有效的日期"),
    (2027, "2028-01-01", "", "不在 2027 年内"),
    (2027, "2027-02-10 至 2027-02-06", "", "结束日期早于开始日期"),
    (2027, "2027-01-01 至 2027-03-01", "", "超过 31 天"),
    (2027, "2027-02-13", "2027-02-13", "同时填在放假和调休上班中"),
    (2027, "2027-01-01", "2027-01-04", "调休上班日应为周六或周日"),
    (2027, "2027-01-01\u200b", "", "控制字符"),
    (2027, "2027-01-01\x00", "", "控制字符"),
    (2027, "\n".join(["2027-01-01"] * 61), "", "超过 60 行"),
    (2027, "", "", "没有填写任何日期"),
    ("二〇二七", "2027-01-01", "", "年份"),
    (1999, "1999-01-01", "", "年份"),
    (99999, "2027-01-01", "", "年份"),
    (2027, "2027-01-01 至 2027-01-02 至 2027-01-03", "", "无法识别"),
    (2027, "nan", "", "不是有效的日期"),
    (2027, "inf", "", "不是有效的日期"),
])
def test_hostile_input_is_refused_in_chinese(year, off, on, message) -> None:
    with pytest.raises(CreditError, match=message):
        year_calendar(year, off, on)


def test_not_text_is_refused() -> None:
    with pytest.raises(CreditError, match="应为文字"):
        read_days(None, "放假日期", 2027)  # type: ignore[arg-type]
