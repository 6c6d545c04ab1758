"""Whole-month scoring on small hand-built inputs (spec: indicators.md, "Totals")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.common.rounding import competition_rank
from credit.model.framework import load_framework
from credit.model.units import load_units
from credit.scoring.engine import MonthScores, _summary, add_changes, level_sums, score_month
from tests.support.synthetic import build_inputs

REG = load_units()
FW_TOWN = load_framework("镇街", REG)
FW_DEPT = load_framework("部门", REG)
TOWNS = REG.active("2022-12", "镇街")
DEPTS = REG.active("2022-12", "部门")
LEVELS_TOWN = [lv.name for lv in FW_TOWN.level1]
LEVELS_DEPT = [lv.name for lv in FW_DEPT.level1]


def _row(summary: pd.DataFrame, unit_id: str) -> pd.Series:
    return summary.set_index("unit_id").loc[unit_id]


def _earned(scores, unit_id: str, code: str) -> float:
    d = scores.detail
    return float(d.loc[(d["unit_id"] == unit_id) & (d["code"] == code), "earned"].iloc[0])


def _town_december() -> list[dict]:
    """December, every town fully reporting; kaifaqu's figures are the ones we check by hand."""
    rows = []
    for u in TOWNS:
        rows.append({
            "month": "2022-12", "unit_id": u.id,
            "本月出台信用制度文件数": 3, "本月报送信用动态稿件数": 12, "本月信用动态稿件被采用数": 6,
            "信易贷平台注册企业数": 50, "辖区注册企业总数": 1000,
            "信易贷融资需求金额（万元）": 100, "信易贷授信成功金额（万元）": 100,
            "清欠未完成案例数": 0, "本月开展诚信宣传活动次数": 2,
        })
    return rows


def _kaifaqu_month():
    """kaifaqu: T1 full 5, T2 full 5, T3 25/1000 vs best 0.05 → 0.5 × 20 = 10, T4a 10, T4b 10,
    T5 none → 0, T6 2 cases → 8, T8 full 10, T9 one 未处理 → 8;  T7 does not apply (its 2 village
    cases are ignored).  earned = 5+5+10+10+10+0+8+10+8 = 66 of 90 possible."""
    rows = _town_december()
    for r in rows:
        if r["unit_id"] == "kaifaqu":
            r["信易贷平台注册企业数"] = 25
            r["清欠未完成案例数"] = 2
    events = [
        {"month": "2022-11", "unit_id": "kaifaqu", "事项类型": "严重失信事件", "处理情况": "被举报后处置"},
        {"month": "2022-11", "unit_id": "kaifaqu", "事项类型": "村居失信案件", "数量": 2},
        {"month": "2022-10", "unit_id": "yushan", "事项类型": "村居失信案件", "数量": 2},
    ]
    registers = {"信易+场景": [
        {"month": "2022-03", "row": 2, "unit_id": u.id, "信用应用": "信易批"}
        for u in TOWNS if u.id != "kaifaqu"
    ]}
    return build_inputs("2022-12", "镇街", TOWNS, unit_rows=rows, events=events, registers=registers)


def test_development_zone_is_scored_out_of_90():
    s = score_month(_kaifaqu_month(), FW_TOWN)
    d = s.detail
    k = d[d["unit_id"] == "kaifaqu"].set_index("code")
    assert not k.loc["T7", "applies"]
    assert k.loc["T7", "earned"] == 0 and k.loc["T7", "possible"] == 0
    assert k["applies"].drop("T7").all()
    row = _row(s.summary, "kaifaqu")
    assert row["possible"] == 90
    assert row["earned"] == pytest.approx(66)
    assert row["score"] == pytest.approx(100 * 66 / 90)  # 73.333…
    # a town: everything full except T7 (2 cases → 8) → 98 of 100
    assert _row(s.summary, "yushan")["possible"] == 100
    assert _row(s.summary, "yushan")["score"] == pytest.approx(98)


def test_na_full_policy_counts_t7_as_full_for_the_zone():
    s = score_month(_kaifaqu_month(), FW_TOWN, policy="na_full")
    row = _row(s.summary, "kaifaqu")
    assert row["score"] == pytest.approx(66 + 10)  # (66 + T7's 10) / 100 × 100
    # the zone's 营商环境 subtotal credits T7's 10: 10+10+10+0+8+10 + 10 = 58
    assert row["营商环境"] == pytest.approx(58)
    # towns have no inapplicable indicator: same as under "rescale"
    assert _row(s.summary, "yushan")["score"] == pytest.approx(98)


