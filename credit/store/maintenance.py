"""Keeping the database safe: online backup, checked restore, and rebuild from the upload archive.

Why it looks like this:
- A backup goes through SQLite's backup API (`Store.backup`), so it is a consistent snapshot even
  while an import runs; it is written to a temporary file, checked (`PRAGMA integrity_check`, our
  tables) and only then renamed to its name, so a half-written backup never carries that name.
- A restore never trusts the file it is given: the file is copied byte for byte (SQLite never
  opens the original), the copy is checked, and only the checked copy is renamed over the database,
  atomically. The check compares the file's whole schema (tables with their columns and
  constraints, indexes, triggers, views) with a fresh database migrated to the same point, so a
  backup with a table or column dropped, or with a foreign trigger, is refused and named, not
  installed. The check runs in a reader worker process (`credit.workbook.isolation`), under its
  memory and time limits, as every other file from outside does. The old database is kept as `PATH.bak-<timestamp>`. A database that another program
  still has open is refused: its write-ahead log (`PATH-wal`) would otherwise be replayed onto the
  restored file by the next connection and corrupt it.
- A rebuild proves that the archive is the source of truth: every archived upload is parsed again
  and imported, and every version restore replayed, in the original order (the insert-only audit
  log records both), into a new file carrying the old configuration (unit register, frameworks,
  targets, register entries, accounts). The version history of the new file must match the old
  one sheet by sheet and version by version, down to every stored value, or it is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlite_utils import Database

from credit.common.clock import BEIJING, now
from credit.errors import CreditError, WorkbookError
from credit.model.accounts import CLI, Action, Actor, authorize
from credit.model.contract import UNIT_COL
from credit.store.facade import Store
from credit.store.schema import MIGRATION_SET, MIGRATIONS
from credit.store.util import dumps, private
from credit.workbook.isolation import run_isolated

SQLITE_HEADER = b"SQLite format 3\x00"
REQUIRED_TABLES = frozenset(
    {"meta", "units", "unit_names", "uploads", "dataset_versions", "facts", "records", "frameworks", "audit"}
)
# Tables the rebuild re-creates through the import path; every other table is configuration and
# is copied as it is. `_sqlite_migrations` is written by the new file's own migrations.
REPLAYED_TABLES = frozenset({"uploads", "dataset_versions", "facts", "records", "audit", "empty_reports"})
_NOT_COPIED = REPLAYED_TABLES | {"_sqlite_migrations", "computed_results"}  # a cache: recomputed
_REPLAYED_ACTIONS = ("import", "restore", "empty.mark", "empty.unmark")

_HINT_STOP = "请先停止平台服务（关闭 streamlit）并等待正在进行的导入完成后再试"


@dataclass(frozen=True)
class StoreFileInfo:
    """What a checked database file holds (printed after backup and restore)."""

    path: Path
    size: int
    data_version: int
    months: list[str]
    uploads: int
    versions: int

    def describe(self) -> str:
        span = f"{self.months[0]} 至 {self.months[-1]}" if self.months else "无"
        return (
            f"{self.path.name}：{self.size / 1024:.0f} KB，数据月份 {span}（{len(self.months)} 个月），"
            f"存档上传文件 {self.uploads} 个，数据版本 {self.versions} 个，数据版本号 {self.data_version}"
        )


@dataclass(frozen=True)
class RestoreResult:
    info: StoreFileInfo
    previous: Path | None  # where the replaced database was kept (None: there was none)


@dataclass(frozen=True)
class RebuildResult:
    info: StoreFileInfo
    imports: int  # archived uploads parsed and imported again
    restores: int  # version restores replayed
    copied: dict[str, int]  # configuration table -> rows copied


# ---- small file helpers ----------------------------------------------------------------------


def _sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def _unlink_db(path: Path) -> None:
    for p in (path, *_sidecars(path)):
        p.unlink(missing_ok=True)


def _fsync(path: Path, *, directory: bool = False) -> None:
    """Make a rename or a new file durable; a no-op where the OS cannot fsync a directory."""
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_beside(path: Path, tag: str) -> Path:
    """A temporary name in the target's directory, so the final rename is atomic."""
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}.tmp")


@contextmanager
def _temp_db(path: Path, tag: str) -> Iterator[Path]:
    """A temporary database file beside `path`, removed (with its sidecars) unless renamed."""
    tmp = _temp_beside(path, tag)
    _unlink_db(tmp)
    try:
        yield tmp
    finally:
        _unlink_db(tmp)


