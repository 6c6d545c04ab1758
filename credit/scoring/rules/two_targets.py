"""two_targets: the mean of two capped ratios, articles submitted and adopted (T2, D4)."""

from __future__ import annotations

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num
from credit.scoring.rules.context import Ctx, prorated, ratio_capped


def two_targets(submitted, adopted, target_submitted: float, target_adopted: float,
                month: int, prorate: bool = True):
    """Mean of the two capped ratios; returns (attainment, Ts, Ta)."""
    ts = prorated(target_submitted, month, prorate)
    ta = prorated(target_adopted, month, prorate)
    att = (ratio_capped(submitted, ts) + ratio_capped(adopted, ta)) / 2.0
    return att, ts, ta


class TwoTargets(Rule):
    name = "two_targets"

    def score(self, ctx: Ctx):
        ind = ctx.ind
        sub, ado = ctx.values(ind.inputs["submitted"]), ctx.values(ind.inputs["adopted"])
        att, ts, ta = two_targets(sub, ado, ind.param("target_submitted"), ind.param("target_adopted"),
                                  ctx.inp.month_no, ind.param("prorate"))
        return ctx.out(att, x=sub, x2=ado, ref=ts, ref2=ta)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return (f"累计报送 {num(row.get('x'))} 篇（目标 {num(row.get('ref'))}）、"
                f"被采用 {num(row.get('x2'))} 篇（目标 {num(row.get('ref2'))}），{earned}")

    def formula(self, ind: Indicator) -> str:
        return (f"得分 = {num(ind.points)} × [min(1, 报送数 ÷ 报送目标) + min(1, 采用数 ÷ 采用目标)] ÷ 2；"
                f"全年报送目标 {num(ind.param('target_submitted'))}、采用目标 "
                f"{num(ind.param('target_adopted'))}，均按月折算。")
