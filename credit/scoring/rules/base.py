"""The `Rule` base class: what every rule type provides, and the number wording they share.

A rule object scores one indicator for all the units it applies to at once (NumPy arrays over
those units, via `Ctx`), explains one unit's result in plain Chinese from the structured detail
row the engine stored, and states its formula for the 指标说明 page and the bulletin. Its
parameters are declared in `credit.model.rule_params` (the framework loader validates them there;
`spec` is that declaration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from credit.model.framework import Indicator
from credit.model.rule_params import RULE_SPECS, RuleSpec
from credit.scoring.rules.context import Ctx, Items

Row = Mapping[str, Any]


def num(v: Any, digits: int = 2) -> str:
    """A number as an official would write it: no trailing zeros, thousands separators."""
    if missing(v):
        return "—"
    x = float(v)
    if x.is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def pct(v: Any) -> str:
    """A ratio as a percentage with two decimals; "—" when missing."""
    if missing(v):
        return "—"
    return f"{float(v) * 100:.2f}%"


def missing(v: object) -> bool:
    """None or NaN: the input was not reported (the wording says "未报送")."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def zero_or_missing(v: Any) -> bool:
    return missing(v) or float(v) == 0


class Rule:
    """One rule type. Subclasses set `name` and implement `score`, `explain` and `formula`.

    `score(ctx)` returns the detail columns for the covered units — always `attainment` (0..1),
    plus whichever of x, x2, x3, ref, ref2, deducted explain it. `items(ctx)` lists the month-by-
    month or event-by-event reasons behind a deduction (None for rules without any); the engine
    calls it only when someone looks at them, since ranking never needs them.
    """

    name: ClassVar[str]

    @property
    def spec(self) -> RuleSpec:
        return RULE_SPECS[self.name]

    @property
    def zh(self) -> str:
        return self.spec.zh

    def score(self, ctx: Ctx) -> dict[str, object]:
        raise NotImplementedError

    def items(self, ctx: Ctx) -> Items | None:
        """The deduction items of the covered units; rules that never deduct by item have none."""
        return None

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        """One sentence for one unit; `earned` is the closing "得 x 分（满分 y）"."""
        raise NotImplementedError

    def formula(self, ind: Indicator) -> str:
        raise NotImplementedError
