"""The rule types of the framework, one small vectorised function each.

Every function takes NumPy arrays over the units an indicator applies to and returns the
**attainment** (0..1, the share of the indicator's points earned) plus the reference figures
(target, peer best, benchmark…) that explain it. Points earned are `points × attainment`, which is
also how a what-if re-weights (spec: `new_pts × attainment`). Missing inputs arrive as NaN and
score 0 unless a rule says otherwise; the explanation layer says "未报送".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Array = np.ndarray


def prorated(annual_target: float, month: int, prorate: bool) -> float:
    """The target for months 1..m: the annual target × m / 12 when pro-rating is on."""
    return annual_target * month / 12.0 if prorate else float(annual_target)


def _ratio_capped(x: Array, target: float) -> Array:
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=0.0)
    if target <= 0:
        return np.ones_like(x)
    return np.clip(x / target, 0.0, 1.0)


def target_count(x: Array, annual_target: float, month: int, prorate: bool = True) -> tuple[Array, float]:
    """`min(1, x / T)`, T pro-rated; returns (attainment, T)."""
    target = prorated(annual_target, month, prorate)
    return _ratio_capped(x, target), target


def two_targets(
    submitted: Array, adopted: Array, target_submitted: float, target_adopted: float,
    month: int, prorate: bool = True,
) -> tuple[Array, float, float]:
    """Mean of the two capped ratios; returns (attainment, Ts, Ta)."""
    ts = prorated(target_submitted, month, prorate)
    ta = prorated(target_adopted, month, prorate)
    att = (_ratio_capped(submitted, ts) + _ratio_capped(adopted, ta)) / 2.0
    return att, ts, ta


def share_of_best(x: Array) -> tuple[Array, float]:
    """`x / max(x)` over the peers; everyone 0 when the best is 0 (or nobody reported)."""
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=0.0)
    best = float(x.max()) if x.size else 0.0
    if best <= 0:
        return np.zeros_like(x), best
    return np.clip(x / best, 0.0, 1.0), best


def min_max(x: Array) -> tuple[Array, float, float]:
    """`(x − min) / (max − min)` over the peers; all full when max = min > 0, all 0 when max = 0."""
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=0.0)
    if not x.size:
        return x, 0.0, 0.0
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.full_like(x, 1.0 if hi > 0 else 0.0), lo, hi
    return (x - lo) / (hi - lo), lo, hi


def presence(count: Array, required: float = 1) -> Array:
    """Full when the count reaches the required number, else nothing."""
    count = np.nan_to_num(np.asarray(count, dtype=float), nan=0.0)
    return (count >= required).astype(float)


def deduct_per_item(n: Array, points: float, step: float, cap: float | None = None) -> tuple[Array, Array]:
    """`pts − min(cap, step × n)`, never below 0; returns (attainment, points deducted)."""
    n = np.nan_to_num(np.asarray(n, dtype=float), nan=0.0)
    cap = points if cap is None else min(float(cap), points)
    deducted = np.minimum(cap, step * n)
    deducted = np.round(deducted, 10)
    if points <= 0:
        return np.where(deducted > 0, 0.0, 1.0), deducted
    return np.clip((points - deducted) / points, 0.0, 1.0), deducted


def rank_in_city(rank: Array, n: Array) -> Array:
    """`(N − r + 1) / N`; 0 when rank or N is missing, clipped to 0..1."""
    rank = np.asarray(rank, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = np.isfinite(rank) & np.isfinite(n) & (n > 0)
    rank_c = np.clip(np.where(ok, rank, 1.0), 1.0, None)
    att = np.where(ok, (np.where(ok, n, 1.0) - rank_c + 1.0) / np.where(ok, n, 1.0), 0.0)
    return np.clip(att, 0.0, 1.0)


def ratio_vs_benchmark(x: Array, benchmark: Array) -> Array:
    """`min(1, x / benchmark)`; 0 when x or the benchmark is missing, full when benchmark ≤ 0."""
    x = np.asarray(x, dtype=float)
    b = np.asarray(benchmark, dtype=float)
    ok = np.isfinite(x) & np.isfinite(b)
    safe_b = np.where(ok & (b > 0), b, 1.0)
    att = np.where(b > 0, np.clip(np.where(ok, x, 0.0) / safe_b, 0.0, 1.0), 1.0)
    return np.where(ok, att, 0.0)


def tier_points(days: Array, tiers: Sequence[Sequence[float]], points: float) -> Array:
    """Points one objection earns by its handling time: the first tier whose limit it meets."""
    days = np.asarray(days, dtype=float)
    out = np.zeros_like(days)
    done = np.zeros(days.shape, dtype=bool)
    for limit, pts in sorted(tiers, key=lambda t: t[0]):
        hit = ~done & (days <= limit)
        out[hit] = min(float(pts), points)
        done |= hit
    return out


def tiered_days(
    unit_index: Array, days: Array, weights: Array, n_units: int,
    tiers: Sequence[Sequence[float]], points: float,
) -> tuple[Array, Array]:
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
