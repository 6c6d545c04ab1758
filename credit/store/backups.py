"""The record of backups the platform made (nightly `backup --dir`, the 系统维护 page's download).

Why in the database: `doctor` and the 系统维护 page must know when the last backup was made and
where it went without being told the backup directory a second time (the timer's command line
already names it). The rows are insert-only; making the backup file itself is
`credit.store.maintenance`'s work, which records it here after the copy has been checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from credit.model.accounts import Action, Actor, authorize
from credit.store.core import Core
from credit.store.util import now


class Backups:
    """Insert-only log of backups: `record` after a checked copy, `last`/`recent` to read."""

    def __init__(self, core: Core):
        self._core = core

    def record(self, path: Path | None, size: int, sha256: str, by: Actor) -> None:
        """Note a backup (`path` None: handed out as a download, not kept on the server)."""
        who = authorize(by, Action.MAINTENANCE)
        action = "backup.make" if path is not None else "backup.download"
        where = str(path) if path is not None else ""
        with self._core.write():
            self._core.db["backup_log"].insert(
                {"path": where, "size": int(size), "sha256": sha256, "made_by": who, "made_at": now()})
            self._core.audit(who, action, {"path": where, "size": int(size), "sha256": sha256})

    def recent(self, limit: int = 10) -> list[dict[str, Any]]:
        """Newest first."""
        return self._core.all("SELECT * FROM backup_log ORDER BY id DESC LIMIT ?", (int(limit),))

    def last(self, *, kept_only: bool = True) -> dict[str, Any] | None:
        """The newest backup kept on the server (or of any kind when `kept_only` is False)."""
        where = "WHERE path != ''" if kept_only else ""
        return self._core.one(f"SELECT * FROM backup_log {where} ORDER BY id DESC LIMIT 1")
