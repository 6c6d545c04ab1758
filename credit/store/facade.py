"""The versioned SQLite store: archive, dataset versions, unit register, frameworks, settings.

Why it looks like this:
- Every upload is archived byte for byte (never edited), and each (month, sheet) dataset is a
  chain of versions of which exactly one is current; undo is "restore an old version", itself a
  new version, so nothing is ever deleted and every number on a page can be traced to a file.
- Every write is one `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so two
  imports are serialised by SQLite (WAL lets readers go on meanwhile) and a second writer waits
  at most the busy timeout and then gets `StoreBusyError` instead of a half-done import.
  Writes that would change nothing write nothing: re-importing the same file leaves the
  database file byte-for-byte identical (no archive row, no audit entry, same data_version).
- `data_version()` is a counter bumped by every real write; cache loaders key on it.

Threading: a `Store` owns one `sqlite3` connection with `check_same_thread=True`. Use one
`Store` per thread. In Streamlit, open it per script run (`with credit.app.service.open_store() as store:`,
about a millisecond) and never put it in `st.cache_resource` or `st.session_state`: reruns of
one session run on different threads. Cache the *data* with `st.cache_data`, keyed on
`store.data_version()`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from sqlite_utils import Database

from credit.errors import ConfigError, CreditError, StoreBusyError
from credit.model.accounts import SYSTEM, Actor, authorize
from credit.model.contract import ITEM_COL, SHEETS, UNIT_COL, Sheet
from credit.model.parsed import ParsedWorkbook
from credit.model.units import GROUPS, KINDS, Unit, UnitRegister, norm_name
from credit.store.accounts import AccountsMixin
from credit.store.registers import RegistersMixin
from credit.store.scenarios import ScenariosMixin
from credit.store.schema import MIGRATIONS
from credit.store.util import dumps, now

DEFAULT_XYD_TARGETS: dict[int, tuple[float, float]] = {2022: (269.0, 4000.0)}
SEED_MONTH = "2000-01"  # effective month of seeded names and frameworks: "since always"
SYSTEM_USER = "系统初始化"

_RESERVED_META = frozenset({"data_version"})
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_UNIT_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")
_VERSION_COLUMNS = """
    v.id, v.month, v.sheet, v.version, v.upload_id, u.filename, v.content_hash, v.row_count,
    v.created_by, v.created_at, v.action, v.restored_from, v.is_current
"""
_VERSION_FROM = "dataset_versions v LEFT JOIN uploads u ON u.id = v.upload_id"
_FRAMEWORK_COLUMNS = "id, group_name, effective_month, toml, created_by, created_at, reason, kind"


@dataclass
class ImportResult:
    """What an import did. `upload_id` is None only when the workbook held no sheet at all."""

    month: str
    upload_id: int | None
    created: list[tuple[str, int]] = field(default_factory=list)  # (sheet, new version number)
    unchanged: list[str] = field(default_factory=list)  # sheets identical to their current version

    @property
    def changed(self) -> bool:
        return bool(self.created)


@dataclass(frozen=True)
class SeedGaps:
    """What a database still lacks of the defaults; falsy when nothing is missing."""

    units: bool
    framework_groups: tuple[str, ...]
    xyd_years: tuple[int, ...]

    def __bool__(self) -> bool:
        return self.units or bool(self.framework_groups) or bool(self.xyd_years)


_now = now
_dumps = dumps


def check_month(month: str) -> str:
    """Return `month` if it is 'YYYY-MM', else raise a message an official can act on."""
    if not isinstance(month, str) or not _MONTH_RE.match(month):
        raise CreditError(f"月份「{month}」格式有误，应为 YYYY-MM，例如 2022-03")
    return month


def _check_group(group: str) -> str:
    if group not in GROUPS:
        raise CreditError(f"分组应为 {' 或 '.join(GROUPS)}，实际为「{group}」")
    return group


def _sheet(name: str) -> Sheet:
    try:
        return SHEETS[name]
    except KeyError:
        raise CreditError(f"未知的工作表「{name}」，可用的工作表：{'、'.join(SHEETS)}") from None


def _check_toml(group: str, text: str) -> None:
    """Syntax only: the framework module checks the meaning before anything is saved."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"「{group}」指标体系不是有效的 TOML：{exc}") from exc


