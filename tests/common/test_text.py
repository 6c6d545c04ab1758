"""The one text policy (credit.common.text): generated hostile text is refused with a message naming
the place, ordinary Chinese text of any length up to the limit is kept unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit.common.text import CELL, NAME, NUMBER, TextError, check_text, text_problem

FORBIDDEN = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F),
                              *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF) if chr(c) not in "\t\n\r"]
ordinary = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                                 exclude_characters="".join(FORBIDDEN) + "\u2028\u2029\u180e\u200e\u200f\u061c"),
                   max_size=NAME)


@given(ordinary)
def test_ordinary_text_is_kept_as_typed(text: str) -> None:
    assert check_text(text, "签发人", limit=NAME) == text


@given(ordinary, st.sampled_from(FORBIDDEN), ordinary)
def test_any_control_bidi_or_zero_width_character_is_refused_naming_the_field(a: str, bad: str, b: str) -> None:
    with pytest.raises(TextError) as err:
        check_text(a + bad + b, "文号", limit=NUMBER + 2 * NAME + 1)
    message = str(err.value)
    assert message.startswith("文号") and f"第 {len(a) + 1} 个字符" in message and f"U+{ord(bad):04X}" in message
    assert bad not in message  # the refusal never repeats the invisible character itself


@given(st.integers(1, 3 * CELL))
def test_length_is_limited_with_the_count_in_the_message(n: int) -> None:
    problem = text_problem("字" * n, limit=CELL)
    assert (problem is None) == (n <= CELL)
    if problem:
        assert f"共 {n} 个字符，最多 {CELL} 个" in problem


def test_line_breaks_only_where_several_lines_make_sense() -> None:
    assert check_text("第一行\n第二行\t缩进\r\n", "申诉理由", limit=100, multiline=True)
    with pytest.raises(TextError, match="换行或制表符"):
        check_text("平信用办\n〔2022〕1号", "文号", limit=NUMBER)
    with pytest.raises(TextError, match="请填写签发人"):
        check_text("  ", "签发人", limit=NAME, required=True)


@pytest.mark.parametrize("ch", ["\u00ad", "\u2061", "\u2064", "\U000e0041", "\u206a", "\u0600"])
def test_every_other_invisible_format_character_is_refused_too(ch: str) -> None:
    """Soft hyphen, invisible operators, tag characters …: format characters (Unicode Cf) show a text
    other than the one stored; the one policy refuses them all, so no path needs a second check."""
    problem = text_problem(f"平信用办{ch}〔2022〕1号", limit=NUMBER)
    assert problem is not None and "第 5 个字符" in problem and f"U+{ord(ch):04X}" in problem
