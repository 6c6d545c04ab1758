"""What the unit page shows, computed without Streamlit: gaps to the unit above, attainment
against the group median, and the month-by-month inputs behind one indicator."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.common.rounding import round2
from credit.model.contract import GROUP_SHEET
from credit.model.framework import Indicator, field_sheet
from credit.scoring.inputs import MonthInputs


def overtake_gap(summary: pd.DataFrame, unit_id: str) -> dict | None:
    """Points (of the unit's own applicable total) needed to pass the next unit up.

    Ranks compare normalised scores rounded to 2 decimals, so passing means reaching the
    unit above's rounded score + 0.01; in raw points that is Δscore × possible ÷ 100.
    """
    s = summary.set_index("unit_id")
    me = s.loc[unit_id]
    above = s[round2(s["score"]) > round2(float(me["score"]))]
    if above.empty:
        return None
    nxt = above.loc[above["score"].idxmin()]
    needed_score = float(round2(float(nxt["score"]))) + 0.01 - float(me["score"])
    return {
        "unit": nxt["unit"],
        "score_gap": needed_score,
        "points": needed_score * float(me["possible"]) / 100.0,
        "rank": int(nxt["rank"]),
    }


def attainment_vs_median(detail: pd.DataFrame, unit_id: str, median: pd.Series | None = None) -> pd.DataFrame:
    """Per indicator the unit applies to: its attainment and the group's median attainment
    (`median` by code when already known — then `detail` may be the unit's own rows)."""
    d = detail[detail["applies"]]
    med = d.groupby("code", sort=False)["attainment"].median() if median is None else median
    mine = d[d["unit_id"] == unit_id][["code", "indicator", "attainment", "earned", "points"]]
    return mine.assign(median=mine["code"].map(med)).reset_index(drop=True)


def indicator_fields(ind: Indicator, group: str) -> tuple[list[str], list[str]]:
    """The workbook fields an indicator reads: (from the group's sheet, from 全县)."""
    own, county = [], []
    for key, value in ind.inputs.items():
        if key in ("event", "register"):
            continue
        for header in value if isinstance(value, (list, tuple)) else [value]:
            (own if field_sheet(group, header) == GROUP_SHEET[group] else county).append(header)
    return own, county


def monthly_inputs(inp: MonthInputs, ind: Indicator, unit_id: str) -> pd.DataFrame:
    """Month by month, the figures the indicator used for this unit (blank = not reported)."""
    own, county = indicator_fields(ind, inp.group)
    frames = []
    if own:
        um = inp.unit_monthly
        frames.append(um.loc[um["unit_id"] == unit_id, ["month", *own]].set_index("month"))
    if county:
        frames.append(inp.county_monthly.reindex(columns=["month", *county]).set_index("month"))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, axis=1).sort_index()
    out.index.name = "月份"
    return out.reset_index()


def lost_points(detail: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The unit's applicable indicators that lost points, biggest loss first."""
    d = detail[(detail["unit_id"] == unit_id) & detail["applies"]]
    d = d.assign(lost=d["possible"] - d["earned"])
    return d[d["lost"] > 1e-9].sort_values("lost", ascending=False)


def level1_subtotals(detail: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """Per first-level indicator of the unit (framework order): points earned and applicable
    points, over the indicators that apply to it (the 一级指标得分 chart)."""
    mine = detail[(detail["unit_id"] == unit_id) & detail["applies"]]
    out = mine.groupby("level1", sort=False)[["earned", "possible"]].sum()
    return out.rename_axis("level1").reset_index()


def fmt_score(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"


@dataclass(frozen=True)
class GroupBoard:
    """One month's detail of a group indexed for the unit page: picking a unit then touches only
    that unit's rows (at 5,000 units each whole-frame filter or pivot cost a rerun ~0.1 s)."""

    detail: pd.DataFrame
    items: pd.DataFrame
    rows: dict[str, np.ndarray]  # unit_id → positions of its detail rows
    item_rows: dict[str, np.ndarray]  # unit_id → positions of its deduction items
    median: pd.Series  # code → the group's median attainment (applicable rows)
    level1_heat: pd.DataFrame  # unit name × first-level indicator: attainment % (earned ÷ possible)
    code_heat: pd.DataFrame  # unit name × second-level code: attainment % (blank: not applicable)

    def unit_detail(self, unit_id: str) -> pd.DataFrame:
        return self.detail.iloc[self.rows.get(unit_id, np.empty(0, dtype=np.int64))]

    def unit_items(self, unit_id: str, code: str) -> pd.DataFrame:
        its = self.items.iloc[self.item_rows.get(unit_id, np.empty(0, dtype=np.int64))]
        return its[its["code"] == code]


def group_board(detail: pd.DataFrame, items: pd.DataFrame, unit_order: list[str], codes: list[str],
                level1: list[str]) -> GroupBoard:
    """Build the indexes once per (month, group, data version); `unit_order` is the ranking's."""
    rows = {k: np.asarray(v) for k, v in detail.groupby("unit_id", sort=False).indices.items()}
    item_rows = {k: np.asarray(v) for k, v in items.groupby("unit_id", sort=False).indices.items()}
    d = detail[detail["applies"]]
    median = d.groupby("code", sort=False)["attainment"].median()
    lv = d.groupby(["unit", "level1"], sort=False)[["earned", "possible"]].sum()
    level1_heat = (lv["earned"] / lv["possible"].where(lv["possible"] > 0) * 100).unstack("level1")
    level1_heat = level1_heat.reindex(index=unit_order, columns=level1)
    pct = (detail["attainment"] * 100).where(detail["applies"])
    code_heat = detail.assign(完成度=pct).pivot_table(index="unit", columns="code", values="完成度", aggfunc="first",
                                                    sort=False).reindex(index=unit_order, columns=codes)
    return GroupBoard(detail, items, rows, item_rows, median, level1_heat, code_heat)
