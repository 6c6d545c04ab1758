"""The 双公示 pre-check rules as data, and the shapes the reader hands to the checks.

The field list (行政许可 / 行政处罚, from the national 双公示 data standard), which fields are required,
the header spellings exports use, the simplified-procedure fine limits, the reporting deadline and
which indicator each kind of problem counts against all live in `data/sgs_rules.toml`, so the
credit office can change them without a programmer; this module parses and validates that text
and fails with a Chinese message naming the key, like the framework loader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credit.common.toml_text import read_toml
from credit.errors import ConfigError
from credit.model.units import UnitRegister

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "sgs_rules.toml"
FIELD_KINDS = ("text", "date", "money", "category", "uscc", "status", "docno", "penalty")
CATEGORY_GROUPS = ("organization", "natural_person", "sole_trader")
CHECK_IDS = (
    "required", "format", "uscc", "id_number", "dates", "late", "duplicate", "revoked", "simple_penalty", "subject",
)
INDICATORS = ("D2a", "D2b", "D15a")  # what a record problem may count against (D5 is the code list)


@dataclass(frozen=True)
class FieldSpec:
    """One column of a record sheet: its standard name, how to read it, whether it is required."""

    name: str
    kind: str
    required: bool = False
    required_for: tuple[str, ...] = ()  # category groups for which it is required
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordKind:
    """行政许可 or 行政处罚: the fields and which of them carry the cross-field checks."""

    key: str
    name: str
    fields: tuple[FieldSpec, ...]
    docno_field: str
    decision_field: str
    valid_from_field: str = ""
    valid_to_field: str = ""
    fine_field: str = ""
    penalty_field: str = ""

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class SgsRules:
    """The validated rules; `text` is the TOML they came from (saved as the office's version)."""

    title: str
    report_days: int
    report_date_field: str
    person_yuan: float
    organization_yuan: float
    simple_penalties: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]]
    revoked: tuple[str, ...]
    checks: Mapping[str, CheckSpec]
    kinds: tuple[RecordKind, ...]
    text: str = ""
    source: str = ""

    def kind(self, key: str) -> RecordKind:
        for k in self.kinds:
            if k.key == key:
                return k
        raise KeyError(key)

    def category_group(self, value: str) -> str | None:
        """'organization' / 'natural_person' / 'sole_trader' for a 行政相对人类别 as written, else None."""
        for group, names in self.categories.items():
            if value in names:
                return group
        return None

    def indicators_of(self, check: str) -> tuple[str, ...]:
        return self.checks[check].indicators


# ---- parsed records (what the workbook reader produces, what the checks consume) -----------------


@dataclass
class RecordSheet:
    """One sheet of 行政许可 or 行政处罚 records as read: values still as the cells held them.

    `rows` are (Excel row number, {standard field name: raw cell value}); `columns` lists the
    fields whose column was found; `missing` the required fields that had no column at all;
    `bad` the cells the reader could not read, {(row, field): (problem, how to fix)}.
    """

    kind: str
    title: str
    header_row: int
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    missing: list[str] = field(default_factory=list)
    bad: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # standard field -> the file's own header text
    extra: list[str] = field(default_factory=list)  # the file's headers that name no known field
    mapped: dict[str, str] = field(default_factory=dict)  # fields found through the unit's column mapping

    def label(self, name: str) -> str:
        """The field as the file calls it (公示日期 when the file said so), for messages and the 字段 column."""
        return self.headers.get(name, name)


@dataclass
class RecordFile:
    filename: str
    sheets: list[RecordSheet]
    notes: list[str] = field(default_factory=list)  # sheets skipped and similar, in Chinese

    @property
    def n_records(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


# ---- loading ---------------------------------------------------------------------------------------


def _need(table: Mapping[str, Any], key: str, where: str, typ: type | tuple[type, ...]) -> Any:
    if key not in table:
        raise ConfigError(f"{where}缺少「{key}」")
    value = table[key]
    if not isinstance(value, typ) or isinstance(value, bool) and typ is not bool:
        raise ConfigError(f"{where}的「{key}」类型不对（实际为 {value!r}）")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}应为非空文字的列表")
    return tuple(v.strip() for v in value)


def _field(raw: Any, where: str) -> FieldSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}应为表（{{ name = ..., kind = ... }}）")
    name = _need(raw, "name", where, str).strip()
    kind = _need(raw, "kind", where, str)
    if kind not in FIELD_KINDS:
        raise ConfigError(f"{where}（{name}）的 kind「{kind}」无效，应为：{'、'.join(FIELD_KINDS)}")
    req_for = _strings(raw.get("required_for", []), f"{where}（{name}）的 required_for") if raw.get(
        "required_for") else ()
    bad = [g for g in req_for if g not in CATEGORY_GROUPS]
    if bad:
        raise ConfigError(f"{where}（{name}）的 required_for 含未知类别组：{'、'.join(bad)}")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise ConfigError(f"{where}（{name}）的 required 应为 true 或 false")
    aliases = _strings(raw["aliases"], f"{where}（{name}）的 aliases") if raw.get("aliases") else ()
    unknown = set(raw) - {"name", "kind", "required", "required_for", "aliases"}
    if unknown:
        raise ConfigError(f"{where}（{name}）含未知的键：{'、'.join(sorted(unknown))}")
    return FieldSpec(name, kind, required, req_for, aliases)


