"""Each rule type against hand-computed cases (spec: shared/spec/indicators.md, "Rule types").

The arithmetic is written beside every expected value. Rule functions return the attainment
(share of the indicator's points); points earned = points × attainment.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from credit.model.framework import load_framework
from credit.model.rule_params import RULE_SPECS as RULE_SPECS_FOR_TEST
from credit.model.units import load_units
from credit.scoring import rules
from credit.scoring.engine import score_month
from credit.scoring.rules.deduct_per_item import deduct_per_item
from credit.scoring.rules.min_max import min_max
from credit.scoring.rules.presence import presence
from credit.scoring.rules.rank_in_city import rank_in_city
from credit.scoring.rules.ratio_vs_benchmark import ratio_vs_benchmark
from credit.scoring.rules.share_of_best import share_of_best
from credit.scoring.rules.target_count import target_count
from credit.scoring.rules.tiered_days import tier_points, tiered_days
from credit.scoring.rules.two_targets import two_targets
from tests.support.synthetic import build_inputs

NAN = float("nan")
TIERS = [[1, 3], [2, 2]]  # D15b: ≤1 working day → 3 pts, ≤2 → 2 pts, longer → 0


def approx(values):
    return pytest.approx(values, abs=1e-12)


# ---------------------------------------------------------------- target_count


def test_target_count_prorated_january():
    # T = 3 × 1/12 = 0.25; 0 → 0; 0.1/0.25 = 0.4; 1/0.25 = 4 → capped 1
    att, target = target_count(np.array([0, 0.1, 1, 3]), 3, month=1)
    assert target == pytest.approx(0.25)
    assert att == approx([0.0, 0.4, 1.0, 1.0])


def test_target_count_december_is_the_annual_target():
    # T = 3 × 12/12 = 3; 1/3, 2/3, 3/3, 5/3 → 1
    att, target = target_count(np.array([1, 2, 3, 5]), 3, month=12)
    assert target == 3
    assert att == approx([1 / 3, 2 / 3, 1.0, 1.0])


def test_target_count_without_prorating_and_blank():
    # prorate off: T = 3 even in March; 1/3; a blank (NaN) count is 0
    att, target = target_count(np.array([1, NAN]), 3, month=3, prorate=False)
    assert target == 3
    assert att == approx([1 / 3, 0.0])


def test_target_count_zero_target_is_met():
    att, _ = target_count(np.array([0.0]), 0, month=6)
    assert att == approx([1.0])


# ---------------------------------------------------------------- two_targets


def test_two_targets_mid_year():
    # June: Ts = 12 × 6/12 = 6, Ta = 6 × 6/12 = 3
    # unit 0: (min(1, 3/6) + min(1, 3/3)) / 2 = (0.5 + 1) / 2 = 0.75
    # unit 1: (min(1, 9/6) + min(1, 0/3)) / 2 = (1 + 0) / 2 = 0.5
    # unit 2: nothing → 0
    att, ts, ta = two_targets(np.array([3, 9, 0]), np.array([3, 0, 0]), 12, 6, month=6)
    assert (ts, ta) == (6, 3)
    assert att == approx([0.75, 0.5, 0.0])


def test_two_targets_december_full_needs_both():
    # Ts = 12, Ta = 6: (12/12 + 6/6)/2 = 1; (12/12 + 3/6)/2 = 0.75
    att, _, _ = two_targets(np.array([12, 12]), np.array([6, 3]), 12, 6, month=12)
    assert att == approx([1.0, 0.75])


# ---------------------------------------------------------------- share_of_best


def test_share_of_best():
    # best = 8: 2/8, 4/8, 8/8; a blank counts 0
    att, best = share_of_best(np.array([2, 4, 8, NAN]))
    assert best == 8
    assert att == approx([0.25, 0.5, 1.0, 0.0])


def test_share_of_best_all_zero():
    att, best = share_of_best(np.array([0.0, 0.0, NAN]))
    assert best == 0
    assert att == approx([0.0, 0.0, 0.0])


# ---------------------------------------------------------------- min_max


def test_min_max_proportional():
    # min 1, max 5: (1−1)/4 = 0, (3−1)/4 = 0.5, (5−1)/4 = 1, (2−1)/4 = 0.25
    att, lo, hi = min_max(np.array([1, 3, 5, 2]))
    assert (lo, hi) == (1, 5)
    assert att == approx([0.0, 0.5, 1.0, 0.25])


def test_min_max_all_equal_positive_is_full():
    att, lo, hi = min_max(np.array([4, 4, 4]))
    assert lo == hi == 4
    assert att == approx([1.0, 1.0, 1.0])


def test_min_max_all_zero_is_nothing():
    # max = min = 0 → 0 for all (also covers "max = 0")
    att, _, hi = min_max(np.array([0, 0]))
    assert hi == 0
    assert att == approx([0.0, 0.0])


def test_min_max_blank_counts_zero():
    # blank → 0 is the minimum: (0−0)/(6−0) = 0, 3/6 = 0.5, 6/6 = 1
    att, lo, hi = min_max(np.array([NAN, 3, 6]))
    assert (lo, hi) == (0, 6)
    assert att == approx([0.0, 0.5, 1.0])


# ---------------------------------------------------------------- presence


def test_presence():
    assert presence(np.array([0, 1, 2, NAN])) == approx([0.0, 1.0, 1.0, 0.0])
    assert presence(np.array([0, 1, 2]), required=2) == approx([0.0, 0.0, 1.0])


# ---------------------------------------------------------------- deduct_per_item


def test_deduct_d5_cap_reached():
    # D5: 2 pts, −0.5 per code, at most −2.
    # 5 codes: 5 × 0.5 = 2.5 → capped at 2 → 2 − 2 = 0 → attainment 0
    # 3 codes: 1.5 → 2 − 1.5 = 0.5 → 0.5/2 = 0.25;  0 codes → full
    att, deducted = deduct_per_item(np.array([5, 3, 0]), points=2, step=0.5, cap=2)
    assert deducted == approx([2.0, 1.5, 0.0])
    assert att == approx([0.0, 0.25, 1.0])


def test_deduct_default_cap_is_points_never_below_zero():
    # T9: 10 pts, −2 per event: 3 → 10 − 6 = 4 → 0.4; 6 → 12 > 10 → capped 10 → 0
    att, deducted = deduct_per_item(np.array([3, 6]), points=10, step=2)
    assert deducted == approx([6.0, 10.0])
    assert att == approx([0.4, 0.0])


def test_deduct_tenths_are_exact():
    # D2a: 10 pts, −0.1 per record: 7 → 0.7 (not 0.7000000000000001) → 9.3/10 = 0.93
    att, deducted = deduct_per_item(np.array([7]), points=10, step=0.1)
    assert deducted[0] == 0.7
    assert 10 * att[0] == pytest.approx(9.3, abs=1e-12)


def test_deduct_cap_above_points_is_points():
    # D14-like: 4 pts, −2 each, cap 6 > 4 → effective cap 4; 3 events → 6 → 4 → 0
    att, deducted = deduct_per_item(np.array([3]), points=4, step=2, cap=6)
    assert deducted == approx([4.0])
    assert att == approx([0.0])


# ---------------------------------------------------------------- rank_in_city


def test_rank_in_city():
    # N = 12: r=1 → 12/12 = 1; r=4 → (12−4+1)/12 = 0.75; r=12 → 1/12; r=13 (beyond N) → 0
    att = rank_in_city(np.array([1, 4, 12, 13]), np.array([12, 12, 12, 12]))
    assert att == approx([1.0, 0.75, 1 / 12, 0.0])


def test_rank_in_city_missing_is_nothing():
    att = rank_in_city(np.array([NAN, 2, 2]), np.array([12, NAN, 0]))
    assert att == approx([0.0, 0.0, 0.0])


# ---------------------------------------------------------------- ratio_vs_benchmark


def test_ratio_vs_benchmark():
    # benchmark 0.05: 0.03/0.05 = 0.6; 0.06/0.05 → 1; 0 → 0
    att = ratio_vs_benchmark(np.array([0.03, 0.06, 0.0]), np.array([0.05, 0.05, 0.05]))
    assert att == approx([0.6, 1.0, 0.0])


def test_ratio_vs_benchmark_missing_benchmark_or_ratio_scores_nothing():
    att = ratio_vs_benchmark(np.array([0.03, NAN]), np.array([NAN, 0.05]))
    assert att == approx([0.0, 0.0])


def test_ratio_vs_benchmark_zero_benchmark_is_met():
    att = ratio_vs_benchmark(np.array([0.0]), np.array([0.0]))
    assert att == approx([1.0])


# ---------------------------------------------------------------- tiered_days


def test_tier_points():
    # 0.5 and 1 → ≤1 → 3; 1.5 and 2 → ≤2 → 2; 3 → 0; blank days → 0
    pts = tier_points(np.array([0.5, 1, 1.5, 2, 3, NAN]), TIERS, points=3)
    assert pts == approx([3, 3, 2, 2, 0, 0])


def test_tiered_days_weighted_mean_and_no_objection():
    # unit 0: (1 day × qty 2) → 3 each, (2 days × 1) → 2, (3 days × 1) → 0
    #         weighted mean = (2×3 + 1×2 + 1×0) / (2+1+1) = 8/4 = 2 pts → 2/3
    # unit 1: no objection → full
    # unit 2: one objection in 1.5 days → 2 pts → 2/3
    unit = np.array([0, 0, 0, 2])
    days = np.array([1, 2, 3, 1.5])
    qty = np.array([2, 1, 1, 1])
    att, count = tiered_days(unit, days, qty, 3, TIERS, points=3)
    assert att == approx([2 / 3, 1.0, 2 / 3])
    assert count == approx([4, 0, 1])


def test_tiered_days_tier_order_does_not_matter():
    att, _ = tiered_days(np.array([0]), np.array([2]), np.array([1]), 1, [[2, 2], [1, 3]], 3)
    assert att == approx([2 / 3])


# ---------------------------------------------------------------- through the month engine

REG = load_units()
FW_TOWN = load_framework("镇街", REG)
FW_DEPT = load_framework("部门", REG)
TOWNS = REG.active("2022-01", "镇街")
DEPTS = REG.active("2022-01", "部门")


def _earned(scores, unit_id: str, code: str) -> float:
    d = scores.detail
    row = d[(d["unit_id"] == unit_id) & (d["code"] == code)]
    assert len(row) == 1
    return float(row["earned"].iloc[0])


def test_proactively_handled_events_carry_no_deduction():
    # T9 (10 pts, −2 each): dong_e has one 主动处理 (no deduction) and one 未处理 ×1 → 10 − 2 = 8;
    # yushan has only a 主动处理 event ×3 → 10; kongcun's blank handling counts as not proactive → 8
    inp = build_inputs("2022-03", "镇街", TOWNS, events=[
        {"month": "2022-02", "unit_id": "dong_e", "事项类型": "严重失信事件", "处理情况": "主动处理"},
        {"month": "2022-03", "unit_id": "dong_e", "事项类型": "严重失信事件", "处理情况": "未处理"},
        {"month": "2022-01", "unit_id": "yushan", "事项类型": "严重失信事件", "处理情况": "主动处理", "数量": 3},
        {"month": "2022-01", "unit_id": "kongcun", "事项类型": "严重失信事件", "处理情况": ""},
    ])
    s = score_month(inp, FW_TOWN)
    assert _earned(s, "dong_e", "T9") == 8
    assert _earned(s, "yushan", "T9") == 10
    assert _earned(s, "kongcun", "T9") == 8
    assert _earned(s, "xiaozhi", "T9") == 10


def test_village_cases_deduct_quantity_and_proactive_is_exempt_too():
    # T7 (10 pts, −1 each): 3 cases (qty 3) → 7; a proactive one adds nothing (T7 interp)
    inp = build_inputs("2022-05", "镇街", TOWNS, events=[
        {"month": "2022-04", "unit_id": "meigui", "事项类型": "村居失信案件", "数量": 3},
        {"month": "2022-05", "unit_id": "meigui", "事项类型": "村居失信案件", "处理情况": "主动处理"},
    ])
    assert _earned(score_month(inp, FW_TOWN), "meigui", "T7") == 7


def test_blank_stock_is_carried_forward():
    # T6 (10 pts, −1 per unfinished case, stock):
    # yushan: Jan 5, Feb 3, Mar blank → latest reported = Feb's 3 (not 5+3, not 5) → 10 − 3 = 7
    # jinshui: Feb 3, Mar reported 0 → 0 stands → 10
    # dong_e: never reported → nothing to deduct → 10
    rows = [
        {"month": "2022-01", "unit_id": "yushan", "清欠未完成案例数": 5},
        {"month": "2022-02", "unit_id": "yushan", "清欠未完成案例数": 3},
        {"month": "2022-03", "unit_id": "yushan", "清欠未完成案例数": NAN},
        {"month": "2022-02", "unit_id": "jinshui", "清欠未完成案例数": 3},
        {"month": "2022-03", "unit_id": "jinshui", "清欠未完成案例数": 0},
    ]
    s = score_month(build_inputs("2022-03", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    assert _earned(s, "yushan", "T6") == 7
    assert _earned(s, "jinshui", "T6") == 10
    assert _earned(s, "dong_e", "T6") == 10


def test_flows_are_summed_january_to_month():
    # T1 (5 pts, 3 documents a year, pro-rated): docs Jan 1 + Mar 1 = 2
    # June: T = 3 × 6/12 = 1.5 → min(1, 2/1.5) = 1 → 5
    # December: T = 3 → 2/3 → 5 × 2/3 = 3.333…
    rows = [
        {"month": "2022-01", "unit_id": "yushan", "本月出台信用制度文件数": 1},
        {"month": "2022-03", "unit_id": "yushan", "本月出台信用制度文件数": 1},
    ]
    june = score_month(build_inputs("2022-06", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    dec = score_month(build_inputs("2022-12", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    assert _earned(june, "yushan", "T1") == 5
    assert _earned(dec, "yushan", "T1") == pytest.approx(10 / 3, abs=1e-9)


def test_prorating_in_january():
    # January: T = 3 × 1/12 = 0.25 → one document is already full (5 pts)
    rows = [{"month": "2022-01", "unit_id": "yushan", "本月出台信用制度文件数": 1}]
    s = score_month(build_inputs("2022-01", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    assert _earned(s, "yushan", "T1") == 5
    assert s.detail.loc[s.detail["code"] == "T1", "ref"].iloc[0] == pytest.approx(0.25)


def test_share_of_best_on_ratio_t3():
    # T3 (20 pts) on 注册 ÷ 辖区企业: yushan 50/1000 = 0.05 (best), jinshui 10/500 = 0.02 → 0.4 × 20 = 8;
    # dong_e's 辖区企业 not reported → ratio 0
    rows = [
        {"month": "2022-02", "unit_id": "yushan", "信易贷平台注册企业数": 50, "辖区注册企业总数": 1000},
        {"month": "2022-02", "unit_id": "jinshui", "信易贷平台注册企业数": 10, "辖区注册企业总数": 500},
        {"month": "2022-02", "unit_id": "dong_e", "信易贷平台注册企业数": 10},
    ]
    s = score_month(build_inputs("2022-02", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    assert _earned(s, "yushan", "T3") == 20
    assert _earned(s, "jinshui", "T3") == pytest.approx(8)
    assert _earned(s, "dong_e", "T3") == 0


def test_rank_in_city_through_the_engine():
    # D6 (3 pts): rank 4 of 12 → 3 × 9/12 = 2.25 for jinrong and fagai; others: not applicable
    county = [{"month": "2022-04", "信易贷注册企业数全市位次": 4, "全市区县数": 12}]
    s = score_month(build_inputs("2022-04", "部门", DEPTS, county_rows=county), FW_DEPT)
    assert _earned(s, "jinrong", "D6") == pytest.approx(2.25)
    assert _earned(s, "fagai", "D6") == pytest.approx(2.25)
    assert _earned(s, "caizheng", "D6") == 0
    # D7a: its rank was not reported → 0
    assert _earned(s, "jinrong", "D7a") == 0


def test_ratio_vs_benchmark_missing_benchmark_through_the_engine():
    # D10 (2 pts): (A级 30 + 海关 2) / 法人 800 = 0.04;
    # with benchmark 0.05 → 2 × 0.8 = 1.6; benchmark not reported → 0
    base = {"month": "2022-06", "A级纳税人数": 30, "海关高级认证企业数": 2, "法人企业数": 800}
    with_b = score_month(build_inputs("2022-06", "部门", DEPTS, county_rows=[{**base, "全市守信企业平均比例": 0.05}]), FW_DEPT)
    without = score_month(build_inputs("2022-06", "部门", DEPTS, county_rows=[base]), FW_DEPT)
    assert _earned(with_b, "shuiwu", "D10") == pytest.approx(1.6)
    assert _earned(with_b, "gongxin", "D10") == pytest.approx(1.6)
    assert _earned(without, "shuiwu", "D10") == 0


def test_d13_uses_summed_flow_against_benchmark():
    # D13 (8 pts): uses are a flow: Jan 100 + Feb 200 = 300; market entities (stock) 20000
    # → 300/20000 = 0.015; benchmark 0.02 → 8 × 0.75 = 6
    county = [
        {"month": "2022-01", "本月信用核查和联合奖惩系统应用次数": 100, "市场主体数量": 19000},
        {"month": "2022-02", "本月信用核查和联合奖惩系统应用次数": 200, "市场主体数量": 20000,
         "全市信用核查应用比例平均值": 0.02},
    ]
    s = score_month(build_inputs("2022-02", "部门", DEPTS, county_rows=county), FW_DEPT)
    assert _earned(s, "shenpi", "D13") == pytest.approx(6)


def test_tiered_days_through_the_engine_and_no_objection_is_full():
    # D15b (3 pts): fagai: 1 day ×2, 2 days ×1, 3 days ×1 → (6 + 2 + 0)/4 = 2 pts;
    # chengguan: no objection → 3; D15a (2 pts, −0.1 each): fagai 4 objections → 1.6
    events = [
        {"month": "2022-02", "unit_id": "fagai", "事项类型": "异议信息", "异议处理用时（工作日）": 1, "数量": 2},
        {"month": "2022-03", "unit_id": "fagai", "事项类型": "异议信息", "异议处理用时（工作日）": 2},
        {"month": "2022-03", "unit_id": "fagai", "事项类型": "异议信息", "异议处理用时（工作日）": 3},
    ]
    s = score_month(build_inputs("2022-03", "部门", DEPTS, events=events), FW_DEPT)
    assert _earned(s, "fagai", "D15b") == pytest.approx(2)
    assert _earned(s, "chengguan", "D15b") == 3
    assert _earned(s, "fagai", "D15a") == pytest.approx(1.6)


def test_d5_cap_through_the_engine():
    # D5 (2 pts, −0.5 per code, at most −2): 5 codes → 2.5 → capped 2 → 0; 1 code → 1.5
    rows = [
        {"month": "2022-07", "unit_id": "fagai", "统一社会信用代码重错码条数": 5},
        {"month": "2022-07", "unit_id": "caizheng", "统一社会信用代码重错码条数": 1},
    ]
    s = score_month(build_inputs("2022-07", "部门", DEPTS, unit_rows=rows), FW_DEPT)
    assert _earned(s, "fagai", "D5") == 0
    assert _earned(s, "caizheng", "D5") == 1.5
    row = s.detail[(s.detail["unit_id"] == "fagai") & (s.detail["code"] == "D5")].iloc[0]
    assert row["deducted"] == 2 and not math.isnan(row["attainment"])


# ---------------------------------------------------------------- the registry


def test_every_declared_rule_has_one_object_and_back():
    from credit.model.rule_params import RULE_SPECS

    assert set(rules.RULES) == set(RULE_SPECS)
    for name, rule in rules.RULES.items():
        assert rule.spec is RULE_SPECS[name] and rule.zh == RULE_SPECS[name].zh


def test_each_rule_explains_states_its_formula_and_advises_in_chinese():
    # every indicator of both default frameworks gets a formula, an explanation and a to-do from its
    # rule, worded in Chinese with the numbers of the indicator and nothing internal
    from credit.scoring.explain import explain_row, rule_formula
    from credit.scoring.todo import _todo

    register = load_units()
    seen = set()
    for group in ("镇街", "部门"):
        fw = load_framework(group, register)
        for ind in fw.indicators:
            seen.add(ind.rule)
            formula = rule_formula(ind)
            assert formula.endswith("。") and rules.num(ind.points) in formula, (ind.code, formula)
            text = explain_row({"applies": True, "earned": 1.0}, ind)
            assert text.endswith(f"得 1 分（满分 {rules.num(ind.points)}）"), (ind.code, text)
            for row in ({"attainment": 0.5, "earned": 1.0, "possible": 2.0}, {"attainment": 1.0}):
                todo = _todo(row, ind)
                assert todo and todo != "—", (ind.code, todo)
            for t in (formula, text, todo):
                assert not any(bad in t for bad in ("None", "nan", "x2", "ref")), (ind.code, t)
            assert set(rules.RULES[ind.rule].monthly_flows(ind)) <= _headers(ind.inputs), ind.code
    assert seen == set(rules.RULES)  # the default frameworks use every rule type


def _headers(inputs) -> set[str]:
    out = set()
    for v in inputs.values():
        out |= {v} if isinstance(v, str) else set(v)
    return out


def test_a_rule_registers_by_its_module_and_fails_at_import_when_it_leaves_something_out():
    from credit.scoring.rules.base import REQUIRED_METHODS, Rule

    methods = {
        "score": lambda self, ctx: self.out(ctx, [1.0], done=[2.0]),
        "explain": lambda self, row, ind, earned: earned,
        "formula": lambda self, ind: "。",
        "advice": lambda self, row, ind: "保持",
    }
    assert set(methods) == set(REQUIRED_METHODS)

    def define(name: str, body: dict, columns=None):
        extra = {} if columns is None else {"columns": columns}
        return type(name, (Rule,), {"name": "__probe__", **extra, **body})

    before = dict(rules.RULES)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(RULE_SPECS_FOR_TEST, "__probe__", RULE_SPECS_FOR_TEST["presence"])
            for left_out in REQUIRED_METHODS:
                with pytest.raises(TypeError, match=left_out):
                    define("Half", {m: f for m, f in methods.items() if m != left_out}, {"done": "x"})
            with pytest.raises(TypeError, match="columns"):
                define("NoColumns", methods)
            with pytest.raises(TypeError, match="columns"):
                define("BadSlot", methods, {"done": "y9"})
            with pytest.raises(TypeError, match="share a slot"):
                define("SharedSlot", methods, {"done": "x", "also": "x"})
            assert "__probe__" not in rules.RULES
            define("Full", methods, {"done": "x"})  # a complete rule joins RULES by being defined
            assert type(rules.RULES["__probe__"]).__name__ == "Full"
            with pytest.raises(TypeError, match="already"):
                define("Twice", methods, {"done": "x"})
        with pytest.raises(TypeError, match="RuleSpec"):
            type("Unknown", (Rule,), {"name": "__nobody__", "columns": {"done": "x"}, **methods})
    finally:
        rules.RULES.clear()
        rules.RULES.update(before)


def test_rule_columns_are_named_and_read_back_by_name():
    from credit.scoring.rules.base import RuleRow

    two = rules.RULES["two_targets"]
    row = RuleRow({"x": 3.0, "x2": 1.0, "ref": 6.0, "ref2": 2.0, "earned": 1.5}, two.columns)
    assert (row["submitted"], row.get("adopted"), row.get("target_adopted"), row.get("earned")) == (3.0, 1.0, 2.0, 1.5)
    for rule in rules.RULES.values():
        assert not any(re.fullmatch(r"x\d*|ref\d*", name) for name in rule.columns), rule.name  # not x2
    with pytest.raises(KeyError, match="no output column"):
        two.out(None, [1.0], x2=[1.0])
