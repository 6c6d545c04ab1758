"""双公示预检 in a real browser as 信用办: upload a department's export, read the problems and the
predicted deduction, download the problem list, preview and confirm "填入", replace and reset
the rules. Every writing button the role sees is pressed; screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from credit.app.service import open_store
from credit.common.clock import this_month
from credit.common.months import month_label
from credit.model.sgs_rules import default_rules_text
from tests.app.test_sgs_service import faulty
from tests.support.actors import EDITOR
from tests.support.live import have_browser, login, open_page, screenshot, wait_drawn
from tests.support.people import pick, press
from tests.support.sgs import LICENCE_HEADERS, PENALTY_HEADERS, penalty, xlsx

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
VIEWPORT = (1400, 1000)


def no_error(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def shot(page, name: str) -> None:
    screenshot(page, f"sgs_{name}")


@pytest.mark.parametrize(("role", "unit_name", "unit_id"), [
    (("office", "demo-office-1"), "市场监管局", "shichangjianguan"), (("admin", "demo-admin-1"), "发改局", "fagai")],
    ids=["信用办", "管理员"])
def test_office_checks_downloads_and_applies(server, page, tmp_path: Path, role: tuple[str, str], unit_name: str,
                                             unit_id: str) -> None:
    """As each role that may fill in (信用办, 管理员), each for its own department of the module's database."""
    url, db = server
    with open_store(db) as store:  # the page's month follows the sidebar's: the latest month with data
        month = store.datasets.months_with_data()[-1]
    login(page, url, *role)
    open_page(page, "双公示预检")
    pick(page, "部门（单位）", unit_name)
    export = tmp_path / f"{unit_name}双公示导出.xlsx"
    export.write_bytes(faulty())
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(export))
    page.get_by_text("按当前规则预计扣 0.3 分").first.wait_for()
    wait_drawn(page)
    no_error(page)
    shot(page, "1_problems")

    with page.expect_download() as dl:
        page.get_by_role("button", name="下载问题清单（Excel）").click()
    saved = tmp_path / "problems.xlsx"
    dl.value.save_as(saved)
    assert load_workbook(saved)["问题清单"].max_row == 8  # header + 7 problems

    with open_store(db) as store:
        before = len(store.datasets.versions(month, "部门"))
    page.get_by_role("button", name="生成导入预览").click()
    page.get_by_role("button", name="确认导入").wait_for()
    wait_drawn(page)
    no_error(page)
    shot(page, "2_preview")
    with open_store(db) as store:
        assert len(store.datasets.versions(month, "部门")) == before  # nothing before confirming
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile(f"已导入 {month_label(month)}")).first.wait_for()
    wait_drawn(page)
    no_error(page)
    shot(page, "3_applied")
    with open_store(db) as store:
        assert len(store.datasets.versions(month, "部门")) == before + 1
        rec = next(r for r in store.datasets.current_sheet(month, "部门") if r["unit_id"] == unit_id)
        assert (rec["本月双公示上报数据量"], rec["本月双公示错误数据条数"], rec["本月双公示迟报数据条数"]) == (8, 3, 2)

    page.get_by_role("tab", name="预检规则").click()
    page.get_by_role("button", name="恢复默认规则").wait_for()
    rules = tmp_path / "sgs_rules.toml"
    rules.write_text(default_rules_text().replace("report_days = 7", "report_days = 9"), encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").last.set_input_files(str(rules))
    page.get_by_role("button", name="保存为新版本").click()
    page.get_by_text("已保存新版本规则").first.wait_for()
    wait_drawn(page)
    no_error(page)
    with open_store(db) as store:
        assert "report_days = 9" in store.settings.get("sgs_rules")
    page.get_by_role("tab", name="预检规则").click()
    page.get_by_role("button", name="恢复默认规则").click()
    page.get_by_text("已恢复默认规则").first.wait_for()
    wait_drawn(page)
    no_error(page)
    page.get_by_role("tab", name="预检规则").click()
    shot(page, "4_rules")
    with open_store(db) as store:
        assert "report_days = 7" in store.settings.get("sgs_rules")


ODD = {"处罚决定日期": "决定作出时间", "上报日期": "网上公示时间"}


def odd_export() -> bytes:
    """Two 行政处罚 records whose two date columns have headers no alias knows; the second is late
    (decided Thu 2022-10-20, reported Tue 11-01: 10-21, 10-24…28, 10-31, 11-01 = 8 working days)."""
    rows = [penalty(), penalty(行政处罚决定书文号="P9", 处罚决定日期="2022-10-20", 上报日期="2022-11-01")]
    return xlsx([], [{ODD.get(k, k): v for k, v in r.items()} for r in rows],
                headers=(LICENCE_HEADERS, [ODD.get(h, h) for h in PENALTY_HEADERS]))


@pytest.mark.parametrize(("role", "unit_name", "unit_id"), [
    (("office", "demo-office-1"), "卫健局", "weijian"), (("admin", "demo-admin-1"), "应急局", "yingji"),
    (("fagaiju", "demo-unit-2"), "发改局", "fagai")], ids=["信用办", "管理员", "发改局"])
def test_each_role_maps_a_missing_column(server, page, tmp_path: Path, role, unit_name: str, unit_id: str) -> None:
    """The lateness card says 未检查 (never "0 条"); the person maps the two columns on the page and
    presses 保存列对应并重新检查: stored for the unit, audited, and the late record is found; then
    取消这些列对应 forgets them again (audited), back to 未检查."""
    url, db = server
    login(page, url, *role)
    open_page(page, "双公示预检")
    if role[0] != "fagaiju":
        pick(page, "部门（单位）", unit_name)
    export = tmp_path / "导出.xlsx"
    export.write_bytes(odd_export())
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(export))
    page.get_by_text("列对应").first.wait_for()
    wait_drawn(page)
    no_error(page)
    assert page.get_by_test_id("stMetricValue").filter(has_text="未检查").count() == 1
    shot(page, f"5_unchecked_{role[0]}")
    pick(page, "「处罚决定日期」对应文件中的哪一列", "决定作出时间")
    pick(page, "「上报日期」对应文件中的哪一列", "网上公示时间")
    press(page, "保存列对应并重新检查", f"{role[0]} 保存列对应")
    page.get_by_text("已保存列对应").first.wait_for()
    no_error(page)
    assert page.get_by_test_id("stMetricValue").filter(has_text="未检查").count() == 0
    shot(page, f"6_mapped_{role[0]}")
    with open_store(db) as store:
        assert store.sgs_columns.get(unit_id, by=EDITOR) == {"处罚": {"处罚决定日期": "决定作出时间", "上报日期": "网上公示时间"}}
        assert any(r["detail"].get("unit_id") == unit_id and r["who"] == role[0]
                   for r in store.audit_log(limit=20, action="sgs.columns"))
    # a wrong choice is undone on the page: the saved columns are forgotten, lateness is 未检查 again
    press(page, "取消这些列对应", f"{role[0]} 取消列对应")
    page.get_by_text("已取消 2 项列对应").first.wait_for()
    no_error(page)
    assert page.get_by_test_id("stMetricValue").filter(has_text="未检查").count() == 1
    with open_store(db) as store:
        assert store.sgs_columns.get(unit_id, by=EDITOR) == {}
        assert sum(r["who"] == role[0] and r["detail"].get("unit_id") == unit_id
                   for r in store.audit_log(limit=20, action="sgs.columns.forget")) == 2


