"""Saved weight scenarios and the adoption of official weights, in the store.

A mixin of `credit.store.facade.Store` (it uses the store's `_write`, `_changed`, `_one`, `_all`,
`_save_framework`, `framework_for` and `register`). Saving a scenario needs permission
"scenarios"; adopting weights needs "weights" and becomes a new official framework version from a
chosen month on, in one transaction with an audit entry that keeps who, when, the old and the new
weights and why. Earlier months keep the version in force for them (`Store.framework_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credit.errors import CreditError
from credit.model.accounts import Actor, authorize
from credit.model.framework import Framework
from credit.scoring.scenarios import Scenario, adoptable, check_name, check_points, weights_of_toml
from credit.store.util import dumps, now

_COLUMNS = "id, name, group_name, month, points, note, created_by, created_at"


class ScenariosMixin:
    """`scenarios` table operations and `adopt_weights`; see `credit.scoring.scenarios` for the rules."""

    def save_scenario(self, name: str, group: str, month: str, points: Mapping[str, float],
                      note: str, by: Actor) -> int:
        """Save a named scenario (names are unique within a group); returns its id."""
        who = authorize(by, "scenarios")
        name = check_name(name)
        points = check_points(points)
        self.framework_for(group, month)  # type: ignore[attr-defined]  # checks group and month
        with self._write():  # type: ignore[attr-defined]
            if self._one("SELECT id FROM scenarios WHERE group_name = ? AND name = ?", (group, name)):  # type: ignore[attr-defined]
                raise CreditError(f"「{group}」已有名为「{name}」的方案，请换一个名称")
            scenario_id = self._db["scenarios"].insert({  # type: ignore[attr-defined]
                "name": name, "group_name": group, "month": month, "points": dumps(points),
                "note": (note or "").strip(), "created_by": who, "created_at": now(),
            }).last_pk
            self._changed(who, "scenario.save", {"scenario_id": scenario_id, "name": name, "group": group,  # type: ignore[attr-defined]
                                                 "month": month, "points": points, "note": note})
        return int(scenario_id)

    def scenarios(self, group: str) -> list[Scenario]:
        """A group's saved scenarios, newest first."""
        rows = self._all(f"SELECT {_COLUMNS} FROM scenarios WHERE group_name = ? ORDER BY id DESC", (group,))  # type: ignore[attr-defined]
        return [Scenario.from_row(r) for r in rows]

    def scenario(self, scenario_id: int) -> Scenario | None:
        row = self._one(f"SELECT {_COLUMNS} FROM scenarios WHERE id = ?", (int(scenario_id),))  # type: ignore[attr-defined]
        return Scenario.from_row(row) if row else None

    def adopt_weights(self, official: Framework, effective_month: str, points: Mapping[str, float],
                      by: Actor, reason: str, scenario_id: int | None = None) -> int:
        """Make `points` the official weights of `official.group` from `effective_month` on.

        `official` is the framework in force in that month (the one the points were made
        against). The new framework is validated as a file would be, then saved as a new
        version through the store's framework path; returns the new framework id.
        """
        who = authorize(by, "weights")
        reason = (reason or "").strip()
        if not reason:
            raise CreditError("请填写调整官方权重的原因")
        fw, text = adoptable(official, points, self.register(), effective_month)  # type: ignore[attr-defined]
        with self._write():  # type: ignore[attr-defined]
            old_id, old_text, old_from = self.framework_for(fw.group, effective_month)  # type: ignore[attr-defined]
            if official.version_id is not None and old_id != official.version_id:
                raise CreditError(
                    f"{effective_month} 执行的是另一版本的指标体系（{old_from} 起），与模拟所用版本"
                    f"（{official.effective_month} 起）不同。请把考核月份切换到 {effective_month} 后重新模拟再发布。"
                )
            framework_id = self._save_framework(fw.group, effective_month, text, who, reason)  # type: ignore[attr-defined]
            self._changed(who, "weights.adopt", {  # type: ignore[attr-defined]
                "group": fw.group, "effective_month": effective_month, "framework_id": framework_id,
                "previous_framework_id": old_id, "previous_effective_month": old_from,
                "scenario_id": scenario_id, "reason": reason,
                "old": weights_of_toml(old_text), "new": weights_of_toml(text),
            })
        return int(framework_id)

    def weight_changes(self, group: str) -> list[dict[str, Any]]:
        """Adoptions of official weights for a group, newest first (from the audit log)."""
        rows = self.audit_log(limit=None, action="weights.adopt")  # type: ignore[attr-defined]
        return [r for r in rows if r["detail"].get("group") == group]