def _publish(tmp: Path, dest: Path) -> None:
    """Atomically give the finished, closed file `tmp` its final name."""
    _fsync(tmp)
    os.replace(tmp, dest)
    _fsync(dest.parent, directory=True)


def _require_file(path: Path, what: str) -> None:
    if not path.is_file():
        raise CreditError(f"{what}「{path}」不存在")


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise CreditError(f"输出文件「{path}」已存在，为避免覆盖，请换一个文件名或先移走该文件")


# ---- checking a database file ----------------------------------------------------------------


def _read_only_uri(path: Path) -> str:
    """Opened this way, SQLite never writes to the file (a check must not change what it checks)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _known_migrations() -> set[str]:
    """Names of the migrations this version of the code knows (applied to a throwaway database)."""
    mem = Database(memory=True)
    MIGRATIONS.apply(mem)
    return {m.name for m in MIGRATIONS.applied(mem)}


@dataclass(frozen=True)
class SchemaObject:
    """One table, index, trigger or view as SQLite reports it, reduced to what decides behaviour."""

    kind: str  # table / index / trigger / view
    name: str
    table: str  # the table an index or trigger belongs to
    sql: str  # CREATE statement with whitespace collapsed ('' for automatic indexes)
    columns: tuple[tuple, ...]  # tables: (name, type, notnull, default, pk) per column


_KIND_LABEL = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}


def _normalise_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], SchemaObject]:
    """(kind, name) -> object for everything in the schema except SQLite's own `sqlite_*` tables.

    Automatic indexes (UNIQUE/PRIMARY KEY) are left out: they follow from the table's SQL, which
    is compared. Reads only `sqlite_master` and PRAGMAs (no trigger can fire).
    """
    out: dict[tuple[str, str], SchemaObject] = {}
    for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if name.startswith("sqlite_"):  # SQLite's own tables and automatic (UNIQUE/PK) indexes
            continue
        columns: tuple[tuple, ...] = ()
        if kind == "table":
            columns = tuple(tuple(r[1:]) for r in conn.execute(f'PRAGMA table_info("{name}")'))
        out[(kind, name)] = SchemaObject(kind, name, table, _normalise_sql(sql), columns)
    return out


@cache
def _reference_schema(applied: tuple[str, ...]) -> dict[tuple[str, str], SchemaObject]:
    """The schema a database has after exactly the migrations `applied` (a prefix of ours)."""
    names = [m.name for m in MIGRATIONS.pending(Database(memory=True))]
    mem = Database(memory=True)
    stop = names[len(applied)] if len(applied) < len(names) else None
    MIGRATIONS.apply(mem, stop_before=stop)
    return schema_objects(mem.conn)


def _describe_column_change(name: str, ours: SchemaObject, theirs: SchemaObject) -> list[str]:
    want = {c[0]: c for c in ours.columns}
    have = {c[0]: c for c in theirs.columns}
    out = [f"数据表「{name}」缺少列「{c}」" for c in want if c not in have]
    out += [f"数据表「{name}」多出列「{c}」" for c in have if c not in want]
    out += [f"数据表「{name}」的列「{c}」定义不同" for c in want if c in have and want[c] != have[c]]
    return out or [f"数据表「{name}」的定义（约束）不同"]


def schema_differences(
    theirs: dict[tuple[str, str], SchemaObject], ours: dict[tuple[str, str], SchemaObject]
) -> list[str]:
    """Every difference between a file's schema and the expected one, in Chinese, tables first."""
    order = {"table": 0, "index": 1, "trigger": 2, "view": 3}
    diffs: list[str] = []
    for key in sorted(set(theirs) | set(ours), key=lambda k: (order.get(k[0], 9), k[1])):
        kind, name = key
        label = _KIND_LABEL.get(kind, kind)
        mine, other = ours.get(key), theirs.get(key)
        if other is None:
            diffs.append(f"缺少{label}「{name}」")
        elif mine is None:
            where = f"（作用于数据表「{other.table}」）" if kind in ("index", "trigger") else ""
            diffs.append(f"多出本平台没有的{label}「{name}」{where}")
        elif (mine.sql, mine.columns, mine.table) != (other.sql, other.columns, other.table):
            diffs += (
                _describe_column_change(name, mine, other) if kind == "table" else [f"{label}「{name}」的定义不同"]
            )
    return diffs


