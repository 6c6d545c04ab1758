"""Logging in through the page in a real Chromium, with the password checked off the script thread
(ui.auth): a wrong password gets the one message and nothing else, the right one lands on the
account's first page in the same click with the login cookie written; the element code the login
page preloads is never seen. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from credit.app.service import open_store
from credit.store.accounts import LOGIN_FAILED
from tests.support.live import have_browser, screenshot, wait_drawn
from ui.cookie import COOKIE_NAME

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
VIEWPORT = (1400, 1000)
ACCOUNTS = [("leader", "demo-leader-1", "演示领导（领导）"), ("office", "demo-office-1", "演示信用办（信用办）"),
            ("admin", "demo-admin-1", "演示管理员（管理员）"), ("dongezhen", "demo-unit-1", "东阿镇（被考核单位）")]


def press_login(page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def no_error(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def test_wrong_password_then_right_one_lands_on_the_first_page(server, tab) -> None:
    url, db = server
    page = tab(*VIEWPORT)
    page.goto(f"{url}/login")
    wait_drawn(page)
    assert not page.get_by_text("预载").first.is_visible()  # the preloaded element code is hidden
    press_login(page, "office", "not-the-password-1")
    page.get_by_text(LOGIN_FAILED).wait_for()
    wait_drawn(page)
    no_error(page)
    assert page.get_by_role("heading", name="登录").count() == 1
    assert page.get_by_text(re.compile("^当前用户：")).count() == 0
    screenshot(page, "login_refused")
    press_login(page, "office", "demo-office-1")
    page.get_by_test_id("stSidebar").get_by_text("当前用户：演示信用办（信用办）").wait_for()
    wait_drawn(page, '[data-testid="stMetric"]', '[data-testid="stDataFrame"]')
    no_error(page)
    page.get_by_role("heading", name="平阴县社会信用体系建设月度排名").wait_for()
    assert page.get_by_text(LOGIN_FAILED).count() == 0 and not page.get_by_text("预载").count()
    assert re.fullmatch(rf"{re.escape(url)}/(\?.*)?", page.url), page.url  # the root: the first page
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE_NAME}=')")
    screenshot(page, "login_first_page")
    with open_store(db) as store:
        failed = [e["detail"] for e in store.audit_log(action="login.failed") if e["detail"].get("username") == "office"]
        assert failed[:1] == [{"username": "office", "failed": 1, "locked": False}]
        assert store.accounts.account("office")["failed"] == 0  # the good login reset the count


@pytest.mark.parametrize(("username", "password", "shown"), ACCOUNTS, ids=[a[0] for a in ACCOUNTS])
def test_each_role_lands_on_its_first_page(server, tab, username: str, password: str, shown: str) -> None:
    url, _db = server
    page = tab(*VIEWPORT)
    page.goto(f"{url}/login")
    wait_drawn(page)
    press_login(page, username, password)
    page.get_by_test_id("stSidebar").get_by_text(f"当前用户：{shown}").wait_for()
    wait_drawn(page, '[data-testid="stDataFrame"]')
    no_error(page)
    page.get_by_role("heading", name="平阴县社会信用体系建设月度排名").wait_for()


PLOTLY_FETCHES = "() => performance.getEntriesByType('resource').filter((e) => /PlotlyChart\\.[^/]*\\.js$/.test(e.name)).length"


def test_the_chart_code_arrives_while_the_first_page_is_read(server, tab) -> None:
    """Not on the login page (the browser is free when 登录 is pressed); after the first page past
    the login is drawn the browser fetches the chart pages' code (ui.preload) by itself, so the first
    单位详情 draws its charts with the code already there: fetched once, before the visit."""
    url, _db = server
    page = tab(*VIEWPORT)
    page.goto(f"{url}/login")
    wait_drawn(page)
    page.wait_for_timeout(2_000)
    assert page.evaluate("() => window.__chartCode === undefined") and page.evaluate(PLOTLY_FETCHES) == 0
    press_login(page, "leader", "demo-leader-1")
    page.get_by_test_id("stSidebar").get_by_text("当前用户：").wait_for()
    wait_drawn(page, '[data-testid="stDataFrame"]')
    page.wait_for_function("() => window.__chartCode === 'done'", timeout=60_000)
    assert page.evaluate(PLOTLY_FETCHES) == 1
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="单位详情").click()
    page.get_by_test_id("stPlotlyChart").first.wait_for()
    wait_drawn(page)
    no_error(page)
    assert page.evaluate(PLOTLY_FETCHES) == 1  # the page's own import found the module loaded
