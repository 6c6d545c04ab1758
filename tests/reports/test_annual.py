"""The year (credit.reports.annual): the annual result by each method on a hand-built year, ranks that
are each month's own, the passage into a new year, and the framework's `[annual]` rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from credit.app.publish import publish_month
from credit.app.service import open_store, score
from credit.errors import ConfigError
from credit.model.contract import SHEET_COUNTY, SHEET_TOWN, UNIT_COL
from credit.model.framework import GROUP_FILES, AnnualRule, parse_framework
from credit.model.units import load_units
from credit.reports.annual import (
    PROVISIONAL,
    SIGNED,
    RollingView,
    annual_result,
    month_grid,
    rolling_view,
    year_view,
)
from credit.reports.scored import framework_for
from credit.workbook.importer import parse_workbook
from tests.support.actors import EDITOR
from tests.support.workbooks import fill_template

YEAR = 2022
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
# A hand-built year of three units: 得分率 by month (None = not ranked that month).
HAND = {
    "a": [80, 82, 84, 86, 88, 90, 90, 90, 90, 90, 90, 91.5],
    "b": [90, 89, 88, 87, 86, 85, 84, 83, 82, 81, 80, 79.994],
    "c": [70, None, 75, 75, 75, 75, 75, 75, 75, 75, 75, 59.5],
}
NAMES = {"a": "甲镇", "b": "乙镇", "c": "丙镇"}


def _summary(month: str) -> pd.DataFrame:
    """One month's ranked summary as `score` returns it, ranked by hand (competition ranking)."""
    i = MONTHS.index(month)
    rows = [(u, s[i]) for u, s in HAND.items() if s[i] is not None]
    rows.sort(key=lambda r: -r[1])
    ranks = [1 + sum(1 for _, o in rows if round(o, 2) > round(v, 2)) for _, v in rows]
    return pd.DataFrame({"unit_id": [u for u, _ in rows], "unit": [NAMES[u] for u, _ in rows],
                         "score": [float(v) for _, v in rows], "rank": pd.array(ranks, dtype="Int64")})


def _grid(months: list[str], signed: set[str]):
    return month_grid(months, {m: SIGNED if m in signed else PROVISIONAL for m in months}, _summary)


def test_december_method_takes_the_december_result_rank_and_grade() -> None:
    res = annual_result(_grid(MONTHS, set(MONTHS)), YEAR, AnnualRule("december"))
    t = res.table.set_index("unit_id")
    assert list(res.table["unit_id"]) == ["a", "b", "c"]
    assert t.loc["a", "年度得分率"] == 91.5 and t.loc["a", "年度排名"] == 1 and t.loc["a", "等次"] == "优秀"
    # 79.994 prints 79.99: below 80, so 一般, not 良好 (the grade follows the printed figure)
    assert t.loc["b", "年度得分率"] == 79.99 and t.loc["b", "等次"] == "一般"
    assert t.loc["c", "年度排名"] == 3 and t.loc["c", "等次"] == "较差"
    assert t.loc["a", "计算过程"] == "2022年12月累计得分率 91.50"
    assert res.final and res.status == "最终结果"


def test_mean_method_averages_the_months_each_unit_was_ranked() -> None:
    rule = AnnualRule("mean", (("优秀", 85.0), ("良好", 75.0)))
    res = annual_result(_grid(MONTHS, set(MONTHS)), YEAR, rule)
    t = res.table.set_index("unit_id")
    a = (80 + 82 + 84 + 86 + 88 + 90 * 6 + 91.5) / 12  # 87.625
    b = (90 + 89 + 88 + 87 + 86 + 85 + 84 + 83 + 82 + 81 + 80 + 79.994) / 12  # 84.5828333…
    c = (70 + 75 * 9 + 59.5) / 11  # February not ranked: eleven months, 73.136…
    assert t.loc["a", "年度得分率"] == round(a, 2) == 87.62  # 87.625 prints 87.62, as credit.common.rounding
    assert t.loc["b", "年度得分率"] == round(b, 2) == 84.58
    assert t.loc["c", "年度得分率"] == round(c, 2) == 73.14
    assert [t.loc[u, "年度排名"] for u in "abc"] == [1, 2, 3]
    assert [t.loc[u, "等次"] for u in "abc"] == ["优秀", "良好", "较差"]
    assert [t.loc[u, "计入月数"] for u in "abc"] == [12, 12, 11]
    assert t.loc["c", "计算过程"].endswith("÷ 11 = 73.14")
    assert res.final


