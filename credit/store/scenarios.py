"""Saved weight scenarios and the adoption of official weights, in the store.

Saving a scenario needs permission "scenarios"; adopting weights needs "weights" and becomes a new
official framework version from a chosen month on, in one transaction with an audit entry that
keeps who, when, the old and the new weights and why. Earlier months keep the version in force for
them (`Frameworks.framework_for`).

The store does not judge the new weights (that needs the scoring engine, which the store must not
import): `credit.app.service.adopt_weights` validates them with `credit.scoring.scenarios.adoptable`
and hands the checked framework text to `Scenarios.adopt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credit.errors import CreditError
from credit.model.accounts import Actor, authorize
from credit.model.scenario import Scenario, check_name, check_points, check_reason, weights_of_toml
from credit.store.core import Core
from credit.store.frameworks import Frameworks
from credit.store.util import check_group, check_month, dumps, now

_COLUMNS = "id, name, group_name, month, points, note, created_by, created_at"


class Scenarios:
    """`scenarios` table operations and the adoption of official weights."""

    def __init__(self, core: Core, frameworks: Frameworks):
        self._core, self._frameworks = core, frameworks

    def save_scenario(self, name: str, group: str, month: str, points: Mapping[str, float],
                      note: str, by: Actor) -> int:
        """Save a named scenario (names are unique within a group); returns its id."""
        who = authorize(by, "scenarios")
        name = check_name(name)
        points = check_points(points)
        self._frameworks.framework_for(group, month)  # checks group and month
        with self._core.write():
            if self._core.one("SELECT id FROM scenarios WHERE group_name = ? AND name = ?", (group, name)):
                raise CreditError(f"「{group}」已有名为「{name}」的方案，请换一个名称")
            scenario_id = self._core.db["scenarios"].insert({
                "name": name, "group_name": group, "month": month, "points": dumps(points),
                "note": (note or "").strip(), "created_by": who, "created_at": now(),
            }).last_pk
            self._core.changed(who, "scenario.save", {"scenario_id": scenario_id, "name": name, "group": group,
                                                      "month": month, "points": points, "note": note})
        return int(scenario_id)

    def scenarios(self, group: str) -> list[Scenario]:
        """A group's saved scenarios, newest first."""
        rows = self._core.all(f"SELECT {_COLUMNS} FROM scenarios WHERE group_name = ? ORDER BY id DESC", (group,))
        return [Scenario.from_row(r) for r in rows]

    def scenario(self, scenario_id: int) -> Scenario | None:
        row = self._core.one(f"SELECT {_COLUMNS} FROM scenarios WHERE id = ?", (int(scenario_id),))
        return Scenario.from_row(row) if row else None

    def adopt(self, group: str, effective_month: str, toml_text: str, by: Actor, reason: str, *,
              based_on: tuple[int | None, str | None], scenario_id: int | None = None) -> int:
        """Save the (already validated) `toml_text` as `group`'s official framework from `effective_month`.

        `based_on` is (version id, effective month) of the framework the weights were made against;
        if another version is in force in `effective_month` by now, the adoption is refused, since
        the what-if the office looked at is no longer what would change. Returns the new framework id.
        """
        who = authorize(by, "weights")
        reason = check_reason(reason)
        check_group(group)
        check_month(effective_month)
        based_id, based_from = based_on
        with self._core.write():
            old_id, old_text, old_from = self._frameworks.framework_for(group, effective_month)
            if based_id is not None and old_id != based_id:
                raise CreditError(
                    f"{effective_month} 执行的是另一版本的指标体系（{old_from} 起），与模拟所用版本"
                    f"（{based_from} 起）不同。请把考核月份切换到 {effective_month} 后重新模拟再发布。"
                )
            framework_id = self._frameworks.save_framework(group, effective_month, toml_text, by, reason)
            self._core.changed(who, "weights.adopt", {
                "group": group, "effective_month": effective_month, "framework_id": framework_id,
                "previous_framework_id": old_id, "previous_effective_month": old_from,
                "scenario_id": scenario_id, "reason": reason,
                "old": weights_of_toml(old_text), "new": weights_of_toml(toml_text),
            })
        return int(framework_id)

    def weight_changes(self, group: str) -> list[dict[str, Any]]:
        """Adoptions of official weights for a group, newest first (from the audit log)."""
        rows = self._core.audit_log(limit=None, action="weights.adopt")
        return [r for r in rows if r["detail"].get("group") == group]
