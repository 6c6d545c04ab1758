"""双公示预检 in a real browser as 信用办: upload a department's export, read the problems and the
predicted deduction, download the problem list, preview and confirm "填入", replace and reset
the rules. Every writing button the role sees is pressed; screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from credit.app.service import open_store
from credit.common.clock import this_month
from credit.common.months import month_label
from credit.model.sgs import default_rules_text
from credit.workbook.preview import candidate_months
from tests.app.test_sgs_service import faulty
from tests.support.live import have_browser, login, open_page, screenshot, wait_drawn
from tests.support.people import pick

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
    with open_store(db) as store:  # the page offers the month after the latest with data (the 信用办 run adds one)
        month = candidate_months(store.months_with_data(), this_month())[1]
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
        before = len(store.versions(month, "部门"))
    page.get_by_role("button", name="生成导入预览").click()
    page.get_by_role("button", name="确认导入").wait_for()
    wait_drawn(page)
    no_error(page)
    shot(page, "2_preview")
    with open_store(db) as store:
        assert len(store.versions(month, "部门")) == before  # nothing before confirming
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile(f"已导入 {month_label(month)}")).first.wait_for()
    wait_drawn(page)
    no_error(page)
    shot(page, "3_applied")
    with open_store(db) as store:
        assert len(store.versions(month, "部门")) == before + 1
        rec = next(r for r in store.current_sheet(month, "部门") if r["unit_id"] == unit_id)
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
        assert "report_days = 9" in store.get_meta("sgs_rules")
    page.get_by_role("tab", name="预检规则").click()
    page.get_by_role("button", name="恢复默认规则").click()
    page.get_by_text("已恢复默认规则").first.wait_for()
    wait_drawn(page)
    no_error(page)
    page.get_by_role("tab", name="预检规则").click()
    shot(page, "4_rules")
    with open_store(db) as store:
        assert "report_days = 7" in store.get_meta("sgs_rules")
