"""Months: one validator, one lenient reader, one label, and the arithmetic (credit.common.months)."""

from __future__ import annotations

from datetime import date

import pytest

from credit.common.months import (
    check_month,
    is_month,
    make_month,
    month_bounds,
    month_label,
    month_of,
    month_parts,
    next_month,
    parse_date_text,
    parse_month_text,
    previous_month,
    read_date,
    shift_month,
    year_to_date,
)
from credit.errors import CreditError, MonthError


@pytest.mark.parametrize("good", ["2022-01", "2022-12", "1999-09"])
def test_valid_months_pass_unchanged(good: str) -> None:
    assert check_month(good) == good and is_month(good)


@pytest.mark.parametrize("bad", ["2022-13", "2022-00", "2022-3", "22-03", "2022/03", " 2022-03", "", None, 202203])
def test_invalid_months_raise_a_chinese_error(bad: object) -> None:
    assert not is_month(bad)
    with pytest.raises(MonthError) as info:
        check_month(bad)
    assert "格式有误" in str(info.value) and "YYYY-MM" in str(info.value)
    assert isinstance(info.value, CreditError) and isinstance(info.value, ValueError)


def test_label_is_the_official_document_form_without_leading_zero() -> None:
    assert month_label("2022-03") == "2022年3月"
    assert month_label("2022-11") == "2022年11月"
    with pytest.raises(MonthError):
        month_label("2022-3")


def test_arithmetic_crosses_year_ends() -> None:
    assert previous_month("2022-01") == "2021-12"
    assert previous_month("2022-10") == "2022-09"
    assert next_month("2022-12") == "2023-01"
    assert next_month("2022-09") == "2022-10"
    assert shift_month("2022-03", -15) == "2020-12"
    assert shift_month("2022-03", 22) == "2024-01"
    assert month_parts("2022-03") == (2022, 3)
    assert make_month(2022, 3) == "2022-03"
    with pytest.raises(MonthError):
        make_month(2022, 13)


def test_year_to_date_and_bounds() -> None:
    assert year_to_date("2022-03") == ["2022-01", "2022-02", "2022-03"]
    assert year_to_date("2022-01") == ["2022-01"]
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))  # leap year
    assert month_bounds("2022-12") == (date(2022, 12, 1), date(2022, 12, 31))
    assert month_of(date(2022, 3, 31)) == "2022-03"


@pytest.mark.parametrize(("typed", "month"), [
    ("2022-3", "2022-03"), ("2022-03", "2022-03"), ("2022/03", "2022-03"), ("2022.3", "2022-03"),
    ("2022年3月", "2022-03"), ("2022年03月份", "2022-03"), ("2022年3月15日", "2022-03"),
    ("2022-03-15", "2022-03"), ("202203", "2022-03"),
])
def test_typed_months_are_read_leniently(typed: str, month: str) -> None:
    assert parse_month_text(typed) == month


@pytest.mark.parametrize("typed", ["2022-13", "2022年0月", "三月", "2022", "20221", ""])
def test_unreadable_months_give_none(typed: str) -> None:
    assert parse_month_text(typed) is None


# ---- a day typed into a form (成文日期) ---------------------------------------------------------


@pytest.mark.parametrize("text", ["2022-11-05", "2022/11/5", "2022.11.05", "2022年11月5日", "2022年11月05", "20221105"])
def test_parse_date_text_reads_the_spellings_officials_type(text: str) -> None:
    assert parse_date_text(text) == date(2022, 11, 5)


@pytest.mark.parametrize("text", ["2023-02-29", "2022-13-01", "2022-11", "11/05/2022", "2022-11-05 10:00", "明天", ""])
def test_parse_date_text_gives_none_for_anything_else(text: str) -> None:
    assert parse_date_text(text) is None


@pytest.mark.parametrize("text", ["2022-11-05", " 2022 - 11 - 05 ", "２０２２年１１月５日", "2022/11/5"])
def test_read_date_folds_full_width_and_spaces(text: str) -> None:
    assert read_date(text, "成文日期") == date(2022, 11, 5)


def test_read_date_passes_a_date_through() -> None:
    assert read_date(date(2024, 2, 29), "成文日期") == date(2024, 2, 29)


@pytest.mark.parametrize(("text", "message"), [
    ("", "请填写成文日期，例如 2022-11-05。"),
    ("   ", "请填写成文日期，例如 2022-11-05。"),
    (None, "请填写成文日期，例如 2022-11-05。"),
    ("2023-02-29", "成文日期「2023-02-29」不是有效的日期，请按 2022-11-05 的格式填写（也可写 2022年11月5日）。"),
    ("11/05/2022", "成文日期「11/05/2022」不是有效的日期，请按 2022-11-05 的格式填写（也可写 2022年11月5日）。"),
    ("十一月五日", "成文日期「十一月五日」不是有效的日期，请按 2022-11-05 的格式填写（也可写 2022年11月5日）。"),
])
def test_read_date_refuses_in_chinese_naming_the_field(text: object, message: str) -> None:
    with pytest.raises(CreditError) as caught:
        read_date(text, "成文日期")
    assert str(caught.value) == message


# -- issue 22 §3: the one range check for a month data is entered for ------------------------------


@pytest.mark.parametrize("far", ["2099-01", "1999-12", "0001-01", "2021-12", "2028-01"])
def test_months_outside_the_framework_years_are_refused_in_chinese(far: str) -> None:

    from credit.common.months import check_data_month

    with pytest.raises(MonthError, match="超出可填报的范围：应在 2022年1月 至 2027年12月 之间"):
        check_data_month(far, today=date(2026, 12, 7))


def test_the_range_runs_from_the_first_year_to_next_year() -> None:

    from credit.common.months import FIRST_YEAR, check_data_month, data_month_range

    assert data_month_range(date(2026, 12, 7)) == (f"{FIRST_YEAR}-01", "2027-12")
    assert check_data_month("2022-01", today=date(2026, 12, 7)) == "2022-01"
    assert check_data_month("2027-12", today=date(2026, 12, 7)) == "2027-12"
