"""Accounts, roles and the audit log: enforced in `credit/`, whatever the pages do."""

from __future__ import annotations

import re
import subprocess
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.errors import CreditError
from credit.model.accounts import (
    ROLE_EDITOR,
    ROLE_VIEWER,
    SYSTEM,
    Action,
    Actor,
    PermissionDenied,
    hash_password,
    verify_password,
)
from credit.model.framework import default_framework_texts
from credit.reports.audit_view import ACTIONS
from credit.store.accounts import LOGIN_FAILED, MAX_FAILED, LoginFailed
from credit.store.facade import Store
from credit.workbook.importer import parse_workbook
from tests.support.actors import ADMIN, EDITOR, VIEWER, file_digest
from tests.support.cli import run_cli
from tests.support.paths import ROOT


def write_calls(store: Store) -> dict[str, object]:
    """Every write the store offers, each as a zero-argument call made on behalf of `actor`."""
    register = store.units.register()
    from credit.app.demo import MonthData, demo_months, fill_template
    from credit.workbook.template import build_template

    template = build_template("2022-11", register)
    towns = next(d for d in demo_months(register) if d.month == "2022-10").sheets["镇街"]

    def workbook(docs: int):
        rows = [{**r, "本月出台信用制度文件数": docs} for r in towns]
        raw = fill_template(template, MonthData("2022-11", {"镇街": rows}))
        return parse_workbook(raw, f"t{docs}.xlsx", "2022-11", register), raw

    for docs in (1, 2):  # two versions of 2022-11 so that version 1 can be restored
        store.datasets.import_workbook(*workbook(docs), f"t{docs}.xlsx", SYSTEM)
    version = store.datasets.versions("2022-11")[-1]["id"]
    assert store.datasets.versions("2022-11")[-1]["version"] == 1
    parsed, raw = workbook(3)
    fw = default_framework_texts()["镇街"]
    return {
        "import": lambda a: store.datasets.import_workbook(parsed, raw, "t3.xlsx", a),
        "restore": lambda a: store.datasets.restore_version(version, a),
        "add_unit": lambda a: store.units.add("xinqu", "新区", "镇街", "镇", "2022-11", a),
        "rename_unit": lambda a: store.units.rename("yushan", "榆山新街道", "2022-11", a),
        "retire_unit": lambda a: store.units.retire("kongcun", "2022-11", a),
        "save_framework": lambda a: store.frameworks.save_framework("镇街", "2022-11", fw + "\n# 改\n", a, "调整"),
        "set_xyd_target": lambda a: store.frameworks.set_xyd_target(2023, 1.0, 2.0, a),
        "set_meta": lambda a: store.settings.set("login_required", "0", by=a),
        "add_account": lambda a: store.accounts.add_account("newbie", "abc12345", ROLE_VIEWER, by=a),
        "set_password_other": lambda a: store.accounts.set_password("office", "zzz98765", by=a),
        "disable_account": lambda a: store.accounts.set_account_disabled("office", True, by=a),
    }


WRITES = ["import", "restore", "add_unit", "rename_unit", "retire_unit", "save_framework", "set_xyd_target",
          "set_meta", "add_account", "set_password_other", "disable_account"]


@pytest.mark.parametrize("name", WRITES)
def test_viewer_is_refused_every_write_and_nothing_changes(demo_db: Path, name: str) -> None:
    with open_store(demo_db) as store:
        call = write_calls(store)[name]
        before = file_digest(store)
        with pytest.raises(PermissionDenied) as err:
            call(VIEWER)
        assert "无权" in str(err.value) and "未写入任何数据" in str(err.value)
        for anonymous in (None, "office"):  # no actor, or a bare name instead of an account
            with pytest.raises(PermissionDenied):
                call(anonymous)
        assert file_digest(store) == before


@pytest.mark.parametrize("name", ["add_account", "set_password_other", "disable_account", "add_unit", "rename_unit"])
def test_editor_cannot_manage_accounts_or_units(demo_db: Path, name: str) -> None:
    with open_store(demo_db) as store:
        call = write_calls(store)[name]
        before = file_digest(store)
        with pytest.raises(PermissionDenied, match="管理员"):
            call(EDITOR)
        assert file_digest(store) == before


