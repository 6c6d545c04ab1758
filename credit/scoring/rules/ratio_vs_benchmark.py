"""ratio_vs_benchmark: `pts × min(1, ratio / benchmark)`, ratio = (sum of num) ÷ den (D10, D13)."""

from __future__ import annotations

import math

import numpy as np

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, missing, num, pct, value
from credit.scoring.rules.indicator_view import Ctx


def ratio_vs_benchmark(x, benchmark):
    """`min(1, x / benchmark)`; 0 when x or the benchmark is missing, full when benchmark ≤ 0."""
    x = np.asarray(x, dtype=float)
    b = np.asarray(benchmark, dtype=float)
    ok = np.isfinite(x) & np.isfinite(b)
    safe_b = np.where(ok & (b > 0), b, 1.0)
    att = np.where(b > 0, np.clip(np.where(ok, x, 0.0) / safe_b, 0.0, 1.0), 1.0)
    return np.where(ok, att, 0.0)


class RatioVsBenchmark(Rule):
    name = "ratio_vs_benchmark"
    columns = {"ratio": "x", "numerator": "x2", "denominator": "x3", "benchmark": "ref"}

    def score(self, ctx: Ctx):
        ind = ctx.ind
        parts = np.vstack([ctx.values(h) for h in ind.inputs["num"]])
        numerator = np.where(np.isfinite(parts).any(axis=0), np.nansum(parts, axis=0), np.nan)
        den = ctx.values(ind.inputs["den"])
        ok = np.isfinite(numerator) & np.isfinite(den) & (den > 0)
        ratio = np.where(ok, numerator / np.where(ok, den, 1.0), np.nan)
        bench = ctx.values(ind.inputs["benchmark"])
        return self.out(ctx, ratio_vs_benchmark(ratio, bench), ratio=ratio, numerator=numerator, denominator=den,
                        benchmark=bench)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        x, ref = row.get("ratio"), row.get("benchmark")
        if missing(x):
            return f"数据未报送，{earned}"
        if missing(ref):
            return f"比例 {pct(x)}，全市平均值未报送，{earned}"
        return f"比例 {pct(x)}（{num(row.get('numerator'))} ÷ {num(row.get('denominator'))}），全市平均 {pct(ref)}，{earned}"

    def formula(self, ind: Indicator) -> str:
        nums = " + ".join(ind.inputs["num"])
        return (f"得分 = {num(ind.points)} × min(1, 比例 ÷ 全市平均)；比例 = ({nums}) ÷ {ind.inputs['den']}，"
                f"全市平均取“{ind.inputs['benchmark']}”。")

    def advice(self, row: Row, ind: Indicator) -> str:
        bench, x = value(row, "benchmark"), value(row, "ratio")
        if math.isnan(x):
            return "相关数据未报送，请报送后计分"
        return f"比例需达到基准 {num(bench, 4)}（现为 {num(x, 4)}）"
