"""Indicator frameworks (指标体系) and 信易贷 targets in the store.

A framework is versioned by effective month: saving one never rewrites an older version, and the
version in force in a month is the latest one effective on or before it, so earlier months keep
being scored as they were. Only TOML syntax is checked here; `credit.model.framework` checks the
meaning before anything is saved (and `credit.app.service.adopt_weights` for an adoption).
"""

from __future__ import annotations

import math
from typing import Any

from credit.common.toml_text import read_toml
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.model.contract import MAX_COUNT
from credit.store.core import Core
from credit.store.signed import guard_signed
from credit.store.util import check_group, check_month, now

_FRAMEWORK_COLUMNS = "id, group_name, effective_month, toml, created_by, created_at, reason, kind"


def check_toml(group: str, text: str) -> None:
    """Syntax only: the framework module checks the meaning before anything is saved."""
    read_toml(text, f"「{group}」指标体系")


class Frameworks:
    """`frameworks` (official versions by effective month) and `xyd_targets` (per year)."""

    def __init__(self, core: Core):
        self._core = core

    def framework_for(self, group: str, month: str) -> tuple[int, str, str]:
        """(id, toml, effective_month) of the official framework in force in `month`.

        That is the one with the greatest effective month ≤ `month` (the latest save wins a
        tie); a month before every version falls back to the earliest version.
        """
        check_group(group)
        check_month(month)
        conn = self._core.conn
        base = "SELECT id, toml, effective_month FROM frameworks WHERE group_name = ? AND kind = 'official'"
        row = (
            conn.execute(
                base + " AND effective_month <= ? ORDER BY effective_month DESC, id DESC LIMIT 1",
                (group, month),
            ).fetchone()
            or conn.execute(base + " ORDER BY effective_month ASC, id DESC LIMIT 1", (group,)).fetchone()
        )
        if row is None:
            raise CreditError(f"尚未设置「{group}」的指标体系，请先导入指标体系文件")
        return row[0], row[1], row[2]

    def framework_by_id(self, framework_id: int) -> tuple[int, str, str]:
        """(id, toml, effective_month) of one stored version: a signed month's record names the
        version it was scored with, which need not be the one in force for that month today."""
        row = self._core.conn.execute("SELECT id, toml, effective_month FROM frameworks WHERE id = ?",
                                      (int(framework_id),)).fetchone()
        if row is None:
            raise CreditError(f"指标体系版本 #{framework_id} 不存在")
        return row[0], row[1], row[2]

    def groups(self) -> set[str]:
        """Groups that have at least one framework version."""
        return {r[0] for r in self._core.conn.execute("SELECT DISTINCT group_name FROM frameworks")}

    def save_framework(self, group: str, effective_month: str, toml_text: str, by: Actor, reason: str = "", *,
                       correction: str = "") -> int:
        """Adopt a new official framework version; saving the same text again is a no-op.

        Only TOML syntax is checked here; the framework module checks the meaning before this.
        Joins the caller's write transaction when there is one (weight adoption, seeding).
        """
        who = authorize(by, Action.WEIGHTS)
        check_group(group)
        check_month(effective_month)
        check_toml(group, toml_text)
        with self._core.write():
            same = self._core.one(
                "SELECT id, toml FROM frameworks WHERE group_name = ? AND kind = 'official'"
                " AND effective_month = ? ORDER BY id DESC LIMIT 1",
                (group, effective_month),
            )
            if same and same["toml"] == toml_text:
                return int(same["id"])
            signed = guard_signed(self._core, effective_month, f"「{group}」指标体系新版本", correction)
            if signed:
                reason = f"{reason}；更正：{correction.strip()}（影响已签发月份 {'、'.join(signed)}）".lstrip("；")
            row = {
                "group_name": group,
                "effective_month": effective_month,
                "toml": toml_text,
                "created_by": who,
                "created_at": now(),
                "reason": reason,
                "kind": "official",
            }
            framework_id = int(self._core.db["frameworks"].insert(row).last_pk)
            self._core.changed(
                who,
                "framework.save",
                {"framework_id": framework_id, "group": group, "effective_month": effective_month, "reason": reason},
            )
        return framework_id

    def framework_versions(self, group: str) -> list[dict[str, Any]]:
        """All official versions of a group's framework, oldest effective month first."""
        return self._core.all(
            f"SELECT {_FRAMEWORK_COLUMNS} FROM frameworks WHERE group_name = ?"
            " AND kind = 'official' ORDER BY effective_month, id",
            (check_group(group),),
        )

    # -- 信易贷 targets ------------------------------------------------------------------------

    def xyd_target(self, year: int) -> tuple[float, float] | None:
        """(opening figure, target) of the year, or None when not set."""
        row = self._core.conn.execute(
            "SELECT opening, target FROM xyd_targets WHERE year = ?", (int(year),)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def xyd_targets(self) -> dict[int, tuple[float, float]]:
        rows = self._core.conn.execute("SELECT year, opening, target FROM xyd_targets ORDER BY year")
        return {y: (o, t) for y, o, t in rows}

    def set_xyd_target(self, year: int, opening: float, target: float, by: Actor) -> None:
        """Set a year's 信易贷 opening figure and target; the same values again write nothing."""
        who = authorize(by, Action.SETTINGS)
        if not 2000 <= int(year) <= 2100:
            raise CreditError(f"年份 {year} 超出范围")
        for what, value in (("年初信易贷注册企业数", opening), ("信易贷新增目标", target)):
            # the contract's bound for the count it stands for; NaN, inf and 1e300 are refused here too
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not 0 <= value <= MAX_COUNT:
                raise CreditError(f"{year} 年{what}「{value}」超出合理范围：应为 0 到 {MAX_COUNT:,} 之间的数值")
        if target <= 0:
            raise CreditError(f"{year} 年信易贷目标应大于 0")
        year, opening, target = int(year), float(opening), float(target)
        with self._core.write():
            if self.xyd_target(year) == (opening, target):
                return
            self._core.db["xyd_targets"].upsert(
                {"year": year, "opening": opening, "target": target, "updated_by": who, "updated_at": now()},
                pk="year",
            )
            self._core.changed(who, "xyd.set", {"year": year, "opening": opening, "target": target})
