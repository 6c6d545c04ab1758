"""The rule types, one object each: `RULES[name]` scores, explains, states the formula, advises.

Every rule type is a `Rule` subclass in its own module here (the vectorised function beside it,
NumPy arrays over the units an indicator applies to, returning the **attainment** 0..1 — the share
of the indicator's points earned; points earned = `points × attainment`, which is also how a
what-if re-weights). Its inputs and parameters are declared in `credit.model.rule_params`, where
the framework loader validates them. Missing inputs arrive as NaN and score 0 unless a rule says
otherwise; the explanation says "未报送".

Adding a rule type: a `RuleSpec` in `credit/model/rule_params.py`, a module here with the class
(defining it registers it: every module of this package is imported below), the framework TOML,
and its tests. Nothing here names a rule.
"""

from __future__ import annotations

import importlib
import pkgutil

from credit.scoring.rules.base import RULES, Rule, missing, num, pct
from credit.scoring.rules.indicator_view import Ctx, prorated

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["RULES", "Ctx", "Rule", "missing", "num", "pct", "prorated"]
