"""rank_in_city: `pts × (N − r + 1) / N` for the county's rank r among N districts (D6, D7a, D7b)."""

from __future__ import annotations

import numpy as np

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, missing, num
from credit.scoring.rules.indicator_view import Ctx


def rank_in_city(rank, n):
    """`(N − r + 1) / N`; 0 when rank or N is missing, clipped to 0..1."""
    rank = np.asarray(rank, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = np.isfinite(rank) & np.isfinite(n) & (n > 0)
    rank_c = np.clip(np.where(ok, rank, 1.0), 1.0, None)
    att = np.where(ok, (np.where(ok, n, 1.0) - rank_c + 1.0) / np.where(ok, n, 1.0), 0.0)
    return np.clip(att, 0.0, 1.0)


class RankInCity(Rule):
    name = "rank_in_city"
    columns = {"rank": "x", "counties": "x2"}

    def score(self, ctx: Ctx):
        rank, n = ctx.values(ctx.ind.inputs["rank"]), ctx.values(ctx.ind.inputs["n"])
        return self.out(ctx, rank_in_city(rank, n), rank=rank, counties=n)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        x, x2 = row.get("rank"), row.get("counties")
        if missing(x) or missing(x2):
            return f"全市位次未报送，{earned}"
        return f"我县全市第 {num(x)} 位（共 {num(x2)} 个区县），{earned}"

    def formula(self, ind: Indicator) -> str:
        return f"得分 = {num(ind.points)} × (全市区县数 − 我县位次 + 1) ÷ 全市区县数。"

    def advice(self, row: Row, ind: Indicator) -> str:
        return "按全县在全市的位次计分，由县信用办统一报送"
