"""Saved what-if scenarios (权重方案): reload, compare with the official ranking, adopt as official.

A scenario is just a name and second-level points for a group (plus who, when, why). It is kept
apart from the official framework versions on purpose: saving one never changes a score; only
adopting it (credit office, permission "weights") makes a new official framework version, and that
goes through the same validation as a framework file (`parse_framework`).

The scenario value and its pure checks are in `credit.model.scenarios` (the store needs them and
must not import scoring).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from credit.errors import ConfigError, CreditError
from credit.model.framework import Framework, parse_framework
from credit.model.scenarios import Scenario
from credit.model.units import UnitRegister
from credit.scoring.engine import Policy
from credit.scoring.whatif import compare, complete_points, level1_totals, official_points, reweight
from credit.workbook.export import to_excel_bytes


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
