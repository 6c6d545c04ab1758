"""Plain-Chinese explanations: why a unit got the points it got, and what each rule means.

Built on demand from the structured `detail` row (inputs, reference figures, attainment), so the
scoring engine stays fast and the wording lives in one place for the pages, CLI and bulletin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from credit.model.contract import SHEETS
from credit.model.framework import Indicator, field_sheet


def num(v: Any, digits: int = 2) -> str:
    """A number as an official would write it: no trailing zeros, thousands separators."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    x = float(v)
    if x.is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def pct(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v) * 100:.2f}%"


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def explain_row(row: Mapping[str, Any], ind: Indicator) -> str:
    """One sentence for one unit × indicator, e.g. "累计出台 2 件，目标 0.75 件，得 5 分"."""
    if not row.get("applies", True):
        return "本项不适用于该单位"
    x, x2, x3 = row.get("x"), row.get("x2"), row.get("x3")
    ref, ref2 = row.get("ref"), row.get("ref2")
    earned = f"得 {num(row.get('earned'))} 分（满分 {num(ind.points)}）"
    rule = ind.rule
    if rule == "target_count":
        return f"1 月至本月累计 {num(x)}，折算目标 {num(ref)}，{earned}"
    if rule == "two_targets":
        return f"累计报送 {num(x)} 篇（目标 {num(ref)}）、被采用 {num(x2)} 篇（目标 {num(ref2)}），{earned}"
    if rule == "share_of_best":
        if "per" in ind.inputs:
            if _missing(x):
                return f"{ind.inputs['x']}或{ind.inputs['per']}未报送，{earned}"
            return (f"{ind.inputs['x']} {num(x2)} ÷ {ind.inputs['per']} {num(x3)} = {pct(x)}，"
                    f"最高单位 {pct(ref)}，{earned}")
        if _missing(x):
            return f"{ind.inputs['x']}未报送，{earned}"
        return f"{ind.inputs['x']} {num(x)}，最高单位 {num(ref)}，{earned}"
    if rule == "min_max":
        return f"累计 {num(x)}，同组最多 {num(ref)}、最少 {num(ref2)}，{earned}"
    if rule == "presence":
        return f"登记 {num(x)} 项（需 {num(ref)} 项），{earned}"
    if rule == "deduct_per_item":
        if _missing(x) or float(x) == 0:
            extra = f"（另有 {num(x2)} 项主动处理，不扣分）" if not _missing(x2) and float(x2) > 0 else ""
            return f"无扣分事项{extra}，{earned}"
        exempt = float(x2) - float(x) if not _missing(x2) else 0.0
        extra = f"，另有 {num(exempt)} 项主动处理不扣分" if exempt > 0 else ""
        return f"扣分项 {num(x)} 项 × {num(ref)} 分{extra}，扣 {num(row.get('deducted'))} 分（最多扣 {num(ref2)} 分），{earned}"
    if rule == "rank_in_city":
        if _missing(x) or _missing(x2):
            return f"全市位次未报送，{earned}"
        return f"我县全市第 {num(x)} 位（共 {num(x2)} 个区县），{earned}"
    if rule == "ratio_vs_benchmark":
        if _missing(x):
            return f"数据未报送，{earned}"
        if _missing(ref):
            return f"比例 {pct(x)}，全市平均值未报送，{earned}"
        return f"比例 {pct(x)}（{num(x2)} ÷ {num(x3)}），全市平均 {pct(ref)}，{earned}"
    if rule == "tiered_days":
        if _missing(x) or float(x) == 0:
            return f"未出现异议，{earned}"
        return f"共 {num(x)} 条异议，按处理用时平均 {num(ref)} 分，{earned}"
    return earned


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
    p = ind.points
    r = ind.rule
    if r == "target_count":
        t = ind.param("annual_target")
        pro = "，目标按月折算：m 月目标 = 全年目标 × m ÷ 12" if ind.param("prorate") else ""
        return f"得分 = {num(p)} × min(1, 1 月至本月累计数 ÷ 目标)；全年目标 {num(t)}{pro}。"
    if r == "two_targets":
        return (f"得分 = {num(p)} × [min(1, 报送数 ÷ 报送目标) + min(1, 采用数 ÷ 采用目标)] ÷ 2；"
                f"全年报送目标 {num(ind.param('target_submitted'))}、采用目标 "
                f"{num(ind.param('target_adopted'))}，均按月折算。")
    if r == "share_of_best":
        what = (f"{ind.inputs['x']} ÷ {ind.inputs['per']}" if "per" in ind.inputs else ind.inputs["x"])
        return f"得分 = {num(p)} × 本单位值 ÷ 同组最高值（值 = {what}）；最高值为 0 时均不得分。"
    if r == "min_max":
        return f"得分 = {num(p)} × (本单位值 − 同组最少) ÷ (同组最多 − 同组最少)；各单位相同时，大于 0 得满分，为 0 不得分。"
    if r == "presence":
        return f"登记 {num(ind.param('required'))} 项及以上得 {num(p)} 分，否则 0 分。"
    if r == "deduct_per_item":
        cap = min(float(ind.param("cap")), p)
        src = f"事项类型为“{ind.inputs['event']}”的扣分事项" if "event" in ind.inputs else ind.inputs["x"]
        ex = "；主动处理的事项不扣分" if "event" in ind.inputs and ind.param("exempt_proactive") else ""
        return f"得分 = {num(p)} − min({num(cap)}, {num(ind.param('step'))} × 项数)，不低于 0；项数取{src}{ex}。"
    if r == "rank_in_city":
        return f"得分 = {num(p)} × (全市区县数 − 我县位次 + 1) ÷ 全市区县数。"
    if r == "ratio_vs_benchmark":
        nums = " + ".join(ind.inputs["num"])
        return (f"得分 = {num(p)} × min(1, 比例 ÷ 全市平均)；比例 = ({nums}) ÷ {ind.inputs['den']}，"
                f"全市平均取“{ind.inputs['benchmark']}”。")
    if r == "tiered_days":
        tiers = "，".join(f"≤{num(d)} 个工作日得 {num(min(float(t), p))} 分" for d, t in ind.param("tiers"))
        return f"每条异议按处理用时计分（{tiers}，更长不得分），取平均；未出现异议得满分 {num(p)} 分。"
    return ""
