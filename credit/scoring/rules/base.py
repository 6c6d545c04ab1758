"""The `Rule` base class: everything a rule type provides, and the registry its subclasses join.

A rule object scores one indicator for all the units it applies to at once (NumPy arrays over
those units, via `Ctx`), explains one unit's result in plain Chinese from the structured detail
row the engine stored, states its formula for the 指标说明 page and the bulletin, says what a unit
must still do for full marks (单位详情 "满分还需"), and names the inputs a unit is expected to report
every month (the bulletin's yellow warnings). Its parameters are declared in
`credit.model.rule_params` (the framework loader validates them there without scoring; `spec` is
that declaration).

A subclass joins `RULES` by being defined: `__init_subclass__` checks at import that it declares
its name, its output columns and every method, so a rule that leaves one out fails at once, not
with a "—" on a page months later. `credit.scoring.rules` imports every module of the package, so
a new rule is its module, its `RuleSpec`, the framework TOML and its tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from credit.model.framework import Indicator
from credit.model.rule_params import RULE_SPECS, RuleSpec
from credit.scoring.rules.indicator_view import Ctx, Items

Row = Mapping[str, Any]

# The numeric columns of the engine's `detail` table a rule may fill (one schema for every rule,
# stored as such in the results cache and frozen months). A rule names what it puts in each one
# in `columns`; its code reads and writes the names, never the slots.
SLOTS = ("x", "x2", "x3", "ref", "ref2", "deducted")

# What every rule must define itself (the base only raises).
REQUIRED_METHODS = ("score", "explain", "formula", "advice")

RULES: dict[str, Rule] = {}


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


def value(row: Row, key: str) -> float:
    """A number of the row as float (NaN when blank)."""
    v = row.get(key)
    return float("nan") if v is None else float(v)


def value0(row: Row, key: str) -> float:
    """A number of the row, blank counted as 0 (what a unit has done so far)."""
    v = value(row, key)
    return 0.0 if math.isnan(v) else v


class RuleRow(Mapping[str, Any]):
    """One detail row read by the rule's own column names (`row["submitted"]`, not `row["x"]`);
    the engine's other columns (earned, possible, attainment, applies…) read through unchanged."""

    __slots__ = ("_row", "_slots")

    def __init__(self, row: Row, columns: Mapping[str, str]):
        self._row, self._slots = row, columns

    def __getitem__(self, key: str) -> Any:
        return self._row[self._slots.get(key, key)]

    def get(self, key: str, default: Any = None) -> Any:
        return self._row.get(self._slots.get(key, key), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


class Rule:
    """One rule type. A subclass sets `name` (its `RuleSpec`) and `columns` (meaning-bearing
    name → detail slot) and implements `score`, `explain`, `formula` and `advice`.

    `score(ctx)` returns `self.out(ctx, attainment, name=values…)` for the covered units.
    `items(ctx)` lists the month-by-month or event-by-event reasons behind a deduction (None for
    rules without any); the engine calls it only when someone looks at them.
    `advice` is asked only when the unit is short of full marks unless `advice_always`;
    otherwise the page says `kept` ("已得满分，保持即可").
    """

    name: ClassVar[str]
    columns: ClassVar[Mapping[str, str]]
    advice_always: ClassVar[bool] = False
    kept: ClassVar[str] = "已得满分，保持即可"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            raise TypeError(f"{cls.__qualname__}: a rule type sets `name`")
        if name not in RULE_SPECS:
            raise TypeError(f"{cls.__qualname__}: no RuleSpec named {name!r} in credit/model/rule_params.py")
        if name in RULES:
            raise TypeError(f"{cls.__qualname__}: rule {name!r} is already {type(RULES[name]).__qualname__}")
        columns = cls.__dict__.get("columns")
        if not isinstance(columns, Mapping) or not set(columns.values()) <= set(SLOTS):
            raise TypeError(f"{cls.__qualname__}: `columns` maps output names to slots among {SLOTS}")
        if len(set(columns.values())) != len(columns):
            raise TypeError(f"{cls.__qualname__}: two output names share a slot")
        left_out = [m for m in REQUIRED_METHODS if getattr(cls, m) is getattr(Rule, m)]
        if left_out:
            raise TypeError(f"{cls.__qualname__}: rule {name!r} does not define {', '.join(left_out)}")
        RULES[name] = cls()

    @property
    def spec(self) -> RuleSpec:
        return RULE_SPECS[self.name]

    @property
    def zh(self) -> str:
        return self.spec.zh

    def out(self, ctx: Ctx, att: Any, **named: Any) -> dict[str, object]:
        """The detail columns of the covered units from the rule's named outputs."""
        unknown = set(named) - set(self.columns)
        if unknown:
            raise KeyError(f"rule {self.name} has no output column {sorted(unknown)}")
        return ctx.out(att, **{self.columns[k]: v for k, v in named.items()})

    def row(self, row: Row) -> RuleRow:
        """`row` read by this rule's column names."""
        return RuleRow(row, self.columns)

    def score(self, ctx: Ctx) -> dict[str, object]:
        raise NotImplementedError

    def items(self, ctx: Ctx) -> Items | None:
        """The deduction items of the covered units; rules that never deduct by item have none."""
        return None

    def explain(self, row: Row, ind: Indicator, earned: str) -> str:
        """One sentence for one unit (`row` read by column name); `earned` is "得 x 分（满分 y）"."""
        raise NotImplementedError

    def formula(self, ind: Indicator) -> str:
        raise NotImplementedError

    def advice(self, row: Row, ind: Indicator) -> str:
        """What the unit must still do this year for full marks (`row` read by column name)."""
        raise NotImplementedError

    def monthly_flows(self, ind: Indicator) -> list[str]:
        """The input headers a unit is expected to report something for every month (a zero is a
        yellow warning in the bulletin); none unless the rule says so — deductions expect zero."""
        return []
