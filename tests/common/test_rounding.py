"""The one rounding and ranking of scores (credit/common/rounding.py), by hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from credit.common.rounding import competition_rank, json_number, round2, settle
from credit.model.framework import load_framework
from credit.model.units import load_units
from credit.scoring import stability
from credit.scoring.engine import score_month, summarise
from tests.support.synthetic import build_inputs

EDGE = 0.17500000000000002  # 0.07 × 2.5 in floats: the raw score the two old _round2 disagreed on


@given(st.lists(st.one_of(
    st.floats(0, 100, allow_nan=False),
    st.integers(0, 100_000).map(lambda k: k / 1000),  # x.xx5 values: exactly the hard cases
), min_size=1, max_size=50))
def test_round2_equals_pythons_round(values: list[float]) -> None:
    assert round2(np.array(values, dtype=float)).tolist() == [round(v, 2) for v in values]


def test_round2_keeps_the_printed_figure():
    # 6.395 is 6.39499… in binary, printed "6.39"; 0.125 is exact and prints "0.12" (half to even)
    values = [6.395, 0.125, 2.675, 1.005, 88.435]
    assert round2(np.array(values)).tolist() == [6.39, 0.12, 2.67, 1.0, 88.44]
    assert [f"{v:.2f}" for v in values] == ["6.39", "0.12", "2.67", "1.00", "88.44"]


def test_round2_of_a_matrix_keeps_its_shape():
    assert round2(np.array([[6.395, 1.0], [2.675, 0.125]])).tolist() == [[6.39, 1.0], [2.67, 0.12]]


def test_competition_rank_one_ranking_and_per_column():
    assert competition_rank(np.array([5.0, 4.0, 4.0, 3.0])).tolist() == [1, 2, 2, 4]
    # 80.004 and 80.001 both print 80.00 and tie; 80.006 → 80.01 is ahead of them
    assert competition_rank(pd.Series([90.0, 80.004, 80.001, 70.0, 80.006])).tolist() == [1, 3, 3, 5, 2]
    keys = np.array([[90.0, 80.0], [90.0, 85.0], [70.0, 85.0]])
    assert competition_rank(keys).tolist() == [[1, 3], [1, 1], [3, 1]]
    assert competition_rank(np.array([])).tolist() == []


def test_the_old_disagreeing_value_settles_to_the_printed_score():
    assert 0.07 * 2.5 == EDGE and round(EDGE, 2) == 0.18  # the raw float is above .175
    assert settle(EDGE) == 0.175 and f"{settle(EDGE):.2f}" == "0.17"  # the settled score prints 0.17
    # a unit at EDGE ties with 0.17 (not with 0.18) wherever a score is ranked
    assert competition_rank(settle([0.18, EDGE, 0.17])).tolist() == [1, 2, 2]


def test_the_old_disagreeing_value_ranks_the_same_in_scoring_and_stability():
    """Official summary (engine) and the stability runs (whatif) rank a raw 0.17500000000000002 alike.

    Three departments, only D3 (10 pts) applying, attainments 0.0018, 0.00175, 0.0017: earned
    0.018, 0.0175, 0.017 and raw scores 100 × earned ÷ 10 = 0.18, EDGE, 0.17. The old engine
    helper rounded EDGE to 0.18 and the old stability helper to 0.17; both paths now settle the
    score, then round2: EDGE → 0.175 → 0.17, so ranks are 1, 2, 2 in both.
    """
    assert 100 * settle(10 * 0.00175) / 10 == EDGE
    month = "2022-06"
    register = load_units()
    fw = load_framework("部门", register)
    detail = score_month(build_inputs(month, "部门", register, []), fw).detail
    # keep three units and one indicator D3 (min_max, 10 pts); set their attainments by hand
    ids = detail["unit_id"].drop_duplicates().to_numpy()[:3]
    d = detail[detail["unit_id"].isin(ids)].copy()
    d["applies"] = d["code"] == "D3"
    atts = {ids[0]: 0.0018, ids[1]: 0.00175, ids[2]: 0.0017}
    d["attainment"] = np.where(d["applies"], d["unit_id"].map(atts), np.nan)
    d["earned"] = np.where(d["applies"], settle(d["points"] * d["attainment"]), 0.0)
    d["possible"] = np.where(d["applies"], d["points"], 0.0)
    official = summarise(d.reset_index(drop=True), fw, "rescale", month).set_index("unit_id")
    assert official.loc[list(ids), "rank"].tolist() == [1, 2, 2]
    stab = stability.stability(d.reset_index(drop=True), fw, pct=0.0, runs=3).set_index("unit_id")
    assert stab.loc[list(ids), "median"].tolist() == [1, 2, 2]
    assert stab.loc[list(ids), "same_rank"].tolist() == [1.0, 1.0, 1.0]


def test_json_number_keeps_six_decimals():
    assert json_number(73.33333333333333) == 73.333333
    assert json_number(np.float64(0.1) + np.float64(0.2)) == 0.3


def test_one_ranking_counts_the_same_ranks_as_the_sorting_path():
    """A single ranking is counted (bincount over hundredths), a matrix of runs is sorted: both
    give 1 + the number of units strictly higher, ties on the printed score included."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(1, 400))
        scores = settle(rng.choice([0.0, 0.125, 66.666, 80.004, 80.001, 100.0], n) + rng.random(n) * rng.integers(0, 2))
        printed = [float(round(v, 2)) for v in scores]  # each score's printed value, rounded once
        by_hand = [1 + sum(o > v for o in printed) for v in printed]
        assert competition_rank(scores).tolist() == by_hand
        both = np.column_stack([scores, scores])  # two runs: the sorting path
        assert competition_rank(both)[:, 0].tolist() == by_hand
    assert competition_rank(np.array([1e9, 0.0])).tolist() == [1, 2]  # a wide span: the sorting path