def _applied_migrations(conn: sqlite3.Connection, name: str) -> tuple[str, ...]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" not in tables:
        raise CreditError(f"「{name}」缺少数据库结构版本记录（_sqlite_migrations），不是本平台生成的数据库")
    applied = tuple(
        r[0]
        for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,)
        )
    )
    newer = sorted(set(applied) - _known_migrations())
    if newer:
        raise CreditError(
            f"「{name}」由更新版本的平台创建（包含本版本未知的数据库结构：{'、'.join(newer)}），请先升级平台再恢复"
        )
    known = [m.name for m in MIGRATIONS.pending(Database(memory=True))]
    if list(applied) != known[: len(applied)]:
        raise CreditError(f"「{name}」的数据库结构版本记录不完整或顺序异常：{'、'.join(applied) or '（无）'}")
    return applied


def _check_schema(conn: sqlite3.Connection, name: str) -> None:
    """Refuse unless the file's whole schema is exactly what our migrations create.

    A backup is compared with a fresh in-memory database migrated to the same point: every
    table with its columns and constraints, every index, and no trigger or view but ours (a
    foreign `AFTER INSERT ... DELETE FROM facts` trigger would silently wipe data later).
    """
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted(REQUIRED_TABLES - tables)
    if missing and "_sqlite_migrations" not in tables:
        raise CreditError(f"「{name}」不是本平台的数据库（缺少数据表：{'、'.join(missing)}）")
    applied = _applied_migrations(conn, name)
    diffs = schema_differences(schema_objects(conn), _reference_schema(applied))
    if diffs:
        shown = "；".join(diffs[:8]) + (f"；等共 {len(diffs)} 处" if len(diffs) > 8 else "")
        raise CreditError(f"「{name}」的数据库结构与本平台不一致，拒绝使用：{shown}")


def _integrity(conn: sqlite3.Connection, name: str) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        raise CreditError(f"「{name}」未通过完整性检查（PRAGMA integrity_check）：{'；'.join(rows[:5])}")


def check_store_file(path: str | Path, label: str | None = None) -> StoreFileInfo:
    """Refuse unless `path` is an intact database of this platform; describe what it holds.

    Reads only, but through a normal connection (a read-only one would leave -wal/-shm files
    behind); callers hand it their own copies of files they must not touch.
    """
    path = Path(path)
    name = label or path.name
    _require_file(path, "数据库文件")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise CreditError(f"「{name}」不是 SQLite 数据库文件")
    try:
        with closing(sqlite3.connect(path)) as conn:
            _integrity(conn, name)
            _check_schema(conn, name)
            data_version = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
            months = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT month FROM dataset_versions WHERE is_current = 1 ORDER BY month"
                )
            ]
            uploads = conn.execute("SELECT COUNT(*) FROM uploads").fetchone()[0]
            versions = conn.execute("SELECT COUNT(*) FROM dataset_versions").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise CreditError(f"「{name}」无法作为数据库读取：{exc}") from exc
    return StoreFileInfo(path, path.stat().st_size, int(data_version[0] if data_version else 0), months, uploads,
                         versions)


# ---- backup ----------------------------------------------------------------------------------


def backup_database(db: str | Path, dest: str | Path) -> StoreFileInfo:
    """Online, consistent copy of `db` to `dest` (a new file), checked before it gets its name."""
    db, dest = Path(db), Path(dest)
    _require_file(db, "数据库文件")
    _refuse_existing(dest)
    if dest.resolve() == db.resolve():
        raise CreditError("备份文件不能与数据库文件相同")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _temp_db(dest, "backup") as tmp:
        with Store(db) as store:
            store.backup(tmp)
        check_store_file(tmp, dest.name)
        _publish(tmp, dest)
    return check_store_file(dest)


# ---- dated backups, rotated ------------------------------------------------------------------

_DATED = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.db$")


@dataclass(frozen=True)
class Rotation:
    """What `backup --dir DIR --keep N` did: the new checked backup, and the old ones removed."""

    made: StoreFileInfo
    removed: tuple[Path, ...]
    kept: tuple[Path, ...]