def test_the_result_is_provisional_until_december_is_signed() -> None:
    upto_oct = MONTHS[:10]
    res = annual_result(_grid(upto_oct, set(upto_oct)), YEAR, AnnualRule("december"))
    assert not res.final and "12 月数据尚未导入" in res.basis
    assert res.table.set_index("unit_id").loc["a", "年度得分率"] == 90.0  # October's year-to-date result
    unsigned_dec = annual_result(_grid(MONTHS, set(MONTHS[:11])), YEAR, AnnualRule("december"))
    assert not unsigned_dec.final and "12 月尚未签发" in unsigned_dec.basis
    mean = annual_result(_grid(MONTHS, set(MONTHS[:11])), YEAR, AnnualRule("mean"))
    assert not mean.final and "其中 12月 未签发" in mean.basis


def test_top_and_bottom_three_months_and_movers_by_hand(tmp_path: Path) -> None:
    grid = _grid(MONTHS, set())
    # every month has at most three ranked units, so each is both in the top 3 and the bottom 3
    ranks = grid.ranks
    assert list(ranks.loc["c"].astype("float64").fillna(0)) == [3, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    assert ranks.loc["a", "2022-01"] == 2 and ranks.loc["a", "2022-12"] == 1


def test_ranks_month_by_month_equal_each_months_own_ranking(year_demo_db_master: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    db.write_bytes(year_demo_db_master.read_bytes())
    with open_store(db) as store:
        publish_month(store, "2022-03", "平信用办〔2022〕3号", date(2022, 4, 5), "张三", EDITOR, with_pdf=False,
                      force_reason="演示")
        for group in ("镇街", "部门"):
            view = year_view(store, YEAR, group)
            assert view.months == MONTHS
            assert view.grid.states["2022-03"] == SIGNED and view.grid.states["2022-04"] == PROVISIONAL
            for m in MONTHS:
                own = score(store, m, group).summary.set_index("unit_id")
                assert view.grid.ranks[m].dropna().astype(int).to_dict() == own["rank"].astype(int).to_dict(), m
                assert view.grid.scores[m].dropna().to_dict() == own["score"].to_dict(), m
            table = view.rank_table()
            top, bottom = view.top_bottom()
            r = view.grid.ranks.astype("float64")
            n = r.notna().sum(axis=0)
            for uid in list(r.index)[:5]:
                assert top[uid] == sum(1 for m in MONTHS if r.loc[uid, m] <= 3)
                assert bottom[uid] == sum(1 for m in MONTHS if r.loc[uid, m] > n[m] - 3)
            assert list(table.columns[:3]) == ["unit_id", "单位", "1月"]
            moves = view.movers()
            first = moves.iloc[0]
            assert first["得分率变化"] == pytest.approx(first["最新得分率"] - first["起始得分率"])
            assert moves["得分率变化"].is_monotonic_decreasing


def test_near_twelve_months_cross_the_year_boundary(year_demo_db_master: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    db.write_bytes(year_demo_db_master.read_bytes())  # scoring stores results: not in the shared copy
    with open_store(db) as store:
        rolling = rolling_view(store, "2023-02", "镇街")
        assert rolling.grid.months == [*MONTHS[2:], "2023-01", "2023-02"]
        table = rolling.table()
        jan = score(store, "2023-01", "镇街").summary.set_index("unit_id")
        got = table.set_index("unit_id")["2023年1月排名"].astype(int).to_dict()
        assert got == jan["rank"].astype(int).to_dict()
        dongE = table.set_index("unit_id").loc["dong_e"]
        expected = pd.Series([dongE[f"{m[:4]}年{int(m[5:])}月得分率"] for m in rolling.grid.months]).mean()
        assert dongE["近12个月平均得分率"] == pytest.approx(expected)


def test_near_twelve_months_say_which_months_are_provisional() -> None:
    window = MONTHS[1:]  # the window ending December: February–December of the hand-built year
    assert RollingView("2022-12", _grid(window, set(window[:-2]))).states_line() == "2022年11月、2022年12月为临时结果，其余月份已签发"
    assert RollingView("2022-12", _grid(window, set(window))).states_line() == "各月均已签发"
    assert RollingView("2022-12", _grid(window, set())).states_line() == "各月均为临时结果（尚未签发）"


def _import(store, month: str, towns: list[dict], county: dict) -> None:
    register = store.units.register()
    raw = fill_template({SHEET_TOWN: towns, SHEET_COUNTY: county}, month=month, units=register)
    store.datasets.import_workbooks([(parse_workbook(raw, f"{month}.xlsx", month, register), raw, f"{month}.xlsx")], EDITOR)


def test_the_passage_into_a_new_year_on_hand_built_data(tmp_path: Path) -> None:
    with open_store(tmp_path / "y.db") as store:
        assert year_view(store, 2023, "镇街").empty  # a year with nothing yet: an empty view, no error
        _import(store, "2022-12", [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 3},
                                   {UNIT_COL: "锦水街道", "本月出台信用制度文件数": 1}],
                {"全县信易贷平台注册企业数": 3984})
        _import(store, "2023-01", [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 0},
                                   {UNIT_COL: "锦水街道", "本月出台信用制度文件数": 1}],
                {"全县信易贷平台注册企业数": 4100})
        dec = score(store, "2022-12", "镇街").scores.detail.set_index(["unit_id", "code"])
        jan = score(store, "2023-01", "镇街").scores.detail.set_index(["unit_id", "code"])
        # T1 (5 points, 3 documents a year): December sums the year (3 and 1) against the full target 3 …
        assert dec.loc[("yushan", "T1"), ["x", "ref", "earned"]].tolist() == [3.0, 3.0, 5.0]
        assert dec.loc[("jinshui", "T1"), "earned"] == pytest.approx(5 / 3)
        # … January 2023 starts afresh: only January's documents, against 3 × 1/12 = 0.25
        assert jan.loc[("yushan", "T1"), ["x", "ref", "earned"]].tolist() == [0.0, 0.25, 0.0]
        assert jan.loc[("jinshui", "T1"), ["x", "ref", "earned"]].tolist() == [1.0, 0.25, 5.0]
        # 信易贷: 2023's opening defaults to December 2022's county figure, the target carries over
        assert store.xyd_target(2022) == (269.0, 4000.0)
        assert store.xyd_target(2023) == (3984.0, 4000.0)
        store.frameworks.set_xyd_target(2023, 4000, 4500, EDITOR)  # editable, as any year's
        assert store.xyd_target(2023) == (4000.0, 4500.0)
        assert store.xyd_target(2024) == (4100.0, 4500.0)  # 2023's last reported figure (January), its target
        assert store.xyd_target(2025) is None  # nothing reported in 2024: nothing to carry
        # the framework in force carries over into the new year
        assert framework_for(store, "镇街", "2023-01").version_id == framework_for(store, "镇街", "2022-12").version_id
        # the 2023 year view holds January only; 2022's holds December only
        assert year_view(store, 2023, "镇街").months == ["2023-01"]
        assert year_view(store, 2022, "镇街").months == ["2022-12"]
        assert year_view(store, 2024, "镇街").annual.table.empty


def _framework(extra: str) -> str:
    text = GROUP_FILES["镇街"].read_text(encoding="utf-8")
    head, rest = text.split("[[level1]]", 1)
    return f"{head}{extra}\n[[level1]]{rest}"


def test_the_framework_carries_the_annual_rule_and_refuses_a_bad_one() -> None:
    register = load_units()
    fw = parse_framework(_framework('[annual]\nmethod = "mean"\ngrades = { "优秀" = 85, "合格" = 60 }\n'), "t", register)
    assert fw.annual == AnnualRule("mean", (("优秀", 85.0), ("合格", 60.0)))
    assert parse_framework(fw.to_toml(), "again", register).annual == fw.annual  # saved versions keep it
    assert parse_framework(_framework(""), "t", register).annual == AnnualRule()
    cases = {
        '[annual]\nmethod = "median"\n': "method 应为 december（12 月累计结果）或 mean（各月得分率平均），实际为「median」",
        '[annual]\ngrades = { "优秀" = 80, "良好" = 90 }\n': "分数线应从高到低依次递减",
        '[annual]\ngrades = { "优秀" = 120 }\n': "「优秀」的分数线应为 0—100 的数，实际为「120」",
        '[annual]\ngrades = { "优秀" = nan }\n': "「优秀」的分数线应为 0—100 的数",
        '[annual]\ngrades = { "较差" = 10 }\n': "等次名称不能为「较差」",
        '[annual]\ngrades = { "优\u200b秀" = 90 }\n': "等次名称应为 1—8 个可见字符",
        '[annual]\ngrades = { "" = 90 }\n': "等次名称应为 1—8 个可见字符",
        '[annual]\nmetod = "mean"\n': "未知的项：metod",
    }
    for extra, message in cases.items():
        with pytest.raises(ConfigError) as err:
            parse_framework(_framework(extra), "t", register)
        assert message in str(err.value), extra
