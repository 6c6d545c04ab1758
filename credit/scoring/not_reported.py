"""A unit that sent nothing this month is 未报送: not ranked on figures carried over from earlier months.

The one rule (README 月度闭环, issue 23), the one a county official expects of a month still being
collected: a unit of a group that has sent nothing for its group's sheet this month (no row, or a
row of blanks — a reported 0 is a figure, and ranks) is not ranked. Its 得分率, 得分, subtotals and
ranks are blank, it is listed after the others with 状态 未报送, and it counts in no average,
count or "排名第一" of the month; the units that reported are ranked among themselves (competition
ranks on the printed 得分率: 1, 2, 2, 4). While any unit of the group is missing, no rank change is
given: a rank among part of the group cannot be compared with last month's among all of it.

`credit.reports.scored.score` applies it to every summary it computes (`rank_reported`), so Home,
the draft 通报 (Word, Excel, the page's preview, `bulletin --draft`), 单位详情, the `scores` CLI and
the record frozen when the office signs anyway (仍然发布) all read the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from credit.common.rounding import competition_rank
from credit.model.contract import GROUP_SHEET, SHEETS
from credit.scoring.inputs import MonthInputs

REPORTED = "reported"  # the summary's column: False for a unit that sent nothing this month
NOT_REPORTED = "未报送"
# Columns of a summary that name a unit rather than score it: kept for a unit not ranked.
_NAMING = ("month", "unit_id", "unit", "kind", REPORTED)


def silent_ids(inp: MonthInputs) -> list[str]:
    """Ids of the units of `inp` that sent nothing for their group's sheet in `inp.month` (no row,
    or a row whose every figure is blank), in register order. Units with no row all year are
    `inp.unreported` and are not among `inp.units`."""
    fields = [f for f in SHEETS[GROUP_SHEET[inp.group]].numeric_fields if f in inp.unit_monthly.columns]
    rows = inp.unit_monthly[inp.unit_monthly["month"] == inp.month]
    sent = set(rows.loc[rows[fields].notna().any(axis=1).to_numpy(), "unit_id"]) if fields else set()
    return [u.id for u in inp.units if u.id not in sent]


def reported_mask(summary: pd.DataFrame) -> np.ndarray:
    """True for each row of a summary that is ranked (a record signed before this rule: all)."""
    if REPORTED not in summary.columns:
        return np.ones(len(summary), dtype=bool)
    return summary[REPORTED].fillna(True).astype(bool).to_numpy()


def _blank(column: pd.Series) -> pd.Series:
    kind = column.dtype.kind
    if kind in "fc":
        return pd.Series(np.nan, index=column.index, dtype=column.dtype)
    return pd.Series(pd.NA, index=column.index, dtype=column.dtype if kind != "b" else object)


def rank_reported(summary: pd.DataFrame, silent: Sequence[str]) -> pd.DataFrame:
    """The summary (with its change columns, if any) under the rule above: `silent` unit ids blank
    and last (in the order of `silent`: listing them by their carried-over scores would rank them
    after all), the others re-ranked among themselves, no rank change while any is silent; a
    `reported` column says which is which."""
    gone = summary["unit_id"].isin(set(silent)).to_numpy()
    out = summary.assign(**{REPORTED: ~gone})
    if not gone.any():
        return out
    kept = out[~gone].copy()
    kept["rank"] = pd.array(competition_rank(kept["score"].to_numpy(dtype=float)), dtype="Int64")
    if "d_rank" in kept.columns:
        kept["d_rank"] = pd.array([pd.NA] * len(kept), dtype="Int64")
    kept = kept.sort_values("rank", kind="stable")  # ties keep the engine's order (by name)
    order = {uid: i for i, uid in enumerate(silent)}  # the caller's order (register), never carried-over scores
    rest = out[gone].copy()
    rest = rest.iloc[np.argsort([order[u] for u in rest["unit_id"]], kind="stable")]
    for col in rest.columns:
        if col not in _NAMING:
            rest[col] = _blank(rest[col])
    merged = pd.concat([kept, rest], ignore_index=True)
    for col in ("rank", "prev_rank", "d_rank"):
        if col in merged.columns:
            merged[col] = merged[col].astype("Int64")
    return merged


def state_labels(summary: pd.DataFrame) -> list[str] | None:
    """The 状态 column a ranking shows when a unit is not ranked ("已报送" / "未报送"), else None."""
    mask = reported_mask(summary)
    return None if mask.all() else ["已报送" if m else NOT_REPORTED for m in mask]


def not_reported_names(summary: pd.DataFrame) -> list[str]:
    """The names of the summary's units that are not ranked (未报送), in its order."""
    return list(summary.loc[~reported_mask(summary), "unit"])
