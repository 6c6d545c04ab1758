"""What a rule sees while scoring: the inputs as arrays over the units one indicator applies to,
and the builders of deduction items (the month-by-month and event-by-event reasons).

Items are dicts of equal-length arrays (one frame is built per month by the engine); their text is
added on demand by `credit.scoring.explain.describe_items`, so scoring a large register builds no
strings.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from credit.model.contract import GROUP_SHEET
from credit.model.framework import Indicator, field_sheet
from credit.scoring.inputs import MonthInputs, as_float

ITEM_COLUMNS = [
    "unit_id", "code", "month", "date", "source", "description", "quantity", "handling",
    "days", "deduction",
]
Items = dict[str, np.ndarray]  # ITEM_COLUMNS → equal-length arrays


class Ctx:
    """The per-indicator view of the inputs: arrays over the units the indicator applies to."""

    def __init__(self, inp: MonthInputs, ind: Indicator, mask: np.ndarray):
        self.inp = inp
        self.ind = ind
        self.mask = mask
        self.n = int(mask.sum())

    @cached_property
    def ids(self) -> np.ndarray:
        return self.inp.ids[self.mask]

    def values(self, header: str) -> np.ndarray:
        if field_sheet(self.inp.group, header) == GROUP_SHEET[self.inp.group]:
            return self.inp.ytd_value(header)[self.mask]
        return as_float(self.inp.county.get(header, np.nan), self.n)

    @cached_property
    def local(self) -> np.ndarray:
        """Position within this indicator's units, for every unit of the month (-1 if not covered)."""
        local = np.full(len(self.mask), -1, dtype=np.int64)
        local[self.mask] = np.arange(self.n)
        return local

    def events(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """The events of one type for the covered units: their rows in `inp.events` and each
        one's position among the covered units (arrays, not a filtered frame: cheaper by far)."""
        pos = self.inp.event_positions
        local = np.where(pos >= 0, self.local[np.maximum(pos, 0)], -1)
        rows = np.flatnonzero(self.inp.event_is("事项类型", kind) & (local >= 0))
        return rows, local[rows]

    def event_numbers(self, column: str, rows: np.ndarray) -> np.ndarray:
        """A numeric column of the events (数量, 异议处理用时) at `rows`, as float."""
        return self.inp.event_numbers(column)[rows]

    def out(self, att, **cols) -> dict[str, object]:
        """The rule's columns for the covered units; columns not given stay blank (NaN)."""
        base: dict[str, object] = {"attainment": np.asarray(att, dtype=float)}
        for k, v in cols.items():
            if v is not None:
                base[k] = as_float(v, self.n)
        return base


def const_array(value: object, n: int) -> np.ndarray:
    """One value repeated (`np.full` with dtype=object is 30× slower than this)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def field_items(ctx: Ctx, header: str, step: float, kind: str) -> Items:
    """Month-by-month reasons for a deduction driven by a monthly figure (flow: every month's
    non-zero figure; stock: the latest one)."""
    inp = ctx.inp
    pos, months = inp.sorted_positions, inp.sorted_months
    values = inp._column(header)
    rows = inp.latest_rows(header) if kind == "stock" else np.flatnonzero(pos >= 0)
    local = ctx.local
    rows = rows[(local[np.maximum(pos[rows], 0)] >= 0) & (pos[rows] >= 0) & (np.nan_to_num(values[rows]) > 0)]
    qty = values[rows]
    ids = inp.ids
    n = len(rows)
    blank = const_array(None, n)
    return {
        "unit_id": ids[pos[rows]], "code": const_array(ctx.ind.code, n),
        "month": months[rows].astype(object), "date": blank, "source": const_array("月报", n),
        "description": blank, "quantity": qty, "handling": blank, "days": np.full(n, np.nan),
        "deduction": qty * step,
    }


def event_items(ctx: Ctx, rows: np.ndarray, deduction: np.ndarray, days=None) -> Items:
    """Event-by-event reasons (扣分事项 rows at `rows`) with the deduction each one carries."""
    ev = ctx.inp.events.take(rows)
    n = len(rows)
    return {
        "unit_id": ev["unit_id"].to_numpy(dtype=object), "code": const_array(ctx.ind.code, n),
        "month": ev["month"].to_numpy(dtype=object), "date": ev["发生日期"].to_numpy(dtype=object),
        "source": const_array("扣分事项", n),
        "description": ev["事项说明"].fillna("").astype(str).to_numpy(dtype=object),
        "quantity": ev["数量"].to_numpy(dtype=float), "handling": ev["处理情况"].to_numpy(dtype=object),
        "days": np.full(n, np.nan) if days is None else np.asarray(days, dtype=float),
        "deduction": np.asarray(deduction, dtype=float),
    }


def nan0(x) -> np.ndarray:
    """A float array with blanks (NaN) as 0: a count not reported counts nothing."""
    return np.nan_to_num(np.asarray(x, dtype=float), nan=0.0)


def prorated(annual_target: float, month: int, prorate: bool) -> float:
    """The target for months 1..m: the annual target × m / 12 when pro-rating is on."""
    return annual_target * month / 12.0 if prorate else float(annual_target)


def ratio_capped(x, target: float) -> np.ndarray:
    """`min(1, x / target)`, blanks 0; a target of nothing is met."""
    x = nan0(x)
    if target <= 0:
        return np.ones_like(x)
    return np.clip(x / target, 0.0, 1.0)
