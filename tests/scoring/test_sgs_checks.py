"""双公示预检 checks on hand-made record files: every check hit once, with the expected row, field,
problem and indicator, and clean records left alone. Expectations are worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from credit.model.framework import load_framework
from credit.model.sgs_rules import load_sgs_rules
from credit.model.units import load_units
from credit.scoring.rules.deduct_per_item import deduct_per_item
from credit.scoring.sgs_checks import CALENDAR_YEARS, WorkingDays, check_codes, check_records, is_uscc, predict
from credit.workbook.sgs_reader import read_code_list, read_records
from tests.support.sgs import (
    AGENCY,
    ID_NUMBER,
    PENALTY_HEADERS,
    VALID_A,
    VALID_B,
    WRONG_CHECK,
    codes_xlsx,
    csv_bytes,
    licence,
    penalty,
    xlsx,
)

FINE = "罚款金额（万元）"
TODAY = date(2026, 12, 1)
RULES = load_sgs_rules()


def check(raw: bytes, name: str = "导出.xlsx", entities=None, today: date = TODAY):
    return check_records(read_records(raw, name, RULES), RULES, today, entities)


def found(result) -> set[tuple[str, int, str, str]]:
    return {(p.sheet, p.row, p.field, p.check) for p in result.problems}


def test_known_codes() -> None:
    # The test data's premises: two published valid codes, one wrong check character, a valid agency code.
    assert uscc.is_valid(VALID_A) and uscc.is_valid(VALID_B) and uscc.is_valid(AGENCY)
    assert not uscc.is_valid(WRONG_CHECK)


def test_clean_records_have_no_problem() -> None:
    res = check(xlsx([licence()], [penalty()]))
    assert res.problems == []
    assert res.n_records == 2 and res.by_kind == {"行政许可": 1, "行政处罚": 1}
    assert res.counts() == {"D2a": 0, "D2b": 0, "D15a": 0}


def test_every_check_once() -> None:
    lic = [
        licence(),                                                                     # row 3: clean
        licence(行政许可决定文书号="平市监许〔2022〕101号"),                           # row 4: duplicate of row 3
        licence(行政许可决定文书号="L3", 统一社会信用代码=WRONG_CHECK),                # row 5: check character
        licence(行政许可决定文书号="L4", 有效期自="2022-11-01", 有效期至="2021-10-31"),  # row 6: 至 < 自
        licence(行政许可决定文书号="L5", 当前状态="撤销"),                             # row 7: revoked
        licence(行政许可决定文书号="L6", 许可内容=""),                                 # row 8: required empty
        licence(行政许可决定文书号="L7", 许可决定日期="2022-11-03", 上报日期="2022-11-02"),  # row 9: after report
        licence(行政许可决定文书号="L8", 行政相对人名称="平阴县甲食品公司"),           # row 10: same code, other name
    ]
    pen = [
        penalty(行政处罚决定书文号="P1", 行政相对人类别="自然人", 行政相对人名称="王五", 统一社会信用代码="",
                法定代表人="", **{FINE: 0.02}),                                        # row 3: 200 元 on a person
        penalty(行政处罚决定书文号="P2", 行政相对人类别="自然人", 行政相对人名称="赵六", 统一社会信用代码="",
                法定代表人="", **{FINE: 0.0201}),                                      # row 4: 201 元: not simplified
        penalty(行政处罚决定书文号="P3", 处罚类别="警告", **{FINE: None}),              # row 5: a warning
        penalty(行政处罚决定书文号="P4", 处罚类别="罚款", **{FINE: 0.3}),               # row 6: 3,000 元 on a company
        penalty(行政处罚决定书文号="P5", 处罚类别="罚款", **{FINE: 0.3001}),            # row 7: 3,001 元: not simplified
        penalty(行政处罚决定书文号="P6", 行政相对人类别="自然人", 统一社会信用代码=ID_NUMBER, 法定代表人=""),  # row 8
        penalty(行政处罚决定书文号="P7", 处罚决定日期="2026-12-02", 上报日期=""),       # row 9: tomorrow
    ]
    res = check(xlsx(lic, pen))
    assert found(res) == {
        ("行政许可", 4, "行政许可决定文书号", "duplicate"),
        ("行政许可", 5, "统一社会信用代码", "uscc"),
        ("行政许可", 6, "有效期至", "dates"),
        ("行政许可", 7, "当前状态", "revoked"),
        ("行政许可", 8, "许可内容", "required"),
        ("行政许可", 9, "许可决定日期", "dates"),
        ("行政许可", 10, "行政相对人名称", "subject"),
        ("行政处罚", 3, FINE, "simple_penalty"),
        ("行政处罚", 5, "处罚类别", "simple_penalty"),
        ("行政处罚", 6, FINE, "simple_penalty"),
        ("行政处罚", 8, "统一社会信用代码", "id_number"),
        ("行政处罚", 9, "处罚决定日期", "dates"),
    }
    by = {(p.sheet, p.row): p for p in res.problems}
    assert by[("行政许可", 5)].message == "「91110000600037341M」校验位错误（按 GB 32100-2015 最后一位应为「L」）"
    assert by[("行政许可", 4)].message == "文书号「平市监许〔2022〕101号」与第 3 行重复"
    assert "罚款 200 元" in by[("行政处罚", 3)].message and "不超过 200 元" in by[("行政处罚", 3)].message
    assert "110105********002X" in by[("行政处罚", 8)].message and ID_NUMBER not in by[("行政处罚", 8)].message
    assert all(p.hint for p in res.problems)
    # D2a: rows 许可 4 (dup + subject), 5, 6, 8, 9, 10 and 处罚 8, 9 → 8 records;
    # D15a: 许可 4, 7, 10 and 处罚 3, 5, 6, 8 → 7 records; nothing late.
    assert res.counts() == {"D2a": 8, "D2b": 0, "D15a": 7}


def test_late_counts_chinese_working_days_with_tiaoxiu() -> None:
    """Decided Friday 2022-09-30; 10-01..07 National Day, Sat 10-08 and Sun 10-09 are 调休 working
    days, so the 7th working day after is Fri 10-14 (on time) and Mon 10-17 is the 8th (late).
    Counting Monday–Friday only would have made 10-14 the 9th and called it late."""
    rows = [licence(行政许可决定文书号=f"L{d}", 许可决定日期="2022-09-30", 有效期自="2022-09-30", 上报日期=f"2022-10-{d}")
            for d in (14, 17)]
    res = check(xlsx(rows))
    assert [(p.row, p.check) for p in res.problems] == [(4, "late")]
    assert "8 个工作日" in res.problems[0].message and res.problems[0].indicators == ("D2b",)
    assert res.warnings == []
    days = WorkingDays()
    assert days.after(date(2022, 9, 30), date(2022, 10, 14)) == 7


def test_outside_the_calendar_falls_back_to_weekdays_with_a_warning() -> None:
    year = CALENDAR_YEARS[1] + 1
    # Monday 2029-01-01 is a holiday in reality; Mon–Fri counting makes 01-10 the 7th working day after it.
    assert year <= 2029 and date(2029, 1, 1).weekday() == 0
    rows = [licence(行政许可决定文书号="L1", 许可决定日期="2029-01-01", 有效期自="2029-01-01", 有效期至="2034-01-01", 上报日期="2029-01-10"),
            licence(行政许可决定文书号="L2", 许可决定日期="2029-01-01", 有效期自="2029-01-01", 有效期至="2034-01-01", 上报日期="2029-01-11")]
    res = check(xlsx(rows), today=date(2029, 2, 1))
    assert [(p.row, p.check) for p in res.problems] == [(4, "late")]
    assert any("周一至周五" in w and "2029" in w for w in res.warnings)


def test_entity_list_and_natural_person_codes() -> None:
    entities = {VALID_A: ("平阴县甲食品有限责任公司", 2)}
    res = check(xlsx([licence()]), entities=entities)
    assert [(p.row, p.check) for p in res.problems] == [(3, "subject")]
    assert "平阴县甲食品有限责任公司" in res.problems[0].message and "名录第 2 行" in res.problems[0].message
    person = penalty(行政相对人类别="自然人", 行政相对人名称="王五", 统一社会信用代码=VALID_A, 法定代表人="")
    res = check(xlsx([], [person]))
    assert [(p.field, p.check) for p in res.problems] == [("统一社会信用代码", "uscc")]
    assert "自然人" in res.problems[0].message


def test_csv_in_gbk_without_title_and_with_aliases() -> None:
    headers = [{"罚款金额（万元）": "罚款金额(万元)", "处罚类别": "处罚种类"}.get(h, h) for h in PENALTY_HEADERS]
    rows = [{headers[i]: v for i, v in enumerate(penalty(**{FINE: "0.02"}).values())}]
    # the fine as text "0.02" (万元) = 200 元 on a company, under its 3,000 元 limit: simplified procedure
    res = check(csv_bytes(headers, rows, "gbk"), "导出.csv")
    # the 字段 column names the field as the file did (罚款金额(万元)), not the standard's spelling
    assert res.n_records == 1 and found(res) == {("导出.csv", 2, "罚款金额(万元)", "simple_penalty")}


def test_code_list() -> None:
    res = check_codes(read_code_list(codes_xlsx([VALID_A, WRONG_CHECK, VALID_A, "9111000060003734", VALID_B]), "c.xlsx"),
                      "c.xlsx")
    assert [(p.row, p.check) for p in res.problems] == [(3, "uscc"), (4, "duplicate"), (5, "uscc")]
    assert res.bad_codes == 3 and res.n_codes == 5
    assert "与第 2 行重复" in res.problems[1].message and "实际 16 位" in res.problems[2].message


@pytest.mark.parametrize(("code", "count", "before", "expected"), [
    ("D2a", 3, 0, 0.3), ("D2a", 5, 98, 0.2), ("D2b", 0, 4, 0.0), ("D15a", 1, 0, 0.1), ("D5", 3, 0, 1.5),
    ("D5", 9, 0, 2.0),
])
def test_predicted_deduction_uses_the_framework(code: str, count: int, before: float, expected: float) -> None:
    fw = load_framework("部门", load_units())
    unit = load_units().get("shichangjianguan")
    p = predict(code, count, before, fw, unit)
    ind = fw.indicator(code)
    _, d = deduct_per_item([before, before + count], ind.points, ind.param("step"), ind.param("cap"))
    assert p.applies and p.deduction == pytest.approx(expected) == pytest.approx(d[1] - d[0])
    if count:
        assert p.text().startswith(f"按当前规则预计扣 {expected:g} 分")
    # a different framework (what the office may publish) changes the prediction with it
    doubled = fw.with_points({code: ind.points * 2})
    assert predict(code, count, before, doubled, unit).step == pytest.approx(doubled.indicator(code).param("step"))


def test_prediction_for_a_unit_the_indicator_does_not_cover() -> None:
    fw = load_framework("部门", load_units())
    jinrong = next(u for u in load_units() if u.group == "部门" and not fw.indicator("D2a").applies_to.covers(u))
    p = predict("D2a", 4, 0, fw, jinrong)
    assert not p.applies and p.deduction == 0 and "不适用" in p.text()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=16, max_size=19))
def test_fast_code_check_agrees_with_stdnum(text: str) -> None:
    """`is_uscc` skips stdnum's clean-ups on normalised codes; the verdict must stay stdnum's."""
    assert is_uscc(text) == uscc.is_valid(text)
    if len(text) >= 17 and all(c in "0123456789ABCDEFGHJKLMNPQRTUWXY" for c in text[:17]):
        fixed = text[:17] + uscc.calc_check_digit(text[:17])  # a right check character, other rules still apply
        assert is_uscc(fixed) == uscc.is_valid(fixed)
