"""min_max: `pts × (x − min) / (max − min)` over the peers (D3)."""

from __future__ import annotations

import numpy as np

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num
from credit.scoring.rules.context import Ctx, nan0


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

    def score(self, ctx: Ctx):
        x = ctx.values(ctx.ind.inputs["x"])
        att, lo, hi = min_max(x)
        return ctx.out(att, x=x, ref=hi, ref2=lo)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return f"累计 {num(row.get('x'))}，同组最多 {num(row.get('ref'))}、最少 {num(row.get('ref2'))}，{earned}"

    def formula(self, ind: Indicator) -> str:
        return (f"得分 = {num(ind.points)} × (本单位值 − 同组最少) ÷ (同组最多 − 同组最少)；"
                "各单位相同时，大于 0 得满分，为 0 不得分。")
