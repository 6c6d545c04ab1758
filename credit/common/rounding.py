"""Rounding and ranking: the one place a figure is settled, rounded to two decimals or ranked.

Three steps, always in this order, wherever a score is produced (official scoring, what-if
re-weighting, rank stability runs):

1. `settle` — a computed figure loses its float noise (`np.round(x, 10)`): 0.17500000000000002
   (0.07 × 2.5) becomes 0.175, the figure the arithmetic meant. Scores are stored settled.
2. `round2` — two decimals **as the figure is printed** (`f"{v:.2f}"`), i.e. Python's
   correctly rounded `round(v, 2)` on the float: 6.395 is really 6.39499…, shown "6.39", so it
   rounds to 6.39 (NumPy's `np.round` scales by 100 first and would say 6.40).
3. `competition_rank` — 1, 2, 2, 4, highest first, comparing the `round2` keys: two units whose
   scores print the same share a rank.

Before this module the engine rounded the raw score and the stability runs settled it first, so
the raw 0.17500000000000002 ranked as 0.18 in one and 0.17 in the other; now both settle, then
round (→ 0.17, as the stored score 0.175 prints).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

SETTLE_DECIMALS = 10
JSON_DECIMALS = 6


def settle(values: ArrayLike) -> np.ndarray:
    """Float noise off a computed figure (points, deductions, scores): round to 10 decimals."""
    return np.round(np.asarray(values, dtype=float), SETTLE_DECIMALS)


def round2(values: ArrayLike) -> np.ndarray:
    """Python's `round(v, 2)` for an array of any shape (the figure as `f"{v:.2f}"` prints it).

    NumPy's scaled rounding agrees except where v × 100 lies a hair from .5; only those few go
    through Python, so a million scores still round in milliseconds.
    """
    values = np.asarray(values, dtype=float)
    flat = values.ravel()
    scaled = flat * 100.0
    keys = np.round(scaled) / 100.0
    near = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    keys[near] = [round(v, 2) for v in flat[near].tolist()]
    return keys.reshape(values.shape)


def competition_rank(scores: ArrayLike) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4), highest first, compared on `round2` of the scores.

    A 1-D array is one ranking; a 2-D array (units × runs) is ranked column by column. Vectorised:
    keys become integer hundredths, each column is shifted into its own range, and one sort +
    searchsorted counts, for every unit, the units of its column that scored strictly higher.
    """
    arr = np.asarray(scores, dtype=float)
    cols = arr.reshape(-1, 1) if arr.ndim == 1 else arr
    n_units, n_runs = cols.shape
    if cols.size == 0:
        return np.zeros(arr.shape, dtype=np.int64)
    cents = np.rint(round2(cols).T * 100).astype(np.int64)  # runs × units
    span = int(cents.max() - cents.min()) + 1
    if n_runs == 1 and span <= 4 * n_units + 100_000:  # one ranking of scores (0..100 → ≤ 10,001 keys)
        # Counting instead of sorting: units strictly higher = all − those at or below the key.
        at_or_below = np.cumsum(np.bincount(cents[0] - cents.min(), minlength=span))
        return (n_units - at_or_below[cents[0] - cents.min()] + 1).reshape(arr.shape)
    shifted = (cents - cents.min()) + np.arange(n_runs, dtype=np.int64)[:, None] * span
    flat_sorted = np.sort(shifted.ravel())
    not_higher = np.searchsorted(flat_sorted, shifted.ravel(), side="right").reshape(n_runs, n_units)
    run_end = (np.arange(n_runs, dtype=np.int64)[:, None] + 1) * n_units
    ranks = (run_end - not_higher + 1).T
    return ranks.reshape(arr.shape)


def json_number(value: float) -> float:
    """A figure for machine-readable output (`scores --format json`): 6 decimals, enough to
    recompute every displayed 2-decimal figure, short enough to read."""
    return round(float(value), JSON_DECIMALS)


def figure_text(value: object, blank: str = "") -> str:
    """A reported figure as typed, never rounded: 2871.5 → "2,871.5", 3.0 → "3", 0.05 → "0.05";
    missing (None, NaN) → `blank`. For inputs (previews, review); scores keep `round2`."""
    if value is None or value is pd.NA or isinstance(value, str):
        return blank if value is None or value is pd.NA else str(value)
    x = float(value)  # type: ignore[arg-type]
    if x != x:
        return blank
    if x.is_integer():
        return f"{x:,.0f}"
    return f"{x:,.10f}".rstrip("0").rstrip(".")
