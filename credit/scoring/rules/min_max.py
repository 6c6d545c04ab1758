"""min_max: `pts × (x − min) / (max − min)` over the peers (D3)."""

from __future__ import annotations

import numpy as np

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num, value, value0
from credit.scoring.rules.indicator_view import Ctx, nan0
from credit.scoring.rules.wording import reach_best


def min_max(x):
    """`(x − min) / (max − min)` over the peers; all full when max = min > 0, all 0 when max = 0."""
    x = nan0(x)
    if not x.size:
        return x, 0.0, 0.0
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.full_like(x, 1.0 if hi > 0 else 0.0), lo, hi
    return (x - lo) / (hi - lo), lo, hi


class MinMax(Rule):
    name = "min_max"
    columns = {"value": "x", "most": "ref", "least": "ref2"}

    def score(self, ctx: Ctx):
        x = ctx.values(ctx.ind.inputs["x"])
        att, lo, hi = min_max(x)
        return self.out(ctx, att, value=x, most=hi, least=lo)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return f"累计 {num(row.get('value'))}，同组最多 {num(row.get('most'))}、最少 {num(row.get('least'))}，{earned}"

    def formula(self, ind: Indicator) -> str:
        return (f"得分 = {num(ind.points)} × (本单位值 − 同组最少) ÷ (同组最多 − 同组最少)；"
                "各单位相同时，大于 0 得满分，为 0 不得分。")

    def advice(self, row: Row, ind: Indicator) -> str:
        return reach_best(value0(row, "value"), value(row, "most"), ind.inputs["x"])

    def monthly_flows(self, ind: Indicator) -> list[str]:
        """Peer-relative on a flow: every month's work counts."""
        return [ind.inputs["x"]]
