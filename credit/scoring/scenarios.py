"""Saved what-if scenarios (权重方案): reload, compare with the official ranking, adopt as official.

A scenario is just a name and second-level points for a group (plus who, when, why). It is kept
apart from the official framework versions on purpose: saving one never changes a score; only
adopting it (credit office, permission "weights") makes a new official framework version, and that
goes through the same validation as a framework file (`parse_framework`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from credit.errors import ConfigError, CreditError
from credit.model.framework import Framework, parse_framework
from credit.model.units import UnitRegister
from credit.scoring.engine import Policy
from credit.scoring.whatif import compare, complete_points, level1_totals, official_points, reweight
from credit.workbook.export import to_excel_bytes

MAX_NAME = 40


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

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Scenario:
        """A row of the `scenarios` table (points stored as a JSON object)."""
        points = row["points"]
        if isinstance(points, str):
            points = json.loads(points)
        return cls(row["id"], row["name"], row["group_name"], row["month"],
                   {k: float(v) for k, v in points.items()}, row.get("note") or "",
                   row.get("created_by") or "", row.get("created_at") or "")

    @property
    def label(self) -> str:
        return f"{self.name}（{self.created_by}，{self.created_at[:10]}）"


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise CreditError("请填写方案名称")
    if len(name) > MAX_NAME:
        raise CreditError(f"方案名称不超过 {MAX_NAME} 个字")
    return name


def check_points(points: Mapping[str, Any]) -> dict[str, float]:
    """Numbers, not negative, at least one above zero; codes are checked against a framework later."""
    out: dict[str, float] = {}
    for code, value in dict(points).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
            raise CreditError(f"指标 {code} 的分值应为非负数，实际为「{value}」")
        out[str(code)] = round(float(value), 9)
    if not out or sum(out.values()) <= 0:
        raise CreditError("方案中的分值合计应大于 0")
    return out


def fit(fw: Framework, points: Mapping[str, float]) -> tuple[dict[str, float], list[str]]:
    """A scenario's points for a (possibly newer) framework: known codes applied, the rest listed.

    A scenario saved under one framework version may meet another one; indicators it does not
    name keep the framework's points, and codes the framework no longer has are reported back.
    """
    known = {c: v for c, v in points.items() if c in fw.codes}
    return complete_points(fw, known), sorted(set(points) - set(fw.codes))


def adoptable(official: Framework, points: Mapping[str, float], register: UnitRegister,
              effective_month: str) -> tuple[Framework, str]:
    """The framework (and its TOML) that adopting `points` would save, validated like a file.

    The total must stay that of the official framework (the published 100 分): a what-if in free
    mode may go above it, an official framework may not.
    """
    points = complete_points(official, points)
    total, official_total = sum(points.values()), official.total_points
    if abs(total - official_total) > 0.005:
        raise CreditError(
            f"发布为官方权重时，指标分值合计应为 {official_total:g} 分（当前 {total:.2f} 分）。"
            "请切换到“预算模式”或调整分值后再发布。"
        )
    if points == official_points(official):
        raise CreditError(f"新权重与 {effective_month} 起执行的官方权重相同，无需发布")
    text = official.with_points(points).to_toml()
    try:
        fw = parse_framework(text, f"权重方案（{official.group}，{effective_month} 起）", register,
                             expected_group=official.group)
    except ConfigError as exc:
        raise CreditError(f"新权重未通过指标体系校验：{exc}") from exc
    return fw, text


def weights_of_toml(text: str) -> dict[str, dict[str, float]]:
    """{"level1": {name: pts}, "indicators": {code: pts}} of a framework text, for the audit entry
    that records the old and the new official weights of an adoption."""
    data = tomllib.loads(text)
    return {
        "level1": {lv["name"]: float(lv["points"]) for lv in data.get("level1", [])},
        "indicators": {ind["code"]: float(ind["points"]) for ind in data.get("indicator", [])},
    }


# -- comparison ------------------------------------------------------------------------------------


def weights_table(fw: Framework, columns: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Points side by side: one row per indicator, then one per first-level subtotal and the total."""
    rows = [{"代码": ind.code, "一级指标": ind.level1, "二级指标": ind.name,
             **{name: float(pts[ind.code]) for name, pts in columns.items()}} for ind in fw.indicators]
    for lv in fw.level1:
        rows.append({"代码": "", "一级指标": lv.name, "二级指标": "（一级指标小计）",
                     **{name: level1_totals(fw, pts)[lv.name] for name, pts in columns.items()}})
    rows.append({"代码": "", "一级指标": "合计", "二级指标": "",
                 **{name: round(sum(pts.values()), 9) for name, pts in columns.items()}})
    return pd.DataFrame(rows)


def comparison(detail: pd.DataFrame, fw: Framework, scenarios: Sequence[Scenario],
               policy: Policy = "rescale") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranking table, weights table): the official ranking and each scenario's beside it."""
    official = reweight(detail, fw, None, policy)
    table = pd.DataFrame({"单位": official["unit"], "官方排名": official["rank"].astype(int),
                          "官方得分率": official["score"].round(2)})
    columns = {"官方": official_points(fw)}
    for sc in scenarios:
        points, _ = fit(fw, sc.points)
        cmp = compare(official, reweight(detail, fw, points, policy))
        table[f"{sc.name}排名"] = cmp["rank_whatif"].to_numpy()
        table[f"{sc.name}得分率"] = cmp["score_whatif"].round(2).to_numpy()
        table[f"{sc.name}排名变化"] = cmp["d_rank"].to_numpy()
        columns[sc.name] = points
    return table, weights_table(fw, columns)


def comparison_excel(detail: pd.DataFrame, fw: Framework, scenarios: Sequence[Scenario],
                     policy: Policy = "rescale") -> bytes:
    """The comparison as a workbook: 排名对比 and 权重对比 sheets (排名变化 > 0 means moved up)."""
    ranks, weights = comparison(detail, fw, scenarios, policy)
    return to_excel_bytes({"排名对比": ranks, "权重对比": weights})
