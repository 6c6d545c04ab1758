"""The one connection every store part shares: opening, WAL, migrations, transactions, audit.

Why it looks like this:
- Every write is one `BEGIN IMMEDIATE` transaction (`Core.write()`): it takes the write lock up
  front, so two imports are serialised by SQLite (WAL lets readers go on meanwhile) and a second
  writer waits at most the busy timeout and then gets `StoreBusyError` instead of a half-done write.
- The audit row of an operation is written by that operation, inside its own write transaction
  (`changed()` for a real change, `audit()` for a login or an export), so an audit row exists
  exactly when the thing it records happened. Only the parts in `credit.store` hold a `Core`; the
  facade keeps it private, so there is no public way to add an arbitrary audit row.
- `data_version()` is a counter bumped by every real change (`changed()`); cache loaders key on it.

Threading: a `Core` owns one `sqlite3` connection with `check_same_thread=True`; one per thread.
`handover=True` lifts the thread check for a caller that hands the whole store from one thread
to the next and never uses it from two at once (the app's per-run pool, `ui.context`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from credit.errors import CreditError, StoreBusyError
from credit.store.schema import MIGRATIONS
from credit.store.util import dumps, now, private

UPGRADE_WHO = "系统升级"


@dataclass(frozen=True)
class Upgrade:
    """What opening an older database did: the migrations applied and the copy kept beforehand."""

    migrations: tuple[str, ...]
    backup: Path


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite refused because another connection holds the lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


class Core:
    """Connection, schema migration, transactions, audit rows and small read helpers."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000, handover: bool = False):
        self.path = Path(path)
        self._writing = False
        self.upgrade: Upgrade | None = None  # set when opening applied migrations to an existing database
        self._busy_timeout_ms = int(busy_timeout_ms)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: the driver opens no implicit transactions; we (and sqlite-utils'
        # atomic()) issue BEGIN/COMMIT explicitly, so what is in a transaction is visible here.
        self.conn = sqlite3.connect(str(self.path), timeout=busy_timeout_ms / 1000, isolation_level=None,
                                    check_same_thread=not handover)
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.db = Database(self.conn, execute_plugins=False)
            self._enable_wal(busy_timeout_ms)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
                raise StoreBusyError() from exc
            raise CreditError(f"无法打开数据库文件 {self.path.name}：{exc}") from exc
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def _enable_wal(self, busy_timeout_ms: int) -> None:
        """Switch a new file to WAL, retrying: SQLite does not run the busy handler for this.

        When several sessions open a brand-new file at once, one switches it and the others
        get SQLITE_BUSY at once; on retry they find WAL already set (it is stored in the file).
        """
        deadline = time.monotonic() + busy_timeout_ms / 1000
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        """Apply pending migrations, all in one BEGIN IMMEDIATE transaction (all or none).

        The pending list is re-read under the lock, so when two sessions open a new file at
        once the second finds nothing left to do instead of failing on "table exists".
        An existing database (one that has applied migrations before) is an UPGRADE: a copy of it
        is written beside it first (`<name>.pre-upgrade-<time>.db`), inside the same lock, and the
        upgrade is recorded in the audit log with the migrations it applied and that copy's name
        (`self.upgrade`). No copy, no upgrade: a directory that cannot take the copy refuses.
        """
        if not MIGRATIONS.pending(self.db):
            return
        with self.write():
            pending = [m.name for m in MIGRATIONS.pending(self.db)]
            if not pending:
                return
            existing = self._has_history()
            saved = self._pre_upgrade_copy() if existing else None
            MIGRATIONS.apply(self.db)
            if saved is not None:
                self.upgrade = Upgrade(tuple(pending), saved)
                self.changed(UPGRADE_WHO, "schema.upgrade", {"migrations": pending, "backup": saved.name})

    def _has_history(self) -> bool:
        try:
            return bool(self.scalar("SELECT COUNT(*) FROM _sqlite_migrations"))
        except sqlite3.OperationalError:  # no such table: a new file
            return False

    def _pre_upgrade_copy(self) -> Path:
        """A consistent copy of the database as it is before the upgrade (SQLite's backup API)."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = self.path.with_name(f"{self.path.stem}.pre-upgrade-{stamp}.db")
        n = 1
        while dest.exists():
            n += 1
            dest = self.path.with_name(f"{self.path.stem}.pre-upgrade-{stamp}-{n}.db")
        try:
            # from a second connection: this one holds the write lock, and SQLite refuses a backup from a
            # connection that is writing; a reader (WAL) sees exactly what was committed before the lock
            source, target = sqlite3.connect(str(self.path)), sqlite3.connect(str(dest))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        except (OSError, sqlite3.Error) as exc:
            dest.unlink(missing_ok=True)
            raise CreditError(
                f"数据库需要升级，但升级前无法在 {dest.parent} 中保存备份（{exc}）。未做任何修改；"
                "请检查该目录的写入权限与磁盘空间后重试。") from exc
        private(dest)
        return dest

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def write(self, *, wait_ms: int | None = None) -> Iterator[None]:
        """One write transaction: all or nothing, write lock taken up front.

        Nested use joins the outer transaction, so one part's operation can call another's
        (adopting weights saves a framework version; seeding adds units and frameworks) and the
        whole stays one all-or-nothing write; an error anywhere rolls the outer one back.
        `wait_ms` waits longer than the connection's busy timeout for the lock: logins queue on
        it one password check at a time, and a burst of them should wait, not fail as busy.
        """
        if self._writing:
            yield
            return
        try:
            if wait_ms is not None:
                self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise StoreBusyError() from exc
            raise
        finally:
            if wait_ms is not None:
                self.conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        self._writing = True
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
                raise StoreBusyError() from exc
            raise
        finally:
            self._writing = False

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database, even while another connection imports.

        Without it each query sees the latest commit, so reading a month's sheets one query at a
        time can pair one sheet from before an import with another from after it. One read
        transaction (WAL keeps its snapshot) closes that gap; nested use joins the outer one.
        Do not write inside: the write would fail to start its own transaction.
        """
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _require_write(self) -> None:
        if not self._writing:
            raise RuntimeError("audit rows are written only inside the operation's write() transaction")

    def changed(self, who: str, action: str, detail: Mapping[str, object]) -> None:
        """Record a real change: audit entry plus data_version bump, inside the caller's `write()`."""
        self.audit(who, action, detail)
        self.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")

    def changed_many(self, who: str, action: str, details: Sequence[Mapping[str, object]]) -> None:
        """`changed` for a batch: one audit row per item written in one statement, one bump."""
        self._require_write()
        at = now()
        self.db["audit"].insert_all({"at": at, "who": who, "action": action, "detail": dumps(dict(d))} for d in details)
        self.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")

    def audit(self, who: str, action: str, detail: Mapping[str, object]) -> None:
        """An audit entry alone (logins, exports): no data changed, so cached pages stay valid."""
        self._require_write()
        self.db["audit"].insert({"at": now(), "who": who, "action": action, "detail": dumps(dict(detail))})

    # -- reading -------------------------------------------------------------------------------

    def all(self, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        keys = [d[0] for d in cur.description]
        return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]

    def one(self, sql: str, params: tuple | list = ()) -> dict[str, Any] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: tuple | list = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def data_version(self) -> int:
        """Monotonic counter of real writes; key caches on it so a new import shows at once."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    def meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def audit_log(self, limit: int | None = 200, action: str | None = None) -> list[dict]:
        """Newest first; `detail` decoded from JSON."""
        sql = "SELECT id, at, who, action, detail FROM audit"
        params: list[object] = []
        if action:
            sql += " WHERE action = ?"
            params.append(action)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self.all(sql, params)
        for r in rows:
            r["detail"] = json.loads(r["detail"])
        return rows

    # -- the file ------------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (e.g. before copying the file by hand)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, dest_path: str | Path) -> None:
        """Consistent online copy through SQLite's backup API; readers and writers may go on."""
        dest = Path(dest_path)
        if dest.resolve() == self.path.resolve():
            raise CreditError("备份文件不能与数据库文件相同")
        dest.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(str(dest))
        try:
            self.conn.backup(target)
        finally:
            target.close()