def test_possible_points_per_department():
    # all: D1 10, D3 10, D4 8, D5 2, D8 2, D9 2, D11 2, D12 8, D14 4 = 48
    # 双公示 16: + D2a/b/c 30 + D15a 2 + D15b 3 = +35; jinrong, fagai: + D6/D7a/D7b 7;
    # shuiwu, gongxin: + D10 2; shenpi: + D13 8
    s = score_month(build_inputs("2022-06", "部门", DEPTS), FW_DEPT)
    possible = s.summary.set_index("unit_id")["possible"]
    assert possible["caizheng"] == 48
    assert possible["jinrong"] == 55
    assert possible["fagai"] == 90
    assert possible["shuiwu"] == 85
    assert possible["gongxin"] == 85
    assert possible["shenpi"] == 91
    assert possible["minzheng"] == 83


def test_d13_only_for_shenpi():
    county = [{"month": "2022-06", "本月信用核查和联合奖惩系统应用次数": 600, "市场主体数量": 20000,
               "全市信用核查应用比例平均值": 0.02}]
    s = score_month(build_inputs("2022-06", "部门", DEPTS, county_rows=county), FW_DEPT)
    d13 = s.detail[s.detail["code"] == "D13"].set_index("unit_id")
    assert d13["applies"].sum() == 1 and d13.loc["shenpi", "applies"]
    # 600 / 20000 = 0.03 ≥ 0.02 → full 8
    assert d13.loc["shenpi", "earned"] == 8
    assert (d13.drop("shenpi")["earned"] == 0).all()
    assert d13.drop("shenpi")["attainment"].isna().all()


def test_competition_rank_on_two_decimals():
    scores = pd.Series([90.0, 80.004, 80.001, 70.0, 80.006])
    # 80.004 and 80.001 both round to 80.00 and tie; 80.006 → 80.01 is ahead of them
    assert competition_rank(scores).tolist() == [1, 3, 3, 5, 2]
    assert competition_rank(pd.Series([5.0, 4.0, 4.0, 3.0])).tolist() == [1, 2, 2, 4]


def test_rank_keys_are_rounded_as_displayed():
    # 6.395 is stored as 6.39499…: shown as "6.39", so it ties with 6.39, not with 6.40
    assert f"{6.395:.2f}" == "6.39"
    assert competition_rank(pd.Series([6.40, 6.395, 6.39])).tolist() == [1, 2, 2]


