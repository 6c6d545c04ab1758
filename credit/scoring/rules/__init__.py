"""The rule types, one object each: `RULES[name]` scores, explains and states the formula.

Every rule type is a `Rule` subclass in its own module here (the vectorised function beside it,
NumPy arrays over the units an indicator applies to, returning the **attainment** 0..1 — the share
of the indicator's points earned; points earned = `points × attainment`, which is also how a
what-if re-weights). Its inputs and parameters are declared in `credit.model.rule_params`, where
the framework loader validates them. Missing inputs arrive as NaN and score 0 unless a rule says
otherwise; the explanation says "未报送".

Adding a rule type: a `RuleSpec` in `credit/model/rule_params.py`, a module here with the class,
one line in `_ALL` below, and its test in `tests/scoring/test_rules.py`.
"""

from __future__ import annotations

from credit.scoring.rules.base import Rule, missing, num, pct
from credit.scoring.rules.context import Ctx, prorated
from credit.scoring.rules.deduct_per_item import DeductPerItem, deduct_per_item
from credit.scoring.rules.min_max import MinMax, min_max
from credit.scoring.rules.presence import Presence, presence
from credit.scoring.rules.rank_in_city import RankInCity, rank_in_city
from credit.scoring.rules.ratio_vs_benchmark import RatioVsBenchmark, ratio_vs_benchmark
from credit.scoring.rules.share_of_best import ShareOfBest, share_of_best
from credit.scoring.rules.target_count import TargetCount, target_count
from credit.scoring.rules.tiered_days import TieredDays, tier_points, tiered_days
from credit.scoring.rules.two_targets import TwoTargets, two_targets

_ALL: tuple[Rule, ...] = (
    TargetCount(), TwoTargets(), ShareOfBest(), MinMax(), Presence(), DeductPerItem(),
    RankInCity(), RatioVsBenchmark(), TieredDays(),
)
RULES: dict[str, Rule] = {r.name: r for r in _ALL}

__all__ = [
    "RULES", "Ctx", "Rule", "deduct_per_item", "min_max", "missing", "num", "pct", "presence",
    "prorated", "rank_in_city", "ratio_vs_benchmark", "share_of_best", "target_count", "tier_points",
    "tiered_days", "two_targets",
]
