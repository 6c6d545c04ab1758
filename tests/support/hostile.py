"""The hostile cases of issue 13, run for real against the domain (no monkeypatching).

`benchmarks/reliability_report.py` prints them as a table; the tests that assert each case hold
the same behaviour case by case (tests/store/test_login_security.py, tests/store/test_security.py,
tests/store/test_backup.py, tests/store/test_registers.py, tests/workbook/test_formulas.py,
tests/workbook/test_plausibility.py, tests/app/test_storage_failures.py). Each case returns
(item of issue 13, case, outcome in Chinese); a case that got through, or changed the database on
refusal, raises AssertionError, so a row is only printed when its check held.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
import statistics
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from credit.app.service import SurgeNotConfirmed, import_batch
from credit.errors import CreditError, storage_failure
from credit.model.accounts import ROLE_EDITOR, ROLE_VIEWER, Actor, PermissionDenied
from credit.model.contract import SHEET_SCENARIOS, SHEET_TOWN, UNIT_COL
from credit.store.accounts import LOGIN_FAILED, MAX_FAILED, LoginFailed
from credit.store.facade import Store
from credit.store.maintenance import backup_database, restore_database
from credit.workbook.preview import build_preview, check_file
from tests.support import reliability as rh
from tests.support import workbooks as wbk
from tests.support.actors import ADMIN, EDITOR, VIEWER

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
        store.registers.add_register_entry(SHEET_SCENARIOS, rh.MONTH, "yushan", {"信用应用": "信易批"}, OFFICE)
        before = rh.db_hash(store)
        try:
            store.registers.add_evidence(SHEET_SCENARIOS, int(rh.MONTH[:4]), "yushan", "信易批", "方案.pdf", data, OFFICE)
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


def _cli(*args: object) -> tuple[int, str]:
    """(exit code, first line of stderr) of one CLI command, run in this process."""
    from credit.app import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    text = err.getvalue()
    assert "Traceback" not in text and "sqlite3" not in text, text
    return code, text.strip().splitlines()[0]


def _cli_corrupt(workdir: Path) -> str:
    db = rh.seeded_db(workdir / "corrupt.db")
    db.write_bytes(b"\xff" * 100 + db.read_bytes()[100:])  # the header overwritten
    code, line = _cli("scores", "--db", db, "--month", rh.MONTH, "--group", "镇街")
    assert code != 0, code
    return f"命令行 scores：退出码 {code}，{line}"


def _cli_read_only(workdir: Path) -> str:
    db = rh.seeded_db(workdir / "ro.db")
    upload = workdir / "月报.xlsx"
    upload.write_bytes(rh.big_events_workbook(10))
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        return "跳过：本机不能设不可变文件（chattr +i）"
    try:
        before = db.read_bytes()
        code, line = _cli("import", "--db", db, "--month", rh.MONTH, upload)
        assert code != 0 and db.read_bytes() == before, code
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=False)
    return f"命令行 import：退出码 {code}，数据库文件不变；{line}"


# ---- accounts and settings (items 1-4) ----------------------------------------------------------

PASSWORDS = {"office": "office-pass-1", "leader": "leader-pass-1"}
RACE_THREADS = 40


def _accounts_db(workdir: Path, tag: str) -> Path:
    """A seeded database with an office (editor) and a leader (viewer) account, made by the admin."""
    db = rh.seeded_db(workdir / f"accounts-{tag}.db")
    with Store(db) as store:
        store.accounts.add_account("office", PASSWORDS["office"], ROLE_EDITOR, by=ADMIN)
        store.accounts.add_account("leader", PASSWORDS["leader"], ROLE_VIEWER, by=ADMIN)
    return db


def _lockout_race(workdir: Path) -> str:
    """40 threads, each with its own connection, guess office's password at the same moment."""
    db = _accounts_db(workdir, "race")
    start, answers = threading.Barrier(RACE_THREADS), []

    def guess(i: int) -> None:
        with Store(db) as store:
            start.wait()
            try:
                store.accounts.login("office", f"wrong-guess-{i}")
                answers.append("登录成功")
            except CreditError as exc:
                answers.append(str(exc))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(RACE_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    with Store(db) as store:
        locked = store.accounts.account("office")["locked_until"] is not None
        rows = [r["detail"] for r in store.audit_log(limit=None, action="login.failed")]
    checked = sum("failed" in r for r in rows)  # a failure row carries a count only when the password was checked
    assert len(answers) == RACE_THREADS and set(answers) == {LOGIN_FAILED}, set(answers)
    assert checked == MAX_FAILED and locked, (checked, locked)
    return (f"{RACE_THREADS} 个线程各用独立连接同时猜错：只校验了 {checked} 次口令（上限 {MAX_FAILED}），账户已锁定，"
            f"{RACE_THREADS} 次都只提示“{LOGIN_FAILED}”")


def _login_seconds(store: Store, name: str, password: str) -> float:
    """CPU seconds of this thread for one refused login: the hash check runs on the calling thread
    (hashlib or libsodium), so the figure is the work done, not how busy the shared machine was."""
    started = time.thread_time()
    try:
        store.accounts.login(name, password)
    except LoginFailed:
        return time.thread_time() - started
    raise AssertionError(f"{name} logged in")


def _enumeration(workdir: Path) -> str:
    """Unknown, wrong password, disabled: one message, and an unknown name costs a hash check too."""
    with Store(_accounts_db(workdir, "enum")) as store:
        store.accounts.set_account_disabled("leader", True, by=ADMIN)
        messages = set()
        for name, password in (("nobody", "whatever-1"), ("office", "wrong-pass-1"), ("leader", PASSWORDS["leader"])):
            try:
                store.accounts.login(name, password)
            except LoginFailed as exc:
                messages.add(str(exc))
        assert messages == {LOGIN_FAILED}, messages
        _login_seconds(store, "nobody", "warm-up-1")  # the dummy hash is made once, on first need
        pairs = [(_login_seconds(store, "nobody", "wrong-pass-1"), _login_seconds(store, "office", "wrong-pass-1"))
                 for _ in range(3)]  # alternating; 1 + 3 failures stay under the lock-out
        unknown, known = (statistics.median(side) for side in zip(*pairs))
    ratio = unknown / known
    assert 0.5 <= ratio <= 2.0, (unknown, known)
    return (f"不存在的用户名、错误口令、已停用账户：同一句“{LOGIN_FAILED}”；不存在的用户名耗时为已有账户的 "
            f"{ratio:.2f} 倍（{unknown * 1000:.0f} ms / {known * 1000:.0f} ms，CPU 时间，交替测量，同样做一次 scrypt）")


def _refused_unchanged(db: Path, action: Callable[[Store], object], name: str) -> str:
    """The message `action` is refused with; asserts the database file is unchanged."""
    with Store(db) as store:
        before = rh.db_hash(store)
        try:
            action(store)
        except PermissionDenied as exc:
            assert rh.db_hash(store) == before, name
            return str(exc)
    raise AssertionError(f"{name}: allowed")


def _settings(workdir: Path) -> str:
    db = _accounts_db(workdir, "settings")
    messages = [_refused_unchanged(db, lambda s, k=k, v=v: s.settings.set(k, v, by=EDITOR), k)
                for k, v in (("login_required", "0"), ("session_idle_minutes", "999999"))]
    return f"信用办设 login_required=0、session_idle_minutes=999999：均拒绝，数据库不变（{messages[0]}）"


def _audit_forgery(workdir: Path) -> str:
    db = _accounts_db(workdir, "audit")
    with Store(db) as store:
        assert not hasattr(store, "log_event") and not any(hasattr(v, "log_event") for v in vars(store).values())
    message = _refused_unchanged(db, lambda s: s.accounts.add_account("ghost", "ghost-pass-1", ROLE_EDITOR, by=VIEWER),
                                 "viewer account.add")
    return f"没有写任意审计行的公开方法（log_event 已无）；领导账户添加账户被拒绝，审计无新行（{message}）"


# ---- uploads (items 6, 8) -------------------------------------------------------------------------

XLS_POI = struct.pack("<d", 0.0)  # Apache POI: 0 and "calculate on open"


def _upload_case(workdir: Path, name: str, case: tuple[Callable[[], bytes], str, str]) -> str:
    build, filename, expect = case
    with Store(rh.seeded_db(workdir / f"upload-{hashlib.sha1(name.encode()).hexdigest()[:6]}.db")) as store:
        [e] = rh.refuse(store, build(), filename)
    assert expect in e.message, e.message
    return f"第 {e.row} 行「{e.column}」：{e.message}，数据库不变"


UPLOADS: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "公式：.xlsx 文本公式无结果（t=\"str\"）": (
        lambda: rh.uncalculated_cell(b'<c r="B2" t="str"><f>2+3</f></c>'), "月报.xlsx", "公式没有计算结果"),
    "公式：.xls，xlwt 写入（结果为空，未计算）": (rh.xlwt_formula_xls, "月报.xls", "公式没有计算结果"),
    "公式：.xls，POI 写入（结果 0，标记“打开时计算”）": (
        lambda: wbk.patch_xls_cell(rh.xlwt_formula_xls(), 1, 1, 0x0006, wbk.formula_result(XLS_POI, 0x0002)),
        "月报.xls", "公式没有计算结果"),
    "范围：金额 1e300 万元": (lambda: wbk.town_sheet({UNIT_COL: "东阿镇", "信易贷融资需求金额（万元）": 1e300}),
                        "月报.xlsx", "超出合理范围"),
    "范围：计数 1e20": (lambda: wbk.town_sheet({UNIT_COL: "东阿镇", rh.TOWN_FIELD: 1e20}), "月报.xlsx", "超出合理范围"),
    "范围：扣分事项数量 1e300": (lambda: wbk.events_sheet(wbk.event(数量=1e300)), "月报.xlsx", "超出合理范围"),
}


