"""What-if weights (权重模拟): arithmetic on the cached attainment table, never a re-score.

Why it looks like this: leadership asks "what if 营商环境 counted less?" while a slider moves, and
the official result must never change. A month's attainment (score ÷ official points, per unit ×
indicator) is computed once per data version and cached; new points re-weight it
(`new_pts × attainment`, spec "Totals"), so a deduction shrinks or grows with its indicator.

- `reweight` runs the very summary code of the official scoring on the re-weighted table, so the
  official points give back the official ranking bit for bit.
- `simulate` adds the side-by-side comparison, tier crossings and a reason per unit that moved.
- rank stability (random weights, many runs) is `credit.scoring.stability`, built on `Matrix` here.
- `set_level1` / `set_indicator` / `normalise` are the budget arithmetic behind the page's inputs:
  points are kept to two decimals and a budget is met to the cent (largest-remainder rounding).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from credit.common.clock import beijing
from credit.common.months import month_label, next_month
from credit.common.rounding import competition_rank, settle
from credit.errors import ConfigError
from credit.model.framework import Framework
from credit.scoring.engine import Policy, summarise

DECIMALS = 2  # what-if points are shown and kept to two decimals (the unit of a budget is 0.01 分)
_TOL = 1e-9


# -- points ----------------------------------------------------------------------------------------


def official_points(fw: Framework) -> dict[str, float]:
    """Points of every second-level indicator, in framework order."""
    return {ind.code: float(ind.points) for ind in fw.indicators}


def complete_points(fw: Framework, new_points: Mapping[str, float] | None) -> dict[str, float]:
    """The framework's points overlaid with `new_points`; unknown codes and bad numbers refused."""
    points = official_points(fw)
    for code, value in (new_points or {}).items():
        if code not in points:
            raise ConfigError(f"未知的二级指标代码：{code}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"指标 {code} 的分值应为数字，实际为「{value}」")
        if value < 0:
            raise ConfigError(f"指标 {code} 的分值不能为负数")
        points[code] = float(value)
    return points


def settled_points(fw: Framework, new_points: Mapping[str, float] | None) -> dict[str, float]:
    """The points a simulation runs on: `new_points` over the official ones, as the what-if
    framework holds them (what is saved, adopted and perturbed)."""
    return official_points(fw.with_points(complete_points(fw, new_points)))


def level1_totals(fw: Framework, points: Mapping[str, float]) -> dict[str, float]:
    """First-level points implied by second-level points (a level is the sum of its indicators)."""
    out = {lv.name: 0.0 for lv in fw.level1}
    for ind in fw.indicators:
        out[ind.level1] += float(points[ind.code])
    return {k: round(v, 9) for k, v in out.items()}


def level_codes(fw: Framework, level: str) -> list[str]:
    return [ind.code for ind in fw.indicators if ind.level1 == level]


def distribute(total: float, shares: Sequence[float], decimals: int = DECIMALS) -> list[float]:
    """Split `total` in proportion to `shares`, rounded to `decimals`, summing to `total` exactly.

    Largest-remainder rounding in integer hundredths, so a budget of 100 is met to the cent and an
    official framework never carries 8.333333333 分. All-zero shares split evenly.
    """
    if not shares:
        return []
    scale = 10**decimals
    cents = round(total * scale)
    weights = [max(float(s), 0.0) for s in shares]
    if sum(weights) <= 0:
        weights = [1.0] * len(weights)
    raw = [cents * w / sum(weights) for w in weights]
    floors = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return [f / scale for f in floors]


def rebalance(values: Mapping[str, float], key: str, new_value: float, total: float) -> dict[str, float]:
    """Budget mode: set `key` (clamped to 0..total) and spread the rest over the others pro rata."""
    new_value = round(min(max(float(new_value), 0.0), float(total)), DECIMALS)
    others = [k for k in values if k != key]
    if not others:
        return {key: round(float(total), DECIMALS)}
    rest = distribute(total - new_value, [values[k] for k in others])
    return {k: (new_value if k == key else rest[others.index(k)]) for k in values}


def _apply_level_totals(fw: Framework, points: Mapping[str, float], totals: Mapping[str, float]) -> dict[str, float]:
    """Second-level points rescaled (pro rata, to the cent) wherever a level total changed."""
    out = dict(points)
    current = level1_totals(fw, points)
    for level, total in totals.items():
        if abs(total - current[level]) > _TOL:
            codes = level_codes(fw, level)
            out.update(zip(codes, distribute(total, [points[c] for c in codes])))
    return out


def set_level1(fw: Framework, points: Mapping[str, float], level: str, value: float,
               budget: float | None) -> dict[str, float]:
    """Move one first-level weight; its indicators follow pro rata.

    With a `budget` (points-budget mode) the other first-level weights are rescaled so the total
    stays at the budget; without one (free mode) only this level changes.
    """
    totals = level1_totals(fw, points)
    if budget is None:
        totals[level] = max(float(value), 0.0)
    else:
        totals = rebalance(totals, level, value, budget)
    return _apply_level_totals(fw, points, totals)


def set_indicator(fw: Framework, points: Mapping[str, float], code: str, value: float,
                  budget: float | None) -> dict[str, float]:
    """Move one second-level weight.

    Free mode: only it changes (its level total follows). Budget mode: its siblings absorb the
    change so the level, and with it the total, stays put; an indicator alone in its level moves
    the level itself, and the other levels absorb it.
    """
    value = max(float(value), 0.0)
    if budget is None:
        return {**points, code: value}
    level = fw.indicator(code).level1
    siblings = level_codes(fw, level)
    if len(siblings) == 1:
        return set_level1(fw, points, level, value, budget)
    level_total = sum(points[c] for c in siblings)
    return {**points, **rebalance({c: points[c] for c in siblings}, code, value, level_total)}


def normalise(fw: Framework, points: Mapping[str, float], budget: float) -> dict[str, float]:
    """Scale every level pro rata so the total is `budget` (entering budget mode from free mode)."""
    totals = level1_totals(fw, points)
    names = list(totals)
    return _apply_level_totals(fw, points, dict(zip(names, distribute(budget, [totals[n] for n in names]))))


# -- re-weighting ----------------------------------------------------------------------------------


def reweighted_detail(detail: pd.DataFrame, points: Mapping[str, float]) -> pd.DataFrame:
    """The attainment table with new points: earned = new_pts × attainment, as scoring computes it."""
    pts = detail["code"].map(points).astype(float).to_numpy()
    applies = detail["applies"].to_numpy(dtype=bool)
    att = detail["attainment"].to_numpy(dtype=float)
    return detail.assign(
        points=pts,
        earned=np.where(applies, settle(pts * att), 0.0),
        possible=np.where(applies, pts, 0.0),
    )


def reweight(detail: pd.DataFrame, framework: Framework, new_points: Mapping[str, float] | None,
             policy: Policy = "rescale") -> pd.DataFrame:
    """The ranking (scoring's summary: totals, first-level subtotals, score, rank) under new points.

    `detail` is the cached attainment table of `framework` (the framework in force that month);
    codes missing from `new_points` keep their official points.
    """
    fw = framework.with_points(complete_points(framework, new_points))
    month = str(detail["month"].iloc[0]) if len(detail) else ""
    return summarise(reweighted_detail(detail, official_points(fw)), fw, policy, month)


@dataclass(frozen=True)
class Baseline:
    """What no weight change alters, computed once per month, group and data version.

    Why: at 5,000 units re-deriving these per weight change (the official ranking, the attainment
    matrix, a re-weighted copy of the 95,000-row detail and its summary frame) cost far more than
    the arithmetic of the change. Read-only: the page keeps one per data version for every rerun.
    """

    framework: Framework
    policy: Policy
    detail: pd.DataFrame  # the month's attainment table (shared, never changed)
    matrix: Matrix
    official: pd.DataFrame  # the official ranking (scoring's summary)
    column_of: np.ndarray  # official row → the unit's column in the indicator × unit arrays
    table: pd.DataFrame  # the official half of every `compare` table, built once
    attainment_t: np.ndarray  # indicator × unit, C-contiguous: summed over indicators as scoring sums
    applies_t: np.ndarray

    @property
    def n_units(self) -> int:
        return len(self.official)

    def scores(self, points: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """(score, rank) per unit in official order under `points` (complete, framework order).

        Scoring's own arithmetic on indicator × unit arrays — earned = settle(points × attainment)
        per cell, summed over indicators, normalised by `policy`, settled, competition-ranked —
        so the official points give back the official ranking bit for bit (a test holds the two
        to each other); no frame is built.
        """
        pts = np.array([points[c] for c in self.matrix.codes], dtype=float)[:, None]
        att, applies = self.attainment_t, self.applies_t
        earned = np.where(applies, settle(pts * att), 0.0)
        tot_earned = earned.sum(axis=0)
        if self.policy == "na_full":
            total = float(pts.sum())
            na = np.where(applies, 0.0, pts).sum(axis=0)
            score = 100.0 * (tot_earned + na) / total if total else np.zeros(tot_earned.shape)
        else:
            possible = np.where(applies, pts, 0.0).sum(axis=0)
            score = np.divide(100.0 * tot_earned, possible, out=np.zeros(tot_earned.shape), where=possible > 0)
        score = settle(score)
        rank = competition_rank(score)
        return score[self.column_of], rank[self.column_of]


def baseline(detail: pd.DataFrame, framework: Framework, policy: Policy = "rescale") -> Baseline:
    """The `Baseline` of a month's attainment table (`detail`, scored with `framework`)."""
    mx = attainment_matrix(detail, framework.codes)
    official = reweight(detail, framework, None, policy)
    column = {u: i for i, u in enumerate(mx.unit_ids.tolist())}
    column_of = np.array([column[u] for u in official["unit_id"].tolist()], dtype=np.int64)
    table = pd.DataFrame({
        "unit_id": official["unit_id"].to_numpy(dtype=object),
        "unit": official["unit"].to_numpy(dtype=object),
        "rank_official": official["rank"].to_numpy(dtype=np.int64),
        "score_official": official["score"].to_numpy(dtype=float),
    })
    return Baseline(framework, policy, detail, mx, official, column_of, table,
                    np.ascontiguousarray(mx.attainment.T), np.ascontiguousarray(mx.applies.T))


# -- the side-by-side comparison and its reasons ---------------------------------------------------


def tier(rank: int, n: int, boundary: int) -> str:
    """前N名 / 后N名 / 中间 — the bands a monthly bulletin names (top wins when they overlap)."""
    if rank <= boundary:
        return "top"
    if rank > n - boundary:
        return "bottom"
    return "middle"


def crossing(before: str, after: str, boundary: int) -> str:
    """'进入前3名'、'跌出前3名、进入后3名' … or '' when the unit stays in its band."""
    if before == after:
        return ""
    parts = []
    if before == "top":
        parts.append(f"跌出前{boundary}名")
    if after == "top":
        parts.append(f"进入前{boundary}名")
    if before == "bottom":
        parts.append(f"摆脱后{boundary}名")
    if after == "bottom":
        parts.append(f"落入后{boundary}名")
    return "、".join(parts)


@dataclass(frozen=True)
class Driver:
    """A group of weight changes named in a reason: a whole first-level indicator, or one indicator."""

    label: str
    codes: tuple[str, ...]
    direction: int  # +1 上调, -1 下调 (relative to the baseline scaling)

    @property
    def phrase(self) -> str:
        return f"{self.label}权重{'上调' if self.direction > 0 else '下调'}"


_CENT = 10.0**-DECIMALS + 1e-9  # what rounding to the cent may leave behind, per indicator


def _level_ratios(fw: Framework, official: Mapping[str, float],
                  points: Mapping[str, float]) -> dict[str, float | None]:
    """Each first-level indicator's new/old factor when its indicators moved together, else None.

    "Together" allows the cent each indicator may be off after pro-rata rounding (`distribute`).
    """
    ratios: dict[str, float | None] = {}
    for lv in fw.level1:
        codes = level_codes(fw, lv.name)
        old = sum(official[c] for c in codes)
        r = sum(points[c] for c in codes) / old if old > 0 else None
        if r is not None and any(abs(points[c] - r * official[c]) > _CENT for c in codes):
            r = None
        ratios[lv.name] = r
    return ratios


def _baseline_ratio(fw: Framework, official: Mapping[str, float], ratios: Mapping[str, float | None]) -> float:
    """The scaling that counts as "unchanged": the factor most first-level indicators share.

    Scaling every weight by one factor changes no score, so a move is explained by the change
    against that factor: lowering 营商环境 in budget mode raises the others pro rata, and the
    reason is "营商环境权重下调", not "the others went up". Ties go to the factor nearest 1.
    """
    old = {lv.name: sum(official[c] for c in level_codes(fw, lv.name)) for lv in fw.level1}
    uniform = {k: r for k, r in ratios.items() if r is not None}

    def agrees(t: float) -> list[str]:
        return [k for k, r in uniform.items() if abs(r - t) * old[k] <= _CENT * len(level_codes(fw, k))]

    best: tuple[int, float, float] | None = None
    for t in sorted(set(uniform.values())):
        members = agrees(t)
        pooled = sum(uniform[k] * old[k] for k in members) / sum(old[k] for k in members)
        key = (-len(members), abs(math.log(pooled)) if pooled > 0 else math.inf, pooled)
        best = key if best is None or key < best else best
    return best[2] if best else 1.0


def drivers(fw: Framework, points: Mapping[str, float]) -> tuple[float, list[Driver]]:
    """The baseline factor t and the weight changes against it, grouped the way a person made them:
    a first-level indicator whose indicators moved together is one driver, else each indicator is."""
    official = official_points(fw)
    ratios = _level_ratios(fw, official, points)
    t = _baseline_ratio(fw, official, ratios)
    out: list[Driver] = []
    for lv in fw.level1:
        codes = level_codes(fw, lv.name)
        if ratios[lv.name] is not None:
            dw = sum(points[c] - t * official[c] for c in codes)
            if abs(dw) > _CENT * len(codes):
                out.append(Driver(lv.name, tuple(codes), 1 if dw > 0 else -1))
            continue
        for code in codes:
            dw = points[code] - t * official[code]
            if abs(dw) > _CENT:
                out.append(Driver(f"「{code} {fw.indicator(code).name}」", (code,), 1 if dw > 0 else -1))
    return t, out


@dataclass(frozen=True)
class Matrix:
    """The attainment table as arrays: rows are units (in `detail` order), columns indicators."""

    unit_ids: np.ndarray
    units: np.ndarray
    codes: tuple[str, ...]
    attainment: np.ndarray  # 0 where the indicator does not apply
    applies: np.ndarray  # bool

    def credit(self, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
        """(credit per point, counted mask): na_full counts a non-applicable indicator as full."""
        if policy == "na_full":
            return np.where(self.applies, self.attainment, 1.0), np.ones_like(self.applies)
        return self.attainment, self.applies


def attainment_matrix(detail: pd.DataFrame, codes: Sequence[str]) -> Matrix:
    """Scatter the long table into arrays with plain dict lookups (no pivot: a slider move is hot)."""
    uids = list(dict.fromkeys(detail["unit_id"].tolist()))
    row_of = {u: i for i, u in enumerate(uids)}
    col_of = {c: j for j, c in enumerate(codes)}
    rows = np.array([row_of[u] for u in detail["unit_id"].tolist()], dtype=np.int64)
    cols = np.array([col_of.get(c, -1) for c in detail["code"].tolist()], dtype=np.int64)
    keep = cols >= 0
    applies = np.zeros((len(uids), len(codes)), dtype=bool)
    attainment = np.zeros((len(uids), len(codes)))
    app = detail["applies"].to_numpy(dtype=bool)[keep]
    att = np.nan_to_num(detail["attainment"].to_numpy(dtype=float)[keep], nan=0.0)
    applies[rows[keep], cols[keep]] = app
    attainment[rows[keep], cols[keep]] = np.where(app, att, 0.0)
    names = dict(zip(detail["unit_id"].tolist(), detail["unit"].tolist()))
    return Matrix(np.array(uids, dtype=object), np.array([names[u] for u in uids], dtype=object),
                  tuple(codes), attainment, applies)


def contributions(detail: pd.DataFrame, fw: Framework, points: Mapping[str, float],
                  policy: Policy = "rescale") -> tuple[pd.DataFrame, list[Driver]]:
    """Each driver's share of each unit's score change (units × drivers, score points).

    Exact decomposition: with t the baseline factor, dw = new − t·old and r the unit's official
    rate, score change = 100 · Σ_k counted · dw_k · (credit_k − r) / new counted points (scaling
    all weights by t changes nothing, and Σ_k counted · t·old_k · (credit_k − r) = 0).
    """
    return matrix_contributions(attainment_matrix(detail, fw.codes), fw, points, policy)


def matrix_contributions(mx: Matrix, fw: Framework, points: Mapping[str, float],
                         policy: Policy = "rescale") -> tuple[pd.DataFrame, list[Driver]]:
    """`contributions` on an attainment matrix already built (the cached `Baseline.matrix`)."""
    points = complete_points(fw, points)
    t, drv = drivers(fw, points)
    credit, counted = mx.credit(policy)
    old = np.array([fw.indicator(c).points for c in mx.codes], dtype=float)
    new = np.array([points[c] for c in mx.codes], dtype=float)
    w_old, w_new = counted * old, counted * new
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(w_old.sum(1) > 0, (w_old * credit).sum(1) / w_old.sum(1), 0.0)
        p_new = w_new.sum(1)
        per_code = np.where(p_new[:, None] > 0, 100.0 * counted * (new - t * old) * (credit - rate[:, None]) / p_new[:, None], 0.0)
    index = {c: i for i, c in enumerate(mx.codes)}
    cols = {d.label: per_code[:, [index[c] for c in d.codes]].sum(1) for d in drv}
    return pd.DataFrame(cols, index=pd.Index(mx.unit_ids, name="unit_id")), drv


def crossed(rank_official: np.ndarray, rank_whatif: np.ndarray, i: int) -> np.ndarray:
    """Mask of the units mover `i` overtook (or that overtook it): their order against it flipped."""
    others = np.arange(len(rank_official)) != i
    if rank_official[i] > rank_whatif[i]:  # moved up
        hit = (rank_official <= rank_official[i]) & (rank_whatif > rank_whatif[i])
    else:
        hit = (rank_official >= rank_official[i]) & (rank_whatif < rank_whatif[i])
    return hit & others


def relative(contrib: np.ndarray, rank_official: np.ndarray, rank_whatif: np.ndarray, i: int) -> np.ndarray:
    """A mover's contributions against the units it swapped places with (all others if none).

    A rank is a comparison, so what moved it is what changed it more than its neighbours — a unit
    can gain from a change and still fall because those around it gained more.
    """
    peers = crossed(rank_official, rank_whatif, i)
    if not peers.any():
        peers = np.arange(len(rank_official)) != i
    return contrib[i] - contrib[peers].mean(axis=0) if peers.any() else contrib[i]


def reasons(table: pd.DataFrame, contrib: pd.DataFrame, drv: Sequence[Driver],
            units: Collection[str] | None = None) -> list[str]:
    """A sentence per unit of `table` that moved ('' for the others), in table order.

    `units` limits the sentences to those unit ids (each costs a pass over all units: a page
    explains the rows it shows, a download all of them)."""
    moved = table["d_rank"].to_numpy() != 0
    if units is not None:
        moved &= table["unit_id"].isin(list(units)).to_numpy()
    out = [""] * len(table)
    for i, text in zip(np.flatnonzero(moved).tolist(), reasons_at(table, contrib, drv, np.flatnonzero(moved)),
                       strict=True):
        out[i] = text
    return out


def reasons_at(table: pd.DataFrame, contrib: pd.DataFrame, drv: Sequence[Driver],
               positions: Sequence[int] | np.ndarray, values: np.ndarray | None = None) -> list[str]:
    """The sentences of the rows of `table` at `positions` ('' for a row that did not move).

    Only those rows are visited (a 5,000-unit page explains its 50; the peers each one is held
    against are still all units). `values`: `contrib` already in `table`'s row order (a
    simulation has it from its baseline; looking 5,000 unit ids up again cost more than the 50
    sentences)."""
    positions = np.asarray(positions, dtype=np.int64)
    d_rank = table["d_rank"].to_numpy()
    if not (d_rank[positions] != 0).any():
        return [""] * len(positions)
    if values is None:
        values = contrib.reindex(table["unit_id"]).to_numpy(dtype=float)
    r_off, r_wi = table["rank_official"].to_numpy(), table["rank_whatif"].to_numpy()
    labels = contrib.columns.tolist()
    return [reason(int(d_rank[i]), dict(zip(labels, relative(values, r_off, r_wi, i).tolist(), strict=True)), drv)
            if d_rank[i] else "" for i in positions.tolist()]


def reason(d_rank: int, rel: Mapping[str, float], drv: Sequence[Driver]) -> str:
    """'因营商环境权重下调，上升3位': the one or two drivers that pushed the unit the way it moved.

    `rel` is the unit's contribution per driver label against its peers (`relative`)."""
    moved = f"上升{d_rank}位" if d_rank > 0 else f"下降{-d_rank}位"
    sign = 1 if d_rank > 0 else -1
    pushing = sorted((d for d in drv if sign * rel[d.label] > 1e-9), key=lambda d: -abs(rel[d.label]))
    if not pushing:
        return f"权重调整后其他单位得分变化较大，{moved}"
    top = abs(rel[pushing[0].label])
    named = [d for d in pushing[:2] if abs(rel[d.label]) >= 0.5 * top]
    return f"因{'、'.join(d.phrase for d in named)}，{moved}"


@dataclass
class WhatIf:
    """A simulation: the what-if framework and ranking, and the comparison with the official one."""

    points: dict[str, float]
    framework: Framework
    official: pd.DataFrame
    table: pd.DataFrame  # one row per unit, official order; see `compare`
    base: Baseline
    contrib: pd.DataFrame  # each driver's share of each unit's score change (`contributions`)
    drivers: list[Driver] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 9)

    @property
    def summary(self) -> pd.DataFrame:
        """The what-if ranking as scoring's summary (subtotals too); built only when asked for."""
        return reweight(self.base.detail, self.base.framework, self.points, self.base.policy)

    def explained(self, units: Collection[str] | None = None) -> pd.DataFrame:
        """`table` with the reasons of `units` (all units when None) — e.g. the full download."""
        return self.table.assign(reason=reasons(self.table, self.contrib, self.drivers, units))

    def explained_rows(self, positions: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """The rows of `table` at `positions`, in that order, with their reasons (one page of a
        large group: `explained(ids).loc[...]` copied and searched the whole table for it)."""
        # `contrib` is indexed by the baseline's matrix columns, `table` is in official order:
        # the baseline maps the one onto the other (simulate_on builds both from it)
        values = self.contrib.to_numpy(dtype=float)[self.base.column_of]
        return self.table.iloc[positions].assign(
            reason=reasons_at(self.table, self.contrib, self.drivers, positions, values))


def compare(official: pd.DataFrame, whatif: pd.DataFrame, boundary: int = 3) -> pd.DataFrame:
    """Official and what-if rank/score per unit, the change (d_rank > 0 = up) and tier crossings."""
    w = whatif.set_index("unit_id")
    base = pd.DataFrame({
        "unit_id": official["unit_id"],
        "unit": official["unit"],
        "rank_official": official["rank"].astype(int),
        "score_official": official["score"],
    })
    return _compared(base, official["unit_id"].map(w["rank"]).astype(int).to_numpy(),
                     official["unit_id"].map(w["score"]).to_numpy(dtype=float), boundary)


def _compared(base: pd.DataFrame, rank_whatif: np.ndarray, score_whatif: np.ndarray, boundary: int) -> pd.DataFrame:
    """The `compare` table from its official half and the what-if ranks and scores (same order)."""
    out = base.assign(rank_whatif=rank_whatif, score_whatif=score_whatif)
    out["d_rank"] = out["rank_official"].to_numpy() - rank_whatif
    out["d_score"] = score_whatif - out["score_official"].to_numpy()
    n = len(out)
    before = _tiers(out["rank_official"].to_numpy(), n, boundary)
    after = _tiers(rank_whatif, n, boundary)
    texts = np.full(n, "", dtype=object)
    for i in np.flatnonzero(before != after).tolist():  # only the few that changed band get words
        texts[i] = crossing(_TIERS[before[i]], _TIERS[after[i]], boundary)
    out["crossing"] = texts
    return out.reset_index(drop=True)


_TIERS = ("top", "middle", "bottom")  # `tier`'s names, indexed by `_tiers`' codes


def _tiers(ranks: np.ndarray, n: int, boundary: int) -> np.ndarray:
    """`tier` for a whole column at once, as codes into `_TIERS` (integers: comparing 5,000
    strings per weight change cost more than the ranking)."""
    return np.where(ranks <= boundary, 0, np.where(ranks > n - boundary, 2, 1))


def simulate(detail: pd.DataFrame, framework: Framework, new_points: Mapping[str, float] | None,
             policy: Policy = "rescale", boundary: int = 3) -> WhatIf:
    """Everything the 权重模拟 page shows for one set of points, in one call."""
    return simulate_on(baseline(detail, framework, policy), new_points, boundary)


def simulate_on(base: Baseline, new_points: Mapping[str, float] | None, boundary: int = 3,
                explain: Collection[str] | None = None) -> WhatIf:
    """`simulate` on a cached `Baseline`; reasons only for the unit ids in `explain` (None = all).

    What a weight change costs at 5,000 units: one re-weighting, one ranking, the comparison, and
    the reasons of the rows on show; `WhatIf.explained` gives the rest when someone downloads them.
    """
    fw0 = base.framework
    points = settled_points(fw0, new_points)
    fw = fw0.with_points(points)
    score, rank = base.scores(points)
    table = _compared(base.table, rank, score, boundary)
    contrib, drv = matrix_contributions(base.matrix, fw0, points, base.policy)
    table["reason"] = reasons(table, contrib, drv, explain)
    return WhatIf(points, fw, base.official, table, base, contrib, drv)


def move_notes(table: pd.DataFrame) -> list[str]:
    """One Markdown line per row of a `compare` table (with reasons): who moved, why, by how much.

    '**榆山街道**：因营商环境权重下调，上升2位（第 5 名 → 第 3 名，进入前3名）'. Pass the movers only.
    """
    columns = (table[c].tolist() for c in ("unit", "reason", "rank_official", "rank_whatif", "crossing"))
    return [f"**{unit}**：{why}（第 {before} 名 → 第 {after} 名{f'，{crossing}' if crossing else ''}）"
            for unit, why, before, after, crossing in zip(*columns, strict=True)]


# -- official weight versions: the words and months the page offers --------------------------------


def effective_months(with_data: Sequence[str], month: str) -> list[str]:
    """Months a new official weight set may take effect from, newest first: every month with data,
    the month being viewed, and the month after the last with data (weights are decided ahead)."""
    last = max(with_data) if with_data else month
    return sorted({*with_data, month, next_month(last)}, reverse=True)


def level1_diff(old: Mapping[str, float], new: Mapping[str, float]) -> str:
    """'营商环境 30→25、信用监管 20→25' for the first-level weights that changed; or, when none did,
    '仅二级指标分值调整'. A level missing from `old` counts as 0."""
    return "、".join(f"{k} {old.get(k, 0):g}→{v:g}" for k, v in new.items()
                     if abs(v - old.get(k, 0)) > _TOL) or "仅二级指标分值调整"


def weight_change_text(change: Mapping[str, object]) -> str:
    """One audit entry of an adoption ("weights.adopt", `Store.weight_changes`) as the sentence the
    version history shows: when (北京时间), who, from which month, what changed, why."""
    d = change["detail"]
    assert isinstance(d, Mapping)
    diffs = level1_diff(d["old"]["level1"], d["new"]["level1"])
    return (f"{beijing(str(change['at']), seconds=False)}　{change['who']}：自{month_label(d['effective_month'])}起"
            f"调整为新权重（{diffs}）；原因：{d['reason']}")
