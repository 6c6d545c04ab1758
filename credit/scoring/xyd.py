"""信易贷 progress: the county's new registrations against the year's target, and each town's share.

County progress = 全县信易贷平台注册企业数 (latest reported) − the year's opening figure (269 for
2022), against the year's target of new registrations (4,000 for 2022); both are editable per year.
A town's fair share of the target is allocated by its number of registered enterprises
(辖区注册企业总数) [interp]; its new registrations are its 信易贷平台注册企业数 now minus its
figure reported for December of the year before (0 when none was reported) [interp].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.common.months import month_parts
from credit.model.contract import XYD_COUNTY_FIELD
from credit.scoring.inputs import MonthInputs

COUNTY_FIELD = XYD_COUNTY_FIELD
TOWN_REG = "信易贷平台注册企业数"
TOWN_ENTERPRISES = "辖区注册企业总数"
TOWN_DEMAND = "信易贷融资需求金额（万元）"
TOWN_CREDIT = "信易贷授信成功金额（万元）"

FAIR_SHARE_RULE = (
    "各镇（街道）、开发区的任务数 = 全县年度新增目标 × 本单位辖区注册企业数 ÷ 各单位辖区注册企业数之和；"
    "本单位新增 = 本月信易贷平台注册企业数 − 上年 12 月报送数（未报送按 0 计）。"
)


@dataclass(frozen=True)
class Progress:
    """The headline: where the county stands against the year's target after `month`."""

    month: str
    opening: float
    target: float
    registered: float  # latest county total (NaN when never reported this year)
    new: float  # registered − opening
    share: float  # new ÷ target
    expected: float  # straight-line target path at this month
    pace_needed: float  # new registrations needed per remaining month (NaN in December)
    pace_now: float  # average new registrations per month so far
    projected_month: int | None  # month (1..12) the target is reached at the current pace, None if not this year

    @property
    def behind(self) -> float:
        return self.expected - self.new


def county_series(county_monthly: pd.DataFrame, year: int, opening: float, target: float) -> pd.DataFrame:
    """Month by month: the reported county total (carried forward), new registrations, target path."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    reported = pd.Series(np.nan, index=months)
    if COUNTY_FIELD in county_monthly.columns and not county_monthly.empty:
        s = county_monthly.set_index("month")[COUNTY_FIELD].astype(float)
        reported.loc[s.index.intersection(months)] = s.loc[s.index.intersection(months)]
    frame = pd.DataFrame({"month": months, "reported": reported.to_numpy()})
    frame["registered"] = frame["reported"].ffill()
    frame["new"] = frame["registered"] - opening
    frame["target_path"] = [target * m / 12.0 for m in range(1, 13)]
    return frame


def progress(county_monthly: pd.DataFrame, month: str, opening: float, target: float) -> Progress:
    year, m = month_parts(month)
    series = county_series(county_monthly, year, opening, target).iloc[:m]
    registered = float(series["registered"].iloc[-1]) if series["registered"].notna().any() else math.nan
    new = registered - opening if math.isfinite(registered) else math.nan
    share = new / target if (target and math.isfinite(new)) else math.nan
    remaining = 12 - m
    pace_needed = max(0.0, (target - new) / remaining) if (remaining and math.isfinite(new)) else math.nan
    pace_now = new / m if math.isfinite(new) else math.nan
    projected = None
    if math.isfinite(pace_now) and pace_now > 0:
        reach = math.ceil(target / pace_now - 1e-9)
        projected = reach if reach <= 12 else None
    return Progress(month, opening, target, registered, new, share, target * m / 12.0,
                    pace_needed, pace_now, projected)


def town_table(inp: MonthInputs, prev_december: pd.DataFrame | None, target: float) -> pd.DataFrame:
    """Per town: registrations, T3's ratio, T4's amounts, fair share of the target and progress."""
    ytd = inp.ytd
    names = {u.id: u.name_at(inp.month) for u in inp.units}
    reg = ytd[TOWN_REG]
    ent = ytd[TOWN_ENTERPRISES]
    base = pd.Series(0.0, index=ytd.index)
    if prev_december is not None and not prev_december.empty and TOWN_REG in prev_december:
        base = prev_december.set_index("unit_id")[TOWN_REG].reindex(ytd.index).fillna(0.0)
    total_ent = float(ent.fillna(0).sum())
    fair = target * ent.fillna(0) / total_ent if total_ent else pd.Series(np.nan, index=ytd.index)
    new = reg - base
    _, m = month_parts(inp.month)
    out = pd.DataFrame({
        "unit_id": ytd.index,
        "单位": [names[i] for i in ytd.index],
        "信易贷注册企业数": reg.to_numpy(),
        "辖区注册企业总数": ent.to_numpy(),
        "注册占比": (reg / ent.where(ent > 0)).to_numpy(),
        "融资需求金额（万元）": ytd[TOWN_DEMAND].to_numpy(),
        "授信成功金额（万元）": ytd[TOWN_CREDIT].to_numpy(),
        "本年新增": new.to_numpy(),
        "全年任务数": fair.to_numpy(),
        "序时任务数": (fair * m / 12.0).to_numpy(),
    })
    out["完成率"] = out["本年新增"] / out["全年任务数"].where(out["全年任务数"] > 0)
    out["序时进度差"] = out["本年新增"] - out["序时任务数"]
    return out.sort_values("完成率", ascending=False, na_position="last").reset_index(drop=True)