def dated_backups(directory: str | Path, stem: str) -> list[Path]:
    """The dated backups of database `stem` in `directory`, oldest first (other files are not ours)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        m = _DATED.match(path.name)
        if m and m["stem"] == stem and path.is_file():
            found.append(((m["stamp"], int(m["n"] or 1)), path))
    return [p for _, p in sorted(found)]


def _dated_name(directory: Path, stem: str, at: datetime) -> Path:
    stamp = at.strftime("%Y%m%d-%H%M%S")
    dest, n = directory / f"{stem}-{stamp}.db", 1
    while dest.exists():
        n += 1
        dest = directory / f"{stem}-{stamp}-{n}.db"
    return dest


def rotate_backup(db: str | Path, directory: str | Path, keep: int, *, by: Actor = CLI,
                  at: datetime | None = None) -> Rotation:
    """A new dated backup `<db name>-YYYYmmdd-HHMMSS.db` in `directory` (checked, recorded), then only
    the newest `keep` dated backups of this database are kept there. Nothing is removed unless the
    new backup passed its check; files in `directory` not named like our backups are never touched."""
    if not 1 <= int(keep) <= 10_000:
        raise CreditError(f"--keep 应为 1 到 10000 之间的整数，实际为 {keep}")
    db, directory = Path(db), Path(directory)
    _require_file(db, "数据库文件")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CreditError(f"无法创建备份目录 {directory}：{exc}") from exc
    dest = _dated_name(directory, db.stem, at or datetime.now(BEIJING))
    made = backup_database(db, dest)
    private(dest)
    with Store(db) as store:
        store.backups.record(dest.resolve(), made.size, _sha256(dest), by)
    dated = dated_backups(directory, db.stem)
    removed = tuple(dated[: max(0, len(dated) - int(keep))])
    for old in removed:
        old.unlink(missing_ok=True)
    return Rotation(made, removed, tuple(p for p in dated if p not in removed))


def backup_bytes(db: str | Path, by: Actor) -> tuple[str, bytes]:
    """A fresh consistent, checked backup as bytes (the 系统维护 page's download), recorded as handed out.

    The permission is checked before anything is copied: the file holds every account's password hash."""
    authorize(by, Action.MAINTENANCE)
    db = Path(db)
    _require_file(db, "数据库文件")
    with _temp_db(db, "download") as tmp:
        with Store(db) as store:
            store.backup(tmp)
        check_store_file(tmp, db.name)
        content = tmp.read_bytes()
    with Store(db) as store:
        store.backups.record(None, len(content), hashlib.sha256(content).hexdigest(), by)
    name = f"{db.stem}-{datetime.now(BEIJING):%Y%m%d-%H%M%S}.db"
    return name, content


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---- restore ---------------------------------------------------------------------------------


def _copy_backup_file(src: Path, dest: Path) -> None:
    """Copy the user's backup file (and a WAL beside it, if any) byte for byte: SQLite never opens
    the original, so checking it cannot change it; the copy is what gets checked and installed."""
    shutil.copyfile(src, dest)
    wal = Path(f"{src}-wal")
    if wal.is_file():
        shutil.copyfile(wal, Path(f"{dest}-wal"))


def _quiesce(db: Path) -> None:
    """Fold the live database's WAL into its file and make sure nobody else has it open.

    Taking the write lock proves no import is running; a complete TRUNCATE checkpoint proves no
    reader holds an old snapshot; after our connection closes, a WAL file still present means
    another connection is open (SQLite removes it when the last one closes).
    """
    in_use = CreditError(f"数据库「{db.name}」正在被使用，为防止数据损坏未执行恢复。{_HINT_STOP}")
    try:
        with closing(sqlite3.connect(db, timeout=1.0, isolation_level=None)) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.OperationalError as exc:
                raise in_use from exc
            if busy:
                raise in_use
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise in_use from exc
        return  # the file being replaced is itself damaged: replacing it is the point
    if any(p.exists() for p in _sidecars(db)):
        raise in_use


def _keep_previous(db: Path, stamp: str) -> Path:
    """Keep the database about to be replaced as PATH.bak-<timestamp> (a hard link when possible)."""
    keep = db.with_name(f"{db.name}.bak-{stamp}")
    n = 1
    while keep.exists():
        keep = db.with_name(f"{db.name}.bak-{stamp}-{n}")
        n += 1
    try:
        os.link(db, keep)
    except OSError:
        shutil.copy2(db, keep)
    return keep


_RESTORE_HINT = "请换用另一份备份文件（例如由“python -m credit backup”生成的），或联系管理员"


def _check_in_worker(copy: Path, name: str) -> None:
    """`check_store_file` of a backup nobody vouches for, in a reader worker process.

    SQLite reads the foreign file there, under the worker's memory and time limits
    (`credit.workbook.isolation`), so a file that makes it abort, exhaust memory or run without
    end is refused in Chinese and the database is left as it was.
    """
    try:
        run_isolated(check_store_file, copy, name, filename=name, outcome="数据库未改动", hint=_RESTORE_HINT)
    except WorkbookError as died:  # only the wall raises it; check_store_file's own refusals are CreditError
        error = died.errors[0]
        raise CreditError(f"{error.message}。{error.hint}") from None


def restore_database(db: str | Path, backup: str | Path, *, stamp: str | None = None) -> RestoreResult:
    """Replace `db` with a checked copy of `backup`; the old file is kept as PATH.bak-<timestamp>."""
    db, backup = Path(db), Path(backup)
    _require_file(backup, "备份文件")
    if db.exists() and backup.resolve() == db.resolve():
        raise CreditError("备份文件就是当前数据库文件，无需恢复")
    db.parent.mkdir(parents=True, exist_ok=True)
    with _temp_db(db, "restore") as tmp:
        _copy_backup_file(backup, tmp)
        _check_in_worker(tmp, backup.name)
        previous = None
        if db.exists():
            _quiesce(db)
            previous = _keep_previous(db, stamp or datetime.now().strftime("%Y%m%d-%H%M%S"))
        _publish(tmp, db)
    with Store(db):  # applies any migration an older backup lacks
        pass
    return RestoreResult(check_store_file(db), previous)


# ---- rebuild from the archive ----------------------------------------------------------------


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _copy_configuration(src: Path, dest: Path) -> dict[str, int]:
    """Copy every non-replayed table (rows and ids as they are) from `src` into the new `dest`."""
    copied: dict[str, int] = {}
    # Opened by URI so that ATTACH reads the source by URI too, read-only.
    with closing(sqlite3.connect(dest.resolve().as_uri(), uri=True, isolation_level=None)) as conn:
        conn.execute("ATTACH DATABASE ? AS src", (_read_only_uri(src),))
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM src.sqlite_master WHERE type = 'table' ORDER BY rootpage")
            if r[0] not in _NOT_COPIED and not r[0].startswith("sqlite_")
        ]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in tables:
                cols = [c for c in _columns(conn, "main", table) if c in set(_columns(conn, "src", table))]
                if not cols:
                    continue
                names = ", ".join(f'"{c}"' for c in cols)
                where = " WHERE key <> 'data_version'" if table == "meta" else ""
                verb = "INSERT OR REPLACE" if table == "meta" else "INSERT"
                cur = conn.execute(f'{verb} INTO main."{table}" ({names}) SELECT {names} FROM src."{table}"{where}')
                copied[table] = cur.rowcount
            conn.execute(
                "INSERT INTO audit (at, who, action, detail) VALUES (?, ?, ?, ?)",
                (now(), CLI.label, "rebuild.config", dumps({"source": src.name, "copied": copied})),
            )
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if not conn.in_transaction:
                conn.execute("DETACH DATABASE src")
    return copied


