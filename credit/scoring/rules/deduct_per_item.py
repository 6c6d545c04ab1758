"""deduct_per_item: `pts − min(cap, step × n)`, n a monthly figure or events (T6, T7, T9, D2, D5, D9, D14, D15a).

Events flagged as handled proactively (主动处理) carry no deduction when `exempt_proactive`.
"""

from __future__ import annotations

import numpy as np

from credit.common.rounding import settle
from credit.model.contract import HANDLING_PROACTIVE, SHEETS
from credit.model.framework import Indicator, field_sheet
from credit.scoring.rules.base import Row, Rule, missing, num, value, zero_or_missing
from credit.scoring.rules.indicator_view import Ctx, event_items, field_items, nan0
from credit.scoring.rules.wording import phrase


def deduct_per_item(n, points: float, step: float, cap: float | None = None):
    """`pts − min(cap, step × n)`, never below 0; returns (attainment, points deducted)."""
    n = nan0(n)
    cap = points if cap is None else min(float(cap), points)
    deducted = settle(np.minimum(cap, step * n))
    if points <= 0:
        return np.where(deducted > 0, 0.0, 1.0), deducted
    return np.clip((points - deducted) / points, 0.0, 1.0), deducted


class DeductPerItem(Rule):
    name = "deduct_per_item"
    columns = {"counted": "x", "total": "x2", "step": "ref", "cap": "ref2", "deducted": "deducted"}
    kept = "本年未扣分，保持即可"

    def score(self, ctx: Ctx):
        ind = ctx.ind
        step, cap = float(ind.param("step")), ind.param("cap")
        if "x" in ind.inputs:
            n = total = nan0(ctx.values(ind.inputs["x"]))
        else:
            rows, pos = ctx.events(ind.inputs["event"])
            qty = ctx.event_numbers("数量", rows)
            counted = np.where(self._exempt(ctx, rows), 0.0, qty)
            n = np.bincount(pos, weights=counted, minlength=ctx.n)
            total = np.bincount(pos, weights=qty, minlength=ctx.n)
        att, deducted = deduct_per_item(n, ind.points, step, cap)
        return self.out(ctx, att, counted=n, total=total, step=step, cap=min(float(cap), ind.points), deducted=deducted)

    def items(self, ctx: Ctx):
        ind = ctx.ind
        step = float(ind.param("step"))
        if "x" in ind.inputs:
            header = ind.inputs["x"]
            kind = SHEETS[field_sheet(ctx.inp.group, header)].column(header).kind
            return field_items(ctx, header, step, kind)
        rows, _ = ctx.events(ind.inputs["event"])
        qty = ctx.event_numbers("数量", rows)
        return event_items(ctx, rows, np.where(self._exempt(ctx, rows), 0.0, qty * step))

    @staticmethod
    def _exempt(ctx: Ctx, rows: np.ndarray) -> np.ndarray:
        """Which of the events carry no deduction: handled proactively, when the indicator says so."""
        if not ctx.ind.param("exempt_proactive"):
            return np.zeros(len(rows), dtype=bool)
        return ctx.inp.event_is("处理情况", HANDLING_PROACTIVE)[rows]

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        x, x2 = row.get("counted"), row.get("total")
        if zero_or_missing(x):
            extra = f"（另有 {num(x2)} 项主动处理，不扣分）" if not zero_or_missing(x2) and float(x2) > 0 else ""
            return f"无扣分事项{extra}，{earned}"
        exempt = float(x2) - float(x) if not missing(x2) else 0.0
        extra = f"，另有 {num(exempt)} 项主动处理不扣分" if exempt > 0 else ""
        return (f"扣分项 {num(x)} 项 × {num(row.get('step'))} 分{extra}，扣 {num(row.get('deducted'))} 分"
                f"（最多扣 {num(row.get('cap'))} 分），{earned}")

    def formula(self, ind: Indicator) -> str:
        p = ind.points
        cap = min(float(ind.param("cap")), p)
        src = f"事项类型为“{ind.inputs['event']}”的扣分事项" if "event" in ind.inputs else ind.inputs["x"]
        ex = "；主动处理的事项不扣分" if "event" in ind.inputs and ind.param("exempt_proactive") else ""
        return f"得分 = {num(p)} − min({num(cap)}, {num(ind.param('step'))} × 项数)，不低于 0；项数取{src}{ex}。"

    def advice(self, row: Row, ind: Indicator) -> str:
        lost = value(row, "possible") - value(row, "earned")
        if "x" not in ind.inputs:
            return (f"本年已扣 {num(lost)} 分（{ind.inputs['event']}），不能补回；新发生的事项须主动处理；"
                    "对扣分有异议可在结果发布前申诉")
        header = ind.inputs["x"]
        if "未完成" in header or "重错码" in header:  # a stock: bringing it to 0 ends the deduction
            return f"本年已失 {num(lost)} 分；将「{header}」降为 0 后不再扣分"
        return f"本年已扣 {num(lost)} 分，不能补回；此后避免「{phrase(header)[0]}」"
