"""Exports recorded in the audit log: who took which report out of the platform, and when.

Reading is open to every logged-in role, so any account may record its own export; but only as
an export of its own, with a fixed action name. The row is written by this operation in its own
transaction; nobody can add an arbitrary audit row (an `account.add`, an `import`) through it.
"""

from __future__ import annotations

from credit.errors import CreditError
from credit.model.accounts import ROLES, Actor, PermissionDenied
from credit.store.core import Core
from credit.store.util import check_month

BULLETIN_FORMATS = ("docx", "xlsx", "pdf")


class Exports:
    """Audit rows for reports leaving the platform (no data changes, so no data_version bump)."""

    def __init__(self, core: Core):
        self._core = core

    def record_export(self, month: str, fmt: str, by: Actor, *, size: int, red: int = 0, yellow: int = 0) -> None:
        """Record that `by` exported the bulletin of `month` as `fmt` (`size` bytes, alert counts)."""
        if not isinstance(by, Actor) or by.role not in ROLES:
            raise PermissionDenied("未登录或缺少操作账户，导出记录未写入。")
        check_month(month)
        if fmt not in BULLETIN_FORMATS:
            raise CreditError(f"不支持的通报格式「{fmt}」，可选 docx（Word）、pdf 或 xlsx（Excel）")
        counts = {"bytes": size, "red": red, "yellow": yellow}
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in counts.values()):
            raise CreditError(f"导出记录的数量应为非负整数：{counts}")
        with self._core.write():
            self._core.audit(by.username, "bulletin.export", {"month": month, "format": fmt, **counts})
