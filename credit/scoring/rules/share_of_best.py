"""share_of_best: `pts × x / max(x)` over the peers, optionally on a ratio x ÷ per (T3, T4a, T4b)."""

from __future__ import annotations

import math

import numpy as np

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, missing, num, pct, value, value0
from credit.scoring.rules.indicator_view import Ctx, nan0
from credit.scoring.rules.wording import reach_best


def share_of_best(x):
    """`x / max(x)` over the peers; everyone 0 when the best is 0 (or nobody reported)."""
    x = nan0(x)
    best = float(x.max()) if x.size else 0.0
    if best <= 0:
        return np.zeros_like(x), best
    return np.clip(x / best, 0.0, 1.0), best


class ShareOfBest(Rule):
    name = "share_of_best"
    columns = {"value": "x", "numerator": "x2", "denominator": "x3", "best": "ref"}

    def score(self, ctx: Ctx):
        ind = ctx.ind
        x = ctx.values(ind.inputs["x"])
        if "per" not in ind.inputs:
            att, best = share_of_best(x)
            return self.out(ctx, att, value=x, best=best)
        den = ctx.values(ind.inputs["per"])
        ok = np.isfinite(x) & np.isfinite(den) & (den > 0)
        ratio = np.where(ok, x / np.where(ok, den, 1.0), np.nan)
        att, best = share_of_best(ratio)
        return self.out(ctx, att, value=ratio, numerator=x, denominator=den, best=best)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        x, what = row.get("value"), ind.inputs["x"]
        if "per" in ind.inputs:
            per = ind.inputs["per"]
            if missing(x):
                return f"{what}或{per}未报送，{earned}"
            return f"{what} {num(row.get('numerator'))} ÷ {per} {num(row.get('denominator'))} = {pct(x)}，最高单位 {pct(row.get('best'))}，{earned}"
        if missing(x):
            return f"{what}未报送，{earned}"
        return f"{what} {num(x)}，最高单位 {num(row.get('best'))}，{earned}"

    def formula(self, ind: Indicator) -> str:
        what = f"{ind.inputs['x']} ÷ {ind.inputs['per']}" if "per" in ind.inputs else ind.inputs["x"]
        return f"得分 = {num(ind.points)} × 本单位值 ÷ 同组最高值（值 = {what}）；最高值为 0 时均不得分。"

    def advice(self, row: Row, ind: Indicator) -> str:
        inputs, best = ind.inputs, value(row, "best")
        if "per" in inputs:
            den = value(row, "denominator")
            if math.isnan(den) or den <= 0:
                return f"请报送「{inputs['per']}」，否则比例记为 0"
            need = best * den - value0(row, "numerator")
            return f"「{inputs['x']}」再增加约 {math.ceil(need - 1e-9)}，达到同组最高比例 {best:.2%}（以同组最高者不变计）"
        return reach_best(value0(row, "value"), best, inputs["x"])

    def monthly_flows(self, ind: Indicator) -> list[str]:
        """Peer-relative on a flow (归集信用信息): every month's work counts."""
        return [ind.inputs["x"]]

