"""正式部署: `init`, dated rotated backups, `upgrade` of an older database, `doctor` — in this process.

The real server and browser on the production path are in tests/browser/test_deploy_browser.py.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sqlite3
import stat
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from credit.app import doctor
from credit.app.production import init_database
from credit.app.service import score, scores_payload
from credit.errors import CreditError
from credit.model.accounts import CLI, Actor, PermissionDenied
from credit.store.facade import Store
from credit.store.maintenance import backup_bytes, dated_backups, rotate_backup
from credit.store.schema import MIGRATIONS
from tests.support.cli import run_cli
from tests.support.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
PASSWORD = "Chief-pass-2026"
OFFICE = Actor("office", "editor")
LEADER = Actor("leader", "viewer")
ADMIN = Actor("chief", "admin")


@pytest.fixture()
def prod_db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "credit.db"
    init_database(path, "chief", PASSWORD)
    return path


# -- init ---------------------------------------------------------------------------------------


def test_init_makes_a_production_database_with_one_admin(prod_db: Path) -> None:
    with Store(prod_db) as store:
        assert [a["username"] for a in store.accounts.accounts()] == ["chief"]
        assert store.accounts.account("chief")["role"] == "admin"
        assert store.settings.get("login_required") == "1"
        assert store.settings.get("demo") is None
        assert len(store.units.register()) == 40  # data/units.toml: 9 镇街 + 31 部门
        assert {g for g in ("镇街", "部门") if store.frameworks.framework_versions(g)} == {"镇街", "部门"}
        assert store.datasets.months_with_data() == []
        assert store.accounts.login("chief", PASSWORD).role == "admin"
    if os.name == "posix":
        assert stat.S_IMODE(prod_db.stat().st_mode) == 0o600  # it holds the password hash


def test_init_never_touches_an_existing_database(prod_db: Path) -> None:
    before = prod_db.read_bytes()
    with pytest.raises(CreditError, match="已存在"):
        init_database(prod_db, "other", PASSWORD)
    assert prod_db.read_bytes() == before


@pytest.mark.parametrize("password", ["short1", "onlyletters", "12345678901"])
def test_init_with_a_weak_password_leaves_nothing(tmp_path: Path, password: str) -> None:
    path = tmp_path / "credit.db"
    with pytest.raises(CreditError, match="密码"):
        init_database(path, "chief", password)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "with space", "x" * 41])
def test_init_with_a_bad_admin_name_leaves_nothing(tmp_path: Path, name: str) -> None:
    with pytest.raises(CreditError, match="用户名"):
        init_database(tmp_path / "credit.db", name, PASSWORD)
    assert list(tmp_path.iterdir()) == []


def test_cli_init_reads_one_password_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "credit.db"
    res = run_cli("init", "--db", str(path), "--admin", "chief", "--password-stdin", stdin=PASSWORD + "\n")
    assert res.returncode == 0, res.stderr
    assert "首个管理员账户「chief」" in res.stdout
    again = run_cli("init", "--db", str(path), "--admin", "x", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "已存在" in again.stderr


# -- dated backups ----------------------------------------------------------------------------------


def test_backup_keep_3_run_5_times_leaves_the_newest_3(prod_db: Path, tmp_path: Path) -> None:
    where = tmp_path / "backups"
    where.mkdir()
    (where / "notes.txt").write_text("not ours")
    (where / "other-20200101-000000.db").write_bytes(b"another database's backup")
    start = datetime(2026, 12, 1, 2, 30)
    made = []
    for night in range(5):
        rotation = rotate_backup(prod_db, where, 3, at=start + timedelta(days=night))
        made.append(rotation.made.path.name)
    assert made == [f"credit-2026120{d}-023000.db" for d in range(1, 6)]
    assert [p.name for p in dated_backups(where, "credit")] == made[-3:]
    assert (where / "notes.txt").exists() and (where / "other-20200101-000000.db").exists()
    with Store(prod_db) as store:
        log = store.backups.recent(10)
        assert len(log) == 5 and log[0]["path"].endswith(made[-1])
        assert store.audit_log(1)[0]["action"] == "backup.make"
    for kept in dated_backups(where, "credit"):
        with closing(sqlite3.connect(kept)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if os.name == "posix":
            assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_two_backups_in_the_same_second_both_keep_their_name(prod_db: Path, tmp_path: Path) -> None:
    at = datetime(2026, 12, 1, 2, 30)
    first = rotate_backup(prod_db, tmp_path, 5, at=at).made.path.name
    second = rotate_backup(prod_db, tmp_path, 5, at=at).made.path.name
    assert (first, second) == ("credit-20261201-023000.db", "credit-20261201-023000-2.db")
    assert [p.name for p in dated_backups(tmp_path, "credit")] == [first, second]


@pytest.mark.parametrize("keep", [0, -1, 10_001])
def test_keep_out_of_range_is_refused_before_anything_is_written(prod_db: Path, tmp_path: Path, keep: int) -> None:
    with pytest.raises(CreditError, match="--keep"):
        rotate_backup(prod_db, tmp_path / "b", keep)
    assert not (tmp_path / "b").exists()


def test_cli_backup_dir_keep(prod_db: Path, tmp_path: Path) -> None:
    where = tmp_path / "nightly"
    for _ in range(2):
        res = run_cli("backup", "--db", str(prod_db), "--dir", str(where), "--keep", "1")
        assert res.returncode == 0, res.stderr
    assert len(dated_backups(where, "credit")) == 1
    assert "已删除较旧的备份" in res.stdout
    res = run_cli("backup", "--db", str(prod_db), "-o", str(tmp_path / "x.db"), "--keep", "2")
    assert res.returncode == 1 and "--keep 只能与 --dir" in res.stderr


def test_a_downloaded_backup_needs_an_administrator(prod_db: Path) -> None:
    with pytest.raises(PermissionDenied):
        backup_bytes(prod_db, OFFICE)
    name, content = backup_bytes(prod_db, ADMIN)
    assert name.startswith("credit-") and content.startswith(b"SQLite format 3\x00")
    with Store(prod_db) as store:
        assert store.backups.last() is None  # a download is not a backup kept on the server
        assert store.backups.last(kept_only=False)["size"] == len(content)


# -- upgrade ------------------------------------------------------------------------------------------


def _applied(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]


def test_the_previous_release_upgrades_with_a_copy_first_and_scores_identically(tmp_path: Path) -> None:
    """tests/fixtures/previous_release.db was written by main@24aa675 (the release before this round's
    migrations): three months imported, February signed, one 管理员. Its scores then are in the JSON."""
    db = tmp_path / "credit.db"
    shutil.copyfile(FIXTURES / "previous_release.db", db)
    old = _applied(db)
    known = [m.name for m in MIGRATIONS.pending(sqlite_utils_memory())]
    assert old == known[: len(old)] and len(known) > len(old), "this release adds migrations"
    res = run_cli("upgrade", "--db", str(db))
    assert res.returncode == 0, res.stderr
    new_steps = known[len(old):]
    assert f"已完成 {len(new_steps)} 步升级：{'、'.join(new_steps)}" in res.stdout
    copies = list(tmp_path.glob("credit.pre-upgrade-*.db"))
    assert len(copies) == 1 and f"升级前已备份到：{copies[0]}" in res.stdout
    assert _applied(copies[0]) == old  # the copy is the database as it was
    assert _applied(db) == known
    expected = json.loads((FIXTURES / "previous_release_scores.json").read_text(encoding="utf-8"))
    with Store(db) as store:
        entry = store.audit_log(1, action="schema.upgrade")[0]
        assert entry["detail"] == {"migrations": new_steps, "backup": copies[0].name}
        assert store.upgrade is None  # already upgraded: nothing applied on this open
        for key, payload in expected.items():
            month, group = key.split("/")
            got = scores_payload(score(store, month, group))  # as JSON: a NaN subtotal (not assessed) equals itself
            assert json.dumps(got, ensure_ascii=False) == json.dumps(payload, ensure_ascii=False), key
        assert store.accounts.login("admin", "release-admin-1").role == "admin"
    again = run_cli("upgrade", "--db", str(db))
    assert again.returncode == 0 and "无需升级" in again.stdout
    assert len(list(tmp_path.glob("credit.pre-upgrade-*.db"))) == 1


def sqlite_utils_memory():
    from sqlite_utils import Database

    return Database(memory=True)


def test_an_upgrade_that_cannot_save_its_copy_changes_nothing(tmp_path: Path) -> None:
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("目录只读对 root 无效（root 仍可写入）；此处以不存在的目标目录模拟")
    db = tmp_path / "ro" / "credit.db"
    db.parent.mkdir()
    shutil.copyfile(FIXTURES / "previous_release.db", db)
    os.chmod(db.parent, 0o555)
    try:
        with pytest.raises(CreditError, match="升级前无法"):
            Store(db)
    finally:
        os.chmod(db.parent, 0o755)
    assert _applied(db) == _applied(FIXTURES / "previous_release.db")


def test_an_upgrade_copy_failure_rolls_the_migrations_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root a read-only directory does not stop a write, so the copy is made to fail directly."""
    from credit.store import core

    db = tmp_path / "credit.db"
    shutil.copyfile(FIXTURES / "previous_release.db", db)
    before = _applied(db)

    def broken(self):
        raise CreditError("数据库需要升级，但升级前无法保存备份（测试）")

    monkeypatch.setattr(core.Core, "_pre_upgrade_copy", broken)
    with pytest.raises(CreditError, match="升级前无法"):
        Store(db)
    assert _applied(db) == before


