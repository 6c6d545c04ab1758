"""The indicator framework (指标体系) as data: loaded from TOML, validated, never mutated.

Indicators and weights change by decision of the leadership group, so they live in
`data/framework_<group>.toml` and, once in the store, as versions with an effective month.
A what-if is `Framework.with_points(...)`: a new object; the official one is untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from credit.common.toml_text import read_toml
from credit.errors import ConfigError
from credit.model.contract import EVENT_TYPES, GROUP_SHEET, REGISTER_SHEETS, SHEET_COUNTY, SHEETS
from credit.model.rule_params import POINTS, RULE_SPECS, scaled_params
from credit.model.units import KINDS, Unit, UnitRegister

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
GROUP_FILES = {"镇街": DATA_DIR / "framework_镇街.toml", "部门": DATA_DIR / "framework_部门.toml"}

RULE_NAMES_ZH = {name: spec.zh for name, spec in RULE_SPECS.items()}


@dataclass(frozen=True)
class AppliesTo:
    """Which units an indicator applies to: all of the group, some kinds, or named unit ids."""

    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    @property
    def is_all(self) -> bool:
        return not self.kinds and not self.units

    def covers(self, unit: Unit) -> bool:
        if self.units:
            return unit.id in self.units
        if self.kinds:
            return unit.kind in self.kinds
        return True

    def describe(self, register: UnitRegister | None = None, month: str | None = None) -> str:
        if self.units:
            if register is None:
                return "、".join(self.units)
            names = []
            for uid in self.units:
                u = register.by_id.get(uid)
                names.append(u.name_at(month) if (u and month) else (u.name if u else uid))
            return "、".join(names)
        if self.kinds:
            return "、".join(self.kinds)
        return "全部单位"


@dataclass(frozen=True)
class Indicator:
    code: str
    level1: str
    name: str
    points: float
    rule: str
    inputs: Mapping[str, Any]
    params: Mapping[str, Any]
    applies_to: AppliesTo
    description: str = ""
    interp: str = ""
    short: str = ""  # a few characters for chart labels; the code stays for tooltips and 指标说明

    @property
    def label(self) -> str:
        """The short Chinese name charts show (the full name when no short one is given)."""
        return self.short or self.name

    def param(self, key: str) -> Any:
        """A parameter with the rule's default filled in (cap defaults to the points)."""
        if key in self.params:
            return self.params[key]
        decl = RULE_SPECS[self.rule].param(key)
        if decl is None or decl.required:
            return None
        return self.points if decl.default is POINTS else decl.default


@dataclass(frozen=True)
class Level1:
    name: str
    points: float
    interp: str = ""


ANNUAL_METHODS = {"december": "12 月累计结果", "mean": "已签发各月得分率平均"}
DEFAULT_GRADES: tuple[tuple[str, float], ...] = (("优秀", 90.0), ("良好", 80.0), ("一般", 60.0))
LOWEST_GRADE = "较差"


@dataclass(frozen=True)
class AnnualRule:
    """How the year's result is made from the months (the office's choice, kept in the framework).

    `method`: "december" — the December year-to-date result, an annual figure already because flows
    are summed from January and targets pro-rated to 12/12; "mean" — the mean of the months' 得分率.
    `grades`: (grade, lowest 得分率 that earns it), best first; below the last one is 较差.
    """

    method: str = "december"
    grades: tuple[tuple[str, float], ...] = DEFAULT_GRADES

    @property
    def method_label(self) -> str:
        return ANNUAL_METHODS[self.method]

    def grade(self, score: float) -> str:
        """The grade of a 得分率 as printed (two decimals): 89.995 prints 90.00 and is 优秀."""
        for name, floor in self.grades:
            if round(float(score), 2) >= floor:
                return name
        return LOWEST_GRADE

    def describe(self) -> str:
        cuts = "，".join(f"{name} ≥ {_num(floor)}" for name, floor in self.grades)
        return f"年度结果按“{self.method_label}”计算；等次：{cuts}，其余为{LOWEST_GRADE}。"


