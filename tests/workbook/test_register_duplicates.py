"""The upload preview's register duplicates (plain Python) against `combined_view` (the frames the
register pages and the scores' counting use): the same entries flagged, with the same pointer."""

from __future__ import annotations

import random

import pandas as pd

from credit.model.contract import SHEET_SCENARIOS, SHEET_SUPERVISION, UNIT_COL
from credit.workbook.preview import FLAG_COLUMNS, register_duplicates
from credit.workbook.registers import KEY_COLUMN, SOURCE_SHEET, combined_view, headers


def _reference(sheet: str, month: str, new, year_rows: pd.DataFrame, entries) -> list[tuple[str, str, str]]:
    """What the preview flagged before it walked the rows itself: `combined_view` of the year with
    this month's rows replaced by the new ones."""
    others = year_rows[year_rows["month"] != month]
    mine = pd.DataFrame([{"month": month, **r} for r in new]).reindex(columns=year_rows.columns)
    t = combined_view(sheet, pd.concat([others, mine], ignore_index=True), entries).table
    dup = t[(t["来源"] == SOURCE_SHEET) & (t["month"] == month) & t["重复"]]
    return list(zip(dup[UNIT_COL], dup[KEY_COLUMN[sheet]], dup["重复说明"]))


def _columns(sheet: str) -> list[str]:
    return ["month", "row", "unit_id", *headers(sheet)]


def test_hand_computed_repeats_within_the_file_across_months_and_against_typed_entries() -> None:
    year = [
        {"month": "2022-01", "row": 3, "unit_id": "a", UNIT_COL: "甲", "信用应用": "信易批"},
        {"month": "2022-03", "row": 4, "unit_id": "b", UNIT_COL: "乙", "信用应用": "旧的"},  # replaced by `new`
    ]
    new = [
        {"row": 5, "unit_id": "a", UNIT_COL: "甲", "信用应用": "信易\u3000批"},  # whitespace only: same entry
        {"row": 6, "unit_id": "b", UNIT_COL: "乙", "信用应用": "信易医"},
        {"row": 7, "unit_id": "b", UNIT_COL: "乙", "信用应用": " 信易医 "},  # repeats row 6 of this file
        {"row": 8, "unit_id": "b", UNIT_COL: "乙", "信用应用": "信易游"},  # typed in February first
        {"row": 9, "unit_id": "c", UNIT_COL: "丙", "信用应用": "信易批"},  # another unit: not a repeat
        {"row": 10, "unit_id": "b", UNIT_COL: "乙", "信用应用": "旧的"},  # the replaced row does not count
    ]
    typed = [{"id": 2, "month": "2022-02", "unit_id": "b", "data": {UNIT_COL: "乙", "信用应用": "信易游"}},
             {"id": 9, "month": "2022-03", "unit_id": "c", "data": {UNIT_COL: "丙", "信用应用": "信易批"}}]
    got = register_duplicates(SHEET_SCENARIOS, "2022-03", new, year, typed)
    assert list(got.columns) == FLAG_COLUMNS
    assert got[["单位", "指标", "说明"]].values.tolist() == [
        ["甲", "信易\u3000批", "与2022-01 上传表格第 3 行重复，只计一次"],
        ["乙", " 信易医 ", "与2022-03 上传表格第 6 行重复，只计一次"],
        ["乙", "信易游", "与2022-02 页面录入 #2重复，只计一次"],
    ]  # 丙's typed entry of March comes after the uploaded row: that one is the repeat, not row 9
    frame = pd.DataFrame(year).reindex(columns=_columns(SHEET_SCENARIOS))  # the frame path gives the same
    assert register_duplicates(SHEET_SCENARIOS, "2022-03", new, frame, typed).equals(got)
    assert register_duplicates(SHEET_SCENARIOS, "2022-03", [], [], []).empty


def test_register_duplicates_agree_with_combined_view() -> None:
    rng = random.Random(28)
    flagged = 0
    names = ["信易批", "信易 批", "信易医", "信易游", "\t信易游", "信易贷", "x"]
    for trial in range(60):
        sheet = SHEET_SCENARIOS if trial % 2 else SHEET_SUPERVISION
        key = KEY_COLUMN[sheet]
        month = f"2022-{rng.randint(1, 12):02d}"

        def rec(row: int, key: str = key) -> dict:
            unit = rng.choice("abc")
            return {"row": row, "unit_id": unit, UNIT_COL: f"单位{unit}", key: rng.choice(names)}

        year = [{"month": f"2022-{rng.randint(1, 12):02d}", **rec(r)} for r in rng.sample(range(1, 40), rng.randint(0, 12))]
        new = [rec(r) for r in rng.sample(range(1, 40), rng.randint(0, 12))]
        typed = [{"id": i, "month": f"2022-{rng.randint(1, 12):02d}", "unit_id": (u := rng.choice("abc")),
                  "data": {UNIT_COL: f"单位{u}", key: rng.choice(names)}} for i in rng.sample(range(1, 30), rng.randint(0, 6))]
        frame = pd.DataFrame(year, columns=_columns(sheet))
        got = register_duplicates(sheet, month, new, year, typed)
        want = _reference(sheet, month, new, frame, typed)
        flagged += bool(want)
        assert list(zip(got["单位"], got["指标"], got["说明"])) == want, trial
    assert flagged > 30  # most trials have repeats to agree on