def _replay_actor(who: str) -> Actor:
    """The CLI, recorded under the original operator's name so the history stays readable."""
    return Actor(CLI.username, CLI.role, f"{who}（重建）")


def _replay_import(old: Store, new: Store, entry: dict, parse: Callable) -> None:
    detail = entry["detail"]
    filename, raw = old.datasets.upload_bytes(detail["upload_id"])
    month = detail["month"]
    try:
        parsed = parse(raw, filename, month, new.units.register())
    except WorkbookError as exc:
        raise CreditError(
            f"重建失败：存档文件「{filename}」（{month}，上传编号 {detail['upload_id']}）重新解析时出错："
            f"{exc.errors[0] if exc.errors else exc}"
        ) from exc
    new.datasets.import_workbook(parsed, raw, filename, by=_replay_actor(entry["who"]))


def _replay_empty(new: Store, entry: dict) -> None:
    """A 本月无新增 mark or its withdrawal, again. The publications are already copied, so a mark made
    before the month was issued now needs a 更正说明: the rebuild says that it is one."""
    detail = entry["detail"]
    how = new.datasets.mark_empty if entry["action"] == "empty.mark" else new.datasets.unmark_empty
    issued = new.publishing.current_publication(detail["month"]) is not None
    reason = detail.get("reason") or ("数据库重建：重放签发前的操作" if issued else "")
    how(detail["month"], detail["sheet"], _replay_actor(entry["who"]), reason)