def _kind(raw: Any, i: int, report_field: str) -> RecordKind:
    where = f"第 {i} 个 [[kind]] "
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}应为表")
    key = _need(raw, "key", where, str)
    name = _need(raw, "name", where, str)
    fields_raw = _need(raw, "fields", f"{where}（{name}）", list)
    fields = tuple(_field(f, f"{name}的第 {j} 个字段") for j, f in enumerate(fields_raw, 1))
    names = [f.name for f in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{name}的字段重复：{'、'.join(dupes)}")
    spellings: dict[str, str] = {}
    for f in fields:
        for s in (f.name, *f.aliases):
            if s in spellings and spellings[s] != f.name:
                raise ConfigError(f"{name}的表头写法「{s}」同时属于「{spellings[s]}」和「{f.name}」")
            spellings[s] = f.name
    kind = RecordKind(
        key, name, fields,
        docno_field=_need(raw, "docno_field", where, str),
        decision_field=_need(raw, "decision_field", where, str),
        valid_from_field=raw.get("valid_from_field", ""),
        valid_to_field=raw.get("valid_to_field", ""),
        fine_field=raw.get("fine_field", ""),
        penalty_field=raw.get("penalty_field", ""),
    )
    for attr in ("docno_field", "decision_field", "valid_from_field", "valid_to_field", "fine_field",
                 "penalty_field"):
        value = getattr(kind, attr)
        if value and value not in names:
            raise ConfigError(f"{name}的 {attr}「{value}」不在字段列表中")
    for needed in ("行政相对人名称", "行政相对人类别", "统一社会信用代码", report_field):
        if needed not in names:
            raise ConfigError(f"{name}的字段列表缺少「{needed}」（预检要用到）")
    return kind


def parse_sgs_rules(text: str, source: str = "双公示预检规则") -> SgsRules:
    """Validate the TOML text; `ConfigError` (Chinese, naming the key) on anything wrong."""
    raw = read_toml(text, source)
    days = _need(raw, "report_days", "", int)
    if not 1 <= days <= 60:
        raise ConfigError(f"report_days 应为 1–60 的整数（实际为 {days}）")
    report_field = _need(raw, "report_date_field", "", str)
    limits = _need(raw, "limits", "", dict)
    person = _need(limits, "person_yuan", "[limits] ", (int, float))
    org = _need(limits, "organization_yuan", "[limits] ", (int, float))
    if person < 0 or org < 0:
        raise ConfigError("[limits] 的限额不能为负数")
    cats_raw = _need(raw, "categories", "", dict)
    categories = {g: _strings(_need(cats_raw, g, "[categories] ", list), f"[categories] 的 {g}")
                  for g in CATEGORY_GROUPS}
    status = _need(raw, "status", "", dict)
    checks_raw = _need(raw, "checks", "", dict)
    checks: dict[str, CheckSpec] = {}
    for cid in CHECK_IDS:
        spec = _need(checks_raw, cid, "[checks] ", dict)
        inds = _strings(spec.get("indicators", []), f"[checks] 的 {cid}.indicators") if spec.get("indicators") else ()
        bad = [i for i in inds if i not in INDICATORS]
        if bad:
            raise ConfigError(f"[checks] 的 {cid} 计入了未知指标：{'、'.join(bad)}（只能是 {'、'.join(INDICATORS)}）")
        checks[cid] = CheckSpec(_need(spec, "name", f"[checks] 的 {cid} ", str), inds)
    kinds_raw = _need(raw, "kind", "", list)
    kinds = tuple(_kind(k, i, report_field) for i, k in enumerate(kinds_raw, 1))
    if sorted(k.key for k in kinds) != ["处罚", "许可"]:
        raise ConfigError("[[kind]] 应恰好有两个：key = \"许可\" 和 key = \"处罚\"")
    if not kinds[[k.key for k in kinds].index("处罚")].fine_field:
        raise ConfigError("行政处罚应设置 fine_field（罚款金额字段）")
    return SgsRules(
        title=str(raw.get("title", "双公示预检规则")),
        report_days=days,
        report_date_field=report_field,
        person_yuan=float(person),
        organization_yuan=float(org),
        simple_penalties=_strings(_need(limits, "simple_penalties", "[limits] ", list), "[limits] 的 simple_penalties"),
        categories=categories,
        revoked=_strings(_need(status, "revoked", "[status] ", list), "[status] 的 revoked"),
        checks=checks,
        kinds=kinds,
        text=text,
        source=source,
    )


def default_rules_text() -> str:
    return RULES_FILE.read_text(encoding="utf-8")


def load_sgs_rules(text: str | None = None, source: str | None = None) -> SgsRules:
    """The given TOML (the office's saved version), else the shipped default."""
    if text is None:
        return parse_sgs_rules(default_rules_text(), f"默认规则文件 {RULES_FILE.name}")
    return parse_sgs_rules(text, source or "双公示预检规则")


def spellings(kind: RecordKind) -> dict[str, str]:
    """Every accepted header spelling -> the standard field name (callers fold both sides)."""
    out: dict[str, str] = {}
    for f in kind.fields:
        for s in (f.name, *f.aliases):
            out[s] = f.name
    return out


PRECHECK_GROUP = "部门"  # only departments publish 行政许可 / 行政处罚 records


def precheck_applies(register: UnitRegister, unit_id: str | None) -> bool:
    """Whether a unit has 双公示 records to check at all (a 部门); a town's account is not offered the page."""
    if not unit_id or unit_id not in {u.id for u in register}:
        return False
    return register.get(unit_id).group == PRECHECK_GROUP


def short_indicator(name: str) -> str:
    """An indicator's name for a table cell: the part after "——" ("“双公示”工作——上报数据合规率" → 上报数据合规率)."""
    return name.split("——")[-1].strip() or name


def kinds_names(kinds: Sequence[RecordKind]) -> str:
    return "、".join(k.name for k in kinds)
