"""Scoring one month for one group: a pure function of (inputs, framework) → tidy tables.

`detail` has one row per unit × indicator (applicable or not) with the inputs used, the reference
figures (target, peer best/min, benchmark), the attainment and the points; `items` lists every
month-by-month and event-by-event reason a deduction was made; `summary` ranks the units.

The engine works on dense arrays end to end (`Dense`: one row an indicator, one column a unit)
and ranks from them; `detail` and `items` are built from those arrays and the inputs only when
read, and `unit_items` builds one unit's items alone — at 50,000 units the two tables cost
several times the scoring, and ranking needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.common.rounding import competition_rank, settle
from credit.model.framework import Framework
from credit.scoring.inputs import MonthInputs, arrow_strings
from credit.scoring.rules import RULES, Rule
from credit.scoring.rules.indicator_view import ITEM_COLUMNS, Ctx, Items, const_array

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
    attainment: np.ndarray  # float, NaN where not applicable
    outputs: tuple[dict[str, np.ndarray], ...]  # per indicator: the rule's columns over its covered units
    points: np.ndarray  # per indicator
    earned: np.ndarray
    possible: np.ndarray

    def matrix(self, column: str) -> np.ndarray:
        """One of `_NUMERIC` as an indicator × unit matrix (NaN where not applicable or not
        given). Only attainment is kept as a matrix: the rest is wanted only for `detail`."""
        if column == "attainment":
            return self.attainment
        out = np.full(self.applies.shape, np.nan)
        for i, cols in enumerate(self.outputs):
            v = cols.get(column)
            if v is not None:
                out[i, self.applies[i]] = v
        return out


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


class _Masks:
    """`AppliesTo.covers` for every unit at once, one mask per distinct `applies_to` (most are
    "all"): named units win, then kinds. Ids are looked up in Arrow and kinds, being few, are
    numbered once and compared as integers (np.isin on the objects sorted 50,000 strings each
    time)."""

    def __init__(self, ids: np.ndarray, kinds: np.ndarray, id_strings: pa.Array | None):
        self.ids, self.kinds, self.id_strings = ids, kinds, id_strings
        self._done: dict[object, np.ndarray] = {}
        self._codes: tuple[np.ndarray, np.ndarray] | None = None

    def _kind_codes(self) -> tuple[np.ndarray, np.ndarray]:
        if self._codes is None:
            codes, uniques = pd.factorize(self.kinds, use_na_sentinel=False)
            self._codes = codes, np.asarray(uniques, dtype=object)
        return self._codes

    def get(self, applies) -> np.ndarray:
        got = self._done.get(applies)
        if got is None:
            got = self._done[applies] = self._mask(applies)
        return got

    def _mask(self, applies) -> np.ndarray:
        if applies.units:
            if self.id_strings is None:
                return np.isin(self.ids, list(applies.units))
            hit = pc.is_in(self.id_strings, value_set=pa.array(list(applies.units), type=self.id_strings.type))
            return hit.to_numpy(zero_copy_only=False)
        if applies.kinds:
            codes, uniques = self._kind_codes()
            wanted = [i for i, k in enumerate(uniques) if k in set(applies.kinds)]
            return np.isin(codes, wanted)
        return np.ones(len(self.ids), dtype=bool)

    def kind_strings(self) -> pa.Array | None:
        """The kinds as Arrow strings, built from the few distinct ones."""
        codes, uniques = self._kind_codes()
        values = arrow_strings(uniques)
        if values is None or values.null_count:
            return arrow_strings(self.kinds)
        return values.take(pa.array(codes))


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
    renamed = any(map(attrgetter("names"), units))  # renames are rare: then one attribute per unit
    names = np.fromiter((u.name_at(month) for u in units) if renamed else map(attrgetter("name"), units),
                        dtype=object, count=n_units)
    kinds = np.fromiter(map(attrgetter("kind"), units), dtype=object, count=n_units)
    ids = inp.ids
    attainment = np.full((n_ind, n_units), np.nan)
    applies = np.zeros((n_ind, n_units), dtype=bool)
    outputs = []
    masks = _Masks(ids, kinds, inp.id_strings)
    for i, ind in enumerate(fw.indicators):
        mask = masks.get(ind.applies_to)
        out = RULES[ind.rule].score(Ctx(inp, ind, mask))
        outputs.append(out)
        attainment[i, mask] = out["attainment"]
        applies[i] = mask
    points = np.array([ind.points for ind in fw.indicators], dtype=float)
    earned = np.where(applies, settle(points[:, None] * attainment), 0.0)
    possible = np.where(applies, points[:, None], 0.0)
    dense = Dense(ids, names, kinds, applies, attainment, tuple(outputs), points, earned, possible)
    text = {"ids": inp.id_strings, "names": arrow_strings(names), "kinds": masks.kind_strings()}
    summary = _summary(month, fw, policy, ids, names, kinds, earned, possible, points[:, None], applies, text)
    return MonthScores(month, inp.group, policy, fw, None, None, summary, dense=dense, inputs=inp)


def _detail_frame(month: str, group: str, fw: Framework, dense: Dense) -> pd.DataFrame:
    """The tidy unit × indicator table of a scored month (indicator blocks × units)."""
    n_ind, n_units = dense.applies.shape
    n_rows = n_ind * n_units
    mats = {k: dense.matrix(k) for k in _NUMERIC}
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
             possible: np.ndarray, points: np.ndarray, applies: np.ndarray,
             text: dict[str, pa.Array | None] | None = None) -> pd.DataFrame:
    """Per-unit totals, first-level subtotals, normalised score and rank, from the matrices.
    `text` may carry ids, names and kinds already as Arrow strings (the engine has them)."""
    text = text or {}
    # Not-applicable points count only under na_full (two unit × indicator matrices saved otherwise).
    na_points = np.where(applies, 0.0, points) if policy == "na_full" else None
    credited = earned + na_points if na_points is not None else earned
    levels = [lv.name for lv in fw.level1]
    subtotals = level_sums(credited, [levels.index(ind.level1) for ind in fw.indicators], len(levels))
    tot_earned, tot_possible = earned.sum(axis=0), possible.sum(axis=0)
    if na_points is not None:
        total = fw.total_points
        score = 100.0 * (tot_earned + na_points.sum(axis=0)) / total if total else np.zeros(len(ids))
    else:
        score = np.divide(100.0 * tot_earned, tot_possible, out=np.zeros(len(ids)), where=tot_possible > 0)
    score = settle(score)
    rank = competition_rank(score)
    # Sorted before the frame is built: permuting NumPy arrays is cheap, taking rows of a frame
    # whose text columns are Arrow strings is not.
    name_text = text["names"] if "names" in text else arrow_strings(names)
    order = _rank_order(rank, names, name_text)
    n = len(order)
    return pd.DataFrame({
        "month": _const(month, n), "unit_id": _strings(ids, order, text.get("ids")),
        "unit": _strings(names, order, name_text), "kind": _strings(kinds, order, text.get("kinds")),
        "earned": tot_earned[order], "possible": tot_possible[order],
        **{lv: subtotals[j][order] for j, lv in enumerate(levels)},
        "score": score[order],
        "rank": pd.array(rank[order], dtype="Int64"),
    })


def level_sums(rows: np.ndarray, level_of: list[int], n_levels: int) -> np.ndarray:
    """Per first-level indicator, the settled sum of its indicators' rows, added in indicator
    order. This was a one-hot matrix product: BLAS threads spin on a shared machine (a fifth of a
    year's scoring CPU for a 4 × 28 product), and its kernels add in an order that depends on the
    number of units, so a subtotal's last bit did too. Settled like every computed figure, the
    subtotal is the decimal sum of the settled points, whichever order adds them."""
    out = np.zeros((n_levels, rows.shape[1]))
    for i, j in enumerate(level_of):
        out[j] += rows[i]
    return settle(out)


def _rank_order(rank: np.ndarray, names, text: pa.Array | None) -> np.ndarray:
    """Rows by rank, ties by name (code point order — UTF-8 bytes sort the same way). Arrow's
    stable multi-key sort compares names only within a tie; sorting all the names came first."""
    if text is None or text.null_count:
        return np.lexsort((np.asarray(names).astype(str), rank))
    table = pa.table({"rank": rank, "name": text})
    return pc.sort_indices(table, sort_keys=[("rank", "ascending"), ("name", "ascending")]).to_numpy()


def _strings(values, order: np.ndarray, arr: pa.Array | None = None) -> object:
    """A text column in `order` as pandas' own `str` column (what it would infer from the
    objects), converted to Arrow before it is permuted: pandas' inference took 20 ms per 50,000
    names, and permuting Python objects walks memory at random."""
    arr = arr if arr is not None else arrow_strings(values)
    if arr is None:
        return np.asarray(values, dtype=object)[order]
    return pd.array(arr.take(pa.array(order)), dtype="str")


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