@dataclass(frozen=True)
class Framework:
    group: str
    title: str
    level1: tuple[Level1, ...]
    indicators: tuple[Indicator, ...]
    source: str = ""
    version_id: int | None = None
    effective_month: str | None = None
    is_official: bool = True
    annual: AnnualRule = AnnualRule()
    _by_code: Mapping[str, Indicator] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {i.code: i for i in self.indicators})

    def indicator(self, code: str) -> Indicator:
        return self._by_code[code]

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    @property
    def total_points(self) -> float:
        return float(sum(i.points for i in self.indicators))

    def level1_points(self) -> dict[str, float]:
        out = {lv.name: 0.0 for lv in self.level1}
        for ind in self.indicators:
            out[ind.level1] += ind.points
        return out

    def with_points(
        self,
        indicator_points: Mapping[str, float] | None = None,
        level1_points: Mapping[str, float] | None = None,
    ) -> Framework:
        """A what-if copy with new points; the official object is left as it is.

        Level-1 points rescale their indicators proportionally (an indicator keeps its share of
        its level); explicit indicator points are applied after that and win.
        """
        indicator_points = dict(indicator_points or {})
        unknown = set(indicator_points) - set(self._by_code)
        if unknown:
            raise ConfigError(f"未知的二级指标代码：{'、'.join(sorted(unknown))}")
        current = self.level1_points()
        new_inds = []
        for ind in self.indicators:
            pts = ind.points
            if level1_points and ind.level1 in level1_points:
                base = current[ind.level1]
                target = float(level1_points[ind.level1])
                pts = pts * target / base if base else 0.0
            if ind.code in indicator_points:
                pts = float(indicator_points[ind.code])
            pts = round(pts, 9)
            if pts < 0:
                raise ConfigError(f"指标 {ind.code} 的分值不能为负数")
            new_inds.append(replace(ind, points=pts, params=_scaled_params(ind, pts)))
        levels = tuple(replace(lv, points=0.0) for lv in self.level1)
        fw = replace(self, indicators=tuple(new_inds), level1=levels, is_official=False)
        sums = fw.level1_points()
        return replace(
            fw, level1=tuple(replace(lv, points=round(sums[lv.name], 9)) for lv in levels)
        )

    def to_toml(self) -> str:
        """Serialise back to the TOML shape `parse_framework` reads (for saving a version)."""
        lines = [f"group = {_q(self.group)}", f"title = {_q(self.title)}", ""]
        if self.annual != AnnualRule():
            grades = ", ".join(f"{_q(n)} = {_num(f)}" for n, f in self.annual.grades)
            lines += ["[annual]", f"method = {_q(self.annual.method)}", f"grades = {{ {grades} }}", ""]
        for lv in self.level1:
            lines += ["[[level1]]", f"name = {_q(lv.name)}", f"points = {_num(lv.points)}"]
            if lv.interp:
                lines.append(f"interp = {_q(lv.interp)}")
            lines.append("")
        for ind in self.indicators:
            lines += [
                "[[indicator]]",
                f"code = {_q(ind.code)}",
                f"level1 = {_q(ind.level1)}",
                f"name = {_q(ind.name)}",
                *([f"short = {_q(ind.short)}"] if ind.short else []),
                f"points = {_num(ind.points)}",
                f"rule = {_q(ind.rule)}",
                f"applies_to = {_applies_toml(ind.applies_to)}",
                f"inputs = {_inline(ind.inputs)}",
                f"params = {_inline(ind.params)}",
                f"description = {_q(ind.description)}",
                f"interp = {_q(ind.interp)}",
                "",
            ]
        return "\n".join(lines)


def _scaled_params(ind: Indicator, new_points: float) -> Mapping[str, Any]:
    """Point-valued parameters follow the indicator's points, so attainment is unchanged.

    Spec ("Totals"): a what-if re-weights attainments, `new_pts × attainment`, "so a deduction
    shrinks or grows with its indicator". The parameters a rule declares `in_points` (deduction
    steps and caps, tier points) scale by new/old; other rules are ratios already.
    """
    old = ind.points
    if old <= 0 or new_points == old:
        return ind.params
    return scaled_params(ind.rule, ind.params, new_points / old)


