"""Scoring one month for one group: a pure function of (inputs, framework) → tidy tables.

`detail` has one row per unit × indicator (applicable or not) with the inputs used, the reference
figures (target, peer best/min, benchmark), the attainment and the points; `items` lists every
month-by-month and event-by-event reason a deduction was made; `summary` ranks the units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from credit.model.contract import EVENT_OBJECTION, GROUP_SHEET, HANDLING_PROACTIVE, SHEETS
from credit.model.framework import Framework, Indicator, field_sheet
from credit.scoring import rules
from credit.scoring.inputs import MonthInputs, as_float

Policy = Literal["rescale", "na_full"]
POLICIES: dict[str, str] = {
    "rescale": "按适用指标折算为百分制（得分 ÷ 适用分值 × 100）",
    "na_full": "不适用的指标按满分计",
}

DETAIL_COLUMNS = [
    "month", "group", "unit_id", "unit", "kind", "code", "level1", "indicator", "rule",
    "points", "applies", "x", "x2", "x3", "ref", "ref2", "attainment", "earned", "possible",
    "deducted",
]
ITEM_COLUMNS = [
    "unit_id", "code", "month", "date", "source", "description", "quantity", "handling",
    "days", "deduction",
]


@dataclass
class MonthScores:
    month: str
    group: str
    policy: str
    framework: Framework
    detail: pd.DataFrame
    items: pd.DataFrame
    summary: pd.DataFrame

    @property
    def level1_names(self) -> list[str]:
        return [lv.name for lv in self.framework.level1]


class _Ctx:
    """The per-indicator view of the inputs: arrays over the units the indicator applies to."""

    def __init__(self, inp: MonthInputs, ind: Indicator, mask: np.ndarray):
        self.inp = inp
        self.ind = ind
        self.mask = mask
        self.ids = np.asarray(inp.unit_ids, dtype=object)[mask]
        self.n = int(mask.sum())

    def values(self, header: str) -> np.ndarray:
        if field_sheet(self.inp.group, header) == GROUP_SHEET[self.inp.group]:
            return self.inp.ytd_arrays[header][self.mask]
        return as_float(self.inp.county.get(header, np.nan), self.n)

    @property
    def local(self) -> np.ndarray:
        """Position within this indicator's units, for every unit of the month (-1 if not covered)."""
        local = np.full(len(self.mask), -1, dtype=np.int64)
        local[self.mask] = np.arange(self.n)
        return local

    def events(self, kind: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The events of one type for the covered units, and each one's position among them."""
        ev = self.inp.events
        pos = self.inp.event_positions
        local = np.where(pos >= 0, self.local[np.maximum(pos, 0)], -1)
        keep = (self.inp.event_types == kind) & (local >= 0)
        return ev[keep], local[keep]


def _out(ctx: _Ctx, att, **cols) -> dict[str, object]:
    """The rule's columns for the covered units; columns not given stay blank (NaN)."""
    base = {"attainment": np.asarray(att, dtype=float)}
    for k, v in cols.items():
        if v is not None:
            base[k] = as_float(v, ctx.n)
    return base


def _rule_target_count(ctx: _Ctx) -> tuple[dict, Items | None]:
    ind = ctx.ind
    x = ctx.values(ind.inputs["x"])
    att, target = rules.target_count(x, ind.param("annual_target"), ctx.inp.month_no, ind.param("prorate"))
    return _out(ctx, att, x=x, ref=target), None


def _rule_two_targets(ctx: _Ctx) -> tuple[dict, Items | None]:
    ind = ctx.ind
    sub, ado = ctx.values(ind.inputs["submitted"]), ctx.values(ind.inputs["adopted"])
    att, ts, ta = rules.two_targets(
        sub, ado, ind.param("target_submitted"), ind.param("target_adopted"),
        ctx.inp.month_no, ind.param("prorate"),
    )
    return _out(ctx, att, x=sub, x2=ado, ref=ts, ref2=ta), None


def _rule_share_of_best(ctx: _Ctx) -> tuple[dict, Items | None]:
    ind = ctx.ind
    x = ctx.values(ind.inputs["x"])
    if "per" in ind.inputs:
        den = ctx.values(ind.inputs["per"])
        ok = np.isfinite(x) & np.isfinite(den) & (den > 0)
        ratio = np.where(ok, x / np.where(ok, den, 1.0), np.nan)
        att, best = rules.share_of_best(ratio)
        return _out(ctx, att, x=ratio, x2=x, x3=den, ref=best), None
    att, best = rules.share_of_best(x)
    return _out(ctx, att, x=x, ref=best), None


def _rule_min_max(ctx: _Ctx) -> tuple[dict, Items | None]:
    x = ctx.values(ctx.ind.inputs["x"])
    att, lo, hi = rules.min_max(x)
    return _out(ctx, att, x=x, ref=hi, ref2=lo), None


def _rule_presence(ctx: _Ctx) -> tuple[dict, Items | None]:
    counts = ctx.inp.register_counts(ctx.ind.inputs["register"]).to_numpy(dtype=float)[ctx.mask]
    required = ctx.ind.param("required")
    return _out(ctx, rules.presence(counts, required), x=counts, ref=required), None


Items = dict[str, np.ndarray]  # ITEM_COLUMNS → equal-length arrays; one frame is built per month
_ITEM_NUMERIC = ("quantity", "days", "deduction")


def _const_array(value: object, n: int) -> np.ndarray:
    """One value repeated (`np.full` with dtype=object is 30× slower than this)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _field_items(ctx: _Ctx, header: str, step: float, kind: str) -> Items:
    """Month-by-month reasons for a deduction driven by a monthly figure (text is added on demand
    by `credit.scoring.explain.describe_items`, so scoring a large register builds no strings)."""
    inp = ctx.inp
    pos, months = inp.sorted_positions, inp.sorted_months
    values = inp._column(header)
    rows = inp.latest_rows(header) if kind == "stock" else np.flatnonzero(pos >= 0)
    local = ctx.local
    rows = rows[(local[np.maximum(pos[rows], 0)] >= 0) & (pos[rows] >= 0) & (np.nan_to_num(values[rows]) > 0)]
    qty = values[rows]
    ids = np.asarray(inp.unit_ids, dtype=object)
    n = len(rows)
    blank = _const_array(None, n)
    return {
        "unit_id": ids[pos[rows]], "code": _const_array(ctx.ind.code, n),
        "month": months[rows].astype(object), "date": blank, "source": _const_array("月报", n),
        "description": blank, "quantity": qty, "handling": blank, "days": np.full(n, np.nan),
        "deduction": qty * step,
    }


def _event_items(ctx: _Ctx, ev: pd.DataFrame, deduction: np.ndarray, days=None) -> Items:
    n = len(ev)
    return {
        "unit_id": ev["unit_id"].to_numpy(dtype=object), "code": _const_array(ctx.ind.code, n),
        "month": ev["month"].to_numpy(dtype=object), "date": ev["发生日期"].to_numpy(dtype=object),
        "source": _const_array("扣分事项", n),
        "description": ev["事项说明"].fillna("").astype(str).to_numpy(dtype=object),
        "quantity": ev["数量"].to_numpy(dtype=float), "handling": ev["处理情况"].to_numpy(dtype=object),
        "days": np.full(n, np.nan) if days is None else np.asarray(days, dtype=float),
        "deduction": np.asarray(deduction, dtype=float),
    }


def _items_frame(parts: list[Items]) -> pd.DataFrame:
    """All the month's deduction items as one frame (text columns stay Python objects)."""
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c in _ITEM_NUMERIC else object) for c in ITEM_COLUMNS})
    cols = {c: np.concatenate([p[c] for p in parts]) for c in ITEM_COLUMNS}
    return pd.DataFrame({c: (v if c in _ITEM_NUMERIC else _text(v)) for c, v in cols.items()},
                        columns=ITEM_COLUMNS, copy=False)


