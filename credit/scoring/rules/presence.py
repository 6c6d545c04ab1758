"""presence: full points when a register holds the required number of entries (T5, D8, D12)."""

from __future__ import annotations

import math

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num, value0
from credit.scoring.rules.indicator_view import Ctx, nan0


def presence(count, required: float = 1):
    """Full when the count reaches the required number, else nothing."""
    return (nan0(count) >= required).astype(float)


class Presence(Rule):
    name = "presence"
    columns = {"registered": "x", "required": "ref"}
    advice_always = True

    def score(self, ctx: Ctx):
        counts = ctx.inp.register_count_array(ctx.ind.inputs["register"])[ctx.mask]
        required = ctx.ind.param("required")
        return self.out(ctx, presence(counts, required), registered=counts, required=required)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return f"登记 {num(row.get('registered'))} 项（需 {num(row.get('required'))} 项），{earned}"

    def formula(self, ind: Indicator) -> str:
        return f"登记 {num(ind.param('required'))} 项及以上得 {num(ind.points)} 分，否则 0 分。"

    def advice(self, row: Row, ind: Indicator) -> str:
        count, required = value0(row, "registered"), float(ind.param("required"))
        if count >= required:
            return "已登记，保持即可"
        return f"再登记 {math.ceil(required - count)} 项「{ind.inputs['register']}」并上传证明材料"
