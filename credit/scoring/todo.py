"""What a unit must still do this year to reach full marks on each indicator ("再出台 1 件信用制度文件").

Derived from the framework's rule and parameters and the unit's row of `MonthScores.detail` (the
engine's year-to-date inputs and reference figures), so it always agrees with the score: a count
target names the annual target minus what is done; a peer comparison names the gap to the
group's best as it stands; a deduction says whether it can still be recovered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from credit.model.framework import Framework, Indicator
from credit.scoring.explain import num

# Counting words by what is counted (the header's ending), and verbs that read as "再<verb> n 件…".
_MEASURES = (("稿件", "篇"), ("文件", "件"), ("次数", "次"), ("条数", "条"), ("活动", "次"))
_VERBS = ("出台", "报送", "开展", "归集", "上报")


def _phrase(header: str) -> tuple[str, str]:
    """'本月出台信用制度文件数' → ('出台信用制度文件', '件')."""
    text = header.removeprefix("本月")
    measure = next((m for key, m in _MEASURES if key in text), "项")
    for tail in ("次数", "条数", "数"):
        if text.endswith(tail):
            text = text[: -len(tail)]
            break
    return text, measure


def more_of(header: str, n: float) -> str:
    """'再出台 1 件信用制度文件' / '「信用动态稿件被采用」再增加 2 篇'."""
    text, measure = _phrase(header)
    count = f"{math.ceil(n - 1e-9):d}"
    if text.startswith(_VERBS):
        return f"再{text[:2]} {count} {measure}{text[2:]}"
    return f"「{text}」再增加 {count} {measure}"


def _f(row: Mapping[str, Any], key: str) -> float:
    v = row.get(key)
    return float("nan") if v is None else float(v)


def _zero(v: float) -> float:
    return 0.0 if math.isnan(v) else v


def _target_count(row: Mapping[str, Any], ind: Indicator) -> str:
    done, target = _zero(_f(row, "x")), float(ind.param("annual_target"))
    if done >= target:
        return f"全年目标 {num(target, 0)} 已完成（本年累计 {num(done, 0)}）"
    return f"{more_of(ind.inputs['x'], target - done)}（全年目标 {num(target, 0)}，本年累计 {num(done, 0)}）"


def _two_targets(row: Mapping[str, Any], ind: Indicator) -> str:
    parts = []
    for key, col, param in (("submitted", "x", "target_submitted"), ("adopted", "x2", "target_adopted")):
        done, target = _zero(_f(row, col)), float(ind.param(param))
        if done < target:
            parts.append(f"{more_of(ind.inputs[key], target - done)}（全年目标 {num(target, 0)}，已 {num(done, 0)}）")
    return "；".join(parts) or "全年两项目标均已完成"


def _presence(row: Mapping[str, Any], ind: Indicator) -> str:
    count, required = _zero(_f(row, "x")), float(ind.param("required"))
    if count >= required:
        return "已登记，保持即可"
    return f"再登记 {math.ceil(required - count)} 项「{ind.inputs['register']}」并上传证明材料"


def _share_of_best(row: Mapping[str, Any], ind: Indicator) -> str:
    inputs, best = ind.inputs, _f(row, "ref")
    if "per" in inputs:
        den = _f(row, "x3")
        if math.isnan(den) or den <= 0:
            return f"请报送「{inputs['per']}」，否则比例记为 0"
        need = best * den - _zero(_f(row, "x2"))
        return f"「{inputs['x']}」再增加约 {math.ceil(need - 1e-9)}，达到同组最高比例 {best:.2%}（以同组最高者不变计）"
    return _reach_best(row, ind)


def _reach_best(row: Mapping[str, Any], ind: Indicator) -> str:
    best = _f(row, "ref")
    return (f"「{ind.inputs['x']}」再增加 {num(best - _zero(_f(row, 'x')))}，达到同组最高 {num(best)}"
            "（以同组最高者不变计）")


def _deduct_per_item(row: Mapping[str, Any], ind: Indicator) -> str:
    lost = _f(row, "possible") - _f(row, "earned")
    if "x" not in ind.inputs:
        return (f"本年已扣 {num(lost)} 分（{ind.inputs['event']}），不能补回；新发生的事项须主动处理；"
                "对扣分有异议可在结果发布前申诉")
    header = ind.inputs["x"]
    if "未完成" in header or "重错码" in header:  # a stock: bringing it to 0 ends the deduction
        return f"本年已失 {num(lost)} 分；将「{header}」降为 0 后不再扣分"
    return f"本年已扣 {num(lost)} 分，不能补回；此后避免「{_phrase(header)[0]}」"


def _ratio_vs_benchmark(row: Mapping[str, Any], ind: Indicator) -> str:
    bench, x = _f(row, "ref"), _f(row, "x")
    if math.isnan(x):
        return "相关数据未报送，请报送后计分"
    return f"比例需达到基准 {num(bench, 4)}（现为 {num(x, 4)}）"


def _rank_in_city(row: Mapping[str, Any], ind: Indicator) -> str:
    return "按全县在全市的位次计分，由县信用办统一报送"


def _tiered_days(row: Mapping[str, Any], ind: Indicator) -> str:
    fastest = min(t[0] for t in ind.param("tiers"))
    return f"此后异议信息须在 {num(fastest, 0)} 个工作日内办结"


# Rules whose to-do does not depend on whether the indicator is already full this month.
_ALWAYS = {"target_count": _target_count, "two_targets": _two_targets, "presence": _presence}
_WHEN_SHORT = {
    "share_of_best": _share_of_best, "min_max": _reach_best, "deduct_per_item": _deduct_per_item,
    "ratio_vs_benchmark": _ratio_vs_benchmark, "rank_in_city": _rank_in_city, "tiered_days": _tiered_days,
}


def _todo(row: Mapping[str, Any], ind: Indicator) -> str:
    if ind.rule in _ALWAYS:
        return _ALWAYS[ind.rule](row, ind)
    if _f(row, "attainment") >= 1 - 1e-9:
        return "本年未扣分，保持即可" if ind.rule in ("deduct_per_item", "tiered_days") else "已得满分，保持即可"
    fn = _WHEN_SHORT.get(ind.rule)
    return fn(row, ind) if fn else "—"


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
