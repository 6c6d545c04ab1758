"""The one rule for a unit that sent nothing this month (credit.scoring.not_reported), by hand:
a tiny month where 甲, 丙 and 丁 reported and 乙 did not."""

from __future__ import annotations

import pandas as pd

from credit.model.units import Unit
from credit.reports.bulletin import GroupBulletin, overall_sentence
from credit.scoring.inputs import MonthInputs
from credit.scoring.not_reported import (
    NOT_REPORTED,
    REPORTED,
    rank_reported,
    reported_mask,
    silent_ids,
    state_labels,
)


def _summary() -> pd.DataFrame:
    """As the engine ranks it from carried-over figures: 乙 (silent) first on last month's 95."""
    return pd.DataFrame({
        "month": "2022-11", "unit_id": ["b", "a", "c", "d"], "unit": ["乙", "甲", "丙", "丁"], "kind": "镇",
        "earned": [95.0, 90.0, 80.0, 80.0], "possible": [100.0] * 4, "score": [95.0, 90.0, 80.0, 80.0],
        "rank": pd.array([1, 2, 3, 3], dtype="Int64"),
        "prev_score": [94.0, 91.0, 70.0, 85.0], "prev_rank": pd.array([1, 2, 4, 3], dtype="Int64"),
        "d_score": [1.0, -1.0, 10.0, -5.0], "d_rank": pd.array([0, 0, -1, 0], dtype="Int64"),
    })


def test_a_silent_unit_is_blank_and_last_and_the_others_rank_among_themselves() -> None:
    out = rank_reported(_summary(), ["b"])
    assert list(out["unit"]) == ["甲", "丙", "丁", "乙"]
    assert list(out["rank"].astype(object).where(out["rank"].notna(), None)) == [1, 2, 2, None]  # 1, 2, 2
    assert list(out[REPORTED]) == [True, True, True, False]
    silent = out.iloc[3]
    assert pd.isna(silent["score"]) and pd.isna(silent["earned"]) and pd.isna(silent["prev_rank"])
    assert silent["unit_id"] == "b" and silent["kind"] == "镇"  # the name stays: it is listed as 未报送
    assert out["d_rank"].isna().all()  # a rank among 3 of 4 is not compared with last month's among 4
    assert list(out["d_score"].iloc[:3]) == [-1.0, 10.0, -5.0]  # a reported unit's change is real
    assert list(out["prev_rank"].iloc[:3]) == [2, 4, 3]  # last month's rank as it was
    assert state_labels(out) == ["已报送", "已报送", "已报送", NOT_REPORTED]


def test_nothing_silent_changes_nothing_but_the_reported_column() -> None:
    out = rank_reported(_summary(), [])
    assert list(out["rank"]) == [1, 2, 3, 3] and list(out["d_rank"]) == [0, 0, -1, 0]
    assert out[REPORTED].all() and state_labels(out) is None
    assert reported_mask(_summary()).all()  # a record signed before the rule: every row ranked


def test_silent_units_are_listed_in_register_order_not_by_carried_over_score() -> None:
    assert list(rank_reported(_summary(), ["d", "b"])["unit"]) == ["甲", "丙", "丁", "乙"]
    assert list(rank_reported(_summary(), ["b", "d"])["unit"]) == ["甲", "丙", "乙", "丁"]


def test_a_row_of_zeros_is_reported_and_a_blank_row_or_no_row_is_not() -> None:
    units = [Unit(id=x, name=n, group="镇街", kind="镇") for x, n in (("a", "甲"), ("b", "乙"), ("c", "丙"), ("d", "丁"))]
    monthly = pd.DataFrame({"month": ["2022-10", "2022-11", "2022-11", "2022-11"], "unit_id": ["b", "a", "c", "d"],
                            "本月出台信用制度文件数": [3.0, 0.0, None, 1.0], "本月报送信用动态稿件数": [1.0, 0.0, None, None]})
    inp = MonthInputs("2022-11", "镇街", units, monthly, pd.DataFrame(), pd.DataFrame())
    # 甲 reported zeros (a figure), 乙 only last month, 丙 a row of blanks, 丁 one figure
    assert silent_ids(inp) == ["b", "c"]


def test_the_sentence_counts_averages_and_names_only_the_ranked_units() -> None:
    table = pd.DataFrame({"排名": pd.array([1, 2, 2, None], dtype="Int64"), "单位": ["甲", "丙", "丁", "乙"],
                          "得分率": [90.0, 80.0, 80.0, None], "状态": ["已报送"] * 3 + [NOT_REPORTED]})
    gb = GroupBulletin("镇街", "镇（街道）、开发区", [], table, pd.DataFrame())
    assert overall_sentence(gb) == ("4个镇（街道）、开发区中已报送 3 个、平均得分率 83.33，甲（90.00）、丙（80.00）、"
                                    "丁（80.00）位列前三，丙（80.00）、丁（80.00）得分率最低，乙 1 个单位未报送、不参加排名。")
    none = GroupBulletin("部门", "部门（单位）", [], table.assign(排名=pd.array([None] * 4, dtype="Int64")),
                         pd.DataFrame())
    assert overall_sentence(none) == "4个部门（单位）本月均未报送，暂不排名。"