def _replay_restore(new: Store, entry: dict) -> None:
    detail = entry["detail"]
    match = [v for v in new.datasets.versions(detail["month"], detail["sheet"]) if v["version"] == detail["from_version"]]
    if not match:
        raise CreditError(
            f"重建失败：找不到 {detail['month']}「{detail['sheet']}」第 {detail['from_version']} 版，无法重做恢复操作"
        )
    new.datasets.restore_version(match[0]["id"], by=_replay_actor(entry["who"]))


def _fingerprints(conn: sqlite3.Connection) -> dict[int, str]:
    """version id -> hash of the version's stored data, in row order, without display names.

    Records keep the unit's name as it was at import time; a rebuild parses with today's register,
    so a unit renamed since then carries its new name. Scores key on unit ids, so the name is left
    out here, and a version's `content_hash` (which includes it) is not compared either.
    """
    digests: dict[int, hashlib._Hash] = {}
    for version_id, *row in conn.execute(
        "SELECT version_id, row_no, unit_id, field, value FROM facts ORDER BY version_id, rowid"
    ):
        digests.setdefault(version_id, hashlib.sha256()).update(repr(row).encode())
    for version_id, row_no, unit_id, data in conn.execute(
        "SELECT version_id, row_no, unit_id, data FROM records ORDER BY version_id, rowid"
    ):
        record = {k: v for k, v in json.loads(data).items() if k != UNIT_COL}
        text = json.dumps([row_no, unit_id, record], ensure_ascii=False, sort_keys=True)
        digests.setdefault(version_id, hashlib.sha256()).update(text.encode())
    return {k: d.hexdigest() for k, d in digests.items()}


def _history(path: Path) -> dict[tuple[str, str], list[tuple]]:
    """(month, sheet) -> its versions as comparable tuples, oldest first."""
    with closing(sqlite3.connect(path)) as conn:
        prints = _fingerprints(conn)
        rows = conn.execute(
            "SELECT v.id, v.month, v.sheet, v.version, v.action, v.row_count, v.is_current, r.version"
            " FROM dataset_versions v LEFT JOIN dataset_versions r ON r.id = v.restored_from"
            " ORDER BY v.month, v.sheet, v.version"
        ).fetchall()
    out: dict[tuple[str, str], list[tuple]] = {}
    for vid, month, sheet, *rest in rows:
        out.setdefault((month, sheet), []).append((*rest, prints.get(vid)))
    return out


def _compare_history(old: Path, new: Path) -> None:
    before, after = _history(old), _history(new)
    diffs = [f"{m}「{s}」" for m, s in sorted(set(before) | set(after)) if before.get((m, s)) != after.get((m, s))]
    if diffs:
        raise CreditError(f"重建结果与原数据库的数据版本不一致：{'、'.join(diffs[:10])}；新文件未保存")


def rebuild_database(db: str | Path, dest: str | Path) -> RebuildResult:
    """Rebuild `db` into the new file `dest` from its upload archive; see the module docstring."""
    from credit.workbook.importer import parse_workbook  # the importer is heavy; only the rebuild needs it

    db, dest = Path(db), Path(dest)
    check_store_file(db)
    _refuse_existing(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _temp_db(dest, "rebuild") as tmp:
        Store(tmp).close()  # the current schema, empty
        copied = _copy_configuration(db, tmp)
        imports = restores = 0
        with Store(db) as old, Store(tmp) as new:
            entries = [e for e in reversed(old.audit_log(limit=None)) if e["action"] in _REPLAYED_ACTIONS]
            for entry in entries:
                if entry["action"] == "import":
                    _replay_import(old, new, entry, parse_workbook)
                    imports += 1
                elif entry["action"].startswith("empty."):
                    _replay_empty(new, entry)
                else:
                    _replay_restore(new, entry)
                    restores += 1
            new.checkpoint()
        _compare_history(db, tmp)
        _publish(tmp, dest)
    return RebuildResult(check_store_file(dest), imports, restores, copied)
