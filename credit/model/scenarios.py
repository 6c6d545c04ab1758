"""A saved weight scenario (权重方案) as a value, and the checks that need no scoring.

Kept in `model` so the store can save and load scenarios without importing the scoring engine;
the analytics over scenarios (compare, fit, adoptable) live in `credit.scoring.scenarios`.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credit.common.clock import beijing_date
from credit.common.text import NOTE, check_text
from credit.errors import CreditError

MAX_NAME = 40
MAX_POINTS = 1000  # one indicator's points (a whole framework is 100)


@dataclass(frozen=True)
class Scenario:
    id: int | None
    name: str
    group: str
    month: str
    points: dict[str, float]
    note: str = ""
    created_by: str = ""
    created_at: str = ""
    owner: str = ""  # "" = shared (信用办); a username = that account's private scenario

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Scenario:
        """A row of the `scenarios` table (points stored as a JSON object)."""
        points = row["points"]
        if isinstance(points, str):
            points = json.loads(points)
        return cls(row["id"], row["name"], row["group_name"], row["month"],
                   {k: float(v) for k, v in points.items()}, row.get("note") or "",
                   row.get("created_by") or "", row.get("created_at") or "", row.get("owner") or "")

    @property
    def private(self) -> bool:
        return bool(self.owner)

    @property
    def label(self) -> str:
        who = "我的私有方案" if self.private else self.created_by
        return f"{self.name}（{who}，{beijing_date(self.created_at)}）"


def check_name(name: str) -> str:
    name = check_text(name, "方案名称", limit=MAX_NAME * 2).strip()
    if not name:
        raise CreditError("请填写方案名称")
    if len(name) > MAX_NAME:
        raise CreditError(f"方案名称不超过 {MAX_NAME} 个字")
    return name


def check_points(points: Mapping[str, Any]) -> dict[str, float]:
    """Numbers, not negative, at least one above zero; codes are checked against a framework later."""
    out: dict[str, float] = {}
    for code, value in dict(points).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise CreditError(f"指标 {code} 的分值应为非负数，实际为「{value}」")
        if value > MAX_POINTS:
            raise CreditError(f"指标 {code} 的分值 {value:g} 超出合理范围：不大于 {MAX_POINTS}")
        out[str(code)] = round(float(value), 9)
    if not out or sum(out.values()) <= 0:
        raise CreditError("方案中的分值合计应大于 0")
    return out


def check_reason(reason: str | None) -> str:
    """Adopting official weights must say why (it is kept in the audit log)."""
    reason = check_text(reason, "调整原因", limit=NOTE, multiline=True).strip()
    if not reason:
        raise CreditError("请填写调整官方权重的原因")
    return reason


def weights_of_toml(text: str) -> dict[str, dict[str, float]]:
    """{"level1": {name: pts}, "indicators": {code: pts}} of a framework text, for the audit entry
    that records the old and the new official weights of an adoption."""
    data = tomllib.loads(text)
    return {
        "level1": {lv["name"]: float(lv["points"]) for lv in data.get("level1", [])},
        "indicators": {ind["code"]: float(ind["points"]) for ind in data.get("indicator", [])},
    }
