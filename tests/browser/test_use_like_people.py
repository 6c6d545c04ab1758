"""像用户一样用 (issue 14) in a real browser: each role opens every page it has and presses the
buttons that write; the office does a whole month; a phone sees the month at the top.

One Streamlit server and one Chromium for the module (fast enough for CI); each test gets a fresh
tab (a new session). After every page and every press: no exception element, no "This app has
encountered an error", no None/nan/NaT, no English leftovers of Streamlit's own widgets.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credit.app.demo import MonthData, demo_months, fill_template
from credit.app.service import open_store
from credit.model.accounts import ROLE_UNIT, Actor
from credit.model.contract import UNIT_COL
from credit.model.units import load_units
from tests.support.buttons import labels_for
from tests.support.live import PHONE, have_browser, rerun_drawn, screenshot, wait_drawn
from tests.support.people import (
    ACCOUNTS,
    UNIT_ACCOUNTS,
    assert_clean,
    button_labels,
    chosen,
    pick_month,
    press,
    sidebar_month,
    sign_in,
    visit,
)
from ui.nav import registered

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")

@pytest.mark.parametrize("role", ["匿名", "领导", "信用办", "管理员", "东阿镇", "发改局"])
def test_every_registered_page_opens_clean(server, page, role: str) -> None:
    """Each role (the two unit accounts too) opens every page of its menu; each page is clean and
    shows no button the inventory (tests/support/buttons.py) does not give that role."""
    url, _ = server
    sign_in(page, url, role)
    if role in UNIT_ACCOUNTS:
        actor, kind = Actor(UNIT_ACCOUNTS[role][0], ROLE_UNIT, unit_id=UNIT_ACCOUNTS[role][2]), "被考核单位"
    else:
        actor, kind = (None, role) if role == "匿名" else (Actor(ACCOUNTS[role][0], ACCOUNTS[role][2]), role)
    menu = page.get_by_test_id("stSidebarNav").inner_text()
    entries = registered(actor, login_required=False)
    assert [t for _, t in entries if t not in menu] == []
    if role in ("匿名", "领导"):
        assert "数据上传" not in menu and "单位名册" not in menu  # 9: only what the role can use
    for file, title in entries:
        visit(page, title)
        assert_clean(page, f"{role}·{title}")
        unknown = set(button_labels(page)) - labels_for(file, kind)
        assert unknown == set(), f"{role}·{title}：按钮未列入清单或不应对该角色显示：{unknown}"
    assert page.get_by_test_id("stMainMenu").count() == 0  # 4: no developer menu (Print, Record screen)


@pytest.mark.parametrize("role", ["信用办", "管理员"])
def test_saving_the_xyd_target_works_and_is_read_back(server, page, role: str) -> None:
    url, db = server
    sign_in(page, url, role)
    visit(page, "信易贷进度")
    page.get_by_text("设定各年度年初注册数和新增目标").click()
    goal = 700 if role == "信用办" else 750
    box = page.get_by_label("本年新增注册目标（家）")
    box.fill(str(goal))
    press(page, "保存", f"{role}·信易贷")
    page.get_by_text(re.compile(f"已保存 2022 年：.*新增目标 {goal} 家")).wait_for()
    with open_store(db) as store:
        assert store.xyd_target(2022)[1] == goal


def test_ranking_row_opens_the_unit_page(server, page) -> None:
    url, _ = server
    sign_in(page, url, "领导")
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    box = grid.bounding_box()
    rerun_drawn(page, lambda: page.mouse.click(box["x"] + 18, box["y"] + 36 + 35 * 2 + 17))  # row 3's checkbox
    page.get_by_role("heading", name="单位详情").wait_for()
    wait_drawn(page)
    assert "unit=" in page.url and "month=2022-10" in page.url
    assert_clean(page, "ranking → unit")


def test_a_shared_link_opens_there(server, page) -> None:
    url, _ = server
    page.goto(f"{url}/unit?month=2022-03&unit=孝直镇")
    wait_drawn(page)
    page.get_by_role("heading", name="单位详情").wait_for()
    assert "2022年3月" in chosen(page, "month")
    assert "孝直镇" in chosen(page, "unit_id")


def test_the_office_does_a_month_end_to_end(server, page, tmp_path: Path) -> None:
    """Template → fill (one unit name typo'd) → upload → errors by unit → fix → same month again →
    confirm → the month shows on ranking, unit page and 信易贷; the month picker never jumps."""
    url, db = server
    sign_in(page, url, "信用办")
    visit(page, "数据上传")
    assert "2022年11月" in chosen(page, "upload_month")
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载模板").click()
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    october = next(d for d in demo_months(load_units()) if d.month == "2022-10")
    sheets = {"镇街": [dict(r) for r in october.sheets["镇街"]], "部门": october.sheets["部门"],
              "全县": october.sheets["全县"]}
    right = sheets["镇街"][1][UNIT_COL]
    sheets["镇街"][1][UNIT_COL] = right[:-1] + "填"  # a typo in one town's name
    typo = tmp_path / "2022年11月.xlsx"
    typo.write_bytes(fill_template(template.read_bytes(), MonthData("2022-11", sheets)))
    rerun_drawn(page, lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(typo)))
    page.get_by_text(re.compile("发现 .* 处问题")).wait_for()
    assert_clean(page, "upload with a typo")
    assert page.get_by_test_id("stTable").get_by_text(right[:-1] + "填").count() >= 1
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载错误清单（Excel）").click()
    from openpyxl import load_workbook

    errors = tmp_path / "errors.xlsx"
    dl.value.save_as(errors)
    assert right[:-1] + "填" in load_workbook(errors).sheetnames
    with open_store(db) as store:
        assert "2022-11" not in store.datasets.months_with_data()

    sheets["镇街"][1][UNIT_COL] = right
    fixed = tmp_path / "2022年11月（改）.xlsx"
    fixed.write_bytes(fill_template(template.read_bytes(), MonthData("2022-11", sheets)))
    visit(page, "月度排名")  # leaving the page empties its uploader, as a person starting over does
    visit(page, "数据上传")
    rerun_drawn(page, lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(fixed)))
    page.get_by_role("heading", name=re.compile("④ 导入预览：2022年11月")).wait_for()
    press(page, "确认导入", "confirm")
    page.get_by_text("已导入 2022年11月").wait_for()
    assert "2022年11月" in chosen(page, "upload_month")  # 2: the picker stays on the month just imported
    with open_store(db) as store:
        assert "2022-11" in store.datasets.months_with_data()

    # the same month again (a second version): checked against November, not December
    sheets["镇街"][0]["本月出台信用制度文件数"] = 3
    again = tmp_path / "2022年11月（再改）.xlsx"
    again.write_bytes(fill_template(template.read_bytes(), MonthData("2022-11", sheets)))
    rerun_drawn(page, lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(again)))
    page.get_by_role("heading", name=re.compile("④ 导入预览：2022年11月")).wait_for()
    assert page.get_by_text("已导入 2022年11月").count() == 0  # the old result went with the new file
    assert page.get_by_text("月份不符").count() == 0
    press(page, "确认导入", "confirm again")
    with open_store(db) as store:
        assert [v["version"] for v in store.datasets.versions("2022-11", "镇街")][0] == 2

    for title in ("月度排名", "单位详情", "信易贷进度"):
        visit(page, title)
        sidebar_month(page, "2022年11月")
        page.get_by_text(re.compile("2022年11月")).first.wait_for()
        assert_clean(page, f"November on {title}")


def test_a_phone_sees_the_month_at_the_top(server, tab) -> None:
    """A phone's browser (its User-Agent) gets the month at the top of the page and switches it there;
    a PC's page has no such copy, at any width (the sidebar's picker is the one)."""
    url, db = server
    from credit.app.service import open_store
    from credit.common.months import month_label

    with open_store(db) as store:  # the module's month workflow may have added November already
        latest = month_label(store.datasets.months_with_data()[-1])
    pg = tab(390, 844, **PHONE)
    sign_in(pg, url, "领导")
    top = pg.locator(".st-key-mobile_month-box")
    assert top.is_visible() and latest in chosen(pg, "mobile_month")
    assert top.bounding_box()["y"] < 200  # at the top, before the ranking
    pick_month(pg, "2022年9月", key="mobile_month")
    pg.get_by_test_id("stMain").get_by_text("考核月份：2022年9月　·").first.wait_for()  # the ranking's month
    assert "2022年9月" in chosen(pg, "month")  # the sidebar's picker follows
    assert_clean(pg, "phone")
    screenshot(pg, "use_like_people_phone_month")
    for size in ((1440, 900), (390, 844)):  # a PC, and a PC's window made narrow
        pg = tab(*size)
        sign_in(pg, url, "领导")
        assert pg.locator(".st-key-mobile_month-box").count() == 0