def _rule_deduct_per_item(ctx: _Ctx) -> tuple[dict, Items | None]:
    ind = ctx.ind
    step, cap = float(ind.param("step")), ind.param("cap")
    if "x" in ind.inputs:
        header = ind.inputs["x"]
        n = np.nan_to_num(ctx.values(header), nan=0.0)
        kind = SHEETS[field_sheet(ctx.inp.group, header)].column(header).kind
        items = _field_items(ctx, header, step, kind)
        total = n
    else:
        ev, pos = ctx.events(ind.inputs["event"])
        qty = ev["数量"].to_numpy(dtype=float)
        exempt = (ev["处理情况"] == HANDLING_PROACTIVE).to_numpy() if ind.param("exempt_proactive") else np.zeros(len(ev), bool)
        n = np.bincount(pos, weights=np.where(exempt, 0.0, qty), minlength=ctx.n)
        total = np.bincount(pos, weights=qty, minlength=ctx.n)
        items = _event_items(ctx, ev, np.where(exempt, 0.0, qty * step))
    att, deducted = rules.deduct_per_item(n, ind.points, step, cap)
    return _out(ctx, att, x=n, x2=total, ref=step, ref2=min(float(cap), ind.points), deducted=deducted), items


def _rule_rank_in_city(ctx: _Ctx) -> tuple[dict, Items | None]:
    rank, n = ctx.values(ctx.ind.inputs["rank"]), ctx.values(ctx.ind.inputs["n"])
    return _out(ctx, rules.rank_in_city(rank, n), x=rank, x2=n), None


