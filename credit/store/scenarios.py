"""Saved weight scenarios and the adoption of official weights, in the store.

Saving a scenario needs permission "scenarios"; adopting weights needs "weights" and becomes a new
official framework version from a chosen month on, in one transaction with an audit entry that
keeps who, when, the old and the new weights and why. Earlier months keep the version in force for
them (`Frameworks.framework_for`).

The store does not judge the new weights (that needs the scoring engine, which the store must not
import): `credit.app.service.adopt_weights` validates them with `credit.scoring.scenarios.adoptable`
and hands the checked framework text to `Scenarios.adopt`.

Private scenarios (permission "private_scenarios", 领导): saved with the account as `owner`, listed
and read only for that account, deletable only by it, and never adoptable — the rows are checked
here, so calling the store directly as another account reads nothing and deletes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credit.common.text import NOTE, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, PermissionDenied, authorize
from credit.model.scenarios import Scenario, check_name, check_points, check_reason, weights_of_toml
from credit.store.core import Core
from credit.store.frameworks import Frameworks
from credit.store.util import check_group, check_month, dumps, now

_COLUMNS = "id, name, group_name, month, points, note, created_by, created_at, owner"
_NOT_YOURS = "未找到该方案，或该方案不是当前账户的私有方案（信用办的共享方案不能在此删除）。未删除任何方案。"


def _owner(by: Actor | None) -> str | None:
    """The username whose private scenarios `by` may see; None for nobody logged in."""
    return by.username if isinstance(by, Actor) else None


class Scenarios:
    """`scenarios` table operations and the adoption of official weights."""

    def __init__(self, core: Core, frameworks: Frameworks):
        self._core, self._frameworks = core, frameworks

    def save_scenario(self, name: str, group: str, month: str, points: Mapping[str, float],
                      note: str, by: Actor, *, private: bool = False) -> int:
        """Save a named scenario; returns its id. Shared ones (信用办, "scenarios") have names unique
        within a group; a private one ("private_scenarios", 领导) is the account's own, its name
        unique among that account's private scenarios of the group."""
        who = authorize(by, Action.PRIVATE_SCENARIOS if private else Action.SCENARIOS)
        owner = by.username if private else ""
        name = check_name(name)
        check_text(note, "方案说明", limit=NOTE, multiline=True)
        points = check_points(points)
        self._frameworks.framework_for(group, month)  # checks group and month
        with self._core.write():
            if self._core.one("SELECT id FROM scenarios WHERE group_name = ? AND owner = ? AND name = ?",
                              (group, owner, name)):
                mine = "你的私有方案中" if private else f"「{group}」"
                raise CreditError(f"{mine}已有名为「{name}」的方案，请换一个名称")
            scenario_id = self._core.db["scenarios"].insert({
                "name": name, "group_name": group, "month": month, "points": dumps(points),
                "note": (note or "").strip(), "created_by": who, "created_at": now(), "owner": owner,
            }).last_pk
            detail: dict[str, object] = {"scenario_id": scenario_id, "name": name, "group": group, "month": month}
            # a private scenario's weights and note stay the leader's own; the log says only that one was saved
            detail |= {"private": True} if private else {"points": points, "note": note}
            self._core.changed(who, "scenario.save", detail)
        return int(scenario_id)

    def scenarios(self, group: str, *, by: Actor | None) -> list[Scenario]:
        """A group's shared scenarios and `by`'s own private ones (none without `by`), newest first."""
        rows = self._core.all(f"SELECT {_COLUMNS} FROM scenarios WHERE group_name = ? AND owner IN ('', ?)"
                              " ORDER BY id DESC", (group, _owner(by) or ""))
        return [Scenario.from_row(r) for r in rows]

    def scenario(self, scenario_id: int, *, by: Actor | None) -> Scenario | None:
        """One scenario; None when there is none, or it is another account's private one."""
        row = self._core.one(f"SELECT {_COLUMNS} FROM scenarios WHERE id = ? AND owner IN ('', ?)",
                             (int(scenario_id), _owner(by) or ""))
        return Scenario.from_row(row) if row else None

    def delete_scenario(self, scenario_id: int, by: Actor) -> None:
        """Delete one of `by`'s own private scenarios (audited). Shared scenarios and other accounts'
        private ones are refused with one message, so an id cannot be probed for someone's scenario."""
        who = authorize(by, Action.PRIVATE_SCENARIOS)
        with self._core.write():
            row = self._core.one(f"SELECT {_COLUMNS} FROM scenarios WHERE id = ? AND owner = ?",
                                 (int(scenario_id), by.username))
            if row is None:
                raise PermissionDenied(_NOT_YOURS)
            self._core.db.execute("DELETE FROM scenarios WHERE id = ?", (row["id"],))
            self._core.changed(who, "scenario.delete", {"scenario_id": row["id"], "name": row["name"],
                                                        "group": row["group_name"], "private": True})

    def adopt(self, group: str, effective_month: str, toml_text: str, by: Actor, reason: str, *,
              based_on: tuple[int | None, str | None], scenario_id: int | None = None, correction: str = "") -> int:
        """Save the (already validated) `toml_text` as `group`'s official framework from `effective_month`.

        `based_on` is (version id, effective month) of the framework the weights were made against;
        if another version is in force in `effective_month` by now, the adoption is refused, since
        the what-if the office looked at is no longer what would change. Returns the new framework id.
        """
        who = authorize(by, Action.WEIGHTS)
        reason = check_reason(reason)
        check_group(group)
        check_month(effective_month)
        based_id, based_from = based_on
        with self._core.write():
            if scenario_id is not None and self._core.scalar(
                    "SELECT owner <> '' FROM scenarios WHERE id = ?", (int(scenario_id),)):
                raise CreditError("私有权重方案只供保存者本人参考，不能发布为官方权重。未写入任何数据。")
            old_id, old_text, old_from = self._frameworks.framework_for(group, effective_month)
            if based_id is not None and old_id != based_id:
                raise CreditError(
                    f"{effective_month} 执行的是另一版本的指标体系（{old_from} 起），与模拟所用版本"
                    f"（{based_from} 起）不同。请把考核月份切换到 {effective_month} 后重新模拟再发布。"
                )
            framework_id = self._frameworks.save_framework(group, effective_month, toml_text, by, reason,
                                                           correction=correction)
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
