"""target_count: `pts × min(1, x / T)`, T = annual target × m / 12 when pro-rated (T1, D1, T8, D11)."""

from __future__ import annotations

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num, value0
from credit.scoring.rules.indicator_view import Ctx, prorated, ratio_capped
from credit.scoring.rules.wording import more_of


def target_count(x, annual_target: float, month: int, prorate: bool = True):
    """`min(1, x / T)`, T pro-rated; returns (attainment, T)."""
    target = prorated(annual_target, month, prorate)
    return ratio_capped(x, target), target


class TargetCount(Rule):
    name = "target_count"
    columns = {"done": "x", "target": "ref"}
    advice_always = True

    def score(self, ctx: Ctx):
        ind = ctx.ind
        x = ctx.values(ind.inputs["x"])
        att, target = target_count(x, ind.param("annual_target"), ctx.inp.month_no, ind.param("prorate"))
        return self.out(ctx, att, done=x, target=target)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return f"1 月至本月累计 {num(row.get('done'))}，折算目标 {num(row.get('target'))}，{earned}"

    def formula(self, ind: Indicator) -> str:
        pro = "，目标按月折算：m 月目标 = 全年目标 × m ÷ 12" if ind.param("prorate") else ""
        return (f"得分 = {num(ind.points)} × min(1, 1 月至本月累计数 ÷ 目标)；"
                f"全年目标 {num(ind.param('annual_target'))}{pro}。")

    def advice(self, row: Row, ind: Indicator) -> str:
        done, target = value0(row, "done"), float(ind.param("annual_target"))
        if done >= target:
            return f"全年目标 {num(target, 0)} 已完成（本年累计 {num(done, 0)}）"
        return f"{more_of(ind.inputs['x'], target - done)}（全年目标 {num(target, 0)}，本年累计 {num(done, 0)}）"

    def monthly_flows(self, ind: Indicator) -> list[str]:
        """A target of 12 or more a year means at least one a month (每月报送信用动态稿件 1 篇)."""
        return [ind.inputs["x"]] if float(ind.param("annual_target") or 0) >= 12 else []
