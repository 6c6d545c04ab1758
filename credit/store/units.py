"""The unit register in the store: units, their names over time, add / rename / retire.

A rename is a new (from_month, name) row, so earlier months keep the old name and old files still
resolve; retiring (撤并) sets the month from which a unit is no longer assessed. Every change is
authorised ("units", administrators only), one transaction, and audited.
"""

from __future__ import annotations

import json
import re

from credit.errors import CreditError
from credit.model.accounts import Actor, authorize
from credit.model.units import KINDS, Unit, UnitRegister, norm_name
from credit.store.core import Core
from credit.store.util import check_group, check_month, dumps

SEED_MONTH = "2000-01"  # effective month of seeded names and frameworks: "since always"
_UNIT_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


def _unit(register: UnitRegister, unit_id: str) -> Unit:
    unit = register.by_id.get(unit_id)
    if unit is None:
        raise CreditError(f"未找到单位编号「{unit_id}」")
    return unit


def _check_name_free(register: UnitRegister, name: str, month: str, own_id: str) -> str:
    """A name must not be any name or alias of another unit still active from `month` on."""
    name = name.strip()
    if not name:
        raise CreditError("单位名称不能为空")
    key = norm_name(name)
    for other in register:
        if other.id == own_id or (other.retired_from and other.retired_from <= month):
            continue
        if key in {norm_name(n) for n in other.all_names()}:
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
        for uid, group, kind, active_from, retired_from, aliases in self._core.conn.execute(
            "SELECT id, group_name, kind, active_from, retired_from, aliases FROM units ORDER BY rowid"
        ):
            history = names.get(uid, [])
            current = history[-1][1] if history else uid
            units.append(Unit(uid, current, group, kind, json.loads(aliases), active_from, retired_from, history))
        return UnitRegister(units)

    def is_empty(self) -> bool:
        return self._core.scalar("SELECT COUNT(*) FROM units") == 0

    def _insert(self, unit: Unit, since: str) -> None:
        """Insert a unit row and its names, inside the caller's write transaction."""
        self._core.db["units"].insert(
            {
                "id": unit.id,
                "group_name": unit.group,
                "kind": unit.kind,
                "active_from": unit.active_from,
                "retired_from": unit.retired_from,
                "aliases": dumps(unit.aliases),
            }
        )
        history = unit.names or [(since, unit.name)]
        self._core.db["unit_names"].insert_all({"unit_id": unit.id, "from_month": m, "name": n} for m, n in history)

    def seed(self, register: UnitRegister, since: str, by: Actor) -> None:
        """Fill an empty register with `register` (names from `since`); joins the caller's write."""
        who = authorize(by, "units")
        check_month(since)
        with self._core.write():
            if not self.is_empty():
                raise CreditError("单位名册已有单位，不能再次初始化")
            for unit in register:
                self._insert(unit, since)
            self._core.changed(who, "seed.units", {"count": len(register)})

    def add(self, unit_id: str, name: str, group: str, kind: str, from_month: str, by: Actor) -> Unit:
        """Register a new unit, active from `from_month`."""
        who = authorize(by, "units")
        check_month(from_month)
        check_group(group)
        if not isinstance(unit_id, str) or not _UNIT_ID_RE.match(unit_id):
            raise CreditError(f"单位编号「{unit_id}」无效：只能由字母、数字、下划线和连字符组成")
        if kind not in KINDS[group]:
            raise CreditError(f"「{group}」的类型应为 {'/'.join(KINDS[group])} 之一，实际为「{kind}」")
        with self._core.write():
            register = self.register()
            if unit_id in register.by_id:
                raise CreditError(f"单位编号「{unit_id}」已存在（{register.by_id[unit_id].name}）")
            name = _check_name_free(register, name, from_month, unit_id)
            unit = Unit(unit_id, name, group, kind, active_from=from_month, names=[(from_month, name)])
            self._insert(unit, from_month)
            self._core.changed(
                who,
                "unit.add",
                {"unit_id": unit_id, "name": name, "group": group, "kind": kind, "from_month": from_month},
            )
        return unit

    def rename(self, unit_id: str, new_name: str, from_month: str, by: Actor) -> None:
        """New name from `from_month` on; earlier months keep the old name (and still resolve)."""
        who = authorize(by, "units")
        check_month(from_month)
        with self._core.write():
            register = self.register()
            unit = _unit(register, unit_id)
            if unit.retired_from and unit.retired_from <= from_month:
                raise CreditError(f"「{unit.name}」已于 {unit.retired_from} 撤销，不能更名")
            last_since = unit.names[-1][0] if unit.names else SEED_MONTH
            if from_month < last_since:
                raise CreditError(
                    f"更名生效月份 {from_month} 早于「{unit.name}」最近一次更名的月份 {last_since}，请核对"
                )
            new_name = _check_name_free(register, new_name, from_month, unit_id)
            if norm_name(new_name) == norm_name(unit.name):
                raise CreditError(f"新名称与现名称「{unit.name}」相同")
            self._core.db["unit_names"].upsert(
                {"unit_id": unit_id, "from_month": from_month, "name": new_name},
                pk=("unit_id", "from_month"),
            )
            self._core.changed(
                who,
                "unit.rename",
                {"unit_id": unit_id, "old_name": unit.name, "new_name": new_name, "from_month": from_month},
            )

    def retire(self, unit_id: str, from_month: str, by: Actor) -> None:
        """Stop assessing a unit from `from_month` on (撤并); its history stays."""
        who = authorize(by, "units")
        check_month(from_month)
        with self._core.write():
            unit = _unit(self.register(), unit_id)
            if unit.retired_from:
                raise CreditError(f"「{unit.name}」已于 {unit.retired_from} 撤销")
            if unit.active_from and from_month <= unit.active_from:
                raise CreditError(f"撤销月份 {from_month} 应晚于「{unit.name}」的启用月份 {unit.active_from}")
            self._core.db.execute("UPDATE units SET retired_from = ? WHERE id = ?", (from_month, unit_id))
            self._core.changed(who, "unit.retire", {"unit_id": unit_id, "name": unit.name, "from_month": from_month})