def _surge(workdir: Path) -> str:
    """An amount 50× last month's (元 typed for 万元): imported only after the office acknowledges the
    preview's warning. (A monthly flow from a small base is not asked about: issue 25 §17.)"""
    amount = "信易贷融资需求金额（万元）"
    office = Actor("x", ROLE_EDITOR, "信用办")
    with Store(rh.seeded_db(workdir / "surge.db")) as store:
        march = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", amount: 2}]}, month="2022-03")
        assert import_batch(store, "2022-03", [("3月.xlsx", march)], office, surges_confirmed=True).ok
        raw = wbk.fill_template({SHEET_TOWN: [{UNIT_COL: "东阿镇", amount: 100}]}, month="2022-04")
        check = check_file(raw, "4月.xlsx", "2022-04", store.units.register())
        preview = build_preview(store, "2022-04", [check], store.units.register())
        [row] = [r for s in preview.sheets for r in s.surges.to_dict("records")]
        assert preview.surges == 1 and row["倍数"] == "50.0 倍", row
        version = store.data_version()
        try:
            import_batch(store, "2022-04", [("4月.xlsx", raw)], office, checks=[check])
        except SurgeNotConfirmed:
            pass
        else:
            raise AssertionError("a tenfold rise was imported without confirmation")
        assert store.data_version() == version
    return (f"东阿镇「{amount}」上月 2、本月 100：预览列出“{row['倍数']}”，未确认时导入本身拒绝、不写入"
            "（页面须勾选，命令行须 --confirm-surges）")


