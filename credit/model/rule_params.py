"""What each rule type may be given in a framework file: its inputs and parameters, declared.

The framework loader (`credit.model.framework`) validates every `[[indicator]]` against its rule's
declaration here — required inputs and parameters present, types and bounds right, no unknown
parameter — and fills defaults. The behaviour (vectorised scores, Chinese explanation, formula text)
is the rule's object in `credit.scoring.rules`, one class per rule type, linked by the name.

Why the declaration lives here and not on the scoring class: the model layer reads and validates
framework files without scoring (the store saves versions, the CLI checks files), and the layers
point downward only — `model` must not import `scoring`. A test checks that every declaration has
exactly one rule object and the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ParamKind = Literal["number", "bool", "tiers"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
POINTS: Any = type("_Points", (), {"__repr__": lambda self: "POINTS"})()  # default = the indicator's points


@dataclass(frozen=True)
class Param:
    """One rule parameter as a framework file writes it under `params = { … }`.

    `in_points`: the value is in points (a deduction step, a cap, tier points), so a what-if that
    changes the indicator's points scales it too and the attainment stays the same.
    """

    name: str
    kind: ParamKind = "number"
    default: Any = REQUIRED
    minimum: float | None = 0.0
    in_points: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def problem(self, value: Any) -> str | None:
        """Why `value` is not acceptable for this parameter (Chinese), or None when it is."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else "应为 true 或 false"
        if self.kind == "tiers":
            return _tiers_problem(value)
        if not _is_number(value):
            return "应为数字"
        if self.minimum is not None and value < self.minimum:
            return f"不能小于 {self.minimum:g}"
        return None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v


def _tiers_problem(value: Any) -> str | None:
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        return "应为 [[工作日上限, 分值], …] 的列表"
    for tier in value:
        if (not isinstance(tier, Sequence) or isinstance(tier, str) or len(tier) != 2
                or not all(_is_number(v) and v >= 0 for v in tier)):
            return "每一档应为 [工作日上限, 分值]，均为非负数"
    return None


@dataclass(frozen=True)
class RuleSpec:
    """A rule type's declaration: Chinese name, inputs it needs, parameters it takes.

    `inputs` must all be given; `one_of` names inputs of which exactly one must be given
    (deduct_per_item counts a monthly figure `x` or events `event`); `optional` may be given.
    """

    name: str
    zh: str
    params: tuple[Param, ...] = ()
    inputs: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def param(self, key: str) -> Param | None:
        return next((p for p in self.params if p.name == key), None)

    def input_problems(self, inputs: Mapping[str, Any]) -> list[str]:
        """What is missing or unknown among an indicator's `inputs` (Chinese, without the key)."""
        out = [f"规则 {self.name} 缺少输入 inputs.{n}" for n in self.inputs if n not in inputs]
        if self.one_of and sum(n in inputs for n in self.one_of) != 1:
            names = " 或 ".join(f"inputs.{n}" for n in self.one_of)
            out.append(f"规则 {self.name} 需要 {names} 之一（只能给一个）")
        known = set(self.inputs) | set(self.one_of) | set(self.optional)
        out += [f"规则 {self.name} 没有输入 inputs.{n}" for n in inputs if n not in known]
        return out

    def param_problems(self, params: Mapping[str, Any]) -> list[str]:
        """What is missing, unknown or out of bounds among an indicator's `params`."""
        out = [f"规则 {self.name} 缺少参数 params.{p.name}" for p in self.params
               if p.required and p.name not in params]
        for key, value in params.items():
            decl = self.param(key)
            if decl is None:
                known = "、".join(p.name for p in self.params) or "无"
                out.append(f"规则 {self.name} 没有参数 params.{key}（可用：{known}）")
            elif (why := decl.problem(value)) is not None:
                out.append(f"params.{key}「{value}」{why}")
        return out


RULE_SPECS: dict[str, RuleSpec] = {s.name: s for s in (
    RuleSpec("target_count", "目标数量（按比例）", inputs=("x",),
             params=(Param("annual_target"), Param("prorate", "bool", True))),
    RuleSpec("two_targets", "双目标（报送与采用）", inputs=("submitted", "adopted"),
             params=(Param("target_submitted"), Param("target_adopted"), Param("prorate", "bool", True))),
    RuleSpec("share_of_best", "与最优单位相比", inputs=("x",), optional=("per",)),
    RuleSpec("min_max", "最多满分、最少零分", inputs=("x",)),
    RuleSpec("presence", "有即得分", inputs=("register",), params=(Param("required", default=1),)),
    RuleSpec("deduct_per_item", "逐项扣分", one_of=("x", "event"),
             params=(Param("step", in_points=True), Param("cap", default=POINTS, in_points=True),
                     Param("exempt_proactive", "bool", True))),
    RuleSpec("rank_in_city", "全市位次", inputs=("rank", "n")),
    RuleSpec("ratio_vs_benchmark", "对标全市平均", inputs=("num", "den", "benchmark")),
    RuleSpec("tiered_days", "按处理用时分档", inputs=("event",), params=(Param("tiers", "tiers", in_points=True),)),
)}


def scaled_params(rule: str, params: Mapping[str, Any], factor: float) -> dict[str, Any]:
    """`params` with every point-valued parameter times `factor` (12 significant digits, so
    0.1 × 1.2 saves as 0.12, not 0.12000000000000001); tiers scale their points, not their days."""

    def scale(v: float) -> float:
        return float(f"{v * factor:.12g}")

    out = dict(params)
    for p in RULE_SPECS[rule].params:
        value = out.get(p.name)
        if not p.in_points or value is None:
            continue
        if p.kind == "tiers":
            out[p.name] = tuple((limit, scale(pts)) for limit, pts in value)
        elif _is_number(value):
            out[p.name] = scale(value)
    return out