# -- doctor -------------------------------------------------------------------------------------------


def good_config(tmp_path: Path) -> Path:
    path = tmp_path / ".streamlit" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "deploy" / "streamlit-config.toml", path)
    return path


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="本机未安装 LibreOffice")
def test_doctor_passes_on_a_fresh_production_install(prod_db: Path, tmp_path: Path) -> None:
    rotate_backup(prod_db, tmp_path / "b", 3)
    checks = doctor.run_checks(prod_db, good_config(tmp_path), CLI)
    assert not doctor.failed(checks), doctor.report(checks)
    found = by_name(checks)
    assert found["数据库完整性"].level == doctor.OK
    assert found["数据库结构版本"].level == doctor.OK
    assert found["最近一次备份"].level == doctor.OK
    assert found["Streamlit 生产设置"].level == doctor.OK
    assert found["管理员账户"].found == "1 个可用的管理员账户"


def test_doctor_fails_and_says_how_when_libreoffice_is_not_on_path(prod_db: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    checks = doctor.run_checks(prod_db, good_config(tmp_path), CLI)
    assert doctor.failed(checks)
    lo = by_name(checks)["LibreOffice（生成 PDF 通报）"]
    assert lo.level == doctor.ERROR and "apt-get install libreoffice-writer" in lo.fix
    assert "✗ [错误] LibreOffice（生成 PDF 通报）：在 PATH 中找不到 soffice 或 libreoffice" in doctor.report(checks)


def test_doctor_names_each_wrong_thing(tmp_path: Path) -> None:
    missing = by_name(doctor.run_checks(tmp_path / "none.db", None, CLI))
    assert missing["数据库"].level == doctor.ERROR and "python -m credit init" in missing["数据库"].fix
    assert missing["Streamlit 生产设置"].level == doctor.NOTE

    db = tmp_path / "noadmin.db"
    Store(db).close()
    bad = good_config(tmp_path)
    bad.write_text(bad.read_text().replace("enableXsrfProtection = true", "enableXsrfProtection = false"))
    found = by_name(doctor.run_checks(db, bad, CLI))
    assert found["管理员账户"].level == doctor.ERROR and "--role admin" in found["管理员账户"].fix
    assert found["Streamlit 生产设置"].level == doctor.ERROR
    assert "server.enableXsrfProtection 为 False" in found["Streamlit 生产设置"].found
    assert found["最近一次备份"].level == doctor.NOTE

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert by_name(doctor.run_checks(junk, None, CLI))["数据库"].level == doctor.ERROR


def test_doctor_sees_a_database_waiting_for_an_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "previous_release.db", db)
    found = by_name(doctor.run_checks(db, None, CLI))
    assert found["数据库结构版本"].level == doctor.NOTE and "python -m credit upgrade" in found["数据库结构版本"].fix
    assert _applied(db) == _applied(FIXTURES / "previous_release.db")  # doctor only reads


