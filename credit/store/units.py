"""The unit register in the store: units, their names over time, add / rename / retire.

A rename is a new (from_month, name) row, so earlier months keep the old name and old files still
resolve; retiring (撤并) sets the month from which a unit is no longer assessed. Every change is
authorised ("units", administrators only), one transaction, and audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from credit.common.text import NAME, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.model.units import KINDS, Unit, UnitRegister, check_contact, norm_name
from credit.store.core import Core
from credit.store.signed import guard_signed
from credit.store.util import check_group, check_month, dumps

SEED_MONTH = "2000-01"  # effective month of seeded names and frameworks: "since always"
_UNIT_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


def _unit(register: UnitRegister, unit_id: str) -> Unit:
    unit = register.by_id.get(unit_id)
    if unit is None:
        raise CreditError(f"未找到单位编号「{unit_id}」")
    return unit


@dataclass(frozen=True)
class NewUnit:
    """A unit to register: its id, name, group, kind and first assessed month."""

    unit_id: str
    name: str
    group: str
    kind: str
    from_month: str


def _check_spec(spec: NewUnit) -> None:
    check_month(spec.from_month)
    check_group(spec.group)
    if not isinstance(spec.unit_id, str) or not _UNIT_ID_RE.match(spec.unit_id):
        raise CreditError(f"单位编号「{spec.unit_id}」无效：只能由字母、数字、下划线和连字符组成")
    if spec.kind not in KINDS[spec.group]:
        raise CreditError(f"「{spec.group}」的类型应为 {'/'.join(KINDS[spec.group])} 之一，实际为「{spec.kind}」")


class _NameIndex:
    """Every name and alias of the register → the units bearing it, so checking a name is O(1) instead of
    a pass over the register. A name must not be any name or alias of another unit still active
    from the month on."""

    def __init__(self, register: UnitRegister):
        self._by_key: dict[str, list[Unit]] = {}
        for unit in register:
            self.add(unit)

    def add(self, unit: Unit) -> None:
        for key in {norm_name(n) for n in unit.all_names()}:
            self._by_key.setdefault(key, []).append(unit)

    def check_free(self, name: str, month: str, own_id: str) -> str:
        name = check_text(name, "单位名称", limit=NAME).strip()
        if not name:
            raise CreditError("单位名称不能为空")
        for other in self._by_key.get(norm_name(name), []):
            if other.id == own_id or (other.retired_from and other.retired_from <= month):
                continue
            raise CreditError(f"名称「{name}」与单位「{other.name}」（编号 {other.id}）重复")
        return name


class Units:
    """`units` and `unit_names`: the register as of today, with every unit's rename history."""

    def __init__(self, core: Core):
        self._core = core

    def register(self) -> UnitRegister:
        """The register with rename history, in the order units were added."""
        names: dict[str, list[tuple[str, str]]] = {}
        for unit_id, since, name in self._core.conn.execute(
            "SELECT unit_id, from_month, name FROM unit_names ORDER BY unit_id, from_month"
        ):
            names.setdefault(unit_id, []).append((since, name))
        units = []
        for uid, group, kind, active_from, retired_from, aliases, contact, phone in self._core.conn.execute(
            "SELECT id, group_name, kind, active_from, retired_from, aliases, contact, phone FROM units ORDER BY rowid"
        ):
            history = names.get(uid, [])
            current = history[-1][1] if history else uid
            units.append(Unit(uid, current, group, kind, json.loads(aliases), active_from, retired_from, history,
                              contact, phone))
        return UnitRegister(units)

    def is_empty(self) -> bool:
        return self._core.scalar("SELECT COUNT(*) FROM units") == 0

    def seed(self, register: UnitRegister, since: str, by: Actor) -> None:
        """Fill an empty register with `register` (names from `since`); joins the caller's write."""
        who = authorize(by, Action.UNITS)
        check_month(since)
        with self._core.write():
            if not self.is_empty():
                raise CreditError("单位名册已有单位，不能再次初始化")
            self._insert_many(list(register), since)
            self._core.changed(who, "seed.units", {"count": len(register)})

    def add(self, unit_id: str, name: str, group: str, kind: str, from_month: str, by: Actor, *,
            correction: str = "") -> Unit:
        """Register a new unit, active from `from_month`."""
        return self.add_many([NewUnit(unit_id, name, group, kind, from_month)], by, correction=correction)[0]

    def add_many(self, new: Sequence[NewUnit], by: Actor, *, correction: str = "") -> list[Unit]:
        """Register several new units in one transaction: all or none, one audit row each.

        The register is read once and names are checked against an index of every active name
        (re-reading and re-scanning the register per unit made adding 5,000 units take minutes).
        """
        who = authorize(by, Action.UNITS)
        for spec in new:
            _check_spec(spec)
        with self._core.write():
            signed = guard_signed(self._core, min(s.from_month for s in new), "添加单位", correction) if new else []
            register = self.register()
            taken = _NameIndex(register)
            ids = set(register.by_id)
            units = []
            for spec in new:
                if spec.unit_id in ids:
                    other = register.by_id.get(spec.unit_id)
                    raise CreditError(f"单位编号「{spec.unit_id}」已存在（{other.name if other else '本批中重复'}）")
                name = taken.check_free(spec.name, spec.from_month, spec.unit_id)
                unit = Unit(spec.unit_id, name, spec.group, spec.kind, active_from=spec.from_month,
                            names=[(spec.from_month, name)])
                taken.add(unit)
                ids.add(unit.id)
                units.append(unit)
            self._insert_many(units, SEED_MONTH)
            self._core.changed_many(who, "unit.add", [
                {"unit_id": u.id, "name": u.name, "group": u.group, "kind": u.kind, "from_month": u.active_from,
                 **_correction(signed, correction)}
                for u in units
            ])
        return units

    def _insert_many(self, units: Sequence[Unit], since: str) -> None:
        """Insert unit rows and their names (a unit without name history is named from `since`),
        inside the caller's write transaction."""
        self._core.db["units"].insert_all(
            {"id": u.id, "group_name": u.group, "kind": u.kind, "active_from": u.active_from,
             "retired_from": u.retired_from, "aliases": dumps(u.aliases), "contact": u.contact, "phone": u.phone}
            for u in units
        )
        self._core.db["unit_names"].insert_all(
            {"unit_id": u.id, "from_month": m, "name": n} for u in units for m, n in (u.names or [(since, u.name)])
        )

    def rename(self, unit_id: str, new_name: str, from_month: str, by: Actor, *, correction: str = "") -> None:
        """New name from `from_month` on; earlier months keep the old name (and still resolve)."""
        who = authorize(by, Action.UNITS)
        check_month(from_month)
        check_text(new_name, "新名称", limit=NAME)
        with self._core.write():
            register = self.register()
            unit = _unit(register, unit_id)
            signed = guard_signed(self._core, from_month, f"「{unit.name}」更名", correction)
            if unit.retired_from and unit.retired_from <= from_month:
                raise CreditError(f"「{unit.name}」已于 {unit.retired_from} 撤销，不能更名")
            last_since = unit.names[-1][0] if unit.names else SEED_MONTH
            if from_month < last_since:
                raise CreditError(
                    f"更名生效月份 {from_month} 早于「{unit.name}」最近一次更名的月份 {last_since}，请核对"
                )
            new_name = _NameIndex(register).check_free(new_name, from_month, unit_id)
            if norm_name(new_name) == norm_name(unit.name):
                raise CreditError(f"新名称与现名称「{unit.name}」相同")
            self._core.db["unit_names"].upsert(
                {"unit_id": unit_id, "from_month": from_month, "name": new_name},
                pk=("unit_id", "from_month"),
            )
            self._core.changed(
                who,
                "unit.rename",
                {"unit_id": unit_id, "old_name": unit.name, "new_name": new_name, "from_month": from_month,
                 **_correction(signed, correction)},
            )

    def retire(self, unit_id: str, from_month: str, by: Actor, *, correction: str = "") -> None:
        """Stop assessing a unit from `from_month` on (撤并); its history stays."""
        who = authorize(by, Action.UNITS)
        check_month(from_month)
        with self._core.write():
            unit = _unit(self.register(), unit_id)
            signed = guard_signed(self._core, from_month, f"撤销「{unit.name}」", correction)
            if unit.retired_from:
                raise CreditError(f"「{unit.name}」已于 {unit.retired_from} 撤销")
            if unit.active_from and from_month <= unit.active_from:
                raise CreditError(f"撤销月份 {from_month} 应晚于「{unit.name}」的启用月份 {unit.active_from}")
            self._core.db.execute("UPDATE units SET retired_from = ? WHERE id = ?", (from_month, unit_id))
            self._core.changed(who, "unit.retire", {"unit_id": unit_id, "name": unit.name, "from_month": from_month,
                                                    **_correction(signed, correction)})

    def set_contact(self, unit_id: str, contact: str, phone: str, by: Actor) -> tuple[str, str]:
        """Record a unit's 联系人 and 联系电话 (blank clears them); administrators only, audited.
        Not tied to a month: the 催报清单 of any month lists whom to call now."""
        who = authorize(by, Action.UNITS)
        try:
            contact, phone = check_contact(contact, phone)
        except ValueError as exc:
            raise CreditError(str(exc)) from exc
        with self._core.write():
            unit = _unit(self.register(), unit_id)
            if (unit.contact, unit.phone) == (contact, phone):
                return contact, phone
            self._core.db.execute("UPDATE units SET contact = ?, phone = ? WHERE id = ?", (contact, phone, unit_id))
            self._core.changed(who, "unit.contact", {"unit_id": unit_id, "name": unit.name, "contact": contact,
                                                    "phone": phone, "old_contact": unit.contact, "old_phone": unit.phone})
        return contact, phone


def _correction(signed: list[str], reason: str) -> dict[str, object]:
    """The audit fields of a change made as a correction of signed months (none otherwise)."""
    return {"correction": reason.strip(), "signed_months": signed} if signed else {}