def _q(text: str) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _num(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() else repr(float(x))


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _num(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return _q(v)


def _inline(d: Mapping[str, Any]) -> str:
    if not d:
        return "{}"
    return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in d.items()) + " }"


def _applies_toml(a: AppliesTo) -> str:
    if a.units:
        return _inline({"units": list(a.units)})
    if a.kinds:
        return _inline({"kinds": list(a.kinds)})
    return '"all"'


def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


def parse_framework(
    text: str, source: str, register: UnitRegister, expected_group: str | None = None
) -> Framework:
    """Parse and validate; every problem is collected and reported with file name and key."""
    data = read_toml(text, f"指标体系文件 {source} ")
    problems: list[str] = []
    group = data.get("group")
    if group not in GROUP_SHEET:
        problems.append(f"{source}：group 应为 镇街 或 部门，实际为「{group}」")
        raise ConfigError("指标体系有误：\n" + "\n".join(problems))
    if expected_group and group != expected_group:
        problems.append(f"{source}：group 应为「{expected_group}」，实际为「{group}」")
    levels = _parse_levels(data.get("level1", []), source, problems)
    level_names = {lv.name for lv in levels}
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("indicator", []), start=1):
        ind = _parse_indicator(raw, f"{source} 的第 {i} 个 [[indicator]]", group, register,
                               level_names, problems)
        if ind is None:
            continue
        if ind.code in seen:
            problems.append(f"{source}：指标代码 {ind.code} 重复")
        seen.add(ind.code)
        indicators.append(ind)
    _check_level_sums(levels, indicators, source, problems)
    annual = _parse_annual(data.get("annual", {}), source, problems)
    if problems:
        raise ConfigError("指标体系有误：\n" + "\n".join(problems))
    return Framework(group, data.get("title", group), tuple(levels), tuple(indicators), source, annual=annual)


def _parse_annual(raw: object, source: str, problems: list[str]) -> AnnualRule:
    """The optional `[annual]` table: method = "december" | "mean", grades = { "优秀" = 90, … }."""
    if not isinstance(raw, dict):
        problems.append(f"{source}：[annual] 应为一个表")
        return AnnualRule()
    unknown = set(raw) - {"method", "grades"}
    if unknown:
        problems.append(f"{source}：[annual] 中有未知的项：{'、'.join(sorted(unknown))}（可用 method、grades）")
    method = raw.get("method", "december")
    if method not in ANNUAL_METHODS:
        problems.append(f"{source}：[annual] method 应为 december（12 月累计结果）或 mean（各月得分率平均），"
                        f"实际为「{method}」")
        method = "december"
    grades_raw = raw.get("grades", dict(DEFAULT_GRADES))
    grades: list[tuple[str, float]] = []
    if not isinstance(grades_raw, dict) or not grades_raw:
        problems.append(f'{source}：[annual] grades 应为 {{ "优秀" = 90, "良好" = 80, "一般" = 60 }} 这样的表')
    else:
        for name, floor in grades_raw.items():
            ok = isinstance(floor, (int, float)) and not isinstance(floor, bool) and 0 <= floor <= 100
            if not ok:
                problems.append(f"{source}：[annual] grades 中「{name}」的分数线应为 0—100 的数，实际为「{floor}」")
                continue
            if not str(name).strip() or not str(name).isprintable() or len(str(name)) > 8:
                problems.append(f"{source}：[annual] grades 的等次名称应为 1—8 个可见字符，实际为 {name!r}")
                continue
            if str(name) == LOWEST_GRADE:
                problems.append(f"{source}：[annual] grades 的等次名称不能为「{LOWEST_GRADE}」（低于最后一档即为{LOWEST_GRADE}）")
                continue
            grades.append((str(name), float(floor)))
        floors = [f for _, f in grades]
        if any(a <= b for a, b in zip(floors, floors[1:], strict=False)):
            problems.append(f"{source}：[annual] grades 的分数线应从高到低依次递减，实际为 "
                            + "、".join(f"{n} {_num(f)}" for n, f in grades))
    return AnnualRule(method, tuple(grades) or DEFAULT_GRADES)


def _parse_levels(raws: list[dict[str, Any]], source: str, problems: list[str]) -> list[Level1]:
    """The `[[level1]]` tables; a file without any is a problem."""
    levels = []
    for i, raw in enumerate(raws, start=1):
        key = f"{source} 的第 {i} 个 [[level1]]"
        if not raw.get("name"):
            problems.append(f"{key}：缺少 name")
            continue
        pts = raw.get("points")
        if not isinstance(pts, (int, float)) or pts < 0:
            problems.append(f"{key}（{raw['name']}）：points 应为非负数，实际为「{pts}」")
            pts = 0
        levels.append(Level1(raw["name"], float(pts), raw.get("interp", "")))
    if not levels:
        problems.append(f"{source}：没有任何一级指标 [[level1]]")
    return levels


def _check_level_sums(levels: list[Level1], indicators: list[Indicator], source: str,
                      problems: list[str]) -> None:
    """Each first-level indicator's points must equal the sum of its second-level points."""
    for lv in levels:
        total = sum(ind.points for ind in indicators if ind.level1 == lv.name)
        if abs(total - lv.points) > 1e-9:
            problems.append(
                f"{source}：一级指标「{lv.name}」为 {_num(lv.points)} 分，"
                f"但其二级指标合计 {_num(total)} 分"
            )


