"""What a unit must still do this year to reach full marks on each indicator ("再出台 1 件信用制度文件").

Derived from the framework's rule and parameters and the unit's row of `MonthScores.detail` (the
engine's year-to-date inputs and reference figures), so it always agrees with the score: a count
target names the annual target minus what is done; a peer comparison names the gap to the
group's best as it stands; a deduction says whether it can still be recovered. The wording is
each rule's own (`Rule.advice`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from credit.model.framework import Framework, Indicator
from credit.scoring.rules import RULES
from credit.scoring.rules.base import value
from credit.scoring.rules.wording import more_of

__all__ = ["full_marks_todo", "more_of"]


def _todo(row: Mapping[str, Any], ind: Indicator) -> str:
    rule = RULES[ind.rule]
    named = rule.row(row)
    if rule.advice_always or not value(named, "attainment") >= 1 - 1e-9:
        return rule.advice(named, ind)
    return rule.kept


def full_marks_todo(detail: pd.DataFrame, fw: Framework, unit_id: str) -> pd.DataFrame:
    """Per applicable indicator of the unit: 指标, 分值, 得分, 失分, and what it must still do."""
    mine = detail[(detail["unit_id"] == unit_id) & detail["applies"]]
    rows = []
    for r in mine.to_dict("records"):
        ind = fw.indicator(r["code"])
        rows.append({
            "code": r["code"], "指标": r["indicator"], "分值": float(r["points"]),
            "得分": round(float(r["earned"]), 2), "失分": round(float(r["possible"] - r["earned"]), 2),
            "满分还需": _todo(r, ind),
        })
    return pd.DataFrame(rows, columns=["code", "指标", "分值", "得分", "失分", "满分还需"])
