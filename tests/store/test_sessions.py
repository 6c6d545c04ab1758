"""Issue 13, "keep a login across F5": session tokens issued at login, checked, expired and revoked.

The browser keeps only an opaque token (its cookie); the database only the token's sha256. Each
test logs in through the real password check on a copy of the demo database and moves a fake
clock (`at=`) to test the idle window without waiting.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.common.clock import BEIJING
from credit.errors import CreditError
from credit.model.accounts import ROLE_UNIT, Actor, PermissionDenied
from credit.reports.audit_view import action_name
from credit.store.facade import Store
from credit.store.sessions import KEEP_DAYS, TOUCH_SECONDS
from credit.store.tokens import looks_like_token, token_hash
from tests.support.actors import ADMIN, EDITOR, VIEWER, file_digest

T0 = datetime(2026, 12, 1, 9, 0, 0, tzinfo=BEIJING)
OFFICE = ("office", "demo-office-1")


def row(store: Store, token: str) -> dict | None:
    return store._core.one("SELECT * FROM session_tokens WHERE token_hash = ?", (token_hash(token),))


def test_token_is_random_and_only_its_hash_is_stored(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        actor, token = store.sessions.login(*OFFICE, at=T0)
        _, other = store.sessions.login(*OFFICE, at=T0)
        assert actor == Actor("office", "editor", actor.display, None)
        assert looks_like_token(token) and len(token) == 43 and token != other
        assert "office" not in token and "editor" not in token
        saved = row(store, token)
        assert saved is not None
        assert saved["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        assert (saved["username"], saved["created_at"], saved["last_seen"], saved["revoked_at"]) == (
            "office", "2026-12-01T09:00:00+08:00", "2026-12-01T09:00:00+08:00", None)
        store.checkpoint()
        raw = Path(store.path).read_bytes()
    assert token.encode() not in raw and other.encode() not in raw  # not in the file, in no column


def test_resume_gives_the_account_back_and_refuses_anything_else(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        actor, token = store.sessions.login("dongezhen", "demo-unit-1", at=T0)
        back = store.sessions.resume(token, at=T0 + timedelta(seconds=5))
        assert back == actor and back.role == ROLE_UNIT and back.unit_id == actor.unit_id is not None
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        for bad in (forged, "", "x", None, 12, token + "A", "'; DELETE FROM session_tokens; --", token_hash(token)):
            assert store.sessions.resume(bad, at=T0) is None
        assert store.sessions.resume(token, at=T0) == actor  # refusals revoked nothing


def test_idle_window_slides_and_then_expires(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        assert store.sessions.idle_minutes() == 30  # the default when no setting is saved
        _, token = store.sessions.login(*OFFICE, at=T0)
        # Within a minute last_seen is not rewritten: no write per rerun.
        assert store.sessions.resume(token, at=T0 + timedelta(seconds=TOUCH_SECONDS - 1)) is not None
        assert row(store, token)["last_seen"] == "2026-12-01T09:00:00+08:00"
        # After 29 minutes it is, and the 30-minute window starts again from there.
        assert store.sessions.resume(token, at=T0 + timedelta(minutes=29)) is not None
        assert row(store, token)["last_seen"] == "2026-12-01T09:29:00+08:00"
        assert store.sessions.resume(token, at=T0 + timedelta(minutes=58)) is not None
        assert row(store, token)["last_seen"] == "2026-12-01T09:58:00+08:00"
        # 30 minutes and one second of silence: expired, revoked for good, audited.
        assert store.sessions.resume(token, at=T0 + timedelta(minutes=88, seconds=1)) is None
        assert row(store, token)["revoked_reason"] == "expired"
        assert store.sessions.resume(token, at=T0 + timedelta(minutes=59)) is None
        assert [(r["who"], r["action"]) for r in store.audit_log(limit=2)] == [("office", "logout.expired"),
                                                                             ("office", "login")]
        assert action_name("logout.expired") == "超时退出"


def test_idle_window_is_the_session_idle_setting(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        store.settings.set("session_idle_minutes", "10", by=ADMIN)
        _, token = store.sessions.login(*OFFICE, at=T0)
        assert store.sessions.resume(token, at=T0 + timedelta(minutes=10)) is not None
        assert store.sessions.resume(token, at=T0 + timedelta(minutes=20, seconds=1)) is None


def test_sign_out_revokes_only_this_browsers_token(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        actor, here = store.sessions.login(*OFFICE, at=T0)
        _, there = store.sessions.login(*OFFICE, at=T0)
        leader, theirs = store.sessions.login("leader", "demo-leader-1", at=T0)
        store.sessions.logout(leader, here)  # someone else's token: not theirs to revoke
        assert store.sessions.resume(here, at=T0) is not None
        store.sessions.logout(actor, here)
        assert store.sessions.resume(here, at=T0) is None and row(store, here)["revoked_reason"] == "logout"
        assert store.sessions.resume(there, at=T0) is not None and store.sessions.resume(theirs, at=T0) is not None
        assert store.audit_log(limit=1)[0]["action"] == "logout"
        with pytest.raises(PermissionDenied):
            store.sessions.logout(None, there)  # type: ignore[arg-type]
        assert store.sessions.resume(there, at=T0) is not None


@pytest.mark.parametrize("own", [True, False], ids=["本人修改", "管理员重设"])
def test_password_change_ends_every_login_of_the_account(demo_db: Path, own: bool) -> None:
    with open_store(demo_db) as store:
        actor, one = store.sessions.login(*OFFICE, at=T0)
        _, two = store.sessions.login(*OFFICE, at=T0)
        _, leaders = store.sessions.login("leader", "demo-leader-1", at=T0)
        if own:
            store.accounts.set_password("office", "new-office-2", by=actor, old_password="demo-office-1")
        else:
            store.accounts.set_password("office", "new-office-2", by=ADMIN)
        assert store.sessions.resume(one, at=T0) is None and store.sessions.resume(two, at=T0) is None
        assert {row(store, t)["revoked_reason"] for t in (one, two)} == {"password"}
        assert store.sessions.resume(leaders, at=T0) is not None  # other accounts keep theirs


def test_disabling_ends_every_login_and_enabling_brings_none_back(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        _, token = store.sessions.login(*OFFICE, at=T0)
        store.accounts.set_account_disabled("office", True, by=ADMIN)
        assert store.sessions.resume(token, at=T0) is None and row(store, token)["revoked_reason"] == "disabled"
        store.accounts.set_account_disabled("office", False, by=ADMIN)
        assert store.sessions.resume(token, at=T0) is None
        _, fresh = store.sessions.login(*OFFICE, at=T0)
    # A disabled account's token is refused even if its revocation had been missed (account
    # disabled behind the domain's back): the check reads the account, not only the token.
    con = sqlite3.connect(demo_db)
    with con:
        con.execute("UPDATE accounts SET disabled = 1 WHERE username = 'office'")
    con.close()
    with open_store(demo_db) as store:
        assert row(store, fresh)["revoked_at"] is None
        assert store.sessions.resume(fresh, at=T0) is None


def test_sign_out_everywhere_is_for_administrators_and_audited(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        _, one = store.sessions.login(*OFFICE, at=T0)
        _, two = store.sessions.login(*OFFICE, at=T0)
        _, admins = store.sessions.login("admin", "demo-admin-1", at=T0)
        unit = Actor("dongezhen", ROLE_UNIT, "", "dongezhen")
        before = file_digest(store)
        for who in (EDITOR, VIEWER, unit, None):
            with pytest.raises(PermissionDenied, match="无权管理账户|未登录"):
                store.sessions.sign_out_everywhere("office", by=who)  # type: ignore[arg-type]
        assert file_digest(store) == before  # refused: nothing written
        with pytest.raises(CreditError, match="用户「nobody」不存在"):
            store.sessions.sign_out_everywhere("nobody", by=ADMIN)
        assert store.sessions.live_counts(at=T0) == {"office": 2, "admin": 1}
        assert store.sessions.sign_out_everywhere("office", by=ADMIN) == 2
        assert store.sessions.resume(one, at=T0) is None and store.sessions.resume(two, at=T0) is None
        assert {row(store, t)["revoked_reason"] for t in (one, two)} == {"signout_all"}
        assert store.sessions.resume(admins, at=T0) is not None
        last = store.audit_log(limit=1)[0]
        assert (last["who"], last["action"], last["detail"]) == ("admin", "account.signout_all",
                                                                 {"username": "office", "count": 2})
        assert action_name("account.signout_all") == "全部退出登录"
        assert store.sessions.sign_out_everywhere("office", by=ADMIN) == 0  # nothing live any more
        assert store.sessions.live_counts(at=T0) == {"admin": 1}


def test_cli_signs_an_account_out_everywhere(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from credit.app import cli

    with open_store(demo_db) as store:
        _, token = store.sessions.login(*OFFICE)
    assert cli.main(["user", "signout", "office", "--db", str(demo_db)]) == 0
    assert "已结束账户 office 的全部登录（1 个有效登录）" in capsys.readouterr().out
    with open_store(demo_db) as store:
        assert store.sessions.resume(token) is None
        assert store.audit_log(limit=1)[0]["who"] == "命令行"
    assert cli.main(["user", "signout", "nobody", "--db", str(demo_db)]) != 0
    assert "用户「nobody」不存在" in capsys.readouterr().err


def test_live_counts_leave_out_idle_logins_and_old_rows_are_pruned(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        _, old = store.sessions.login(*OFFICE, at=T0)
        assert store.sessions.live_counts(at=T0 + timedelta(minutes=31)) == {}
        later = T0 + timedelta(days=KEEP_DAYS, seconds=1)
        _, new = store.sessions.login(*OFFICE, at=later)
        assert row(store, old) is None and row(store, new) is not None
        assert store.sessions.live_counts(at=later) == {"office": 1}
