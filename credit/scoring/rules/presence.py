"""presence: full points when a register holds the required number of entries (T5, D8, D12)."""

from __future__ import annotations

from credit.model.framework import Indicator
from credit.scoring.rules.base import Row, Rule, num
from credit.scoring.rules.context import Ctx, nan0


def presence(count, required: float = 1):
    """Full when the count reaches the required number, else nothing."""
    return (nan0(count) >= required).astype(float)


class Presence(Rule):
    name = "presence"

    def score(self, ctx: Ctx):
        counts = ctx.inp.register_count_array(ctx.ind.inputs["register"])[ctx.mask]
        required = ctx.ind.param("required")
        return ctx.out(presence(counts, required), x=counts, ref=required)

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        return f"登记 {num(row.get('x'))} 项（需 {num(row.get('ref'))} 项），{earned}"

    def formula(self, ind: Indicator) -> str:
        return f"登记 {num(ind.param('required'))} 项及以上得 {num(ind.points)} 分，否则 0 分。"
