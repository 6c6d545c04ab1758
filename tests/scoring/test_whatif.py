"""What-if weights (credit.scoring.whatif): re-weighting by attainment, budget arithmetic, reasons, wording.

The hand-built month: two departments outside the 双公示 list (科技局 keji, 统计局 tongji), so each
has D1 10, D3 10, D4 8, D5 2, D8 2, D9 2, D11 2, D12 8, D14 4 = 48 applicable points. Both are full
everywhere except: keji has 1 erroneous credit code (D5: 2 − 0.5 = 1.5, attainment 0.75) and one
serious event not handled (D14: 4 − 2 = 2); tongji has no 信易+ scenario (D8: 0).
  keji   = 10+10+8+1.5+2+2+2+8+2 = 45.5 / 48 = 94.7917   → rank 2
  tongji = 10+10+8+2  +0+2+2+8+4 = 46   / 48 = 95.8333   → rank 1
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.app import service
from credit.errors import ConfigError
from credit.model.framework import load_framework
from credit.model.units import load_units
from credit.scoring import whatif
from credit.scoring.engine import score_month, summarise
from credit.scoring.not_reported import REPORTED
from tests.support.synthetic import build_inputs

REG = load_units()
FW = load_framework("部门", REG)
UNITS = [u for u in REG.active("2022-12", "部门") if u.id in ("keji", "tongji")]


def _month():
    rows = [{
        "month": "2022-12", "unit_id": uid, "本月出台信用制度文件数": 3, "本月归集其他信用信息条数": 5,
        "本月报送信用动态稿件数": 12, "本月信用动态稿件被采用数": 6, "统一社会信用代码重错码条数": codes,
        "清欠未完成案例数": 0, "本月开展信用宣传活动次数": 4,
    } for uid, codes in (("keji", 1), ("tongji", 0))]
    events = [{"month": "2022-11", "unit_id": "keji", "事项类型": "严重失信事件", "处理情况": "未处理"}]
    registers = {
        "信易+场景": [{"month": "2022-03", "row": 2, "unit_id": "keji", "信用应用": "信易批"}],
        "分级分类监管": [{"month": "2022-03", "row": 2 + i, "unit_id": u, "监管领域": "建筑市场"}
                   for i, u in enumerate(("keji", "tongji"))],
    }
    return build_inputs("2022-12", "部门", UNITS, unit_rows=rows, events=events, registers=registers)


@pytest.fixture(scope="module")
def scores():
    return score_month(_month(), FW)


def _row(summary: pd.DataFrame, uid: str) -> pd.Series:
    return summary.set_index("unit_id").loc[uid]


def test_the_hand_built_month_scores_as_computed(scores):
    assert _row(scores.summary, "keji")["score"] == pytest.approx(100 * 45.5 / 48)
    assert _row(scores.summary, "tongji")["score"] == pytest.approx(100 * 46 / 48)
    d5 = scores.detail[(scores.detail["unit_id"] == "keji") & (scores.detail["code"] == "D5")].iloc[0]
    assert (d5["earned"], d5["attainment"]) == (1.5, 0.75)


def test_unchanged_points_reproduce_the_official_summary_exactly(scores):
    pd.testing.assert_frame_equal(whatif.reweight(scores.detail, FW, None), scores.summary)
    pd.testing.assert_frame_equal(whatif.reweight(scores.detail, FW, whatif.official_points(FW)), scores.summary)


@pytest.mark.parametrize("group", ["镇街", "部门"])
def test_unchanged_points_reproduce_the_demo_ranking_exactly(demo_db, group):
    with service.open_store(demo_db) as store:
        for month in ("2022-03", "2022-10"):
            ms = service.score(store, month, group, with_previous=False).scores
            official = ms.summary.drop(columns=REPORTED)  # every unit reported these months (not_reported)
            assert ms.summary[REPORTED].all()
            pd.testing.assert_frame_equal(whatif.reweight(ms.detail, ms.framework, {}), official)
            pd.testing.assert_frame_equal(whatif.reweight(ms.detail, ms.framework, {}, "na_full"),
                                          summarise(ms.detail, ms.framework, "na_full", month))


def test_halving_a_deduction_indicator_halves_the_points_earned_and_lost(scores):
    """D5 2 → 1 pt: keji's 1 code now costs 0.25, earned 1 × 0.75 = 0.75 (spec: new_pts × attainment)."""
    detail = whatif.reweighted_detail(scores.detail, whatif.complete_points(FW, {"D5": 1}))
    d5 = detail[(detail["unit_id"] == "keji") & (detail["code"] == "D5")].iloc[0]
    assert (d5["points"], d5["earned"], d5["possible"]) == (1.0, 0.75, 1.0)
    summary = whatif.reweight(scores.detail, FW, {"D5": 1})
    assert _row(summary, "keji")["earned"] == pytest.approx(44.75)
    assert _row(summary, "keji")["possible"] == pytest.approx(47)
    assert _row(summary, "keji")["score"] == pytest.approx(100 * 44.75 / 47)
    assert _row(summary, "tongji")["score"] == pytest.approx(100 * 45 / 47)
    assert _row(summary, "keji")["信用制度和基础建设"] == pytest.approx(10 + 10 + 8 + 0.75)