@pytest.mark.parametrize(("role", "year"), [(("office", "demo-office-1"), 2027), (("admin", "demo-admin-1"), 2028)],
                         ids=["信用办", "管理员"])
def test_office_and_admin_enter_a_years_holidays(server, page, role, year: int) -> None:
    """Each presses 保存该年安排 (the year then reads 本平台录入), then 清除 (back to no entry)."""
    url, db = server
    login(page, url, *role)
    open_page(page, "双公示预检")
    page.get_by_role("tab", name="工作日日历").click()
    wait_drawn(page)
    if year != int(this_month()[:4]) + 1:
        pick(page, "年份", f"{year} 年")
    form = page.get_by_test_id("stForm").filter(has_text="放假日期")
    form.get_by_role("textbox").nth(0).fill(f"{year}-01-01\n{year}-02-06 至 {year}-02-12")
    form.get_by_role("textbox").nth(1).fill(f"{year}-02-13")  # a Saturday in 2027, a Sunday in 2028
    press(page, "保存该年安排", f"{role[0]} 保存放假安排", scope=form)
    page.get_by_text(f"已保存 {year} 年：放假 8 天、调休上班 1 天").first.wait_for()
    no_error(page)
    shot(page, f"7_calendar_{role[0]}")
    with open_store(db) as store:
        assert store.workdays.years()[year].workdays == (date(year, 2, 13),)
        row = store.audit_log(limit=1)[0]
        assert (row["action"], row["who"]) == ("workdays.set", role[0])
    page.get_by_role("tab", name="工作日日历").click()
    press(page, {2027: "清除 2027 年的录入", 2028: "清除 2028 年的录入"}[year], f"{role[0]} 清除")
    page.get_by_text(f"已清除 {year} 年的录入").first.wait_for()
    with open_store(db) as store:
        assert year not in store.workdays.years()