def _rule_ratio_vs_benchmark(ctx: _Ctx) -> tuple[dict, Items | None]:
    ind = ctx.ind
    parts = np.vstack([ctx.values(h) for h in ind.inputs["num"]])
    num = np.where(np.isfinite(parts).any(axis=0), np.nansum(parts, axis=0), np.nan)
    den = ctx.values(ind.inputs["den"])
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    ratio = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
    bench = ctx.values(ind.inputs["benchmark"])
    return _out(ctx, rules.ratio_vs_benchmark(ratio, bench), x=ratio, x2=num, x3=den, ref=bench), None


def _rule_tiered_days(ctx: _Ctx) -> tuple[dict, Items | None]:
    ind = ctx.ind
    ev, pos = ctx.events(ind.inputs.get("event", EVENT_OBJECTION))
    days = ev["异议处理用时（工作日）"].to_numpy(dtype=float)
    tiers = ind.param("tiers")
    att, count = rules.tiered_days(
        pos, days, ev["数量"].to_numpy(dtype=float), ctx.n, tiers, ind.points
    )
    lost = ind.points - rules.tier_points(days, tiers, ind.points)
    return _out(ctx, att, x=count, ref=att * ind.points), _event_items(ctx, ev, lost, days)


RULES = {
    "target_count": _rule_target_count,
    "two_targets": _rule_two_targets,
    "share_of_best": _rule_share_of_best,
    "min_max": _rule_min_max,
    "presence": _rule_presence,
    "deduct_per_item": _rule_deduct_per_item,
    "rank_in_city": _rule_rank_in_city,
    "ratio_vs_benchmark": _rule_ratio_vs_benchmark,
    "tiered_days": _rule_tiered_days,
}


def _fmt(v: float) -> str:
    return f"{v:g}"


def competition_rank(scores: pd.Series) -> pd.Series:
    """1, 2, 2, 4 — compared on scores rounded to 2 decimals, highest first.

    Python's `round` (correctly rounded, as `f"{s:.2f}"` displays it), not `Series.round`:
    NumPy scales by 100 first, so 6.395 (really 6.39499…) keys as 6.40 but is shown as 6.39.
    """
    keys = _round2(scores.to_numpy(dtype=float))
    ordered = np.sort(-keys)
    ranks = np.searchsorted(ordered, -keys, side="left") + 1
    return pd.Series(ranks, index=scores.index, dtype="Int64")


def _round2(values: np.ndarray) -> np.ndarray:
    """Python's `round(v, 2)` for an array: NumPy's scaled rounding agrees except where v × 100 lies
    a hair from .5, and only those few go through Python."""
    scaled = values * 100.0
    frac = np.abs(scaled - np.floor(scaled) - 0.5)
    keys = np.round(scaled) / 100.0
    near = np.flatnonzero(frac < 1e-6)
    keys[near] = [round(float(v), 2) for v in values[near]]
    return keys