def _month_range(year: int, upto_month: int) -> tuple[str, str]:
    if not 1 <= upto_month <= 12:
        raise CreditError(f"截止月份应在 1 到 12 之间，实际为 {upto_month}")
    return f"{year:04d}-01", f"{year:04d}-{upto_month:02d}"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _number(value: object, where: str) -> float | None:
    """A fact value: float or None (blank). NaN counts as blank; text is a caller bug."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CreditError(f"{where}：「{value}」不是数字")
    number = float(value)
    return None if math.isnan(number) else number


def _content_rows(sheet: Sheet, records: list[dict[str, object]]) -> tuple[str, list[dict]]:
    """Turn a parsed sheet into rows for `facts` or `records` (without version_id).

    Pure and done before the write lock is taken, so the lock is held only for the inserts.
    """
    rows: list[dict] = []
    for i, rec in enumerate(records, start=1):
        row_no = rec.get("row")
        where = f"工作表「{sheet.name}」第 {row_no or i} 行"
        if sheet.layout == "records":
            data = {k: v for k, v in rec.items() if k not in ("row", "unit_id")}
            rows.append({"row_no": row_no, "unit_id": rec.get("unit_id"), "data": _dumps(data)})
        elif sheet.layout == "item":
            item = rec.get("item")
            if not item:
                raise CreditError(f"{where}：缺少「{ITEM_COL}」")
            value = _number(rec.get("value"), f"{where}「{item}」")
            rows.append({"row_no": row_no, "unit_id": None, "field": item, "value": value})
        else:
            unit_id = rec.get("unit_id")
            if not unit_id:
                raise CreditError(f"{where}：缺少单位编号（unit_id）")
            for key, raw in rec.items():
                if key in ("row", "unit_id", UNIT_COL):
                    continue
                value = _number(raw, f"{where}「{key}」列")
                rows.append({"row_no": row_no, "unit_id": unit_id, "field": key, "value": value})
    return ("records" if sheet.layout == "records" else "facts"), rows


@dataclass(frozen=True)
class _PreparedSheet:
    name: str
    content_hash: str
    row_count: int
    table: str  # "facts" or "records"
    rows: list[dict]


@dataclass(frozen=True)
class _PreparedImport:
    month: str
    filename: str
    raw: bytes
    sha256: str
    sheets: list[_PreparedSheet]


def _prepare_import(parsed: ParsedWorkbook, raw: bytes, filename: str) -> _PreparedImport:
    """Everything about an import that needs no database: checks, hashes, rows to insert."""
    sheets = []
    for name, psheet in parsed.sheets.items():
        table, rows = _content_rows(_sheet(name), psheet.records)
        sheets.append(_PreparedSheet(name, psheet.content_hash(), len(psheet.records), table, rows))
    return _PreparedImport(check_month(parsed.month), filename, raw, hashlib.sha256(raw).hexdigest(), sheets)


class Store(AccountsMixin, RegistersMixin, ScenariosMixin):
    """One connection to the platform's SQLite database; see the module docstring for threads.

    Opening creates the file and schema if needed and applies pending migrations; it does not
    seed defaults (callers run `seed_defaults`, a no-op once seeded), so tests get an empty store.
    """

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: the driver opens no implicit transactions; we (and sqlite-utils'
        # atomic()) issue BEGIN/COMMIT explicitly, so what is in a transaction is visible here.
        self._conn = sqlite3.connect(str(self.path), timeout=busy_timeout_ms / 1000, isolation_level=None)
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._db = Database(self._conn, execute_plugins=False)
            self._enable_wal(busy_timeout_ms)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise StoreBusyError() from exc
            raise CreditError(f"无法打开数据库文件 {self.path.name}：{exc}") from exc
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _enable_wal(self, busy_timeout_ms: int) -> None:
        """Switch a new file to WAL, retrying: SQLite does not run the busy handler for this.

        When several sessions open a brand-new file at once, one switches it and the others
        get SQLITE_BUSY at once; on retry they find WAL already set (it is stored in the file).
        """
        deadline = time.monotonic() + busy_timeout_ms / 1000
        while True:
            try:
                self._db.enable_wal()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        """Apply pending migrations, each in its own BEGIN IMMEDIATE transaction.

        The pending list is re-read under the lock, so when two sessions open a new file at
        once the second finds nothing left to do instead of failing on "table exists".
        """
        while MIGRATIONS.pending(self._db):
            with self._write():
                pending = MIGRATIONS.pending(self._db)
                if not pending:
                    break
                stop = pending[1].name if len(pending) > 1 else None
                MIGRATIONS.apply(self._db, stop_before=stop)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction: all or nothing, write lock taken up front."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise StoreBusyError() from exc
            raise
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise StoreBusyError() from exc
            raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database, even while another connection imports.

        Without it each query sees the latest commit, so reading a month's sheets one query at a
        time can pair one sheet from before an import with another from after it. One read
        transaction (WAL keeps its snapshot) closes that gap; nested use joins the outer one.
        Do not write inside: the write would fail to start its own transaction.
        """
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def _changed(self, who: str, action: str, detail: Mapping[str, object]) -> None:
        """Record a real change: audit entry plus data_version bump (callers are in _write)."""
        self._audit(who, action, detail)
        self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")

    def _audit(self, who: str, action: str, detail: Mapping[str, object]) -> None:
        """An audit entry alone (logins, exports): no data changed, so cached pages stay valid."""
        self._db["audit"].insert({"at": _now(), "who": who, "action": action, "detail": _dumps(dict(detail))})

    # -- small read helpers --------------------------------------------------------------------

    def _all(self, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
        cur = self._conn.execute(sql, params)
        keys = [d[0] for d in cur.description]
        return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]

    def _one(self, sql: str, params: tuple | list = ()) -> dict[str, Any] | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _scalar(self, sql: str, params: tuple | list = ()) -> Any:
        row = self._conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def data_version(self) -> int:
        """Monotonic counter of real writes; key caches on it so a new import shows at once."""
        return int(self._scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A free-form setting (e.g. "demo" = "1" marks a demo database)."""
        value = self._scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if value is None else str(value)

    def set_meta(self, key: str, value: str, by: Actor = SYSTEM) -> None:
        """Set a free-form setting; the same value again writes nothing."""
        by = authorize(by, "settings")
        if key in _RESERVED_META:
            raise CreditError(f"设置项「{key}」由系统维护，不能直接修改")
        with self._write():
            if self.get_meta(key) == str(value):
                return
            self._db["meta"].upsert({"key": key, "value": str(value)}, pk="key")
            self._changed(by, "meta.set", {"key": key, "value": str(value)})

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (e.g. before copying the file by hand)."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, dest_path: str | Path) -> None:
        """Consistent online copy through SQLite's backup API; readers and writers may go on."""
        dest = Path(dest_path)
        if dest.resolve() == self.path.resolve():
            raise CreditError("备份文件不能与数据库文件相同")
        dest.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(str(dest))
        try:
            self._conn.backup(target)
        finally:
            target.close()

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
        rows = self._all(sql, params)
        for r in rows:
            r["detail"] = json.loads(r["detail"])
        return rows

    # -- import and dataset versions -----------------------------------------------------------

    def import_workbook(self, parsed: ParsedWorkbook, raw: bytes, filename: str, by: Actor) -> ImportResult:
        """Archive the file and make a new current version of every sheet whose content changed.

        All in one transaction: on any error nothing is written (not even the archive). A sheet
        whose content hash equals its current version is left alone; a file already archived
        (same sha256) is reused. So re-importing an identical file writes nothing at all.
        """
        return self.import_workbooks([(parsed, raw, filename)], by)[0]

    def import_workbooks(self, items: Sequence[tuple[ParsedWorkbook, bytes, str]], by: Actor) -> list[ImportResult]:
        """Import several files (parsed, raw bytes, filename) in ONE transaction: all or none.

        The files are handled in order, so a later file's sheet supersedes an earlier one's for
        the same (month, sheet). Shapes are checked before the write lock is taken.
        """
        by = authorize(by, "import")  # type: ignore[assignment]
        prepared = [_prepare_import(p, raw, name) for p, raw, name in items]
        if not any(prep.sheets for prep in prepared):
            return [ImportResult(prep.month, None) for prep in prepared]
        with self._write():
            return [self._import_prepared(prep, by) for prep in prepared]

    def _import_prepared(self, prep: _PreparedImport, by: str) -> ImportResult:
        result = ImportResult(prep.month, None)
        if not prep.sheets:
            return result
        upload_id = self._scalar("SELECT id FROM uploads WHERE sha256 = ?", (prep.sha256,))
        new_upload = upload_id is None
        if new_upload:
            upload = {
                "sha256": prep.sha256,
                "filename": prep.filename,
                "size": len(prep.raw),
                "content": prep.raw,
                "uploaded_by": by,
                "uploaded_at": _now(),
            }
            upload_id = self._db["uploads"].insert(upload).last_pk
        result.upload_id = upload_id
        for sheet in prep.sheets:
            current = self._current_version(prep.month, sheet.name)
            if current and current["content_hash"] == sheet.content_hash:
                result.unchanged.append(sheet.name)
                continue
            version_id, version = self._new_version(
                prep.month,
                sheet.name,
                upload_id,
                sheet.content_hash,
                sheet.row_count,
                by,
                "import",
            )
            self._insert_content(sheet.table, version_id, sheet.rows, sheet.name)
            result.created.append((sheet.name, version))
        if new_upload or result.created:
            detail = {
                "month": prep.month,
                "filename": prep.filename,
                "upload_id": upload_id,
                "sha256": prep.sha256,
                "created": result.created,
                "unchanged": result.unchanged,
            }
            self._changed(by, "import", detail)
        return result

    def _current_version(self, month: str, sheet: str) -> dict[str, Any] | None:
        return self._one(
            f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE v.month = ? AND v.sheet = ? AND v.is_current = 1",
            (month, sheet),
        )

    def _new_version(
        self,
        month: str,
        sheet: str,
        upload_id: int | None,
        content_hash: str,
        row_count: int,
        by: str,
        action: str,
        restored_from: int | None = None,
    ) -> tuple[int, int]:
        """Append version max+1 for (month, sheet) and make it the only current one."""
        version = 1 + self._scalar(
            "SELECT COALESCE(MAX(version), 0) FROM dataset_versions WHERE month = ? AND sheet = ?",
            (month, sheet),
        )
        self._db.execute(
            "UPDATE dataset_versions SET is_current = 0 WHERE month = ? AND sheet = ? AND is_current = 1",
            (month, sheet),
        )
        version_id = (
            self._db["dataset_versions"]
            .insert(
                {
                    "month": month,
                    "sheet": sheet,
                    "version": version,
                    "upload_id": upload_id,
                    "content_hash": content_hash,
                    "row_count": row_count,
                    "created_by": by,
                    "created_at": _now(),
                    "action": action,
                    "restored_from": restored_from,
                    "is_current": 1,
                }
            )
            .last_pk
        )
        return version_id, version

    def _insert_content(self, table: str, version_id: int, rows: list[dict], sheet: str) -> None:
        """Insert a version's facts/records; unknown unit ids get a Chinese message, not an FK error."""
        unit_ids = {r["unit_id"] for r in rows if r["unit_id"] is not None}
        if unit_ids:
            marks = ",".join("?" * len(unit_ids))
            known = {r[0] for r in self._conn.execute(f"SELECT id FROM units WHERE id IN ({marks})", sorted(unit_ids))}
            unknown = sorted(unit_ids - known)
            if unknown:
                raise CreditError(f"工作表「{sheet}」中的单位编号不在单位名册中：{'、'.join(unknown)}")
        self._db[table].insert_all({"version_id": version_id, **r} for r in rows)

    def restore_version(self, version_id: int, by: Actor) -> dict[str, Any]:
        """Make an earlier version current again, as a new version that copies its content.

        Nothing is deleted or rewritten, so the restore itself can be undone the same way.
        Returns the new version's info (as in `versions()`).
        """
        by = authorize(by, "restore")  # type: ignore[assignment]
        with self._write():
            old = self._one(f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE v.id = ?", (version_id,))
            if old is None:
                raise CreditError(f"未找到编号为 {version_id} 的数据版本")
            label = f"{old['month']}「{old['sheet']}」第 {old['version']} 版"
            current = self._current_version(old["month"], old["sheet"])
            if current and current["id"] == old["id"]:
                raise CreditError(f"{label}已是当前版本，无需恢复")
            if current and current["content_hash"] == old["content_hash"]:
                raise CreditError(f"{label}与当前版本（第 {current['version']} 版）内容相同，无需恢复")
            new_id, new_version = self._new_version(
                old["month"],
                old["sheet"],
                old["upload_id"],
                old["content_hash"],
                old["row_count"],
                by,
                "restore",
                restored_from=old["id"],
            )
            for table, cols in (("facts", "row_no, unit_id, field, value"), ("records", "row_no, unit_id, data")):
                self._db.execute(
                    f"INSERT INTO {table} (version_id, {cols})"
                    f" SELECT ?, {cols} FROM {table} WHERE version_id = ? ORDER BY rowid",
                    (new_id, old["id"]),
                )
            self._changed(
                by,
                "restore",
                {
                    "month": old["month"],
                    "sheet": old["sheet"],
                    "restored_from": old["id"],
                    "from_version": old["version"],
                    "version_id": new_id,
                    "version": new_version,
                },
            )
        return self._version_info(new_id)

    def _version_info(self, version_id: int) -> dict[str, Any]:
        rows = self._versions("v.id = ?", [version_id])
        if not rows:
            raise CreditError(f"未找到编号为 {version_id} 的数据版本")
        return rows[0]

    def _versions(self, where: str, params: list[object]) -> list[dict[str, Any]]:
        rows = self._all(
            f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE {where}"
            " ORDER BY v.month DESC, v.sheet, v.version DESC",
            params,
        )
        for r in rows:
            r["is_current"] = bool(r["is_current"])
        return rows

    def versions(self, month: str | None = None, sheet: str | None = None) -> list[dict[str, Any]]:
        """Version history, newest month first and newest version first within a sheet.

        Keys: id, month, sheet, version, upload_id, filename, content_hash, row_count,
        created_by, created_at, action ('import'|'restore'), restored_from, is_current (bool).
        """
        clauses, params = ["1 = 1"], []
        if month is not None:
            clauses.append("v.month = ?")
            params.append(check_month(month))
        if sheet is not None:
            clauses.append("v.sheet = ?")
            params.append(_sheet(sheet).name)
        return self._versions(" AND ".join(clauses), params)

    def sheets_status(self, month: str) -> dict[str, dict[str, Any] | None]:
        """Every contract sheet (in contract order) → its current version info, or None."""
        current = {v["sheet"]: v for v in self._versions("v.month = ? AND v.is_current = 1", [check_month(month)])}
        return {name: current.get(name) for name in SHEETS}

    def months_with_data(self) -> list[str]:
        """Months that have at least one current dataset, ascending."""
        return [
            r[0]
            for r in self._conn.execute(
                "SELECT DISTINCT month FROM dataset_versions WHERE is_current = 1 ORDER BY month"
            )
        ]

    def upload_bytes(self, upload_id: int) -> tuple[str, bytes]:
        """The archived file exactly as uploaded, for download and re-parsing."""
        row = self._one("SELECT filename, content FROM uploads WHERE id = ?", (upload_id,))
        if row is None:
            raise CreditError(f"未找到编号为 {upload_id} 的上传文件")
        return row["filename"], bytes(row["content"])

    # -- reading datasets ----------------------------------------------------------------------

    def _current_rows(self, sheet: Sheet, first: str, last: str, cols: str | None = None) -> list[tuple]:
        """One query: (month, *cols) of the current versions of `sheet` in [first, last]."""
        if sheet.layout == "records":
            cols, table = cols or "r.row_no, r.unit_id, r.data", "records r"
        else:
            cols, table = cols or "r.row_no, r.unit_id, r.field, r.value", "facts r"
        return self._conn.execute(
            f"SELECT v.month, {cols} FROM dataset_versions v"
            f" JOIN {table} ON r.version_id = v.id"
            " WHERE v.is_current = 1 AND v.sheet = ? AND v.month BETWEEN ? AND ?"
            " ORDER BY v.month, r.row_no, r.rowid",
            (sheet.name, first, last),
        ).fetchall()

    def _records_by_month(self, sheet: Sheet, first: str, last: str) -> dict[str, list[dict]]:
        """Rebuild parsed.py-shaped records; 单位名称 is the register's name in that month."""
        out: dict[str, list[dict]] = {}
        rows = self._current_rows(sheet, first, last)
        if sheet.layout == "records":
            for month, row_no, unit_id, data in rows:
                out.setdefault(month, []).append({"row": row_no, "unit_id": unit_id, **json.loads(data)})
            return out
        if sheet.layout == "item":
            for month, row_no, _unit, item, value in rows:
                out.setdefault(month, []).append({"row": row_no, "item": item, "value": value})
            return out
        register = self.register() if rows else None
        by_key: dict[tuple[str, int | None, str], dict] = {}
        for month, row_no, unit_id, fld, value in rows:
            rec = by_key.get((month, row_no, unit_id))
            if rec is None:
                unit = register.by_id.get(unit_id) if register else None
                name = unit.name_at(month) if unit else unit_id
                rec = {"row": row_no, "unit_id": unit_id, UNIT_COL: name}
                by_key[(month, row_no, unit_id)] = rec
                out.setdefault(month, []).append(rec)
            rec[fld] = value
        return out

    def current_sheet(self, month: str, sheet: str) -> list[dict[str, object]]:
        """The current version of (month, sheet) as parsed.py records; [] when never imported."""
        check_month(month)
        return self._records_by_month(_sheet(sheet), month, month).get(month, [])

    def year_data(self, year: int, upto_month: int, sheet: str) -> dict[str, list[dict]]:
        """Current records of months YYYY-01..YYYY-mm; months without data are absent."""
        first, last = _month_range(year, upto_month)
        return self._records_by_month(_sheet(sheet), first, last)

    def facts_frame(self, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
        """Long table [month, unit_id, field, value] of a unit/item sheet, year to date.

        One SQL query; value is float64 with NaN for a blank stock; unit_id is None on 全县.
        """
        spec = _sheet(sheet)
        if spec.layout == "records":
            raise CreditError(f"「{sheet}」是记录表，请使用 records_frame 读取")
        rows = self._current_rows(spec, *_month_range(year, upto_month), "r.unit_id, r.field, r.value")
        # Column-wise construction: about twice as fast as from row tuples (pandas 3).
        month, unit_id, fld, value = zip(*rows, strict=True) if rows else ((), (), (), ())
        return pd.DataFrame(
            {"month": month, "unit_id": unit_id, "field": fld, "value": np.array(value, dtype=float)},
            columns=["month", "unit_id", "field", "value"],
        )

    def records_frame(self, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
        """Rows of a records sheet, year to date: month, row, unit_id + the record's columns.

        One SQL query. Columns follow the contract order; keys unknown to the contract follow.
        """
        spec = _sheet(sheet)
        if spec.layout != "records":
            raise CreditError(f"「{sheet}」不是记录表，请使用 facts_frame 读取")
        rows = self._current_rows(spec, *_month_range(year, upto_month))
        records = [{"month": m, "row": r, "unit_id": u, **json.loads(d)} for m, r, u, d in rows]
        columns = ["month", "row", "unit_id", *(c.header for c in spec.columns)]
        extra = dict.fromkeys(k for rec in records for k in rec if k not in columns)
        return pd.DataFrame(records, columns=[*columns, *extra])

    # -- unit register -------------------------------------------------------------------------

    def register(self) -> UnitRegister:
        """The register with rename history, in the order units were added."""
        names: dict[str, list[tuple[str, str]]] = {}
        for unit_id, since, name in self._conn.execute(
            "SELECT unit_id, from_month, name FROM unit_names ORDER BY unit_id, from_month"
        ):
            names.setdefault(unit_id, []).append((since, name))
        units = []
        for uid, group, kind, active_from, retired_from, aliases in self._conn.execute(
            "SELECT id, group_name, kind, active_from, retired_from, aliases FROM units ORDER BY rowid"
        ):
            history = names.get(uid, [])
            current = history[-1][1] if history else uid
            units.append(Unit(uid, current, group, kind, json.loads(aliases), active_from, retired_from, history))
        return UnitRegister(units)

    def _insert_unit(self, unit: Unit, since: str) -> None:
        self._db["units"].insert(
            {
                "id": unit.id,
                "group_name": unit.group,
                "kind": unit.kind,
                "active_from": unit.active_from,
                "retired_from": unit.retired_from,
                "aliases": _dumps(unit.aliases),
            }
        )
        history = unit.names or [(since, unit.name)]
        self._db["unit_names"].insert_all({"unit_id": unit.id, "from_month": m, "name": n} for m, n in history)

    def _unit(self, register: UnitRegister, unit_id: str) -> Unit:
        unit = register.by_id.get(unit_id)
        if unit is None:
            raise CreditError(f"未找到单位编号「{unit_id}」")
        return unit

    @staticmethod
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

    def add_unit(self, unit_id: str, name: str, group: str, kind: str, from_month: str, by: Actor) -> Unit:
        """Register a new unit, active from `from_month`."""
        by = authorize(by, "units")  # type: ignore[assignment]
        check_month(from_month)
        _check_group(group)
        if not isinstance(unit_id, str) or not _UNIT_ID_RE.match(unit_id):
            raise CreditError(f"单位编号「{unit_id}」无效：只能由字母、数字、下划线和连字符组成")
        if kind not in KINDS[group]:
            raise CreditError(f"「{group}」的类型应为 {'/'.join(KINDS[group])} 之一，实际为「{kind}」")
        with self._write():
            register = self.register()
            if unit_id in register.by_id:
                raise CreditError(f"单位编号「{unit_id}」已存在（{register.by_id[unit_id].name}）")
            name = self._check_name_free(register, name, from_month, unit_id)
            unit = Unit(unit_id, name, group, kind, active_from=from_month, names=[(from_month, name)])
            self._insert_unit(unit, from_month)
            self._changed(
                by,
                "unit.add",
                {"unit_id": unit_id, "name": name, "group": group, "kind": kind, "from_month": from_month},
            )
        return unit

    def rename_unit(self, unit_id: str, new_name: str, from_month: str, by: Actor) -> None:
        """New name from `from_month` on; earlier months keep the old name (and still resolve)."""
        by = authorize(by, "units")  # type: ignore[assignment]
        check_month(from_month)
        with self._write():
            register = self.register()
            unit = self._unit(register, unit_id)
            if unit.retired_from and unit.retired_from <= from_month:
                raise CreditError(f"「{unit.name}」已于 {unit.retired_from} 撤销，不能更名")
            last_since = unit.names[-1][0] if unit.names else SEED_MONTH
            if from_month < last_since:
                raise CreditError(
                    f"更名生效月份 {from_month} 早于「{unit.name}」最近一次更名的月份 {last_since}，请核对"
                )
            new_name = self._check_name_free(register, new_name, from_month, unit_id)
            if norm_name(new_name) == norm_name(unit.name):
                raise CreditError(f"新名称与现名称「{unit.name}」相同")
            self._db["unit_names"].upsert(
                {"unit_id": unit_id, "from_month": from_month, "name": new_name},
                pk=("unit_id", "from_month"),
            )
            self._changed(
                by,
                "unit.rename",
                {"unit_id": unit_id, "old_name": unit.name, "new_name": new_name, "from_month": from_month},
            )

    def retire_unit(self, unit_id: str, from_month: str, by: Actor) -> None:
        """Stop assessing a unit from `from_month` on (撤并); its history stays."""
        by = authorize(by, "units")  # type: ignore[assignment]
        check_month(from_month)
        with self._write():
            unit = self._unit(self.register(), unit_id)
            if unit.retired_from:
                raise CreditError(f"「{unit.name}」已于 {unit.retired_from} 撤销")
            if unit.active_from and from_month <= unit.active_from:
                raise CreditError(f"撤销月份 {from_month} 应晚于「{unit.name}」的启用月份 {unit.active_from}")
            self._db.execute("UPDATE units SET retired_from = ? WHERE id = ?", (from_month, unit_id))
            self._changed(by, "unit.retire", {"unit_id": unit_id, "name": unit.name, "from_month": from_month})

    # -- frameworks ----------------------------------------------------------------------------

    def framework_for(self, group: str, month: str) -> tuple[int, str, str]:
        """(id, toml, effective_month) of the official framework in force in `month`.

        That is the one with the greatest effective month ≤ `month` (the latest save wins a
        tie); a month before every version falls back to the earliest version.
        """
        _check_group(group)
        check_month(month)
        base = "SELECT id, toml, effective_month FROM frameworks WHERE group_name = ? AND kind = 'official'"
        row = (
            self._conn.execute(
                base + " AND effective_month <= ? ORDER BY effective_month DESC, id DESC LIMIT 1",
                (group, month),
            ).fetchone()
            or self._conn.execute(base + " ORDER BY effective_month ASC, id DESC LIMIT 1", (group,)).fetchone()
        )
        if row is None:
            raise CreditError(f"尚未设置「{group}」的指标体系，请先导入指标体系文件")
        return row[0], row[1], row[2]

    def save_framework(self, group: str, effective_month: str, toml_text: str, by: Actor, reason: str = "") -> int:
        """Adopt a new official framework version; saving the same text again is a no-op.

        Only TOML syntax is checked here; the framework module checks the meaning before this.
        """
        by = authorize(by, "weights")  # type: ignore[assignment]
        _check_group(group)
        check_month(effective_month)
        _check_toml(group, toml_text)
        with self._write():
            return self._save_framework(group, effective_month, toml_text, by, reason)

    def _save_framework(self, group: str, effective_month: str, toml_text: str, by: str, reason: str) -> int:
        same = self._one(
            "SELECT id, toml FROM frameworks WHERE group_name = ? AND kind = 'official'"
            " AND effective_month = ? ORDER BY id DESC LIMIT 1",
            (group, effective_month),
        )
        if same and same["toml"] == toml_text:
            return same["id"]
        framework_id = (
            self._db["frameworks"]
            .insert(
                {
                    "group_name": group,
                    "effective_month": effective_month,
                    "toml": toml_text,
                    "created_by": by,
                    "created_at": _now(),
                    "reason": reason,
                    "kind": "official",
                }
            )
            .last_pk
        )
        self._changed(
            by,
            "framework.save",
            {"framework_id": framework_id, "group": group, "effective_month": effective_month, "reason": reason},
        )
        return framework_id

    def framework_versions(self, group: str) -> list[dict[str, Any]]:
        """All official versions of a group's framework, oldest effective month first."""
        return self._all(
            f"SELECT {_FRAMEWORK_COLUMNS} FROM frameworks WHERE group_name = ?"
            " AND kind = 'official' ORDER BY effective_month, id",
            (_check_group(group),),
        )

    # -- 信易贷 targets ------------------------------------------------------------------------

    def xyd_target(self, year: int) -> tuple[float, float] | None:
        """(opening figure, target) of the year, or None when not set."""
        row = self._conn.execute("SELECT opening, target FROM xyd_targets WHERE year = ?", (int(year),)).fetchone()
        return (row[0], row[1]) if row else None

    def xyd_targets(self) -> dict[int, tuple[float, float]]:
        return {
            y: (o, t) for y, o, t in self._conn.execute("SELECT year, opening, target FROM xyd_targets ORDER BY year")
        }

    def set_xyd_target(self, year: int, opening: float, target: float, by: Actor) -> None:
        """Set a year's 信易贷 opening figure and target; the same values again write nothing."""
        by = authorize(by, "settings")  # type: ignore[assignment]
        if not 2000 <= int(year) <= 2100:
            raise CreditError(f"年份 {year} 超出范围")
        if opening < 0:
            raise CreditError(f"{year} 年初信易贷注册企业数不能为负数")
        if target <= 0:
            raise CreditError(f"{year} 年信易贷目标应大于 0")
        with self._write():
            self._set_xyd_target(int(year), float(opening), float(target), by)

    def _set_xyd_target(self, year: int, opening: float, target: float, by: str) -> None:
        if self.xyd_target(year) == (opening, target):
            return
        self._db["xyd_targets"].upsert(
            {"year": year, "opening": opening, "target": target, "updated_by": by, "updated_at": _now()},
            pk="year",
        )
        self._changed(by, "xyd.set", {"year": year, "opening": opening, "target": target})

    # -- seeding -------------------------------------------------------------------------------

    def seed_gaps(self, xyd_defaults: Mapping[int, tuple[float, float]] = DEFAULT_XYD_TARGETS) -> SeedGaps:
        """What of the defaults is missing (read-only, cheap: run it on every open)."""
        have_groups = {r[0] for r in self._conn.execute("SELECT DISTINCT group_name FROM frameworks")}
        have_years = set(self.xyd_targets())
        return SeedGaps(
            units=self._scalar("SELECT COUNT(*) FROM units") == 0,
            framework_groups=tuple(g for g in GROUPS if g not in have_groups),
            xyd_years=tuple(y for y in xyd_defaults if y not in have_years),
        )

    def seed_defaults(
        self,
        register: UnitRegister | None,
        frameworks: Mapping[str, str] | None = None,
        *,
        effective_month: str = SEED_MONTH,
        by: str = SYSTEM_USER,
        xyd_defaults: Mapping[int, tuple[float, float]] = DEFAULT_XYD_TARGETS,
    ) -> list[str]:
        """Fill in only what is missing: units (if none), each group's framework, xyd targets.

        Idempotent and piecewise, so a database created before a framework file existed picks
        it up on a later open. Takes the write lock only when it has something to write.
        Returns what was seeded (empty list: nothing was written).
        """
        check_month(effective_month)
        frameworks = dict(frameworks or {})
        for group in frameworks:
            _check_group(group)
        has_units = register is not None and len(register) > 0

        def todo(gaps: SeedGaps) -> list[str]:
            return [
                *(["units"] if gaps.units and has_units else []),
                *(f"framework:{g}" for g in gaps.framework_groups if frameworks.get(g)),
                *(f"xyd:{y}" for y in gaps.xyd_years),
            ]

        if not todo(self.seed_gaps(xyd_defaults)):
            return []
        with self._write():
            gaps = self.seed_gaps(xyd_defaults)  # again, under the lock
            done = todo(gaps)
            if "units" in done and register is not None:
                for unit in register:
                    self._insert_unit(unit, effective_month)
                self._changed(by, "seed.units", {"count": len(register)})
            for group in gaps.framework_groups:
                if frameworks.get(group):
                    _check_toml(group, frameworks[group])  # only what is seeded: cheap on every open
                    self._save_framework(group, effective_month, frameworks[group], by, "初始化默认指标体系")
            for year in gaps.xyd_years:
                opening, target = xyd_defaults[year]
                self._set_xyd_target(year, float(opening), float(target), by)
        return done