def test_dropping_a_first_level_flips_the_ranks_and_says_why(scores):
    """信用监管 (D12 8, D13 8, D14 4) → 0: keji 35.5/36 = 98.61 beats tongji 34/36 = 94.44."""
    points = whatif.set_level1(FW, whatif.official_points(FW), "信用监管", 0, budget=None)
    assert points["D12"] == points["D13"] == points["D14"] == 0
    sim = whatif.simulate(scores.detail, FW, points)
    t = sim.table.set_index("unit_id")
    assert t.loc["keji", "score_whatif"] == pytest.approx(100 * 35.5 / 36)
    assert t.loc["tongji", "score_whatif"] == pytest.approx(100 * 34 / 36)
    assert (t.loc["keji", "rank_official"], t.loc["keji", "rank_whatif"], t.loc["keji", "d_rank"]) == (2, 1, 1)
    assert t.loc["keji", "reason"] == "因信用监管权重下调，上升1位"
    assert t.loc["tongji", "reason"] == "因信用监管权重下调，下降1位"
    assert sim.total == pytest.approx(80)


def test_a_page_of_rows_is_explained_as_the_whole_table_explains_it(scores):
    """The page's fast path (`explained_rows`: only the rows on show are visited) against the hand
    figures above and against the whole table's reasons, rows in the order asked for."""
    points = whatif.set_level1(FW, whatif.official_points(FW), "信用监管", 0, budget=None)
    sim = whatif.simulate_on(whatif.baseline(scores.detail, FW), points, explain=())
    assert (sim.table["reason"] == "").all()  # nothing explained until asked
    assert list(sim.table["unit_id"]) == ["tongji", "keji"]  # official order: tongji 95.83 first
    rows = sim.explained_rows([1, 0])
    assert list(rows["unit_id"]) == ["keji", "tongji"]
    assert list(rows["reason"]) == ["因信用监管权重下调，上升1位", "因信用监管权重下调，下降1位"]
    assert list(rows["rank_whatif"]) == [1, 2]
    pd.testing.assert_frame_equal(rows, sim.explained().iloc[[1, 0]])
    assert list(sim.explained_rows([])["reason"]) == []


def test_one_indicator_changed_is_named_on_its_own(scores):
    sim = whatif.simulate(scores.detail, FW, {"D14": 0})
    t = sim.table.set_index("unit_id")
    assert t.loc["keji", "score_whatif"] == pytest.approx(100 * 43.5 / 44)
    assert t.loc["keji", "reason"] == "因「D14 严重失信事件出现情况」权重下调，上升1位"


def test_budget_mode_lowering_one_level_is_explained_by_that_level_not_the_others(scores):
    points = whatif.set_level1(FW, whatif.official_points(FW), "信用监管", 0, budget=100)
    t, drv = whatif.drivers(FW, points)
    assert [(d.label, d.direction) for d in drv] == [("信用监管", -1)]
    assert t == pytest.approx(100 / 80, abs=1e-3)
    assert whatif.simulate(scores.detail, FW, points).table.set_index("unit_id").loc["keji", "reason"] == \
        "因信用监管权重下调，上升1位"


