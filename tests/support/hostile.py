"""The hostile cases of issue 13 that are not uploads (restore, evidence, storage), run for real.

`benchmarks/reliability_report.py` prints them as a table; the tests that assert each case
(tests/store/test_backup.py, tests/store/test_registers.py, tests/app/test_storage_failures.py)
hold the same behaviour case by case. Each case returns the Chinese message it was refused with;
a case that got through, or changed the database on refusal, raises AssertionError.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from credit.errors import CreditError, storage_failure
from credit.model.accounts import ROLE_EDITOR, Actor
from credit.model.contract import SHEET_SCENARIOS
from credit.store.facade import Store
from credit.store.maintenance import backup_database, restore_database
from tests.support import reliability as rh

OFFICE = Actor("office", ROLE_EDITOR, "信用办")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

BACKUP_TAMPERING = {
    "恢复：删除了 accounts 表的备份": "DROP TABLE accounts",
    "恢复：删除了 facts.value 列的备份": "ALTER TABLE facts DROP COLUMN value",
    "恢复：带 AFTER INSERT ON audit 删除数据触发器的备份": "CREATE TRIGGER wipe AFTER INSERT ON audit BEGIN DELETE FROM facts; END",
}
EVIDENCE = {
    "证明材料：MZ 程序，前 1 KB 内含 %PDF-": b"MZ\x90\x00" + bytes(60) + PDF,
    "证明材料：HTML 网页，注释中含 %PDF-": b"<html><!-- %PDF-1.4 --><script>alert(1)</script></html>",
}


def _file_hash(path: Path) -> str:
    with Store(path) as store:
        store.checkpoint()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _restore_case(workdir: Path, name: str, sql: str) -> str:
    tag = hashlib.sha1(name.encode()).hexdigest()[:6]
    db = rh.seeded_db(workdir / f"restore-{tag}.db")
    bad = workdir / f"备份-{tag}.db"
    backup_database(db, bad)
    with closing(sqlite3.connect(bad)) as conn:
        conn.executescript(sql)
    before = _file_hash(db)
    try:
        restore_database(db, bad)
    except CreditError as exc:
        assert _file_hash(db) == before, name
        return str(exc)
    raise AssertionError(f"{name}: restored")


def _evidence_case(workdir: Path, name: str, data: bytes) -> str:
    with Store(rh.seeded_db(workdir / f"evidence-{hashlib.sha1(name.encode()).hexdigest()[:6]}.db")) as store:
        store.add_register_entry(SHEET_SCENARIOS, rh.MONTH, "yushan", {"信用应用": "信易批"}, OFFICE)
        before = rh.db_hash(store)
        try:
            store.add_evidence(SHEET_SCENARIOS, int(rh.MONTH[:4]), "yushan", "信易批", "方案.pdf", data, OFFICE)
        except CreditError as exc:
            assert rh.db_hash(store) == before, name
            return str(exc)
    raise AssertionError(f"{name}: stored")


def _disk_full(workdir: Path) -> str:
    with Store(rh.seeded_db(workdir / "full.db")) as store:
        before = rh.db_hash(store)
        pages = store._core.conn.execute("PRAGMA page_count").fetchone()[0]
        store._core.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        try:
            rh.import_bytes(store, rh.big_events_workbook(3000), "大文件.xlsx")
        except sqlite3.OperationalError as exc:
            failure = storage_failure(exc)
            assert failure is not None
            message = str(failure)
        else:
            raise AssertionError("disk full: imported")
    with Store(workdir / "full.db") as store:
        assert rh.db_hash(store) == before
    return message


def run_hostile(workdir: Path) -> list[tuple[str, str]]:
    """(case, the message it was refused with) for every case; raises if one got through."""
    cases: list[tuple[str, Callable[[], str]]] = [
        *((n, lambda n=n, s=s: _restore_case(workdir, n, s)) for n, s in BACKUP_TAMPERING.items()),
        *((n, lambda n=n, d=d: _evidence_case(workdir, n, d)) for n, d in EVIDENCE.items()),
        ("存储：磁盘已满（导入 3,000 行时）", lambda: _disk_full(workdir)),
    ]
    return [(name, run()) for name, run in cases]
