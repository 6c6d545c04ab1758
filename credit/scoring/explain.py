"""Plain-Chinese explanations: why a unit got the points it got, and what each rule means.

Built on demand from the structured `detail` row (inputs, reference figures, attainment), so the
scoring engine stays fast and the wording lives in one place for the pages, CLI and bulletin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credit.model.contract import SHEETS
from credit.model.framework import Indicator, field_sheet
from credit.scoring.rules import RULES, num, pct

__all__ = ["describe_items", "explain_row", "num", "pct", "rule_formula"]


def explain_row(row: Mapping[str, Any], ind: Indicator) -> str:
    """One sentence for one unit × indicator, e.g. "1 月至本月累计 2，折算目标 0.75，得 5 分"; the
    wording is the rule's own (`Rule.explain`)."""
    if not row.get("applies", True):
        return "本项不适用于该单位"
    earned = f"得 {num(row.get('earned'))} 分（满分 {num(ind.points)}）"
    rule = RULES.get(ind.rule)
    return earned if rule is None else rule.explain(rule.row(row), ind, earned)


def describe_items(items, fw) -> object:
    """Fill the text of month-by-month deduction items (left blank by scoring for speed)."""
    out = items.copy()
    blank = out["description"].isna() & (out["source"] == "月报")
    texts = []
    for row in out.loc[blank].itertuples():
        header = fw.indicator(row.code).inputs["x"]
        sheet = field_sheet(fw.group, header)
        if sheet and SHEETS[sheet].column(header).kind == "stock":
            texts.append(f"截至 {row.month} 报送{header}：{num(row.quantity)}（存量）")
        else:
            texts.append(f"{row.month} {header.removeprefix('本月')}：{num(row.quantity)}")
    out.loc[blank, "description"] = texts
    return out


def rule_formula(ind: Indicator, month_no: int | None = None) -> str:
    """The rule in plain Chinese with its formula, for the 指标说明 page and the bulletin."""
    rule = RULES.get(ind.rule)
    return "" if rule is None else rule.formula(ind)
