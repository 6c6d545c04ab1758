"""The year as the leadership sees it: twelve monthly rankings read together, and the annual result.

Every month's figures come from the one loader of a month (`credit.reports.scored.score`), so a
signed month shows its record and a month still 采集中 its provisional (临时) result; nothing here
scores a month again. On top of those months this module builds, for a year and a group:

- the 得分率 and rank of every unit month by month (ranks are the months' own ranks, not re-ranked);
- first-level subtotals over the year (the latest month's: flows are summed from January, so the
  latest month's subtotals already cover the year so far);
- who gained and lost most from the first month to the latest, months spent in the top 3 / bottom 3;
- the county's 全市排名 month by month where the 全县 sheet gives it;
- the annual result by the framework's `[annual]` rule (December year-to-date or the mean of the
  months), with rank, grade and how it was computed, provisional until December is signed;
- the last twelve months across a year boundary (近12个月, as the national monitor ranks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from credit.common.months import make_month, month_label, month_parts, shift_month
from credit.common.rounding import competition_rank, json_number, round2, settle
from credit.model.framework import AnnualRule
from credit.reports.scored import framework_for, score
from credit.scoring.inputs import load_county
from credit.store.facade import Store

SIGNED, PROVISIONAL = "已签发", "临时"
CITY_RANK = "全县信用监测全市排名"

# One month's ranked rows (unit_id, unit, score, rank and the first-level subtotals).
MonthReader = Callable[[str], pd.DataFrame]


def month_reader(store: Store, group: str) -> MonthReader:
    """A month's official summary for `group`, through the one loader of a month."""
    return lambda month: score(store, month, group).summary


def month_states(store: Store, months: list[str]) -> dict[str, str]:
    """已签发 for a month with an issued 通报, else 临时 (its figures may still change)."""
    signed = set(store.publishing.published_months())
    return {m: SIGNED if m in signed else PROVISIONAL for m in months}


def short_month(month: str) -> str:
    """A column heading inside one year: "2022-03" → "3月"."""
    return f"{month_parts(month)[1]}月"