def test_budget_mode_keeps_the_total_at_100_and_rescales_the_others_pro_rata():
    pts = whatif.set_level1(FW, whatif.official_points(FW), "营商环境", 5, budget=100)
    # the other 95 split 60:20:5 → 67.0588, 22.3529, 5.5882, to the cent by largest remainder
    assert whatif.level1_totals(FW, pts) == {"信用制度和基础建设": 67.06, "营商环境": 5.0, "信用监管": 22.35,
                                             "权益保护": 5.59}
    assert sum(pts.values()) == pytest.approx(100, abs=1e-9)
    assert all(round(v, 2) == v for v in pts.values())
    # an indicator in budget mode: its siblings absorb the change, every total stays
    pts2 = whatif.set_indicator(FW, pts, "D1", 20, budget=100)
    assert pts2["D1"] == 20
    assert whatif.level1_totals(FW, pts2) == whatif.level1_totals(FW, pts)
    # an indicator alone in its level (镇街's 信用监管 is only T9) moves the level itself
    town = load_framework("镇街", REG)
    t_pts = whatif.set_indicator(town, whatif.official_points(town), "T9", 30, budget=100)
    assert t_pts["T9"] == 30 and sum(t_pts.values()) == pytest.approx(100)
    assert whatif.level1_totals(town, t_pts) == {"信用制度和基础建设": 7.78, "营商环境": 62.22, "信用监管": 30.0}


def test_free_mode_changes_only_what_was_moved_and_normalise_restores_the_budget():
    pts = whatif.set_level1(FW, whatif.official_points(FW), "营商环境", 45, budget=None)
    assert whatif.level1_totals(FW, pts)["信用制度和基础建设"] == 60
    assert sum(pts.values()) == pytest.approx(130)
    assert pts["D6"] == 9 and pts["D7a"] == 6  # 3 and 2 of 15, times 3
    back = whatif.normalise(FW, pts, 100)
    assert sum(back.values()) == pytest.approx(100)
    assert whatif.level1_totals(FW, back)["营商环境"] == pytest.approx(round(45 / 130 * 100, 2))


def test_distribute_and_rebalance_round_to_the_cent_and_meet_the_total():
    assert whatif.distribute(100, [1, 1, 1]) == [33.34, 33.33, 33.33]
    assert whatif.distribute(10, [0, 0]) == [5.0, 5.0]
    assert whatif.rebalance({"a": 50, "b": 30, "c": 20}, "a", 150, 100) == {"a": 100.0, "b": 0.0, "c": 0.0}
    assert whatif.rebalance({"a": 50, "b": 30, "c": 20}, "a", 20, 100) == {"a": 20.0, "b": 48.0, "c": 32.0}


def test_bad_points_are_refused():
    with pytest.raises(ConfigError, match="未知的二级指标代码"):
        whatif.complete_points(FW, {"X9": 1})
    with pytest.raises(ConfigError, match="不能为负数"):
        whatif.complete_points(FW, {"D1": -1})
    with pytest.raises(ConfigError, match="应为数字"):
        whatif.complete_points(FW, {"D1": float("nan")})


def test_tier_crossings_name_the_bands():
    official = pd.DataFrame({"unit_id": list("abcdefg"), "unit": list("ABCDEFG"), "rank": range(1, 8),
                             "score": np.linspace(90, 60, 7)})
    whatif_ = official.assign(rank=[4, 2, 3, 1, 5, 7, 6])
    t = whatif.compare(official, whatif_, boundary=2).set_index("unit_id")
    assert t.loc["a", "crossing"] == "跌出前2名"
    assert t.loc["d", "crossing"] == "进入前2名"
    assert t.loc["b", "crossing"] == "" and t.loc["f", "crossing"] == ""  # f: 6 → 7 stays in the last 2
    assert whatif.crossing("top", "bottom", 3) == "跌出前3名、落入后3名"


def test_move_notes_say_who_why_and_the_crossing(scores):
    pts = whatif.official_points(FW)
    pts["D5"], pts["D14"] = 0.0, 0.0  # keji's losses no longer count: 42/42 = 100 against tongji's 40/42
    sim = whatif.simulate(scores.detail, FW, pts, boundary=1)
    moved = sim.table[sim.table["d_rank"] != 0].sort_values("rank_whatif", kind="stable")
    lines = whatif.move_notes(moved)
    assert len(lines) == len(moved) == 2
    keji = next(line for line in lines if "科技局" in line)
    assert keji.startswith("**科技局**：因") and keji.endswith("上升1位（第 2 名 → 第 1 名，进入前1名、摆脱后1名）")
    tongji = next(line for line in lines if "统计局" in line)
    assert tongji.endswith("下降1位（第 1 名 → 第 2 名，跌出前1名、落入后1名）")
    assert whatif.move_notes(moved.iloc[0:0]) == []