def _applies_mask(applies, ids: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """`AppliesTo.covers` for every unit at once: named units win, then kinds, else all."""
    if applies.units:
        return np.isin(ids, list(applies.units))
    if applies.kinds:
        return np.isin(kinds, list(applies.kinds))
    return np.ones(len(ids), dtype=bool)


_NUMERIC = ("x", "x2", "x3", "ref", "ref2", "attainment", "deducted")


def _const(value: object, n: int) -> pd.Series:
    return _text(_const_array(value, n))


def _text(values: np.ndarray) -> pd.Series:
    """A text column kept as Python objects: pandas 3 would otherwise convert every repeated
    string to Arrow, which costs more than the whole scoring at 5,000 units."""
    return pd.Series(values, dtype=object, copy=False)


def score_month(inp: MonthInputs, fw: Framework, policy: Policy = "rescale") -> MonthScores:
    units = inp.units
    n_units, n_ind = len(units), len(fw.indicators)
    names = np.array([u.name_at(inp.month) for u in units], dtype=object)
    kinds = np.array([u.kind for u in units], dtype=object)
    ids = np.array(inp.unit_ids, dtype=object)
    # One matrix per numeric column (indicator × unit), filled in place: the detail frame is
    # built once at the end instead of one small frame per indicator.
    mats = {k: np.full((n_ind, n_units), np.nan) for k in _NUMERIC}
    applies = np.zeros((n_ind, n_units), dtype=bool)
    item_frames = []
    masks: dict[object, np.ndarray] = {}  # one per distinct applies_to (most are "all")
    for i, ind in enumerate(fw.indicators):
        mask = masks.get(ind.applies_to)
        if mask is None:
            mask = masks[ind.applies_to] = _applies_mask(ind.applies_to, ids, kinds)
        out, items = RULES[ind.rule](_Ctx(inp, ind, mask))
        for k, v in out.items():
            mats[k][i, mask] = v
        applies[i] = mask
        if items is not None and len(items["unit_id"]):
            item_frames.append(items)
    points = np.array([ind.points for ind in fw.indicators], dtype=float)[:, None] * np.ones((1, n_units))
    earned = np.where(applies, np.round(points * mats["attainment"], 10), 0.0)
    possible = np.where(applies, points, 0.0)
    n_rows = n_ind * n_units
    detail = pd.DataFrame({
        "month": _const(inp.month, n_rows),
        "group": _const(inp.group, n_rows),
        "unit_id": _text(np.tile(ids, n_ind)), "unit": _text(np.tile(names, n_ind)),
        "kind": _text(np.tile(kinds, n_ind)),
        **{col: _text(np.repeat(np.array([getattr(ind, attr) for ind in fw.indicators], dtype=object), n_units))
           for col, attr in (("code", "code"), ("level1", "level1"), ("indicator", "name"), ("rule", "rule"))},
        "points": points.ravel(), "applies": applies.ravel(),
        **{k: mats[k].ravel() for k in ("x", "x2", "x3", "ref", "ref2", "attainment")},
        "earned": earned.ravel(), "possible": possible.ravel(), "deducted": mats["deducted"].ravel(),
    }, columns=DETAIL_COLUMNS, copy=False)
    items = _items_frame(item_frames)
    summary = _summary(inp.month, fw, policy, ids, names, kinds, earned, possible, points, applies)
    return MonthScores(inp.month, inp.group, policy, fw, detail, items, summary)


def _summary(month: str, fw: Framework, policy: Policy, ids, names, kinds, earned: np.ndarray,
             possible: np.ndarray, points: np.ndarray, applies: np.ndarray) -> pd.DataFrame:
    """Per-unit totals, first-level subtotals, normalised score and rank, from the matrices."""
    na_points = np.where(applies, 0.0, points)
    credited = earned + (na_points if policy == "na_full" else 0.0)
    levels = [lv.name for lv in fw.level1]
    level_of = np.array([levels.index(ind.level1) for ind in fw.indicators], dtype=np.int64)
    onehot = np.zeros((len(levels), len(fw.indicators)))
    onehot[level_of, np.arange(len(fw.indicators))] = 1.0
    subtotals = onehot @ credited if len(fw.indicators) else np.zeros((len(levels), len(ids)))
    tot_earned, tot_possible = earned.sum(axis=0), possible.sum(axis=0)
    if policy == "na_full":
        total = fw.total_points
        score = 100.0 * (tot_earned + na_points.sum(axis=0)) / total if total else np.zeros(len(ids))
    else:
        score = np.divide(100.0 * tot_earned, tot_possible, out=np.zeros(len(ids)), where=tot_possible > 0)
    score = np.round(score, 10)
    summary = pd.DataFrame({
        "month": _const(month, len(ids)), "unit_id": ids, "unit": names, "kind": kinds,
        "earned": tot_earned, "possible": tot_possible,
        **{lv: subtotals[j] for j, lv in enumerate(levels)},
        "score": score,
    })
    summary["rank"] = competition_rank(summary["score"])
    order = np.lexsort((np.asarray(names).astype(str), summary["rank"].to_numpy(dtype=np.int64)))
    return summary.take(order).reset_index(drop=True)


def summarise(detail: pd.DataFrame, fw: Framework, policy: Policy, month: str) -> pd.DataFrame:
    """The summary of a detail table (as `score_month` builds it: indicator blocks × units)."""
    n_ind = len(fw.indicators)
    n_units = len(detail) // n_ind if n_ind else 0
    shape = (n_ind, n_units)
    first = detail.iloc[:n_units]
    return _summary(
        month, fw, policy, first["unit_id"].to_numpy(), first["unit"].to_numpy(), first["kind"].to_numpy(),
        detail["earned"].to_numpy(dtype=float).reshape(shape), detail["possible"].to_numpy(dtype=float).reshape(shape),
        detail["points"].to_numpy(dtype=float).reshape(shape), detail["applies"].to_numpy(dtype=bool).reshape(shape),
    )


def add_changes(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Score and rank change against the previous month (d_rank > 0 means the unit moved up)."""
    out = current.copy()
    if previous is None or previous.empty:
        out["prev_score"], out["prev_rank"] = np.nan, pd.array([pd.NA] * len(out), dtype="Int64")
    else:
        prev = previous.set_index("unit_id")
        out["prev_score"] = out["unit_id"].map(prev["score"])
        out["prev_rank"] = out["unit_id"].map(prev["rank"]).astype("Int64")
    out["d_score"] = out["score"] - out["prev_score"]
    out["d_rank"] = (out["prev_rank"] - out["rank"]).astype("Int64")
    return out
