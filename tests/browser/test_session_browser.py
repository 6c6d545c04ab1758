"""Issue 13, "keep a login across F5", in a real Chromium: the login cookie survives a reload, holds
only an opaque token with SameSite=Strict and Path=/, and every way of ending a login (sign-out in
another tab, disabling the account, an administrator's 全部退出登录) ends it at the next action.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from credit.app.service import open_store
from credit.store.tokens import looks_like_token, token_hash
from tests.support.actors import ADMIN
from tests.support.live import have_browser, login, open_page, rerun_drawn, screenshot, wait_drawn
from tests.support.people import pick
from ui.auth import ENDED_NOTICE
from ui.cookie import COOKIE_NAME

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
VIEWPORT = (1400, 1000)  # the shared `person` fixture's browsers


def logged_in(ctx, url: str, username: str, password: str):
    """A tab of `ctx` logged in through the login page, once the cookie has been written."""
    page = ctx.new_page()
    login(page, url, username, password)
    wait_cookie(ctx)
    return page


def no_error(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def shot(page, name: str) -> None:
    screenshot(page, f"session_{name}")


def session_cookie(ctx) -> dict | None:
    found = [c for c in ctx.cookies() if c["name"] == COOKIE_NAME]
    return found[0] if found else None


def wait_cookie(ctx, present: bool = True, timeout: float = 10.0) -> dict | None:
    """The script that writes (or deletes) the cookie runs right after the rerun has drawn."""
    deadline = time.monotonic() + timeout
    while (session_cookie(ctx) is not None) != present:
        assert time.monotonic() < deadline, f"cookie {'not set' if present else 'not deleted'}"
        time.sleep(0.1)
    return session_cookie(ctx)


def reload(page) -> None:
    page.reload()
    wait_drawn(page)
    no_error(page)


def signed_in_as(page) -> str | None:
    caption = page.get_by_test_id("stSidebar").get_by_text(re.compile("^当前用户："))
    return caption.inner_text() if caption.count() else None


def next_action_shows_login(page) -> None:
    """Any click on a logged-in tab whose login ended elsewhere lands on the login page, with the notice."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="指标说明").click()
    page.get_by_text(ENDED_NOTICE).wait_for()
    wait_drawn(page)
    page.get_by_role("heading", name="登录").wait_for()
    assert page.get_by_label("用户名").count() == 1 and signed_in_as(page) is None
    no_error(page)


def press(page, name: str) -> None:
    rerun_drawn(page, lambda: page.get_by_role("button", name=name).first.click())
    no_error(page)


def admin_manage(page, form: str, account: str, action: str | None = None) -> None:
    """On 账户管理: pick `account` in the form with this heading (and the radio `action`), submit."""
    box = page.get_by_test_id("stForm").filter(has=page.get_by_role("heading", name=form))
    pick(page, "账户", re.compile(f"^{re.escape(account)}$"), scope=box)
    if action:
        box.get_by_text(action, exact=True).click()
    submit = "执行" if action else form
    rerun_drawn(page, lambda: box.get_by_role("button", name=submit).click())
    no_error(page)


def test_login_survives_reload_and_the_cookie_holds_only_a_token(server, person) -> None:
    url, db = server
    ctx = person()
    page = logged_in(ctx, url, "office", "demo-office-1")
    cookie = session_cookie(ctx)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["secure"] is False  # http here
    assert looks_like_token(cookie["value"])
    assert not any(word in cookie["value"] for word in ("office", "editor", "信用办"))
    assert 29 * 60 < cookie["expires"] - time.time() <= 30 * 60 + 5  # Max-Age = the 30-minute idle window
    with open_store(db) as store:
        saved = store._core.one("SELECT username, revoked_at FROM session_tokens WHERE token_hash = ?",
                                (token_hash(cookie["value"]),))
    assert saved == {"username": "office", "revoked_at": None}
    box = page.locator(".st-key-session-cookie")
    assert box.count() == 1 and box.locator("xpath=..").bounding_box() is None  # written, takes no room

    open_page(page, "数据上传")
    reload(page)  # F5
    page.get_by_role("heading", name="数据上传").wait_for()
    assert signed_in_as(page) == "当前用户：演示信用办（信用办）"
    page.get_by_role("button", name="下载模板").wait_for()  # the office's tools, not "需要登录"
    shot(page, "after_reload")
    page.goto(f"{url}/versions")  # a new session by address: still logged in
    wait_drawn(page)
    assert signed_in_as(page) == "当前用户：演示信用办（信用办）"
    no_error(page)


def test_sign_out_in_one_tab_logs_the_other_tab_out(server, person) -> None:
    url, db = server
    ctx = person()
    tab_a = logged_in(ctx, url, "leader", "demo-leader-1")
    token = session_cookie(ctx)["value"]
    tab_b = ctx.new_page()
    tab_b.goto(url)  # the second tab logs in from the cookie
    wait_drawn(tab_b)
    assert signed_in_as(tab_b) == "当前用户：演示领导（领导）"

    open_page(tab_a, "我的账户")
    press(tab_a, "退出登录")
    assert signed_in_as(tab_a) is None
    wait_cookie(ctx, present=False)
    with open_store(db) as store:
        assert store.sessions.resume(token) is None
        assert store.audit_log(limit=1)[0]["action"] == "logout"

    next_action_shows_login(tab_b)
    shot(tab_b, "other_tab_logged_out")
    reload(tab_b)
    assert signed_in_as(tab_b) is None
    assert tab_b.get_by_test_id("stSidebar").get_by_text("未登录：只读浏览").count() == 1


def test_disabled_account_is_logged_out_at_its_next_action_and_on_reload(server, person) -> None:
    url, db = server
    unit_ctx = person()
    unit = logged_in(unit_ctx, url, "fagaiju", "demo-unit-2")
    unit_b = unit_ctx.new_page()  # a second tab, to be reloaded after the account is disabled
    unit_b.goto(url)
    wait_drawn(unit_b)
    assert signed_in_as(unit_b) is not None

    admin = logged_in(person(), url, "admin", "demo-admin-1")
    open_page(admin, "账户管理")
    admin_manage(admin, "重设密码 / 停用 / 启用", "fagaiju", action="停用")
    admin.get_by_text("已对账户 fagaiju 执行：停用").wait_for()
    shot(admin, "admin_disabled_unit")

    next_action_shows_login(unit)
    reload(unit_b)  # F5 with the old cookie: refused, and the cookie is deleted
    assert signed_in_as(unit_b) is None
    wait_cookie(unit_ctx, present=False)
    with open_store(db) as store:
        store.accounts.set_account_disabled("fagaiju", False, by=ADMIN)


def test_admin_signs_an_account_out_everywhere(server, person) -> None:
    url, db = server
    office_ctx = person()
    office = logged_in(office_ctx, url, "office", "demo-office-1")
    admin = logged_in(person(), url, "admin", "demo-admin-1")
    open_page(admin, "账户管理")
    admin_manage(admin, "全部退出登录", "office")
    admin.get_by_text(re.compile(r"已结束账户 office 的全部登录（[1-9]\d* 个有效登录）")).wait_for()
    shot(admin, "admin_signed_out_everywhere")
    with open_store(db) as store:
        last = store.audit_log(limit=1)[0]
    assert (last["who"], last["action"], last["detail"]["username"]) == ("admin", "account.signout_all", "office")

    reload(office)  # F5: the cookie's token is dead
    assert signed_in_as(office) is None
    wait_cookie(office_ctx, present=False)
    assert signed_in_as(admin) is not None  # the administrator's own login is untouched
