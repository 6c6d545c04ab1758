"""Issue 23, observation 4 in a real browser: a 领导 lands on the latest signed month and sees the
临时结果 mark when choosing a later one; anonymous readers land there too."""

from __future__ import annotations

import re
from datetime import date

import pytest

from credit.app.publish import publish_month
from credit.app.service import open_store
from tests.support.actors import EDITOR
from tests.support.live import have_browser, screenshot, wait_drawn
from tests.support.people import assert_clean, chosen, sidebar_month, sign_in

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")


def _september_signed(server) -> str:
    """The server's url, once September's 通报 is signed (the tests of this module share the server)."""
    url, db = server
    with open_store(db) as store:
        if store.publishing.current_publication("2022-09") is None:
            publish_month(store, "2022-09", "平信用办〔2022〕9号", date(2022, 10, 8), "张三", EDITOR, with_pdf=False,
                          force_reason="演示", objections_confirmed=True)
    return url


def test_a_leader_lands_on_the_signed_month_and_sees_the_provisional_mark_on_a_later_one(server, page) -> None:
    url = _september_signed(server)
    sign_in(page, url, "领导")
    wait_drawn(page)
    assert "2022年9月" in chosen(page, "month")
    main = page.get_by_test_id("stMain")
    main.get_by_text(re.compile("2022年9月状态：已签发（通报 平信用办〔2022〕9号")).first.wait_for()
    assert page.get_by_test_id("stSidebar").get_by_text("临时结果").count() == 0
    assert_clean(page, "领导 2022年9月")
    sidebar_month(page, "2022年10月")
    page.get_by_test_id("stSidebar").get_by_text(re.compile("临时结果：2022年10月的通报尚未签发")).wait_for()
    main.get_by_text(re.compile("临时结果")).first.wait_for()
    main.get_by_text(re.compile("2022年10月状态：待签发")).first.wait_for()
    assert_clean(page, "领导 2022年10月")
    screenshot(page, "month-state-leader-provisional")


def test_an_anonymous_reader_lands_on_the_signed_month(server, page) -> None:
    url = _september_signed(server)
    sign_in(page, url, "匿名")
    assert "2022年9月" in chosen(page, "month")
    page.get_by_test_id("stMain").get_by_text(re.compile("2022年9月状态：已签发")).first.wait_for()