def month_span(months: list[str]) -> str:
    """Months of one year as runs: ["2022-01", "2022-02", "2022-03", "2022-05"] → "1—3月、5月"."""
    runs: list[list[int]] = []
    for m in sorted(month_parts(x)[1] for x in months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return "、".join(f"{r[0]}—{r[-1]}月" if len(r) > 1 else f"{r[0]}月" for r in runs)


@dataclass(frozen=True)
class MonthGrid:
    """Units × months: each month's 得分率 and rank as that month published or computed them."""

    months: list[str]
    states: dict[str, str]
    names: pd.Series  # unit_id → name (as of the latest month the unit was ranked)
    scores: pd.DataFrame  # index unit_id, columns months; NaN where the unit was not ranked
    ranks: pd.DataFrame  # the same shape, nullable integers
    latest: pd.DataFrame = field(repr=False)  # the latest month's summary (subtotals)

    @property
    def empty(self) -> bool:
        return not self.months


def month_grid(months: list[str], states: dict[str, str], read: MonthReader) -> MonthGrid:
    """Read each month once and lay its 得分率 and rank side by side (units in the latest month's order)."""
    summaries = {m: read(m) for m in months}
    frames = [s.assign(month=m)[["month", "unit_id", "unit", "score", "rank"]] for m, s in summaries.items()]
    if not frames:
        empty = pd.DataFrame(index=pd.Index([], name="unit_id"))
        return MonthGrid([], {}, pd.Series(dtype=object), empty, empty, pd.DataFrame())
    long = pd.concat(frames, ignore_index=True)
    latest = summaries[months[-1]]
    order = list(dict.fromkeys([*latest["unit_id"], *long["unit_id"]]))
    scores = long.pivot(index="unit_id", columns="month", values="score").reindex(index=order, columns=months)
    ranks = (long.assign(rank=long["rank"].astype("float64"))
             .pivot(index="unit_id", columns="month", values="rank").reindex(index=order, columns=months))
    names = long.drop_duplicates("unit_id", keep="last").set_index("unit_id")["unit"].reindex(order)
    scores.columns.name = ranks.columns.name = None
    return MonthGrid(months, {m: states[m] for m in months}, names, scores, ranks.astype("Int64"), latest)


@dataclass(frozen=True)
class AnnualResult:
    """The year's result per unit by the framework's rule, with rank, grade and its working."""

    rule: AnnualRule
    table: pd.DataFrame  # unit_id, 单位, 年度得分率, 年度排名, 等次, 计入月数, 计算过程
    final: bool  # December (and, for the mean, every month) signed: the result will not change
    basis: str  # one sentence: which months, which of them provisional
    signed: dict | None = None  # the 年度通报 in force whose frozen result `table` shows

    @property
    def status(self) -> str:
        kind = "最终结果" if self.final else "临时结果"
        return f"已签发，{kind}" if self.signed else kind


def annual_result(grid: MonthGrid, year: int, rule: AnnualRule) -> AnnualResult:
    """The annual result (see `AnnualRule`); units without a figure are left out, not ranked last."""
    december = make_month(year, 12)
    provisional = [m for m in grid.months if grid.states[m] != SIGNED]
    if rule.method == "december":
        used = grid.months[-1:]  # December when imported, else the latest month as it stands
        col = grid.scores[used[0]] if used else pd.Series(dtype=float)
        value = col.dropna()
        how = [f"{month_label(used[0])}累计得分率 {v:.2f}" for v in value] if used else []
        final = bool(used) and used[0] == december and grid.states[december] == SIGNED
        basis = (f"按{month_label(used[0])}的 1 月至当月累计结果计算" if used else "本年尚无数据")
        if used and used[0] != december:
            basis += "（12 月数据尚未导入，年度结果为临时结果）"
        elif used and not final:
            basis += "（12 月尚未签发，年度结果为临时结果）"
        counts = pd.Series(1, index=value.index)
    else:
        scores = grid.scores
        counts = scores.notna().sum(axis=1)
        value = pd.Series(settle(scores.mean(axis=1, skipna=True)), index=scores.index)[counts > 0]
        counts = counts[counts > 0]
        how = []
        for uid in value.index:
            parts = [f"{v:.2f}" for v in scores.loc[uid].dropna()]
            how.append(f"（{' + '.join(parts)}）÷ {len(parts)} = {value[uid]:.2f}")
        full = len(grid.months) == 12 and not provisional
        final = full
        basis = f"按 {len(grid.months)} 个月得分率的算术平均计算" if grid.months else "本年尚无数据"
        if provisional:
            basis += f"；其中 {month_span(provisional)} 未签发，按临时结果计入"
        if grid.months and len(grid.months) < 12:
            basis += "；全年 12 个月未齐，年度结果为临时结果"
    ranks = competition_rank(value.to_numpy()) if len(value) else np.array([], dtype=int)
    table = pd.DataFrame({
        "unit_id": value.index,
        "单位": grid.names.reindex(value.index).to_numpy(),
        "年度得分率": round2(value.to_numpy()),
        "年度排名": ranks,
        "等次": [rule.grade(v) for v in value.to_numpy()],
        "计入月数": counts.reindex(value.index).to_numpy(),
        "计算过程": how,
    }).sort_values(["年度排名", "unit_id"], kind="stable").reset_index(drop=True)
    return AnnualResult(rule, table, final, basis + "。")


@dataclass(frozen=True)
class YearView:
    """Everything the 年度 page, the 年度通报 and `credit year` show for a year and a group."""

    year: int
    group: str
    grid: MonthGrid
    subtotal_names: list[str]
    annual: AnnualResult
    city_rank: pd.Series  # month → the county's 全市排名 (months that reported it)

    @property
    def empty(self) -> bool:
        return self.grid.empty

    @property
    def months(self) -> list[str]:
        return self.grid.months

    @property
    def latest(self) -> str | None:
        return self.grid.months[-1] if self.grid.months else None

    def states_line(self) -> str:
        """"1—9月已签发，10—12月为临时结果" — which months are the record and which may still change."""
        signed = [m for m in self.months if self.grid.states[m] == SIGNED]
        temp = [m for m in self.months if self.grid.states[m] != SIGNED]
        parts = []
        if signed:
            parts.append(f"{month_span(signed)}已签发")
        if temp:
            parts.append(f"{month_span(temp)}为临时结果")
        return "，".join(parts)

    def score_table(self) -> pd.DataFrame:
        """单位 and each month's 得分率 (the heat map's table)."""
        out = self.grid.scores.rename(columns=short_month)
        out.insert(0, "单位", self.grid.names)
        return out.reset_index()

    def rank_table(self) -> pd.DataFrame:
        """单位, each month's rank, months in the top 3 / bottom 3."""
        out = self.grid.ranks.rename(columns=short_month)
        out.insert(0, "单位", self.grid.names)
        top, bottom = self.top_bottom()
        out["前三名月数"] = top
        out["后三名月数"] = bottom
        return out.reset_index()

    def top_bottom(self) -> tuple[pd.Series, pd.Series]:
        """Months each unit spent in the top 3 (rank ≤ 3) and in the bottom 3 (rank > ranked − 3)."""
        ranks = self.grid.ranks.astype("float64")
        ranked = ranks.notna().sum(axis=0)  # units ranked each month
        top = (ranks <= 3).sum(axis=1).astype(int)
        bottom = (ranks.gt(ranked - 3, axis=1) & ranks.notna()).sum(axis=1).astype(int)
        return top, bottom

    def movers(self) -> pd.DataFrame:
        """From the first month of the year to the latest: 得分率 and rank change, biggest gain first."""
        if len(self.months) < 2:
            return pd.DataFrame(columns=["unit_id", "单位", "起始得分率", "最新得分率", "得分率变化", "起始排名",
                                         "最新排名", "排名变化"])
        first, last = self.months[0], self.months[-1]
        s, r = self.grid.scores, self.grid.ranks.astype("float64")
        both = s[first].notna() & s[last].notna()
        out = pd.DataFrame({
            "单位": self.grid.names, "起始得分率": s[first], "最新得分率": s[last],
            "得分率变化": s[last] - s[first], "起始排名": r[first], "最新排名": r[last],
            "排名变化": r[first] - r[last],
        })[both]
        return out.sort_values(["得分率变化", "单位"], ascending=[False, True]).reset_index()

    def subtotals(self) -> pd.DataFrame:
        """The latest month's first-level subtotals (1 月至当月累计) with its 得分率 and rank."""
        cols = ["unit_id", "unit", *self.subtotal_names, "score", "rank"]
        out = self.grid.latest[[c for c in cols if c in self.grid.latest.columns]]
        return out.rename(columns={"unit": "单位", "score": "得分率", "rank": "排名"}).reset_index(drop=True)


def year_months(store: Store, year: int) -> list[str]:
    """The months of `year` with any data, in order."""
    return [m for m in store.datasets.months_with_data() if month_parts(m)[0] == int(year)]


def years(store: Store) -> list[int]:
    """Years with any data, newest first."""
    return sorted({month_parts(m)[0] for m in store.datasets.months_with_data()}, reverse=True)


def signed_result(store: Store, year: int, group: str, live: AnnualResult) -> AnnualResult:
    """The annual result of the 年度通报 in force (its frozen rows), or `live` while none is signed."""
    pub = store.annual_publishing.current(int(year))
    if pub is None:
        return live
    rows = store.annual_publishing.results(pub["id"], group)
    table = pd.DataFrame({"unit_id": [r["unit_id"] for r in rows], "单位": [r["unit"] for r in rows],
                          "年度得分率": [r["score"] for r in rows], "年度排名": [r["rank"] for r in rows],
                          "等次": [r["grade"] for r in rows], "计入月数": [r["months"] for r in rows],
                          "计算过程": [r["how"] for r in rows]})
    kind = "更正" if pub["kind"] == "correction" else "年度通报"
    basis = f"以 {pub['issued']} 签发的{kind}（{pub['number']}）为准"
    if not pub["final"]:
        basis += "（签发时 12 月尚未签发，为临时结果）"
    return AnnualResult(live.rule, table, pub["final"], basis + "。", pub)


def year_view(store: Store, year: int, group: str, read: MonthReader | None = None, signed: bool = True) -> YearView:
    """The year's view for a group; an empty view (no month yet) when the year has no data.

    Once the year's 年度通报 is signed the annual result is its record (`signed=False`: the result
    the current data give, for a 更正)."""
    months = year_months(store, year)
    grid = month_grid(months, month_states(store, months), read or month_reader(store, group))
    anchor = months[-1] if months else make_month(int(year), 12)
    fw = framework_for(store, group, anchor)
    level_names = [lv.name for lv in fw.level1]
    city = pd.Series(dtype=float)
    if months:
        county = load_county(store, months[-1])
        if CITY_RANK in county.columns:
            city = county.set_index("month")[CITY_RANK].dropna().astype(float)
    result = annual_result(grid, int(year), fw.annual)
    if signed:
        result = signed_result(store, int(year), group, result)
    return YearView(int(year), group, grid, level_names, result, city)


@dataclass(frozen=True)
class RollingView:
    """近12个月: the twelve months ending at `end`, across a year boundary (months with data only)."""

    end: str
    grid: MonthGrid

    def states_line(self) -> str:
        """Which of the window's months may still change: "2022年12月、2023年1月为临时结果" (or all signed)."""
        temp = [month_label(m) for m in self.grid.months if self.grid.states[m] != SIGNED]
        if not temp:
            return "各月均已签发"
        if len(temp) == len(self.grid.months):
            return "各月均为临时结果（尚未签发）"
        return f"{'、'.join(temp)}为临时结果，其余月份已签发"

    def table(self) -> pd.DataFrame:
        """单位, then per month "2022年3月" 得分率 and 排名 side by side, then the window's mean."""
        g = self.grid
        out = pd.DataFrame({"unit_id": g.scores.index, "单位": g.names.to_numpy()})
        for m in g.months:
            out[f"{month_label(m)}得分率"] = g.scores[m].to_numpy()
            out[f"{month_label(m)}排名"] = g.ranks[m].to_numpy()
        out["近12个月平均得分率"] = g.scores.mean(axis=1, skipna=True).to_numpy()
        return out


def rolling_view(store: Store, end: str, group: str, read: MonthReader | None = None) -> RollingView:
    window = {shift_month(end, -i) for i in range(12)}
    months = [m for m in store.datasets.months_with_data() if m in window]
    return RollingView(end, month_grid(months, month_states(store, months), read or month_reader(store, group)))



def year_table(view: YearView) -> pd.DataFrame:
    """The CLI's and CSV's table: the annual result, then each month's 得分率 and rank."""
    res = view.annual.table.set_index("unit_id")
    ids = list(view.grid.scores.index)
    out = pd.DataFrame({"年度排名": res["年度排名"].reindex(ids).astype("Int64").to_numpy(),
                        "单位": view.grid.names.to_numpy(),
                        "年度得分率": res["年度得分率"].reindex(ids).to_numpy(),
                        "等次": res["等次"].reindex(ids).fillna("未参加").to_numpy()})
    for m in view.months:
        out[f"{short_month(m)}得分率"] = round2(view.grid.scores[m].to_numpy())
        out[f"{short_month(m)}排名"] = view.grid.ranks[m].to_numpy()
    return out.sort_values("年度排名", kind="stable", na_position="last").reset_index(drop=True)


def year_payload(view: YearView) -> dict:
    """The JSON shape of `python -m credit year --format json`."""
    res = view.annual.table.set_index("unit_id")
    units = []
    for uid in view.grid.scores.index:
        annual = None
        if uid in res.index:
            r = res.loc[uid]
            annual = {"score": json_number(r["年度得分率"]), "rank": int(r["年度排名"]), "grade": r["等次"],
                      "months_counted": int(r["计入月数"]), "how": r["计算过程"]}
        months = {m: {"score": json_number(view.grid.scores.loc[uid, m]), "rank": int(view.grid.ranks.loc[uid, m])}
                  for m in view.months if pd.notna(view.grid.scores.loc[uid, m])}
        units.append({"unit_id": uid, "unit": view.grid.names[uid], "annual": annual, "months": months})
    rule = view.annual.rule
    return {"year": view.year, "group": view.group, "method": rule.method, "grades": dict(rule.grades),
            "final": view.annual.final, "basis": view.annual.basis,
            "months": [{"month": m, "state": view.grid.states[m]} for m in view.months], "units": units}