def run_hostile(workdir: Path) -> list[tuple[str, str, str]]:
    """(item of issue 13, case, outcome) for every case; raises if one got through."""
    cases: list[tuple[str, str, Callable[[], str]]] = [
        ("1 锁定", "40 个并行的错误口令", lambda: _lockout_race(workdir)),
        ("2 枚举", "不存在 / 口令错 / 已停用", lambda: _enumeration(workdir)),
        ("3 设置", "信用办削弱登录设置", lambda: _settings(workdir)),
        ("4 审计", "伪造审计行", lambda: _audit_forgery(workdir)),
        *(("5 恢复", n, lambda n=n, s=s: _restore_case(workdir, n, s)) for n, s in BACKUP_TAMPERING.items()),
        *(("6 公式", n, lambda n=n, c=c: _upload_case(workdir, n, c)) for n, c in UPLOADS.items() if n.startswith("公式")),
        *(("7 证明材料", n, lambda n=n, d=d: _evidence_case(workdir, n, d)) for n, d in EVIDENCE.items()),
        *(("8 范围", n, lambda n=n, c=c: _upload_case(workdir, n, c)) for n, c in UPLOADS.items() if n.startswith("范围")),
        ("8 范围", "比上月增长超过 10 倍", lambda: _surge(workdir)),
        ("9 存储", "存储：磁盘已满（导入 3,000 行时）", lambda: _disk_full(workdir)),
        ("9 存储", "存储：数据库文件头损坏", lambda: _cli_corrupt(workdir)),
        ("9 存储", "存储：数据库文件只读（不可变）", lambda: _cli_read_only(workdir)),
    ]
    return [(item, name, run()) for item, name, run in cases]
