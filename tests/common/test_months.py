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
    parse_month_text,
    previous_month,
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
