"""The login page with the password checked off the script thread (ui.auth): a wrong password is
refused with the one message, the right one lands on the first page in the same click, the
lock-out count stays exact however many checks run at once, the wait shows its progress, and a
check that ends while another page is drawn is applied by the next run."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.store.accounts import LOGIN_FAILED, MAX_FAILED
from tests.support.apptest import checked, navigation_mode, open_page, switch, texts  # noqa: F401 (autouse)
from ui import auth

PASSWORD = "demo-office-1"


def login_page(demo_db: Path):
    at = open_page()  # the demo database: reading needs no login, the login page is in the menu
    return switch(at, "login.py")


def submit(at, username: str, password: str):
    at.text_input[[t.label for t in at.text_input].index("用户名")].input(username)
    at.text_input[[t.label for t in at.text_input].index("密码")].input(password)
    at.button[[b.label for b in at.button].index("登录")].click()
    at.run()
    return checked(at)


def failures(db: Path, username: str) -> list[dict]:
    with open_store(db) as store:
        return [e["detail"] for e in store.audit_log(action="login.failed") if e["detail"].get("username") == username]


def test_right_password_lands_on_the_first_page_in_one_click(demo_db: Path) -> None:
    at = submit(login_page(demo_db), "office", PASSWORD)
    assert at.session_state["actor"].username == "office"
    assert auth.PENDING_KEY not in at.session_state
    assert [t.value for t in at.title] == ["平阴县社会信用体系建设月度排名"]
    assert any("当前用户：演示信用办（信用办）" in c for c in texts(at, "caption"))
    with open_store(demo_db) as store:
        assert store.sessions.resume(at.session_state[auth.TOKEN_KEY]).username == "office"
        assert [e["who"] for e in store.audit_log(action="login")][:1] == ["office"]


@pytest.mark.parametrize(("username", "password"), [("office", "wrong-password-1"), ("nobody", PASSWORD),
                                                    ("", ""), ("office\u202e", PASSWORD),
                                                    ("office", "x" * 100_000),
                                                    ("office" * 10_000, PASSWORD)])
def test_a_refusal_is_the_one_message_and_nobody_is_logged_in(demo_db: Path, username: str, password: str) -> None:
    at = submit(login_page(demo_db), username, password)
    assert texts(at, "error") == [LOGIN_FAILED]
    assert "actor" not in at.session_state and auth.TOKEN_KEY not in at.session_state
    assert [t.value for t in at.title] == ["登录"]
    at.run()  # the refusal is shown once, not again on the next run
    assert texts(checked(at), "error") == []


def test_the_lock_out_count_is_exact_through_the_page(demo_db: Path) -> None:
    at = login_page(demo_db)
    for _ in range(MAX_FAILED):
        at = submit(at, "office", "wrong-password-1")
        assert texts(at, "error") == [LOGIN_FAILED]
    at = submit(at, "office", PASSWORD)  # locked now: the right password is refused alike
    assert texts(at, "error") == [LOGIN_FAILED] and "actor" not in at.session_state
    counted = failures(demo_db, "office")
    assert sorted(d["failed"] for d in counted if "failed" in d) == list(range(1, MAX_FAILED + 1))
    assert [d.get("reason") for d in counted].count("账户锁定中") == 1


@pytest.mark.slow  # twelve real scrypt checks queue on the login write lock
def test_the_lock_out_count_is_exact_with_checks_running_at_once(demo_db: Path) -> None:
    """Twelve wrong guesses handed to the login threads together (as twelve browsers pressing 登录):
    exactly MAX_FAILED passwords are checked and counted, the rest meet the lock."""
    start = threading.Barrier(12)

    def guess(i: int):
        start.wait()
        return auth._checks.submit(auth._check, str(demo_db), "office", f"wrong-password-{i}")

    threads = [threading.Thread(target=lambda i=i: results.append(guess(i))) for i in range(12)]
    results: list[Future] = []
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [f.result(timeout=120) for f in results] == [LOGIN_FAILED] * 12
    counted = failures(demo_db, "office")
    assert sorted(d["failed"] for d in counted if "failed" in d) == list(range(1, MAX_FAILED + 1))
    assert [d.get("reason") for d in counted].count("账户锁定中") == 12 - MAX_FAILED
    with open_store(demo_db) as store:
        assert store.accounts.account("office")["locked_until"]


def test_the_wait_shows_its_progress_once_it_is_slow() -> None:
    """Nothing under the spinner at first; from SLOW_AFTER_S on, how long it has taken and why."""
    assert auth.progress_text(0.4) is None and auth.progress_text(auth.SLOW_AFTER_S - 0.01) is None
    assert auth.progress_text(12.7) == "已用 12 秒：服务器繁忙时核对会慢一些，请稍候，不必再次点击“登录”。"
    future: Future = Future()
    shown: list[str | None] = []
    threading.Timer(0.65, lambda: future.set_result("done")).start()
    started = time.monotonic() - (auth.SLOW_AFTER_S - 0.3)  # a check begun a while ago
    assert auth.wait_for(future, started, shown.append, tick=0.2) == "done"
    assert shown[0] is None  # still quick
    assert shown[-1] is not None and shown[-1].startswith(f"已用 {auth.SLOW_AFTER_S} 秒")
    assert 2 <= len(shown) <= 4  # one call per tick: each is a point where a click elsewhere stops the run


def test_a_check_that_ends_while_another_page_draws_is_applied_by_the_next_run(demo_db: Path) -> None:
    at = open_page("guide.py")
    done: Future = Future()
    done.set_result(auth._check(str(demo_db), "leader", "demo-leader-1"))
    at.session_state[auth.PENDING_KEY] = (done, time.monotonic())
    at.run()
    assert checked(at).session_state["actor"].username == "leader"
    assert auth.PENDING_KEY not in at.session_state
    refused: Future = Future()
    refused.set_result(auth._check(str(demo_db), "office", "wrong-password-1"))
    at = open_page("guide.py")
    at.session_state[auth.PENDING_KEY] = (refused, time.monotonic())
    at.run()
    assert "actor" not in checked(at).session_state and texts(at, "error") == []  # not on this page
    at = switch(at, "login.py")
    assert texts(at, "error") == [LOGIN_FAILED]  # shown where the person logs in, once


def test_the_login_page_loads_the_first_pages_element_code_hidden(demo_db: Path) -> None:
    at = login_page(demo_db)
    assert [m.label for m in at.metric] == ["预载"] and len(at.dataframe) == 1
    from ui.style import CSS
    assert ".st-key-element-code-login, div:has(> .st-key-element-code-login)" in CSS
    assert ".st-key-element-code-upload," in CSS
