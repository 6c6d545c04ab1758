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

from credit.common.rounding import competition_rank, settle
from credit.model.framework import Framework
from credit.scoring.inputs import MonthInputs
from credit.scoring.rules import RULES
from credit.scoring.rules.context import ITEM_COLUMNS, Ctx, Items, const_array

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


_ITEM_NUMERIC = ("quantity", "days", "deduction")


def _items_frame(parts: list[Items]) -> pd.DataFrame:
    """All the month's deduction items as one frame (text columns stay Python objects)."""
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c in _ITEM_NUMERIC else object) for c in ITEM_COLUMNS})
    cols = {c: np.concatenate([p[c] for p in parts]) for c in ITEM_COLUMNS}
    return pd.DataFrame({c: (v if c in _ITEM_NUMERIC else _text(v)) for c, v in cols.items()},
                        columns=ITEM_COLUMNS, copy=False)


def _applies_mask(applies, ids: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """`AppliesTo.covers` for every unit at once: named units win, then kinds, else all."""
    if applies.units:
        return np.isin(ids, list(applies.units))
    if applies.kinds:
        return np.isin(kinds, list(applies.kinds))
    return np.ones(len(ids), dtype=bool)


_NUMERIC = ("x", "x2", "x3", "ref", "ref2", "attainment", "deducted")


def _const(value: object, n: int) -> pd.Series:
    return _text(const_array(value, n))


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
        out, items = RULES[ind.rule].score(Ctx(inp, ind, mask))
        for k, v in out.items():
            mats[k][i, mask] = v
        applies[i] = mask
        if items is not None and len(items["unit_id"]):
            item_frames.append(items)
    points = np.array([ind.points for ind in fw.indicators], dtype=float)[:, None] * np.ones((1, n_units))
    earned = np.where(applies, settle(points * mats["attainment"]), 0.0)
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
    score = settle(score)
    summary = pd.DataFrame({
        "month": _const(month, len(ids)), "unit_id": ids, "unit": names, "kind": kinds,
        "earned": tot_earned, "possible": tot_possible,
        **{lv: subtotals[j] for j, lv in enumerate(levels)},
        "score": score,
    })
    summary["rank"] = pd.array(competition_rank(score), dtype="Int64")
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