def test_ties_in_a_month_share_a_rank_and_skip_the_next():
    # Towns differ only in documents issued (T1, 5 pts, December target 3):
    # yushan 3 → 5; jinshui, dong_e 2 → 3.333…; others 0 → 0; every other indicator equal
    rows = []
    docs = {"yushan": 3, "jinshui": 2, "dong_e": 2}
    for u in TOWNS:
        rows.append({"month": "2022-12", "unit_id": u.id, "本月出台信用制度文件数": docs.get(u.id, 0)})
    s = score_month(build_inputs("2022-12", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    ranks = s.summary.set_index("unit_id")["rank"]
    assert ranks["yushan"] == 1
    assert ranks["jinshui"] == ranks["dong_e"] == 2
    towns_only = [u.id for u in TOWNS if u.id not in docs and u.id != "kaifaqu"]
    assert {ranks[t] for t in towns_only} == {4}
    assert list(s.summary["rank"]) == sorted(s.summary["rank"])  # summary is ordered by rank


def test_add_changes_positive_when_moving_up():
    prev = pd.DataFrame({"unit_id": ["a", "b", "c"], "score": [70.0, 90.0, 80.0],
                         "rank": pd.array([3, 1, 2], dtype="Int64")})
    cur = pd.DataFrame({"unit_id": ["a", "b", "c", "new"], "score": [95.0, 85.0, 60.0, 50.0],
                        "rank": pd.array([1, 2, 3, 4], dtype="Int64")})
    out = add_changes(cur, prev).set_index("unit_id")
    assert out.loc["a", "d_rank"] == 2  # 3rd → 1st: up two
    assert out.loc["b", "d_rank"] == -1  # 1st → 2nd: down one
    assert out.loc["c", "d_rank"] == -1
    assert out.loc["a", "d_score"] == pytest.approx(25)
    assert pd.isna(out.loc["new", "d_rank"]) and np.isnan(out.loc["new", "d_score"])
    first = add_changes(cur, None)
    assert first["d_rank"].isna().all() and first["prev_score"].isna().all()


def test_items_list_each_deducting_event_with_its_deduction():
    events = [
        {"month": "2022-02", "unit_id": "dong_e", "事项类型": "严重失信事件", "处理情况": "未处理",
         "数量": 2, "事项说明": "甲"},
        {"month": "2022-03", "unit_id": "dong_e", "事项类型": "严重失信事件", "处理情况": "主动处理",
         "事项说明": "乙"},
        {"month": "2022-03", "unit_id": "meigui", "事项类型": "村居失信案件", "事项说明": "丙"},
        {"month": "2022-03", "unit_id": "kaifaqu", "事项类型": "村居失信案件", "事项说明": "不适用"},
    ]
    rows = [{"month": "2022-01", "unit_id": "xiaozhi", "清欠未完成案例数": 3},
            {"month": "2022-02", "unit_id": "xiaozhi", "清欠未完成案例数": 1}]
    s = score_month(build_inputs("2022-03", "镇街", TOWNS, unit_rows=rows, events=events), FW_TOWN)
    items = s.items
    t9 = items[items["code"] == "T9"].set_index("description")
    assert t9.loc["甲", "deduction"] == 4  # 2 × 2
    assert t9.loc["乙", "deduction"] == 0  # proactive: listed, nothing deducted
    assert t9.loc["甲", "unit_id"] == "dong_e"
    t7 = items[items["code"] == "T7"]
    assert t7["description"].tolist() == ["丙"]  # the zone's case is not a T7 item
    assert t7["deduction"].tolist() == [1]
    t6 = items[items["code"] == "T6"]  # stock: the latest report only, 1 case → 1
    assert t6["unit_id"].tolist() == ["xiaozhi"] and t6["deduction"].tolist() == [1]
    assert _earned(s, "dong_e", "T9") == 6
    assert _earned(s, "xiaozhi", "T6") == 9


def test_items_when_a_deduction_field_is_blank_everywhere():
    # regression: a month where no unit filled 清欠未完成案例数 used to raise TypeError
    rows = [{"month": "2022-01", "unit_id": u.id, "本月出台信用制度文件数": 1} for u in TOWNS]
    s = score_month(build_inputs("2022-01", "镇街", TOWNS, unit_rows=rows), FW_TOWN)
    assert s.items.empty
    assert (s.detail.loc[s.detail["code"] == "T6", "earned"] == 10).all()


@pytest.mark.parametrize("policy", ["rescale", "na_full"])
def test_level1_subtotals_add_up(policy):
    s = score_month(_kaifaqu_month(), FW_TOWN, policy=policy)
    sm = s.summary.set_index("unit_id")
    total = sm[LEVELS_TOWN].sum(axis=1)
    if policy == "rescale":
        assert total.to_numpy() == pytest.approx(sm["earned"].to_numpy(), abs=1e-9)
    else:  # inapplicable points are credited in their level
        na = 100 - sm["possible"]
        assert total.to_numpy() == pytest.approx((sm["earned"] + na).to_numpy(), abs=1e-9)
    # and the detail agrees with the summary
    by_unit = s.detail.groupby("unit_id")["earned"].sum()
    assert by_unit.reindex(sm.index).to_numpy() == pytest.approx(sm["earned"].to_numpy(), abs=1e-9)


def test_level1_subtotals_departments():
    s = score_month(build_inputs("2022-06", "部门", DEPTS), FW_DEPT)
    sm = s.summary.set_index("unit_id")
    assert sm[LEVELS_DEPT].sum(axis=1).to_numpy() == pytest.approx(sm["earned"].to_numpy(), abs=1e-9)


def test_level_sums_add_rows_of_each_level_and_settle():
    rows = np.array([[0.1, 2.0, 0.0], [2.25, 0.0, 1.0], [0.2, 5.5, 0.0], [0.3, 0.0, 0.0]])
    # level 0 = rows 0, 2, 3; level 1 = row 1; level 2 has no indicator
    got = level_sums(rows, [0, 1, 0, 0], 3)
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 in floats; the subtotal is the decimal sum
    assert got.tolist() == [[0.6, 7.5, 0.0], [2.25, 0.0, 1.0], [0.0, 0.0, 0.0]]


def test_a_units_subtotals_do_not_depend_on_how_many_units_are_scored():
    """The same points give the same subtotals (to the last bit) alone or among 5,001 units:
    the one-hot BLAS product used before added in an order that depended on the unit count."""
    fw = FW_TOWN
    n_ind = len(fw.indicators)
    rng = np.random.default_rng(4)
    points = np.array([ind.points for ind in fw.indicators], dtype=float)
    earned_all = np.round(points[:, None] * rng.random((n_ind, 5001)), 2)
    applies = np.ones((n_ind, 5001), dtype=bool)

    def subtotals(cols: slice) -> np.ndarray:
        e = earned_all[:, cols]
        n = e.shape[1]
        ids = np.array([f"u{i:05d}" for i in range(n)], dtype=object)
        sm = _summary("2022-06", fw, "rescale", ids, ids, np.full(n, "镇", dtype=object), e,
                      np.where(applies[:, cols], points[:, None], 0.0), points[:, None], applies[:, cols])
        return sm.set_index("unit_id").loc["u00000", LEVELS_TOWN].to_numpy(dtype=float)

    alone, among_many = subtotals(slice(0, 1)), subtotals(slice(0, 5001))
    assert alone.tolist() == among_many.tolist()
    expected = [round(sum(earned_all[i, 0] for i, ind in enumerate(fw.indicators) if ind.level1 == lv), 10)
                for lv in LEVELS_TOWN]
    assert alone.tolist() == expected


def test_what_if_reweights_attainments():
    # spec: new_pts × attainment. kaifaqu T6 attainment 0.8 (2 cases of 10 pts);
    # T6 at 20 pts → 16 (the deduction grows with its indicator: 2 cases now cost 4);
    # T9 at 5 pts: attainment 0.8 → 4
    inp = _kaifaqu_month()
    official = score_month(inp, FW_TOWN)
    whatif = score_month(inp, FW_TOWN.with_points({"T6": 20, "T9": 5}))
    assert _earned(official, "kaifaqu", "T6") == 8
    assert _earned(whatif, "kaifaqu", "T6") == pytest.approx(16)
    assert _earned(whatif, "kaifaqu", "T9") == pytest.approx(4)
    # every unit × indicator: new points × official attainment
    o = official.detail.set_index(["unit_id", "code"])
    w = whatif.detail.set_index(["unit_id", "code"])
    expected = w["points"] * o["attainment"].fillna(0)
    assert w["earned"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-9)
    assert FW_TOWN.indicator("T6").points == 10  # the official framework is untouched


def test_what_if_tiered_days_keeps_attainment():
    # D15b doubled to 6 pts: an objection handled within 1 day is still full (6), not 3 of 6
    events = [{"month": "2022-02", "unit_id": "fagai", "事项类型": "异议信息", "异议处理用时（工作日）": 1},
              {"month": "2022-02", "unit_id": "wenlv", "事项类型": "异议信息", "异议处理用时（工作日）": 2}]
    inp = build_inputs("2022-02", "部门", DEPTS, events=events)
    whatif = score_month(inp, FW_DEPT.with_points({"D15b": 6}))
    assert _earned(whatif, "fagai", "D15b") == pytest.approx(6)
    assert _earned(whatif, "wenlv", "D15b") == pytest.approx(4)  # 2/3 × 6


def test_a_group_with_no_applicable_points_scores_zero():
    # a unit for which nothing applies (empty what-if) has score 0, not NaN
    fw = FW_DEPT.with_points({c: 0 for c in FW_DEPT.codes})
    s = score_month(build_inputs("2022-06", "部门", DEPTS[:3]), fw)
    assert (s.summary["score"] == 0).all()
    assert (s.summary["rank"] == 1).all()


def test_a_units_deduction_items_alone_match_the_months_items():
    """`unit_items` before any `items` are built (the unit page opening one unit) lists exactly
    that unit's rows of the full list, in the same order: kaifaqu's T6 cases and its 严重失信
    event (T9; its village cases are no item, T7 does not apply to it), yushan's village cases (T7)."""
    inp = _kaifaqu_month()
    alone = score_month(inp, FW_TOWN)
    kaifaqu, yushan = alone.unit_items("kaifaqu"), alone.unit_items("yushan")
    assert alone._items is None  # nothing built for the other units
    everything = score_month(inp, FW_TOWN).items
    for uid, got in (("kaifaqu", kaifaqu), ("yushan", yushan)):
        pd.testing.assert_frame_equal(got, everything[everything["unit_id"] == uid].reset_index(drop=True))
    assert sorted(kaifaqu["code"]) == ["T6", "T9"] and kaifaqu["deduction"].sum() == 4.0  # 2 × 1 + 1 × 2
    assert yushan["code"].tolist() == ["T7"] and yushan["quantity"].tolist() == [2.0]


def test_rows_out_of_month_order_score_the_same():
    """The store delivers monthly rows sorted by month; shuffled rows must give the same month
    (the latest stock is the latest month's, not the last row's)."""
    rows = _town_december()
    early = [{**r, "month": "2022-03", "信易贷平台注册企业数": 999, "本月出台信用制度文件数": 1} for r in rows]
    ordered = build_inputs("2022-12", "镇街", TOWNS, unit_rows=early + rows)
    shuffled = build_inputs("2022-12", "镇街", TOWNS, unit_rows=rows + early)
    a, b = score_month(ordered, FW_TOWN), score_month(shuffled, FW_TOWN)
    pd.testing.assert_frame_equal(a.detail, b.detail)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    d = b.detail[(b.detail["unit_id"] == "kaifaqu")].set_index("code")
    assert d.loc["T1", "x"] == 4.0  # flow: 1 + 3
    assert d.loc["T3", "x2"] == 50.0  # stock: December's 50, not March's 999


def test_scores_need_their_tables_or_what_they_come_from():
    with pytest.raises(ValueError):
        MonthScores("2022-12", "镇街", "rescale", FW_TOWN, None, None, pd.DataFrame())
