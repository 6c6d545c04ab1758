"""Security settings need an administrator; audit rows come only from the operation that did the thing.

Issue 13, holes 3 and 4: an editor could switch the login off or stretch the idle timeout through
`set_meta`, and `log_event` let anyone (even no actor) write any audit row, e.g. a viewer
writing `account.add`.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import ROLE_ADMIN, ROLE_EDITOR, Actor, PermissionDenied
from credit.store.accounts import LoginFailed
from credit.store.core import Core
from credit.store.facade import Store
from credit.store.settings import is_security_setting
from tests.support.actors import ADMIN, EDITOR, VIEWER, file_digest


def audit_count(store: Store) -> int:
    return len(store.audit_log(limit=None))


# -- hole 3: security settings -----------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [("login_required", "0"), ("session_idle_minutes", "999999"),
                                            ("auth_mode", "oidc"), ("login_max_failed", "1000"),
                                            ("demo", "1")])  # issue 22: demo=1 lets anonymous readers in
def test_editor_cannot_weaken_authentication(demo_db: Path, key: str, value: str) -> None:
    with open_store(demo_db) as store:
        before, old = file_digest(store), store.settings.get(key)
        with pytest.raises(PermissionDenied) as err:
            store.settings.set(key, value, by=EDITOR)
        assert file_digest(store) == before and store.settings.get(key) == old
    message = str(err.value)
    assert "无权修改登录与安全设置" in message and "仅限管理员" in message and "未写入任何数据" in message


def test_admin_may_change_security_settings_and_it_is_audited(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        store.settings.set("login_required", "0", by=ADMIN)
        store.settings.set("session_idle_minutes", "60", by=ADMIN)
        assert store.settings.get("login_required") == "0" and store.settings.get("session_idle_minutes") == "60"
        rows = store.audit_log(limit=2, action="meta.set")
    assert [(r["who"], r["detail"]) for r in rows] == [
        ("admin", {"key": "session_idle_minutes", "value": "60"}),
        ("admin", {"key": "login_required", "value": "0"}),
    ]


def test_ordinary_settings_keep_the_settings_permission(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        store.settings.set("bulletin_issuer", "平阴县信用办", by=EDITOR)
        assert store.settings.get("bulletin_issuer") == "平阴县信用办"
        with pytest.raises(PermissionDenied, match="无权修改系统设置"):
            store.settings.set("bulletin_issuer", "别人", by=VIEWER)
    assert is_security_setting("demo") and not is_security_setting("bulletin_issuer")
    assert all(is_security_setting(k) for k in ("login_required", "session_idle_minutes", "auth_mode",
                                                "account_policy", "password_min_length"))


# -- hole 4: no forged audit rows --------------------------------------------------------------


def _public_callables(obj: object) -> dict[str, object]:
    return {n: getattr(obj, n) for n in dir(obj) if not n.startswith("_") and callable(getattr(obj, n))}


def _parts(store: Store) -> dict[str, object]:
    return {n: v for n, v in vars(store).items() if not n.startswith("_") and not isinstance(v, Path)}


def test_there_is_no_public_way_to_add_an_arbitrary_audit_row(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        assert not hasattr(store, "log_event") and not hasattr(Store, "adopt_weights")
        parts = _parts(store)
        assert {"settings", "units", "datasets", "frameworks", "accounts", "registers", "scenarios", "exports",
                "seeding"} <= set(parts)
        for owner, obj in {"store": store, **parts}.items():
            assert not any(isinstance(v, Core) for n, v in vars(obj).items() if not n.startswith("_")), owner
            for name, method in _public_callables(obj).items():
                if isinstance(method, type) or name == "audit_log":  # audit_log reads, filtering by action
                    continue
                params = set(inspect.signature(method).parameters)
                assert not params & {"action", "detail"}, f"{owner}.{name} takes an action name or detail"
            assert not hasattr(obj, "log_event"), owner


def test_an_export_records_only_an_export_of_the_actor_itself(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        before, rows = file_digest(store), audit_count(store)
        for nobody in (None, "admin", Actor("x", "superuser")):
            with pytest.raises(PermissionDenied, match="导出记录未写入"):
                store.exports.record_export("2022-10", "docx", nobody, size=10)
        assert file_digest(store) == before
        store.exports.record_export("2022-10", "docx", VIEWER, size=10, red=1, yellow=2)
        log = store.audit_log(limit=None)
    assert len(log) == rows + 1
    assert (log[0]["who"], log[0]["action"], log[0]["detail"]) == (
        "leader", "bulletin.export", {"month": "2022-10", "format": "docx", "bytes": 10, "red": 1, "yellow": 2})
    assert not any(r["action"] == "account.add" and r["who"] == "leader" for r in log)


def test_a_viewer_cannot_add_an_account_row_by_any_means(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        before = [r for r in store.audit_log(limit=None) if r["action"] == "account.add"]
        with pytest.raises(PermissionDenied):
            store.accounts.add_account("ghost", "abc12345", ROLE_ADMIN, by=VIEWER)
        with pytest.raises(PermissionDenied):
            store.accounts.add_account("ghost", "abc12345", ROLE_ADMIN, by=None)
        assert [r for r in store.audit_log(limit=None) if r["action"] == "account.add"] == before
        assert store.accounts.account("ghost") is None


def test_audit_rows_are_written_only_inside_a_write(tmp_path: Path) -> None:
    core = Core(tmp_path / "c.db")
    try:
        with pytest.raises(RuntimeError, match="write"):
            core.audit("x", "account.add", {})
        with core.write():
            with core.write():  # nested: joins the outer transaction
                core.changed("admin", "meta.set", {"key": "k"})
        assert [r["action"] for r in core.audit_log()] == ["meta.set"] and core.data_version() == 1
    finally:
        core.close()


def test_login_failures_and_sign_outs_are_still_audited(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        for name in ("office", "nobody"):
            with pytest.raises(LoginFailed):
                store.accounts.login(name, "wrong-pass1")
        actor = store.accounts.login("office", "demo-office-1")
        store.sessions.logout(actor)
        store.accounts.logout(actor, expired=True)
        with pytest.raises(PermissionDenied):
            store.sessions.logout(None)
        log = [(r["who"], r["action"]) for r in store.audit_log(limit=5)]
    assert log == [("office", "logout.expired"), ("office", "logout"), ("office", "login"),
                   ("nobody", "login.failed"), ("office", "login.failed")]


def test_oidc_login_is_audited_and_refuses_disabled_accounts(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        store.accounts.add_account("zhang@pingyin.gov.cn", "abc12345", ROLE_EDITOR, by=ADMIN, display="张三")
        assert store.accounts.login_oidc("zhang@pingyin.gov.cn") == Actor("zhang@pingyin.gov.cn", ROLE_EDITOR, "张三")
        assert store.audit_log(limit=1)[0]["action"] == "login.oidc"
        store.accounts.set_account_disabled("zhang@pingyin.gov.cn", True, by=ADMIN)
        rows = audit_count(store)
        assert store.accounts.login_oidc("zhang@pingyin.gov.cn") is None and store.accounts.login_oidc("") is None
        assert audit_count(store) == rows


def test_every_write_of_settings_and_seeding_names_its_actor() -> None:
    """issue 22 §3: `set_meta`/`seed_defaults` without `by=` wrote as 系统初始化 (this set login_required=0)."""
    from credit.store.results import Results
    from credit.store.seeding import Seeding
    from credit.store.settings import Settings
    for fn in (Settings.set, Seeding.seed_defaults, Settings.set, Seeding.seed_defaults, Results.put):
        by = inspect.signature(fn).parameters["by"]
        assert by.default is inspect.Parameter.empty, fn.__qualname__


def test_set_meta_without_an_actor_is_refused(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        before = file_digest(store)
        with pytest.raises(TypeError):
            store.settings.set("login_required", "0")  # type: ignore[call-arg]
        with pytest.raises(PermissionDenied, match="缺少操作账户"):
            store.settings.set("login_required", "0", by=None)  # type: ignore[arg-type]
        assert file_digest(store) == before and store.settings.get("login_required") != "0"
