"""Storage failures (issue 13, item 9): disk full, read-only, corrupt — one Chinese message, exit
code 1 in the CLI, a message (not a crash page) in the UI, and the data as it was.

Disk full is real where the machine allows it (a 1 MB tmpfs, mounted as root) and otherwise
simulated with SQLite's own `PRAGMA max_page_count`; read-only is an immutable file (`chattr +i`,
which binds root too, unlike chmod); corrupt is an overwritten header.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from credit.app import cli
from credit.errors import storage_failure
from credit.store.facade import Store
from tests.support import reliability as rh
from tests.support.workbooks import MONTH

FULL = "存储空间已满，本次操作未保存任何数据（已有数据完好）"
READONLY = "数据库文件或其所在目录为只读"
CORRUPT = "数据库文件已损坏或不是本平台的数据库"


def run_cli(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str]:
    code = cli.main([str(a) for a in args])
    return code, capsys.readouterr().err


def integrity_and_versions(db: Path) -> tuple[list, list]:
    with closing(sqlite3.connect(db)) as conn:
        return (conn.execute("PRAGMA integrity_check").fetchall(),
                conn.execute("SELECT month, sheet, version FROM dataset_versions ORDER BY id").fetchall())


def test_disk_full_inside_an_import_is_one_message_and_nothing_written(tmp_path: Path) -> None:
    raw = rh.big_events_workbook(3000)
    with Store(rh.seeded_db(tmp_path / "full.db")) as store:
        before = rh.db_hash(store)
        pages = store._core.conn.execute("PRAGMA page_count").fetchone()[0]
        store._core.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk is (all but) full
        with pytest.raises(sqlite3.OperationalError) as info:
            rh.import_bytes(store, raw, "大文件.xlsx")
        assert str(storage_failure(info.value)).startswith(FULL)
    with Store(tmp_path / "full.db") as store:
        assert rh.db_hash(store) == before


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("无法挂载 1 MB 的 tmpfs（需要 root），磁盘已满用 max_page_count 的用例覆盖")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.slow  # writes and imports a 20,000-row workbook on a real 1 MB disk; the quick suite keeps the
# simulated disk-full case above
def test_cli_on_a_really_full_disk(tiny_disk: Path, tmp_path: Path, capsys) -> None:
    db = tiny_disk / "credit.db"
    shutil.copyfile(rh.seeded_db(tmp_path / "seed.db"), db)
    before = integrity_and_versions(db)
    big = tmp_path / "大文件.xlsx"
    big.write_bytes(rh.big_events_workbook(20_000))
    filler = tiny_disk / "filler"  # leave the disk with almost no room, as a full server would be
    free = shutil.disk_usage(tiny_disk).free
    filler.write_bytes(bytes(max(free - 64 * 1024, 0)))
    code, err = run_cli(capsys, "import", "--db", db, "--month", MONTH, big)
    assert code == 1 and err.startswith(f"错误：{FULL}"), err
    assert "Traceback" not in err and "OperationalError" not in err
    filler.unlink()
    assert integrity_and_versions(db) == before  # intact, the import not half there


@pytest.fixture()
def immutable(tmp_path: Path) -> Iterator[Path]:
    db = rh.seeded_db(tmp_path / "ro.db")
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i 不可用")
    try:
        yield db
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=False)


def test_cli_on_a_read_only_database(immutable: Path, tmp_path: Path, capsys) -> None:
    before = immutable.read_bytes()
    upload = tmp_path / "月报.xlsx"
    upload.write_bytes(rh.big_events_workbook(10))
    code, err = run_cli(capsys, "import", "--db", immutable, "--month", MONTH, upload)
    assert code == 1 and err.startswith(f"错误：{READONLY}"), err
    assert "readonly" not in err
    assert immutable.read_bytes() == before


def test_cli_and_page_on_a_corrupt_database(tmp_path: Path, capsys, monkeypatch) -> None:
    db = rh.seeded_db(tmp_path / "bad.db")
    data = bytearray(db.read_bytes())
    data[:100] = b"\xff" * 100  # the header overwritten
    db.write_bytes(bytes(data))
    code, err = run_cli(capsys, "scores", "--db", db, "--month", MONTH, "--group", "镇街")
    assert code == 1 and err.startswith(f"错误：{CORRUPT}"), err
    assert "not a database" not in err

    from streamlit.testing.v1 import AppTest

    from tests.support.paths import ROOT

    monkeypatch.setenv("CREDIT_DB", str(db))
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith(CORRUPT) for e in at.error), [e.value for e in at.error]
