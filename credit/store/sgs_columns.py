"""A unit's remembered 双公示 column mapping (`sgs_column_maps`): which header of its export holds a
field the alias table did not recognise, so the next export of the same system is read at once.

Who may save: the office and admin for any unit, a 被考核单位 account for its own unit only
(`check_unit`, here in the domain). Every change is audited; the header text is checked at this
boundary (length, invisible characters) whatever page or command sent it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from credit.common.clock import now
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize, check_unit
from credit.store.core import Core

MAX_HEADER = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _clean(text: object, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise CreditError(f"{what}不能为空")
    if len(text) > MAX_HEADER:
        raise CreditError(f"{what}超过 {MAX_HEADER} 个字，不像是表头文字")
    if _CONTROL.search(text):
        raise CreditError(f"{what}含有不可见的控制字符")
    return text.strip()


class SgsColumns:
    """Read and save per-unit column mappings, {kind key: {standard field: header text}}."""

    def __init__(self, core: Core):
        self._core = core

    def get(self, unit_id: str, *, by: Actor | None) -> dict[str, dict[str, str]]:
        """The unit's remembered mapping. Not public: only an account that may use the 双公示预检
        reads it (信用办 and 管理员 any unit's, a 被考核单位 account its own); without one it is refused."""
        authorize(by, Action.PRECHECK)
        check_unit(by, unit_id, "双公示列对应")
        return self._read(unit_id)

    def _read(self, unit_id: str) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for r in self._core.all("SELECT kind, field, header FROM sgs_column_maps WHERE unit_id = ? ORDER BY kind, field",
                                [unit_id]):
            out.setdefault(r["kind"], {})[r["field"]] = r["header"]
        return out

    def save(self, unit_id: str, kind: str, mapping: Mapping[str, str], by: Actor) -> dict[str, str]:
        """Set the unit's headers for these fields of `kind` (others kept); returns what changed."""
        who = authorize(by, Action.PRECHECK)
        check_unit(by, unit_id, "双公示列对应")
        if not self._core.scalar("SELECT 1 FROM units WHERE id = ?", [unit_id]):
            raise CreditError(f"单位编号「{unit_id}」不在单位名册中")
        clean = {_clean(f, "字段名"): _clean(h, f"「{f}」对应的列名") for f, h in mapping.items()}
        at = now()
        with self._core.write():
            old = self._read(unit_id).get(kind, {})  # `by` was authorised above
            changed = {f: h for f, h in clean.items() if old.get(f) != h}
            if not changed:
                return {}
            self._core.db["sgs_column_maps"].upsert_all(
                [{"unit_id": unit_id, "kind": kind, "field": f, "header": h, "saved_by": who, "saved_at": at}
                 for f, h in changed.items()], pk=("unit_id", "kind", "field"))
            self._core.changed(who, "sgs.columns", {"unit_id": unit_id, "kind": kind, "columns": changed})
        return changed

    def forget(self, unit_id: str, kind: str, fld: str, by: Actor) -> bool:
        who = authorize(by, Action.PRECHECK)
        check_unit(by, unit_id, "双公示列对应")
        with self._core.write():
            n = self._core.db.execute("DELETE FROM sgs_column_maps WHERE unit_id = ? AND kind = ? AND field = ?",
                                      [unit_id, kind, fld]).rowcount
            if n:
                self._core.changed(who, "sgs.columns.forget", {"unit_id": unit_id, "kind": kind, "field": fld})
        return bool(n)
