"""Rank stability (credit.scoring.stability): vectorised ranks per run, the simulation, and the words.

Uses the hand-built month of tests/scoring/test_whatif.py (tongji 95.83 rank 1, keji 94.79 rank 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.app import service
from credit.common.rounding import competition_rank
from credit.errors import ConfigError
from credit.scoring import stability, whatif
from credit.scoring.engine import score_month
from tests.scoring.test_whatif import FW, _month


@pytest.fixture(scope="module")
def scores():
    return score_month(_month(), FW)


def test_competition_ranks_of_each_run():
    keys = np.array([[90.0, 80.0], [90.0, 85.0], [70.0, 85.0]])
    assert competition_rank(keys).tolist() == [[1, 3], [1, 1], [3, 1]]


def test_matrix_scores_agree_with_the_tidy_reweighting(demo_db):
    with service.open_store(demo_db) as store:
        ms = service.score(store, "2022-10", "部门", with_previous=False).scores
    rng = np.random.default_rng(3)
    pts = {c: float(v) for c, v in zip(ms.framework.codes, rng.uniform(0, 10, len(ms.framework.codes)))}
    mx = whatif.attainment_matrix(ms.detail, ms.framework.codes)
    w = np.array([[pts[c] for c in mx.codes]])
    for policy in ("rescale", "na_full"):
        tidy = whatif.reweight(ms.detail, ms.framework, pts, policy).set_index("unit_id")["score"]
        matrix = pd.Series(stability.matrix_scores(mx, w, policy)[:, 0], index=mx.unit_ids)
        assert np.allclose(tidy.reindex(mx.unit_ids).to_numpy(), matrix.to_numpy(), atol=1e-9)


def test_stability_is_deterministic_and_collapses_to_the_official_rank_without_noise(demo_db):
    with service.open_store(demo_db) as store:
        ms = service.score(store, "2022-10", "部门", with_previous=False).scores
    a = stability.stability(ms.detail, ms.framework, pct=20, runs=300, seed=7)
    b = stability.stability(ms.detail, ms.framework, pct=20, runs=300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert a["unit_id"].tolist() == ms.summary["unit_id"].tolist()
    assert a["rank"].tolist() == ms.summary["rank"].astype(int).tolist()
    n = len(a)
    assert ((1 <= a["p05"]) & (a["p05"] <= a["median"]) & (a["median"] <= a["p95"]) & (a["p95"] <= n)).all()
    assert (a["p95"] > a["p05"]).any()  # ±20% does move some of 31 departments
    zero = stability.stability(ms.detail, ms.framework, pct=0, runs=50, seed=7)
    assert (zero["p05"] == zero["rank"]).all() and (zero["p95"] == zero["rank"]).all()
    assert (zero["median"] == zero["rank"]).all() and (zero["same_rank"] == 1).all()


def test_stability_of_the_hand_built_pair(scores):
    """Same applicable points, so tongji leads iff its loss D8 < keji's 0.25·D5 + 0.5·D14 (2 < 2.5
    officially). With every weight within ±50% that holds in most runs, not all."""
    s = stability.stability(scores.detail, FW, pct=50, runs=2000, seed=1).set_index("unit_id")
    assert s.loc["tongji", "rank"] == 1
    assert 0.5 < s.loc["tongji", "above_next"] < 1
    assert np.isnan(s.loc["keji", "above_next"])


def test_stability_refuses_nonsense():
    with pytest.raises(ConfigError):
        stability.stability(pd.DataFrame(), FW, pct=120)
    with pytest.raises(ConfigError):
        stability.stability(pd.DataFrame(), FW, runs=0)


STAB = pd.DataFrame({
    "unit_id": ["a", "b", "c", "d"], "unit": ["甲", "乙", "丙", "丁"], "rank": [1, 2, 3, 4],
    "median": [1, 2, 3, 4], "p05": [1, 1, 2, 4], "p95": [2, 3, 4, 4],
    "same_rank": [0.9, 0.555, 0.7, 1.0], "above_next": [0.95, 0.6, 0.75, np.nan],
})


def test_pairs_down_to_the_line_then_only_the_shaky_ones():
    top, shaky = stability.pair_notes(STAB, boundary=1)
    assert [(p.unit, p.next_unit) for p in top] == [("甲", "乙")] and not top[0].shaky
    assert [(p.unit, p.next_unit, p.above_next) for p in shaky] == [("乙", "丙", 0.6), ("丙", "丁", 0.75)]
    top2, shaky2 = stability.pair_notes(STAB, boundary=2)
    assert len(top2) == 2 and [p.unit for p in shaky2] == ["丙"]


def test_notes_read_as_the_page_shows_them():
    assert stability.notes(STAB, boundary=2) == [
        "第 1 名 **甲** 与第 2 名 **乙**：在 95% 的模拟中前者仍排在前面。",
        "第 2 名 **乙** 与第 3 名 **丙**：在 60% 的模拟中前者仍排在前面，先后并不可靠。",
        "其他先后不可靠的相邻单位（保持先后的模拟不足 80%）：丙与丁（第 3/4 名，75%）。",
    ]
    steady = STAB.assign(above_next=[0.99, 0.9, 0.85, np.nan])
    assert len(stability.notes(steady, boundary=1)) == 1  # nothing shaky below the line: no extra line


def test_table_has_chinese_headers_percentages_and_a_dash_for_the_last():
    t = stability.table(STAB)
    assert list(t.columns) == ["基准排名", "单位", "中位排名", "5%分位", "95%分位", "保持基准名次", "领先下一名"]
    assert t["保持基准名次"].tolist() == ["90.0%", "55.5%", "70.0%", "100.0%"]
    assert t["领先下一名"].tolist() == ["95.0%", "60.0%", "75.0%", "—"]


def test_the_pair_of_the_hand_built_month_in_words(scores):
    s = stability.stability(scores.detail, FW, pct=50, runs=2000, seed=1)
    (line,) = stability.notes(s, boundary=1)
    share = s.set_index("unit_id").loc["tongji", "above_next"]
    assert line.startswith("第 1 名 **统计局** 与第 2 名 **科技局**：在 ") and f"{share:.0%}" in line
    assert whatif.official_points(FW)  # the base of the run is the official points