def test_editor_may_import_restore_and_adopt(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        calls = write_calls(store)
        for name in ("restore", "set_xyd_target", "save_framework"):
            calls[name](EDITOR)
        actions = [r["action"] for r in store.audit_log(limit=3)]
        assert {"restore", "xyd.set", "framework.save"} <= set(actions)


def test_hashes_never_equal_or_contain_the_password() -> None:
    pw = "abc12345"
    h1, h2 = hash_password(pw), hash_password(pw)
    assert h1 != h2  # a fresh salt each time
    for h in (h1, h2):
        assert pw not in h and h.startswith("scrypt$")
        assert verify_password(pw, h) and not verify_password("abc12346", h)
    assert not verify_password(pw, "plain-text")


def test_stored_hash_is_not_the_password(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        acc = store.accounts.account("office")
        assert acc is not None and "demo-office-1" not in acc["pw_hash"]
        raw = Path(store.path).read_bytes()
        store.checkpoint()
        assert b"demo-office-1" not in Path(store.path).read_bytes() + raw


def test_wrong_passwords_lock_the_account(demo_db: Path) -> None:
    t0 = datetime(2026, 1, 5, 9, 0).astimezone()
    with open_store(demo_db) as store:
        for i in range(MAX_FAILED):
            with pytest.raises(LoginFailed, match=re.escape(LOGIN_FAILED)):  # no count of tries left: see test_login_security
                store.accounts.login("office", "wrong-pass1", at=t0)
            assert store.accounts.account("office")["failed"] == (i + 1) % MAX_FAILED
        assert store.accounts.account("office")["locked_until"] == (t0 + timedelta(minutes=15)).isoformat(timespec="seconds")
        with pytest.raises(LoginFailed, match=re.escape(LOGIN_FAILED)):  # even the right password is refused now
            store.accounts.login("office", "demo-office-1", at=t0 + timedelta(minutes=5))
        actor = store.accounts.login("office", "demo-office-1", at=t0 + timedelta(minutes=16))
        assert actor == Actor("office", ROLE_EDITOR, "演示信用办")
        log = store.audit_log(limit=10)
        assert [r["action"] for r in log][:1] == ["login"]
        assert sum(r["action"] == "login.failed" for r in log) == MAX_FAILED + 1


def test_unknown_and_disabled_accounts(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        with pytest.raises(LoginFailed, match=re.escape(LOGIN_FAILED)):
            store.accounts.login("nobody", "whatever1")
        store.accounts.set_account_disabled("leader", True, by=ADMIN)
        with pytest.raises(LoginFailed, match=re.escape(LOGIN_FAILED)):
            store.accounts.login("leader", "demo-leader-1")
        reasons = [r["detail"]["reason"] for r in store.audit_log(limit=2, action="login.failed")]
        assert reasons == ["账户已停用", "用户不存在"]  # the audit log, read by admins only, says which


def test_change_own_password_needs_the_old_one(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        with pytest.raises(CreditError, match="原密码不正确"):
            store.accounts.set_password("leader", "new-pass-9", by=VIEWER, old_password="bad")
        store.accounts.set_password("leader", "new-pass-9", by=VIEWER, old_password="demo-leader-1")
        assert store.accounts.login("leader", "new-pass-9").role == ROLE_VIEWER
        with pytest.raises(CreditError, match="至少 8 位"):
            store.accounts.set_password("leader", "short", by=ADMIN)


@pytest.mark.parametrize("bad", ["\x00", "\x00\x00", "\x07", "\u200b", "\u202e"])
def test_a_password_with_a_control_or_invisible_character_is_never_set_nor_accepted(demo_db: Path, bad: str) -> None:
    """scrypt's HMAC pads its key with NUL bytes: "pw\\x00" hashed as "pw" would log in as the real
    password. Such text is refused as a new password and at login (the one login message)."""
    with open_store(demo_db) as store:
        with pytest.raises(CreditError, match="^密码含有不允许的"):
            store.accounts.set_password("leader", "new-pass-9" + bad, by=ADMIN)
        with pytest.raises(LoginFailed, match=re.escape(LOGIN_FAILED)):
            store.accounts.login("leader", "demo-leader-1" + bad)
        assert store.accounts.login("leader", "demo-leader-1").role == ROLE_VIEWER


def test_a_password_longer_than_the_limit_is_refused_with_its_length(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        with pytest.raises(CreditError, match=r"密码过长：共 129 个字符，最多 128 个"):
            store.accounts.set_password("leader", "a1" * 64 + "b", by=ADMIN)
        store.accounts.set_password("leader", "a1" * 64, by=ADMIN)
        assert store.accounts.login("leader", "a1" * 64).role == ROLE_VIEWER


def test_audit_log_records_each_action(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        calls = write_calls(store)
        store.accounts.login("admin", "demo-admin-1")
        for name in ("import", "restore", "add_unit", "rename_unit", "save_framework", "add_account",
                     "set_password_other", "disable_account"):
            calls[name](ADMIN)
        with pytest.raises(LoginFailed):
            store.accounts.login("admin", "nope-nope-1")
        store.exports.record_export("2022-10", "xlsx", ADMIN, size=1)
        got = {r["action"] for r in store.audit_log(limit=None)}
    assert {"login", "login.failed", "import", "restore", "unit.add", "unit.rename", "framework.save",
            "account.add", "account.password", "account.disable", "bulletin.export"} <= got
    assert got <= set(ACTIONS), f"操作日志页没有中文名称的操作：{got - set(ACTIONS)}"


def test_every_action_written_anywhere_has_a_chinese_name() -> None:
    """The audit page shows ACTIONS' names; an action string added in code without one would show raw."""
    written: set[str] = set()
    call = re.compile(r'(?:\.changed|\.audit)\(\s*[\w.()]+,\s*([^,{]+?),')
    for path in [*(ROOT / "credit").rglob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for action in call.findall(path.read_text(encoding="utf-8")):
            written |= set(re.findall(r'"([a-z_.]+)"', action))  # both arms of `"a" if x else "b"`
    assert len(written) >= 15
    assert written <= set(ACTIONS), written - set(ACTIONS)


def test_no_account_is_created_silently(tmp_path: Path) -> None:
    with open_store(tmp_path / "real.db") as store:
        assert store.accounts.accounts() == []
    cmd = ["user", "add", "zhang", "--role", "editor", "--password-stdin", "--db", str(tmp_path / "real.db")]
    empty = run_cli(*cmd, stdin="\n")  # in this process: the same cli.main, exit code and stderr
    assert empty.returncode == 1 and "密码至少 8 位" in empty.stderr
    ok = run_cli(*cmd, stdin="abc12345\n")
    assert ok.returncode == 0, ok.stderr
    listing = run_cli("user", "list", "--db", str(tmp_path / "real.db"))
    assert "zhang\t信用办" in listing.stdout


def test_real_database_requires_login_demo_does_not(demo_db: Path, tmp_path: Path) -> None:
    with open_store(demo_db) as store:
        assert store.settings.get("demo") == "1" and store.settings.get("login_required") is None
    with open_store(tmp_path / "real.db") as store:
        assert store.settings.get("demo") is None  # → ui.auth.login_required() is True


def test_hardening_config_and_no_unescaped_html() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"]["maxUploadSize"] <= 50
    from streamlit import config as st_config

    assert st_config.get_option("server.enableXsrfProtection") is True
    offenders = [
        str(p.relative_to(ROOT)) for p in [ROOT / "Home.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"),
                                           *ROOT.glob("credit/*.py")]
        if "unsafe_allow_html=True" in p.read_text(encoding="utf-8") or "st.html(" in p.read_text(encoding="utf-8")
    ]
    # ui/style.py injects one fixed stylesheet (Chinese uploader labels); no value is formatted into it.
    # ui/cookie.py writes the login cookie (Streamlit cannot): its script takes only a token-shaped
    # value, the cookie name and two integers (test_cookie_script_carries_only_a_token below).
    # ui/preload.py has the browser fetch Streamlit's own chart code: its script takes only file names
    # of Streamlit's hashed shape and an integer (tests/pages/test_warmup.py refuses any other name).
    assert sorted(offenders) == ["ui/cookie.py", "ui/preload.py", "ui/style.py"]
    prefetch = (ROOT / "ui" / "preload.py").read_text(encoding="utf-8")
    assert prefetch.count("st.html(") == 1
    assert "st.html(prefetch_script(chart_code_files()), unsafe_allow_javascript=True)" in prefetch
    from ui.preload import PREFETCH_SCRIPT

    assert set(PREFETCH_SCRIPT.get_identifiers()) == {"files", "delay"}
    style = (ROOT / "ui" / "style.py").read_text(encoding="utf-8")
    assert style.count("st.html(") == 1 and "st.html(CSS)" in style
    assert set(re.findall(r"(?<!{){([^{}]+)}(?!})", style.split('CSS = f"""', 1)[1].split('"""', 1)[0])) <= {
        "MOBILE_MONTH_KEY", "NARROW_PX - 1", "COOKIE_BOX", "_hidden_boxes()", "UPLOAD_BUTTON", "UPLOAD_REFUSED", "_tip_rules()"}  # constants only (the tip rules too)
    cookie = (ROOT / "ui" / "cookie.py").read_text(encoding="utf-8")
    assert cookie.count("st.html(") == 1
    assert "st.html(cookie_script(token, drop, max_age_s, int(time.time() // 60)), unsafe_allow_javascript=True)" in cookie
    assert "unsafe_allow_javascript" not in style
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT).stdout.split()
    assert not any(t.endswith("secrets.toml") for t in tracked)
    assert "secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_cookie_script_carries_only_a_token() -> None:
    """The one script with JavaScript: every value in it is the cookie name, a token or an integer."""
    from ui.cookie import COOKIE_NAME, SCRIPT, cookie_script

    assert set(SCRIPT.get_identifiers()) == {"name", "want", "drop", "max_age", "beat"}
    token = "Ab3_-" + "x" * 38
    script = cookie_script(token, ["y" * 43, "</script><script>alert(1)</script>", "leader"], 1800, 7)
    assert f'const name = "{COOKIE_NAME}", want = "{token}", drop = ["{"y" * 43}"], maxAge = 1800, beat = 7;' in script
    assert "alert" not in script and "leader" not in script and script.count("<script>") == 1
    assert "SameSite=Strict" in script and "Path=/" in script and '"https:" ? "; Secure"' in script
    assert 'const name = "credit_session", want = null, drop = []' in cookie_script(None, [], 60, 0)
    for bad in ("leader", "</script><script>alert(1)</script>", "x" * 42, "x" * 44, "é" * 43):
        with pytest.raises(ValueError):
            cookie_script(bad, [], 1800, 0)


def test_system_actor_is_admin_for_seeding_only() -> None:
    assert SYSTEM.can(Action.UNITS) and SYSTEM.label == "系统初始化"
