"""share_of_best: `pts × x / max(x)` over the peers, optionally on a ratio x ÷ per (T3, T4a, T4b)."""

from __future__ import annotations

import numpy as np

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, missing, num, pct
from credit.scoring.rules.context import Ctx, nan0


def share_of_best(x):
    """`x / max(x)` over the peers; everyone 0 when the best is 0 (or nobody reported)."""
    x = nan0(x)
    best = float(x.max()) if x.size else 0.0
    if best <= 0:
        return np.zeros_like(x), best
    return np.clip(x / best, 0.0, 1.0), best


class ShareOfBest(Rule):
    name = "share_of_best"

    def score(self, ctx: Ctx):
        ind = ctx.ind
        x = ctx.values(ind.inputs["x"])
        if "per" not in ind.inputs:
            att, best = share_of_best(x)
            return ctx.out(att, x=x, ref=best)
        den = ctx.values(ind.inputs["per"])
        ok = np.isfinite(x) & np.isfinite(den) & (den > 0)
        ratio = np.where(ok, x / np.where(ok, den, 1.0), np.nan)
        att, best = share_of_best(ratio)
        return ctx.out(att, x=ratio, x2=x, x3=den, ref=best)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        x, what = row.get("x"), ind.inputs["x"]
        if "per" in ind.inputs:
            per = ind.inputs["per"]
            if missing(x):
                return f"{what}或{per}未报送，{earned}"
            return f"{what} {num(row.get('x2'))} ÷ {per} {num(row.get('x3'))} = {pct(x)}，最高单位 {pct(row.get('ref'))}，{earned}"
        if missing(x):
            return f"{what}未报送，{earned}"
        return f"{what} {num(x)}，最高单位 {num(row.get('ref'))}，{earned}"

    def formula(self, ind: Indicator) -> str:
        what = f"{ind.inputs['x']} ÷ {ind.inputs['per']}" if "per" in ind.inputs else ind.inputs["x"]
        return f"得分 = {num(ind.points)} × 本单位值 ÷ 同组最高值（值 = {what}）；最高值为 0 时均不得分。"
