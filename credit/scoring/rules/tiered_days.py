"""tiered_days: the weighted mean tier of a unit's objections by handling days; none = full (D15b)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from credit.model.contract import EVENT_OBJECTION
from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num, zero_or_missing
from credit.scoring.rules.indicator_view import Ctx, event_items

DAYS = "异议处理用时（工作日）"


def tier_points(days, tiers: Sequence[Sequence[float]], points: float) -> np.ndarray:
    """Points one objection earns by its handling time: the first tier whose limit it meets."""
    days = np.asarray(days, dtype=float)
    out = np.zeros_like(days)
    done = np.zeros(days.shape, dtype=bool)
    for limit, pts in sorted(tiers, key=lambda t: t[0]):
        hit = ~done & (days <= limit)
        out[hit] = min(float(pts), points)
        done |= hit
    return out


def tiered_days(unit_index, days, weights, n_units: int, tiers: Sequence[Sequence[float]], points: float):
    """Weighted mean tier over each unit's objections; no objection = full.

    `unit_index[i]` says which unit (0..n_units-1) objection row i belongs to; `weights` is its
    quantity. Returns (attainment per unit, number of objections per unit).
    """
    unit_index = np.asarray(unit_index, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    pts_each = tier_points(days, tiers, points)
    total_w = np.bincount(unit_index, weights=w, minlength=n_units)
    total_p = np.bincount(unit_index, weights=w * pts_each, minlength=n_units)
    mean = np.divide(total_p, total_w, out=np.full(n_units, float(points)), where=total_w > 0)
    att = np.clip(mean / points, 0.0, 1.0) if points > 0 else np.ones(n_units)
    return att, total_w


class TieredDays(Rule):
    name = "tiered_days"
    columns = {"objections": "x", "mean_points": "ref"}
    kept = "本年未扣分，保持即可"

    def score(self, ctx: Ctx):
        ind = ctx.ind
        rows, pos = ctx.events(ind.inputs.get("event", EVENT_OBJECTION))
        days = ctx.event_numbers(DAYS, rows)
        att, count = tiered_days(pos, days, ctx.event_numbers("数量", rows), ctx.n, ind.param("tiers"), ind.points)
        return self.out(ctx, att, objections=count, mean_points=att * ind.points)

    def items(self, ctx: Ctx):
        ind = ctx.ind
        rows, _ = ctx.events(ind.inputs.get("event", EVENT_OBJECTION))
        days = ctx.event_numbers(DAYS, rows)
        lost = ind.points - tier_points(days, ind.param("tiers"), ind.points)
        return event_items(ctx, rows, lost, days)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        if zero_or_missing(row.get("objections")):
            return f"未出现异议，{earned}"
        return f"共 {num(row.get('objections'))} 条异议，按处理用时平均 {num(row.get('mean_points'))} 分，{earned}"

    def formula(self, ind: Indicator) -> str:
        p = ind.points
        tiers = "，".join(f"≤{num(d)} 个工作日得 {num(min(float(t), p))} 分" for d, t in ind.param("tiers"))
        return f"每条异议按处理用时计分（{tiers}，更长不得分），取平均；未出现异议得满分 {num(p)} 分。"

    def advice(self, row: Row, ind: Indicator) -> str:
        fastest = min(t[0] for t in ind.param("tiers"))
        return f"此后异议信息须在 {num(fastest, 0)} 个工作日内办结"