def _parse_indicator(
    raw: dict[str, Any],
    where: str,
    group: str,
    register: UnitRegister,
    level_names: set[str],
    problems: list[str],
) -> Indicator | None:
    code = raw.get("code")
    if not code:
        problems.append(f"{where}：缺少 code")
        return None
    key = f"{where}（{code}）"
    n_before = len(problems)
    rule = raw.get("rule")
    spec = RULE_SPECS.get(rule)
    if spec is None:
        problems.append(f"{key}：rule「{rule}」不是已知的计分规则（{'、'.join(RULE_SPECS)}）")
        return None
    if raw.get("level1") not in level_names:
        problems.append(f"{key}：level1「{raw.get('level1')}」不是本文件的一级指标")
    pts = raw.get("points")
    if not isinstance(pts, (int, float)) or isinstance(pts, bool) or pts < 0:
        problems.append(f"{key}：points 应为非负数，实际为「{pts}」")
        pts = 0
    if not raw.get("name"):
        problems.append(f"{key}：缺少 name")
    inputs = dict(raw.get("inputs", {}))
    params = {k: _freeze(v) for k, v in dict(raw.get("params", {})).items()}
    problems += [f"{key}：{p}" for p in spec.input_problems(inputs) + spec.param_problems(params)]
    _check_input_values(inputs, group, key, problems)
    applies = _parse_applies(raw.get("applies_to", "all"), group, register, key, problems)
    if len(problems) > n_before:
        return None
    return Indicator(
        code=code,
        level1=raw["level1"],
        name=raw["name"],
        points=float(pts),
        rule=rule,
        inputs={k: _freeze(v) for k, v in inputs.items()},
        params=params,
        applies_to=applies,
        description=raw.get("description", ""),
        interp=raw.get("interp", ""),
        short=str(raw.get("short", "")).strip(),
    )


def field_sheet(group: str, header: str) -> str | None:
    """Which sheet a field named in the framework comes from: the group's own, else 全县."""
    for sheet in (GROUP_SHEET[group], SHEET_COUNTY):
        if header in SHEETS[sheet].numeric_fields:
            return sheet
    return None


def _check_input_values(inputs: dict[str, Any], group: str, key: str, problems: list[str]) -> None:
    """Every input names something that exists: an event type, a register, or a workbook field."""
    for name, value in inputs.items():
        if name == "event":
            if value not in EVENT_TYPES:
                problems.append(f"{key}：inputs.event「{value}」不是扣分事项类型")
        elif name == "register":
            if value not in REGISTER_SHEETS:
                problems.append(f"{key}：inputs.register「{value}」不是证明材料登记表")
        else:
            for header in value if isinstance(value, list) else [value]:
                if field_sheet(group, header) is None:
                    problems.append(f"{key}：inputs.{name}「{header}」不是月报表中的数据项")


def _parse_applies(raw: Any, group: str, register: UnitRegister, key: str,
                   problems: list[str]) -> AppliesTo:
    if raw == "all":
        return AppliesTo()
    if not isinstance(raw, dict):
        problems.append(f"{key}：applies_to 应为 \"all\"、{{ kinds = [...] }} 或 {{ units = [...] }}")
        return AppliesTo()
    kinds = tuple(raw.get("kinds", ()))
    units = tuple(raw.get("units", ()))
    for k in kinds:
        if k not in KINDS[group]:
            problems.append(f"{key}：applies_to.kinds 中的「{k}」不是{group}的单位类型")
    for uid in units:
        u = register.by_id.get(uid)
        if u is None:
            problems.append(f"{key}：applies_to.units 中的单位「{uid}」不在单位名册中")
        elif u.group != group:
            problems.append(f"{key}：applies_to.units 中的单位「{uid}」不属于{group}")
    return AppliesTo(kinds=kinds, units=units)


def load_framework(group: str, register: UnitRegister, path: Path | None = None) -> Framework:
    path = path or GROUP_FILES[group]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"指标体系文件 {path.name} 无法读取：{exc}") from exc
    return parse_framework(text, path.name, register, expected_group=group)


def default_framework_texts() -> dict[str, str]:
    return {g: p.read_text(encoding="utf-8") for g, p in GROUP_FILES.items()}
