"""End to end in a real browser: the real server (`streamlit run Home.py`) and Debian's Chromium,
driven by Playwright. The credit office uploads a month; leadership reads, drills, simulates,
downloads. Screenshots of failures go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credit.app.demo import MonthData, demo_months, fill_template
from credit.app.service import open_store
from credit.common.months import month_label
from credit.model.units import load_units
from credit.reports.month_state import landing_month
from tests.support.live import have_browser, login, open_page, wait_drawn
from tests.support.people import sidebar_month

VIEWPORT = (1400, 1000)
REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")


def test_office_uploads_a_new_month_and_sees_it_ranked(server, page, tmp_path: Path) -> None:
    url, db = server
    login(page, url, "office", "demo-office-1")
    open_page(page, "数据上传")
    page.get_by_role("button", name="下载模板").wait_for()
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载模板").click()
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    october = next(d for d in demo_months(load_units()) if d.month == "2022-10")
    filled = fill_template(template.read_bytes(), MonthData("2022-11", {
        "镇街": october.sheets["镇街"], "部门": october.sheets["部门"], "全县": october.sheets["全县"],
    }))
    upload = tmp_path / "2022年11月.xlsx"
    upload.write_bytes(filled)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    page.get_by_role("heading", name=re.compile("④ 导入预览")).wait_for()
    wait_drawn(page)
    with open_store(db) as store:
        assert "2022-11" not in store.datasets.months_with_data()  # nothing stored before confirmation
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile("已导入|导入成功")).first.wait_for()
    wait_drawn(page)
    with open_store(db) as store:
        assert "2022-11" in store.datasets.months_with_data()
    open_page(page, "月度排名")
    sidebar_month(page, "2022年11月")
    page.get_by_test_id("stMain").get_by_text("考核月份：2022年11月").first.wait_for()  # the ranking's own line
    page.get_by_test_id("stDataFrame").first.wait_for()


def test_leader_drills_simulates_and_downloads(server, page, tmp_path: Path) -> None:
    url, _ = server
    login(page, url, "leader", "demo-leader-1")
    open_page(page, "单位详情")
    drill = page.get_by_test_id("stExpander").filter(has_text="失").first
    drill.click()
    drill.get_by_test_id("stDataFrame").first.wait_for()

    open_page(page, "权重模拟")
    first_level = page.get_by_label(re.compile("营商环境（官方"))
    moved = page.get_by_test_id("stMetric").filter(has_text="名次变化的单位")
    assert "0 个" in moved.inner_text()  # official weights: nobody moves
    first_level.fill("20")
    first_level.press("Enter")
    wait_drawn(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(m => m.innerText.includes('名次变化的单位') && !m.innerText.includes('\\n0 个'))"
    )
    assert page.get_by_role("button", name="保存当前方案").count() == 0  # leadership may not save

    open_page(page, "月度通报")
    with page.expect_download() as dl:
        page.get_by_role("button", name=re.compile("Word")).first.click()
    out = tmp_path / "bulletin.docx"
    dl.value.save_as(out)
    from docx import Document

    assert "通报" in "".join(p.text for p in Document(str(out)).paragraphs[:8])


def test_deep_link_needs_the_router_not_a_bypass(server, page) -> None:
    """A deep link still goes through Home.py: the sidebar menu and the month picker are there."""
    url, _ = server
    page.goto(f"{url}/unit")
    wait_drawn(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("考核月份").first.wait_for()
    assert sidebar.get_by_text("月度排名").count() >= 1


def test_a_reader_picks_a_month_in_the_sidebar(server, page) -> None:
    """The month picker on a PC (issue 28): a button that names the month; its list holds every month
    with data, newest first; a click on a month shows that month, closes the list and puts the month
    in the link, which opens on that month in a new session."""
    url, db = server
    with open_store(db) as store:
        have, signed = store.datasets.months_with_data(), store.publishing.published_months()
    page.goto(url)
    wait_drawn(page, '[data-testid="stMetric"]', '[data-testid="stDataFrame"]')
    picker = page.get_by_test_id("stSidebar").locator('[class*="st-key-month-picker-"]')
    # a reader lands on the latest signed month (the icon's and chevron's ligature names are glyphs)
    assert f"考核月份：{month_label(landing_month(have, signed))}" in picker.inner_text().split("\n")
    assert page.locator(".st-key-mobile_month-box").count() == 0  # a PC: no copy at the top
    picker.get_by_test_id("stPopoverButton").click()
    body = page.get_by_test_id("stPopoverBody")
    body.get_by_role("radio").first.wait_for(state="attached")
    assert body.inner_text().split() == [month_label(m) for m in reversed(have)]
    page.keyboard.press("Escape")  # closed again, as a person who changed their mind
    body.wait_for(state="detached")
    sidebar_month(page, "2022年9月")
    assert page.get_by_test_id("stPopoverBody").count() == 0  # the list closed
    page.get_by_test_id("stMain").get_by_text("考核月份：2022年9月　·").first.wait_for()
    assert "month=2022-09" in page.url
    fresh = page.context.new_page()  # the link in a new tab: a new session on that month
    fresh.goto(page.url)
    wait_drawn(fresh, '[data-testid="stMetric"]', '[data-testid="stDataFrame"]')
    assert "考核月份：2022年9月" in fresh.get_by_test_id("stSidebar").inner_text()
