"""Plain-Chinese explanations: why a unit got the points it got, and what each rule means.

Built on demand from the structured `detail` row (inputs, reference figures, attainment), so the
scoring engine stays fast and the wording lives in one place for the pages, CLI and bulletin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from credit.model.contract import SHEETS
from credit.model.framework import Indicator, field_sheet
from credit.scoring.rules import RULES, num, pct

__all__ = ["describe_items", "explain_row", "is_stock", "new_this_month", "num", "pct", "rule_formula"]


def explain_row(row: Mapping[str, Any], ind: Indicator) -> str:
    """One sentence for one unit × indicator, e.g. "1 月至本月累计 2，折算目标 0.75，得 5 分"; the
    wording is the rule's own (`Rule.explain`)."""
    if not row.get("applies", True):
        return "本项不适用于该单位"
    earned = f"得 {num(row.get('earned'))} 分（满分 {num(ind.points)}）"
    rule = RULES.get(ind.rule)
    return earned if rule is None else rule.explain(rule.row(row), ind, earned)


def is_stock(fw, code: str) -> bool:
    """Whether indicator `code`'s monthly deduction figure is a stock (月末存量, carried until re-reported)."""
    header = fw.indicator(code).inputs.get("x")
    sheet = field_sheet(fw.group, header) if header else None
    return bool(sheet) and SHEETS[sheet].column(header).kind == "stock"


def new_this_month(items, before, month: str, fw) -> np.ndarray:
    """Which deduction items of `items` are new in `month` (本月新增), as a boolean array.

    An event or a monthly flow is new in the month it happened. A stock (清欠未完成案例数,
    重错码条数) is re-reported every month while it lasts: its item is new only when this month's
    report is larger than the one the month before showed (`before`: the previous month's items,
    None when there is none) — a case carried over from August is not new in September.
    """
    now = (items["month"] == month).to_numpy()
    if not len(items):
        return now
    stocks = {c: is_stock(fw, c) for c in set(items["code"])}  # per indicator, not per item (7,600 at 5,000 units)
    stock = np.array([src == "月报" and stocks[c] for src, c in zip(items["source"], items["code"])], dtype=bool)
    if not stock.any():
        return now
    earlier: dict[tuple[str, str], float] = {}
    if before is not None and len(before):
        b = before[(before["source"] == "月报") & (before["deduction"] > 0)]
        earlier = {(u, c): float(q) for u, c, q in zip(b["unit_id"], b["code"], b["quantity"])}
    grew = np.array([float(q) > earlier.get((u, c), 0.0)
                     for u, c, q in zip(items["unit_id"], items["code"], items["quantity"])], dtype=bool)
    return now & (~stock | grew)


def describe_items(items, fw) -> object:
    """Fill the text of month-by-month deduction items (left blank by scoring for speed)."""
    out = items.copy()
    blank = out["description"].isna() & (out["source"] == "月报")
    texts = []
    for row in out.loc[blank].itertuples():
        header = fw.indicator(row.code).inputs["x"]
        if is_stock(fw, row.code):
            texts.append(f"截至 {row.month} 报送{header}：{num(row.quantity)}（存量）")
        else:
            texts.append(f"{row.month} {header.removeprefix('本月')}：{num(row.quantity)}")
    out.loc[blank, "description"] = texts
    return out


def rule_formula(ind: Indicator, month_no: int | None = None) -> str:
    """The rule in plain Chinese with its formula, for the 指标说明 page and the bulletin."""
    rule = RULES.get(ind.rule)
    return "" if rule is None else rule.formula(ind)
