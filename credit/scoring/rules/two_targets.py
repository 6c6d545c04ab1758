"""two_targets: the mean of two capped ratios, articles submitted and adopted (T2, D4)."""

from __future__ import annotations

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num, value0
from credit.scoring.rules.indicator_view import Ctx, prorated, ratio_capped
from credit.scoring.rules.wording import more_of


def two_targets(submitted, adopted, target_submitted: float, target_adopted: float,
                month: int, prorate: bool = True):
    """Mean of the two capped ratios; returns (attainment, Ts, Ta)."""
    ts = prorated(target_submitted, month, prorate)
    ta = prorated(target_adopted, month, prorate)
    att = (ratio_capped(submitted, ts) + ratio_capped(adopted, ta)) / 2.0
    return att, ts, ta


class TwoTargets(Rule):
    name = "two_targets"
    columns = {"submitted": "x", "adopted": "x2", "target_submitted": "ref", "target_adopted": "ref2"}
    advice_always = True

    def score(self, ctx: Ctx):
        ind = ctx.ind
        sub, ado = ctx.values(ind.inputs["submitted"]), ctx.values(ind.inputs["adopted"])
        att, ts, ta = two_targets(sub, ado, ind.param("target_submitted"), ind.param("target_adopted"),
                                  ctx.inp.month_no, ind.param("prorate"))
        return self.out(ctx, att, submitted=sub, adopted=ado, target_submitted=ts, target_adopted=ta)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return (f"累计报送 {num(row.get('submitted'))} 篇（目标 {num(row.get('target_submitted'))}）、"
                f"被采用 {num(row.get('adopted'))} 篇（目标 {num(row.get('target_adopted'))}），{earned}")

    def formula(self, ind: Indicator) -> str:
        return (f"得分 = {num(ind.points)} × [min(1, 报送数 ÷ 报送目标) + min(1, 采用数 ÷ 采用目标)] ÷ 2；"
                f"全年报送目标 {num(ind.param('target_submitted'))}、采用目标 "
                f"{num(ind.param('target_adopted'))}，均按月折算。")

    def advice(self, row: Row, ind: Indicator) -> str:
        parts = []
        for key, param in (("submitted", "target_submitted"), ("adopted", "target_adopted")):
            done, target = value0(row, key), float(ind.param(param))
            if done < target:
                parts.append(f"{more_of(ind.inputs[key], target - done)}（全年目标 {num(target, 0)}，已 {num(done, 0)}）")
        return "；".join(parts) or "全年两项目标均已完成"

    def monthly_flows(self, ind: Indicator) -> list[str]:
        """12 or more pieces a year to submit: at least one a month."""
        return [ind.inputs["submitted"]] if float(ind.param("target_submitted") or 0) >= 12 else []
