"""target_count: `pts × min(1, x / T)`, T = annual target × m / 12 when pro-rated (T1, D1, T8, D11)."""

from __future__ import annotations

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num
from credit.scoring.rules.context import Ctx, prorated, ratio_capped


def target_count(x, annual_target: float, month: int, prorate: bool = True):
    """`min(1, x / T)`, T pro-rated; returns (attainment, T)."""
    target = prorated(annual_target, month, prorate)
    return ratio_capped(x, target), target


class TargetCount(Rule):
    name = "target_count"

    def score(self, ctx: Ctx):
        ind = ctx.ind
        x = ctx.values(ind.inputs["x"])
        att, target = target_count(x, ind.param("annual_target"), ctx.inp.month_no, ind.param("prorate"))
        return ctx.out(att, x=x, ref=target)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return f"1 月至本月累计 {num(row.get('x'))}，折算目标 {num(row.get('ref'))}，{earned}"

    def formula(self, ind: Indicator) -> str:
        pro = "，目标按月折算：m 月目标 = 全年目标 × m ÷ 12" if ind.param("prorate") else ""
        return (f"得分 = {num(ind.points)} × min(1, 1 月至本月累计数 ÷ 目标)；"
                f"全年目标 {num(ind.param('annual_target'))}{pro}。")
