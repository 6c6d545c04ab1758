"""The register of assessed units, with stable ids so a rename keeps the unit's history.

A unit's name can change from a given month on (撤并、更名); past months keep the name they had.
Names are matched after removing all whitespace, so "榆山 街道" and "榆山街道" are the same unit.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from credit.common.labels import GROUPS
from credit.common.text import text_problem
from credit.errors import ConfigError

__all__ = ["GROUPS", "KINDS", "NameIndex", "Unit", "UnitRegister", "check_contact", "load_units", "norm_name"]
KINDS = {"镇街": ("街道", "镇", "开发区"), "部门": ("部门",)}
DEFAULT_UNITS_FILE = Path(__file__).resolve().parents[2] / "data" / "units.toml"

_SPACE = re.compile(r"\s+")


MAX_CONTACT = 20  # characters of a 联系人 (a name, or 办公室 + a name)
_PHONE = re.compile(r"^[0-9+()（）\- ]{3,20}(?:转[0-9]{1,6})?$")


def check_contact(contact: object, phone: object) -> tuple[str, str]:
    """A unit's 联系人 and 联系电话 as stored: trimmed, blank allowed; refused (ValueError, in Chinese)
    with control or invisible characters, a name longer than MAX_CONTACT, or a phone that is not
    digits with - + ( ) spaces (an extension as 转123), 3–20 characters — e.g. 0531-87881234, 13800000000."""
    out = []
    for value, what in ((contact, "联系人"), (phone, "联系电话")):
        text = "" if value is None else str(value).strip()
        problem = text_problem(text, limit=MAX_CONTACT if what == "联系人" else 20)
        if problem is not None and problem.startswith("含有"):  # the one text policy; lengths are said below
            raise ValueError(f"{what}{problem}")
        out.append(text)
    name, tel = out
    if len(name) > MAX_CONTACT:
        raise ValueError(f"联系人不超过 {MAX_CONTACT} 个字")
    if tel and not _PHONE.match(tel):
        raise ValueError(f"联系电话「{tel}」格式不对：只能含数字、- + ( ) 和空格，3–20 位，分机写作“转123”")
    return name, tel


def norm_name(text: str) -> str:
    """Fold what officials type differently into one key: whitespace, full-width brackets."""
    text = _SPACE.sub("", str(text))
    return text.replace("（", "(").replace("）", ")")


@dataclass
class Unit:
    id: str
    name: str
    group: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    active_from: str | None = None  # YYYY-MM; None = always
    retired_from: str | None = None  # YYYY-MM; None = still active
    names: list[tuple[str, str]] = field(default_factory=list)  # (from YYYY-MM, name), sorted
    contact: str = ""  # 联系人 the office chases (催报清单); "" = not recorded
    phone: str = ""  # 联系电话

    def name_at(self, month: str) -> str:
        """The name the unit had in `month` (renames take effect from their month on)."""
        if not self.names:
            return self.name
        current = self.names[0][1]
        for since, nm in self.names:
            if since <= month:
                current = nm
        return current

    def active_in(self, month: str) -> bool:
        if self.active_from and month < self.active_from:
            return False
        return not (self.retired_from and month >= self.retired_from)

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases, *(nm for _, nm in self.names)]


class NameIndex:
    """The active units of a month by normalised name: their name in that month first, then any
    name they have had (aliases, earlier names); among units sharing a name, the first in the
    register wins. Looking each typed name up by walking the register made a 5,000-unit sheet
    quadratic (8 s of the upload check)."""

    def __init__(self, units: list[Unit], month: str):
        self.current: dict[str, Unit] = {}
        self.any_name: dict[str, Unit] = {}
        for u in units:
            self.current.setdefault(norm_name(u.name_at(month)), u)
        for u in units:
            for n in u.all_names():
                self.any_name.setdefault(norm_name(n), u)

    def get(self, name: str) -> Unit | None:
        key = norm_name(name)
        if not key:
            return None
        return self.current.get(key) or self.any_name.get(key)


class UnitRegister:
    """All units ever registered; lookups are by month so history stays right."""

    def __init__(self, units: list[Unit]):
        self.units = list(units)
        self.by_id = {u.id: u for u in self.units}

    def __iter__(self):
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def get(self, unit_id: str) -> Unit:
        return self.by_id[unit_id]

    def active(self, month: str, group: str | None = None) -> list[Unit]:
        # `Unit.active_in` written out: this runs for every unit on every scoring (50,000 × 12).
        return [
            u for u in self.units
            if (group is None or u.group == group)
            and not (u.active_from and month < u.active_from) and not (u.retired_from and month >= u.retired_from)
        ]

    def resolve(self, name: str, month: str, group: str | None = None) -> Unit | None:
        """The active unit a typed name means in `month`; current names win over aliases."""
        return self.name_index(month, group).get(name)

    def name_index(self, month: str, group: str | None = None) -> NameIndex:
        """`resolve` for many names of one month and group (a sheet's rows): built once."""
        return NameIndex(self.active(month, group), month)

    def names_at(self, month: str, group: str | None = None) -> list[str]:
        return [u.name_at(month) for u in self.active(month, group)]


def _file_contact(raw: dict, where: str, problems: list[str]) -> tuple[str, str]:
    """A [[unit]]'s optional contact = "…" / phone = "…", checked as the register page checks them."""
    try:
        return check_contact(raw.get("contact", ""), raw.get("phone", ""))
    except ValueError as exc:
        problems.append(f"{where}：{exc}")
        return "", ""


def load_units(path: Path = DEFAULT_UNITS_FILE) -> UnitRegister:
    """Read and check the register file; every problem is reported in Chinese with its key."""
    fname = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"单位名册文件 {fname} 无法读取：{exc}") from exc
    problems: list[str] = []
    units: list[Unit] = []
    seen_ids: set[str] = set()
    seen_names: dict[str, str] = {}
    for i, raw in enumerate(data.get("unit", []), start=1):
        where = f"{fname} 的第 {i} 个 [[unit]]"
        uid = raw.get("id")
        name = raw.get("name")
        group = raw.get("group")
        kind = raw.get("kind")
        if not uid or not isinstance(uid, str):
            problems.append(f"{where}：缺少 id")
            continue
        if uid in seen_ids:
            problems.append(f"{where}：id「{uid}」重复")
        seen_ids.add(uid)
        if not name:
            problems.append(f"{where}（id={uid}）：缺少 name")
            continue
        if group not in GROUPS:
            problems.append(f"{where}（id={uid}）：group 应为 镇街 或 部门，实际为「{group}」")
            continue
        if kind not in KINDS[group]:
            problems.append(
                f"{where}（id={uid}）：kind 应为 {'/'.join(KINDS[group])} 之一，实际为「{kind}」"
            )
        aliases = [str(a) for a in raw.get("aliases", [])]
        for nm in [name, *aliases]:
            key = norm_name(nm)
            if key in seen_names and seen_names[key] != uid:
                problems.append(f"{where}：名称或别名「{nm}」与 id={seen_names[key]} 重复")
            seen_names[key] = uid
        contact, phone = _file_contact(raw, f"{where}（id={uid}）", problems)
        units.append(Unit(uid, name, group, kind, aliases, contact=contact, phone=phone))
    if not units and not problems:
        problems.append(f"{fname}：没有任何 [[unit]]")
    if problems:
        raise ConfigError("单位名册有误：\n" + "\n".join(problems))
    return UnitRegister(units)
