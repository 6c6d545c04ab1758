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
from credit.scoring.rules import RULES, Rule
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


@dataclass(frozen=True)
class Dense:
    """A scored month as unit × indicator arrays (one row an indicator, one column a unit): what
    the engine computes and ranks from. The tidy `detail` frame is a view of it, built on demand."""

    ids: np.ndarray  # unit ids, object
    names: np.ndarray  # unit names in the month, object
    kinds: np.ndarray  # unit kinds, object
    applies: np.ndarray  # bool
    values: dict[str, np.ndarray]  # _NUMERIC → float matrix (NaN where not applicable or not given)
    points: np.ndarray  # per indicator
    earned: np.ndarray
    possible: np.ndarray


class MonthScores:
    """One group's scored month. `summary` (the ranking) is always at hand; `detail` (one row
    per unit × indicator) and `items` (the deduction reasons) are built from the dense arrays
    and the inputs the first time someone reads them: ranking a month needs neither, and at
    5,000 units they cost more than the scoring itself. Scores read back from the store pass
    `detail` and `items` ready-made."""

    def __init__(self, month: str, group: str, policy: str, framework: Framework,
                 detail: pd.DataFrame | None, items: pd.DataFrame | None, summary: pd.DataFrame,
                 dense: Dense | None = None, inputs: MonthInputs | None = None):
        if (detail is None or items is None) and (dense is None or inputs is None):
            raise ValueError("MonthScores: detail and items, or the dense arrays and inputs they come from")
        self.month = month
        self.group = group
        self.policy = policy
        self.framework = framework
        self.summary = summary
        self.dense = dense
        self._detail = detail
        self._items = items
        self._inputs = inputs

    @property
    def level1_names(self) -> list[str]:
        return [lv.name for lv in self.framework.level1]

    @property
    def detail(self) -> pd.DataFrame:
        """One row per unit × indicator, indicator blocks in framework order (see DETAIL_COLUMNS)."""
        if self._detail is None:
            self._detail = _detail_frame(self.month, self.group, self.framework, self.dense)
        return self._detail

    @property
    def items(self) -> pd.DataFrame:
        """Every unit's deduction items of the year to date (ITEM_COLUMNS)."""
        if self._items is None:
            self._items = _items_frame(_item_parts(self._inputs, self.framework, self.dense, None))
        return self._items

    def unit_items(self, unit_id: str) -> pd.DataFrame:
        """One unit's deduction items — built for that unit alone unless all are built already
        (opening one unit's page must not build every unit's reasons)."""
        if self._items is not None:
            return self._items[self._items["unit_id"] == unit_id].reset_index(drop=True)
        return _items_frame(_item_parts(self._inputs, self.framework, self.dense, unit_id))


_ITEM_NUMERIC = ("quantity", "days", "deduction")


def _items_frame(parts: list[Items]) -> pd.DataFrame:
    """All the month's deduction items as one frame (text columns stay Python objects)."""
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c in _ITEM_NUMERIC else object) for c in ITEM_COLUMNS})
    cols = {c: np.concatenate([p[c] for p in parts]) for c in ITEM_COLUMNS}
    return pd.DataFrame({c: (v if c in _ITEM_NUMERIC else _text(v)) for c, v in cols.items()},
                        columns=ITEM_COLUMNS, copy=False)


def _item_parts(inp: MonthInputs, fw: Framework, dense: Dense, unit_id: str | None) -> list[Items]:
    """The rules' deduction items, indicator by indicator, for every covered unit or just one."""
    only = None if unit_id is None else (dense.ids == unit_id)
    parts = []
    for i, ind in enumerate(fw.indicators):
        rule = RULES[ind.rule]
        if type(rule).items is Rule.items:  # the rule never lists items
            continue
        mask = dense.applies[i] if only is None else dense.applies[i] & only
        items = rule.items(Ctx(inp, ind, mask))
        if items is not None and len(items["unit_id"]):
            parts.append(items)
    return parts


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
    """Score every unit on every indicator, total, rank. Rules fill one indicator × unit matrix
    per numeric column in place; nothing per unit × indicator is built as Python objects."""
    units = inp.units
    n_units, n_ind = len(units), len(fw.indicators)
    month = inp.month
    names = np.array([u.name_at(month) for u in units], dtype=object)
    kinds = np.array([u.kind for u in units], dtype=object)
    ids = inp.ids
    mats = {k: np.full((n_ind, n_units), np.nan) for k in _NUMERIC}
    applies = np.zeros((n_ind, n_units), dtype=bool)
    masks: dict[object, np.ndarray] = {}  # one per distinct applies_to (most are "all")
    for i, ind in enumerate(fw.indicators):
        mask = masks.get(ind.applies_to)
        if mask is None:
            mask = masks[ind.applies_to] = _applies_mask(ind.applies_to, ids, kinds)
        out = RULES[ind.rule].score(Ctx(inp, ind, mask))
        every = bool(mask.all())
        for k, v in out.items():
            if every:
                mats[k][i] = v
            else:
                mats[k][i, mask] = v
        applies[i] = mask
    points = np.array([ind.points for ind in fw.indicators], dtype=float)
    earned = np.where(applies, settle(points[:, None] * mats["attainment"]), 0.0)
    possible = np.where(applies, points[:, None], 0.0)
    dense = Dense(ids, names, kinds, applies, mats, points, earned, possible)
    summary = _summary(month, fw, policy, ids, names, kinds, earned, possible, points[:, None], applies)
    return MonthScores(month, inp.group, policy, fw, None, None, summary, dense=dense, inputs=inp)


def _detail_frame(month: str, group: str, fw: Framework, dense: Dense) -> pd.DataFrame:
    """The tidy unit × indicator table of a scored month (indicator blocks × units)."""
    n_ind, n_units = dense.applies.shape
    n_rows = n_ind * n_units
    mats = dense.values
    return pd.DataFrame({
        "month": _const(month, n_rows),
        "group": _const(group, n_rows),
        "unit_id": _text(np.tile(dense.ids, n_ind)), "unit": _text(np.tile(dense.names, n_ind)),
        "kind": _text(np.tile(dense.kinds, n_ind)),
        **{col: _text(np.repeat(np.array([getattr(ind, attr) for ind in fw.indicators], dtype=object), n_units))
           for col, attr in (("code", "code"), ("level1", "level1"), ("indicator", "name"), ("rule", "rule"))},
        "points": np.repeat(dense.points, n_units), "applies": dense.applies.ravel(),
        **{k: mats[k].ravel() for k in ("x", "x2", "x3", "ref", "ref2", "attainment")},
        "earned": dense.earned.ravel(), "possible": dense.possible.ravel(), "deducted": mats["deducted"].ravel(),
    }, columns=DETAIL_COLUMNS, copy=False)


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