def test_effective_months_offer_the_month_after_the_last_with_data():
    assert whatif.effective_months(["2022-11", "2022-12"], "2022-11") == ["2023-01", "2022-12", "2022-11"]
    assert whatif.effective_months([], "2022-05") == ["2022-06", "2022-05"]


def test_a_weight_change_reads_as_one_sentence_in_beijing_time():
    change = {"at": "2026-11-28T23:30:00+00:00", "who": "信用办",
              "detail": {"effective_month": "2022-11", "reason": "领导小组会议决定",
                         "old": {"level1": {"营商环境": 30.0, "信用监管": 20.0}},
                         "new": {"level1": {"营商环境": 25.0, "信用监管": 25.0}}}}
    assert whatif.weight_change_text(change) == (
        "2026-11-29 07:30　信用办：自2022年11月起调整为新权重（营商环境 30→25、信用监管 20→25）；原因：领导小组会议决定")
    assert whatif.level1_diff({"a": 10.0}, {"a": 10.0}) == "仅二级指标分值调整"
    assert whatif.level1_diff({}, {"新指标": 5.0}) == "新指标 0→5"


# ---- large groups: the cached baseline, reasons for the rows on show ------------------------------


@pytest.fixture(scope="module")
def synthetic_month():
    """300 departments, ten months of random data: ties, non-applicable indicators, deductions."""
    from tests.support.synthetic import make_year, register_with_departments

    register = register_with_departments(300)
    year = make_year(register, seed=3, months=10)
    fw = load_framework("部门", register)
    return score_month(year.inputs(10, "部门"), fw), fw


@pytest.mark.parametrize("policy", ["rescale", "na_full"])
def test_baseline_scores_are_scorings_summary_bit_for_bit(synthetic_month, policy):
    ms, fw = synthetic_month
    base = whatif.baseline(ms.detail, fw, policy)
    rng = np.random.default_rng(7)
    sets = [whatif.official_points(fw)] + [
        {c: float(round(p * rng.uniform(0.2, 1.8), 2)) for c, p in whatif.official_points(fw).items()} for _ in range(5)]
    sets[-1] = {**sets[-1], fw.codes[0]: 0.0}  # a zero weight
    for points in sets:
        ref = whatif.reweight(ms.detail, fw, points, policy).set_index("unit_id").loc[base.official["unit_id"]]
        score, rank = base.scores(points)
        assert np.array_equal(score, ref["score"].to_numpy()), policy  # exact, not approx
        assert np.array_equal(rank, ref["rank"].to_numpy(dtype=np.int64))
    off_score, off_rank = base.scores(whatif.official_points(fw))
    assert np.array_equal(off_rank, base.official["rank"].to_numpy(dtype=np.int64))


def test_simulate_on_explains_only_the_units_asked_for(synthetic_month):
    ms, fw = synthetic_month
    points = whatif.set_level1(fw, whatif.official_points(fw), fw.level1[1].name, fw.level1[1].points / 3,
                               fw.total_points)
    full = whatif.simulate(ms.detail, fw, points)
    base = whatif.baseline(ms.detail, fw)
    movers = full.table.loc[full.table["d_rank"] != 0, "unit_id"].tolist()
    assert len(movers) > 50
    some = movers[:5] + full.table.loc[full.table["d_rank"] == 0, "unit_id"].tolist()[:2]
    part = whatif.simulate_on(base, points, explain=some)
    cols = ["unit_id", "rank_official", "rank_whatif", "score_whatif", "d_rank", "crossing"]
    pd.testing.assert_frame_equal(part.table[cols], full.table[cols])
    reasons = part.table.set_index("unit_id")["reason"]
    expected = full.table.set_index("unit_id")["reason"]
    assert (reasons.loc[movers[:5]] == expected.loc[movers[:5]]).all()
    assert (reasons.loc[movers[:5]] != "").all()
    assert (reasons.drop(movers[:5]) == "").all()  # the rest left for the download
    pd.testing.assert_frame_equal(part.explained(), full.table)
    page = np.arange(40, 90)  # a page of 50 rows, movers and others among them
    pd.testing.assert_frame_equal(part.explained_rows(page), full.table.iloc[page])
    pd.testing.assert_frame_equal(part.summary, full.summary)