def test_doctor_and_the_summary_need_an_administrator(prod_db: Path) -> None:
    for who in (OFFICE, LEADER):
        with pytest.raises(PermissionDenied):
            doctor.run_checks(prod_db, None, who)
        with pytest.raises(PermissionDenied):
            doctor.database_summary(prod_db, who)
    summary = doctor.database_summary(prod_db, ADMIN)
    assert summary.pending == () and summary.schema_steps == len(_applied(prod_db))


def test_cli_doctor_exit_code(prod_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    good_config(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice
    res = run_cli("doctor", "--db", str(prod_db))
    assert res.returncode == 1
    assert "LibreOffice" in res.stdout and "结论：有 " in res.stdout


# -- nothing POSIX-only at import time in credit/ ----------------------------------------------------------

POSIX_ONLY = {"fcntl", "resource", "pwd", "grp", "termios", "posix", "pty", "tty"}


def test_credit_imports_no_posix_only_module_unguarded() -> None:
    """Offices run Windows PCs too: a POSIX-only module may be imported only inside a try (with a fallback)
    or a function that is not reached on Windows."""
    bad = []
    for path in (ROOT / "credit").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level, outside try/if blocks
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            bad += [f"{path.relative_to(ROOT)}: {n}" for n in names if n in POSIX_ONLY]
    assert bad == []
