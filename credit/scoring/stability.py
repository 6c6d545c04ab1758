"""Rank stability (排名稳定性): how much a rank depends on the exact weights.

Every weight is perturbed at random within ±pct% for many runs with matrix arithmetic (units ×
indicators attainment, runs × indicators weights), each run ranked like the official ranking,
and the spread of each unit's rank summarised. The page draws the chart; the words an official
reads — which neighbours' order is reliable — are made here (`pair_notes`, `notes`, `table`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.common.rounding import competition_rank, settle
from credit.errors import ConfigError
from credit.model.framework import Framework
from credit.scoring.engine import Policy
from credit.scoring.whatif import Matrix, attainment_matrix, complete_points, reweight

SHAKY = 0.8  # a pair whose order holds in fewer runs than this is called unreliable


def matrix_scores(mx: Matrix, weights: np.ndarray, policy: Policy = "rescale") -> np.ndarray:
    """Scores (units × runs) for a runs × indicators weight matrix: (A @ W.T) / (mask @ W.T) × 100."""
    credit, counted = mx.credit(policy)
    earned = credit @ weights.T
    possible = counted.astype(float) @ weights.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(possible > 0, 100.0 * earned / possible, 0.0)


def perturbed_weights(base: np.ndarray, pct: float, runs: int, seed: int) -> np.ndarray:
    """runs × indicators: each weight times an independent uniform factor in [1 − pct%, 1 + pct%]."""
    rng = np.random.default_rng(seed)
    p = float(pct) / 100.0
    return base[None, :] * (1.0 + rng.uniform(-p, p, size=(int(runs), base.size)))


def stability(detail: pd.DataFrame, framework: Framework, pct: float = 20.0, runs: int = 1000,
              seed: int = 0, policy: Policy = "rescale",
              points: Mapping[str, float] | None = None) -> pd.DataFrame:
    """How firm each rank is: every weight perturbed at random within ±pct% for `runs` runs.

    One row per unit in official order: the rank under the base points (`points`, default the
    official ones), the median and 5th–95th percentile rank over the runs (observed ranks, not
    interpolated), the share of runs that keep the base rank, and the share in which the unit
    ranks strictly above the unit just below it — "does 3rd versus 4th mean anything?".
    """
    if runs < 1:
        raise ConfigError("模拟次数至少为 1")
    if not 0 <= pct < 100:
        raise ConfigError("扰动幅度应在 0% 到 100% 之间（不含 100%）")
    base_points = complete_points(framework, points)
    base_summary = reweight(detail, framework, base_points, policy)
    mx = attainment_matrix(detail, framework.codes)
    base = np.array([base_points[c] for c in mx.codes], dtype=float)
    # settled then ranked exactly as the official summary is (credit.common.rounding)
    ranks = competition_rank(settle(matrix_scores(mx, perturbed_weights(base, pct, runs, seed), policy)))
    row_of = {uid: i for i, uid in enumerate(mx.unit_ids)}
    order = [row_of[u] for u in base_summary["unit_id"]]
    ranks = ranks[order]
    q05, q50, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
    base_rank = base_summary["rank"].astype(int).to_numpy()
    above_next = np.full(len(order), np.nan)
    if len(order) > 1:
        above_next[:-1] = (ranks[:-1] < ranks[1:]).mean(axis=1)
    return pd.DataFrame({
        "unit_id": base_summary["unit_id"].to_numpy(),
        "unit": base_summary["unit"].to_numpy(),
        "rank": base_rank,
        "median": q50.astype(int),
        "p05": q05.astype(int),
        "p95": q95.astype(int),
        "same_rank": (ranks == base_rank[:, None]).mean(axis=1),
        "above_next": above_next,
    })


# -- what an official reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two units next to each other in the base ranking, and how often the first stays ahead."""

    rank: int
    unit: str
    next_rank: int
    next_unit: str
    above_next: float

    @property
    def shaky(self) -> bool:
        return self.above_next < SHAKY


def pair_notes(stab: pd.DataFrame, boundary: int) -> tuple[list[Pair], list[Pair]]:
    """Neighbours worth a word: each pair down to the top line, then every other shaky pair."""
    rows = list(stab.itertuples())
    pairs = [Pair(int(a.rank), a.unit, int(b.rank), b.unit, float(a.above_next)) for a, b in zip(rows, rows[1:])]
    return [p for p in pairs if p.rank <= boundary], [p for p in pairs if p.rank > boundary and p.shaky]


def notes(stab: pd.DataFrame, boundary: int) -> list[str]:
    """The sentences under the chart (Markdown): one per pair down to the top line, then the shaky rest."""
    top, shaky = pair_notes(stab, boundary)
    lines = [f"第 {p.rank} 名 **{p.unit}** 与第 {p.next_rank} 名 **{p.next_unit}**："
             f"在 {p.above_next:.0%} 的模拟中前者仍排在前面{'，先后并不可靠' if p.shaky else ''}。" for p in top]
    if shaky:
        listed = "；".join(f"{p.unit}与{p.next_unit}（第 {p.rank}/{p.next_rank} 名，{p.above_next:.0%}）" for p in shaky)
        lines.append(f"其他先后不可靠的相邻单位（保持先后的模拟不足 {SHAKY:.0%}）：{listed}。")
    return lines


def table(stab: pd.DataFrame) -> pd.DataFrame:
    """The stability result with Chinese headers, shares as percentages, "—" for the last unit."""
    return pd.DataFrame({
        "基准排名": stab["rank"], "单位": stab["unit"], "中位排名": stab["median"],
        "5%分位": stab["p05"], "95%分位": stab["p95"],
        "保持基准名次": (stab["same_rank"] * 100).round(1).astype(str) + "%",
        "领先下一名": [("—" if pd.isna(v) else f"{v:.1%}") for v in stab["above_next"]],
    })
