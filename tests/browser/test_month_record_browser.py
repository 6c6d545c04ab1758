"""Issue 23 in a real browser. Observation 3, as 信用办: after October is signed, a correction
import on 数据上传 shows the change (record → 更正候选), and the 月度通报 page says the very same.
Observation 7: a register change (管理员) or a weight version (信用办, 管理员) reaching signed
October is refused on its page until a 更正说明 is given; then October shows its 更正候选."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from credit.app.demo import demo_months, fill_template
from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.contract import SHEET_TOWN
from credit.reports.candidate import record_vs_candidate
from credit.workbook.template import build_template
from tests.browser.test_buttons_browser import exact, form, set_first_level
from tests.support.actors import EDITOR
from tests.support.live import have_browser, login, open_page, wait_drawn
from tests.support.people import assert_clean, pick, press, sign_in, visit

VIEWPORT, TIMEOUT_MS = (1400, 1000), 120_000
REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
NOTE = re.compile(r"2022年10月已签发；按现有数据计算的更正候选与已签发记录不同：[^。]+。")


def no_error(page) -> None:
    wait_drawn(page)
    assert page.get_by_test_id("stException").count() == 0


REFUSED = "会改变已签发月份 2022-10（平信用办〔2022〕10号）的结果"


def sign_october(db: Path) -> None:
    """October signed once for the module's database (each test may run first, or alone)."""
    with open_store(db) as store:
        if store.publishing.current_publication("2022-10") is None:
            publish_month(store, "2022-10", "平信用办〔2022〕10号", date(2022, 11, 5), "张三", EDITOR, with_pdf=False)


def test_upload_and_bulletin_pages_show_one_comparison(server, page, tmp_path: Path) -> None:
    url, db = server
    sign_october(db)
    with open_store(db) as store:
        register = store.units.register()
        record = {r["unit"]: r["score"] for r in store.publishing.published_scores(
            store.publishing.current_publication("2022-10")["id"], "镇街")}
    october = next(d for d in demo_months(register) if d.month == "2022-10")
    next(r for r in october.sheets[SHEET_TOWN] if r["单位名称"] == "榆山街道")["信易贷融资需求金额（万元）"] = 9999
    upload = tmp_path / "更正_2022-10.xlsx"
    upload.write_bytes(fill_template(build_template("2022-10", register), october))

    login(page, url, "office", "demo-office-1")
    open_page(page, "数据上传")
    pick(page, "① 选择数据所属月份", re.compile("^2022年10月"))
    page.get_by_text(re.compile("的通报已签发（平信用办〔2022〕10号）")).wait_for()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    page.get_by_role("heading", name=re.compile("④ 导入预览")).wait_for()
    no_error(page)
    for box in page.get_by_text(re.compile("确认无误")).all():  # a tenfold rise asks for a tick first
        box.click()
        wait_drawn(page)
    page.get_by_label("更正说明（必填）").fill("榆山街道融资需求金额漏报")
    page.get_by_label("更正说明（必填）").press("Enter")
    wait_drawn(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile("已导入 2022年10月")).first.wait_for()
    no_error(page)
    on_upload = page.get_by_text(NOTE).first.inner_text()
    page.get_by_text("本月通报已签发：下表比较已签发记录与按现有数据计算的更正候选").wait_for()
    yushan = re.search(r"榆山街道 ([\d.]+)→([\d.]+)", on_upload)
    assert yushan and float(yushan.group(1)) == round(record["榆山街道"], 2)
    assert yushan.group(1) != yushan.group(2)  # the change is shown, not "79.48 → 79.48"

    open_page(page, "月度通报")
    page.get_by_text("更正候选与已发布结果的差异").wait_for()
    on_bulletin = page.get_by_text(NOTE).first.inner_text()
    assert on_bulletin == on_upload
    no_error(page)


def test_admin_retires_a_unit_of_a_signed_month_only_as_a_correction(server, page) -> None:
    url, db = server
    sign_october(db)
    sign_in(page, url, "管理员")
    visit(page, "单位名册")
    page.get_by_role("tab", name="撤销单位").click()
    retire = form(page, "撤销")
    pick(page, "单位", "孔村镇（kongcun）", scope=retire, search="孔村镇")
    pick(page, "自该月起不再考核", "2022年10月", scope=retire)
    press(page, exact("撤销"), "管理员", scope=retire)
    page.get_by_text(re.compile(re.escape(REFUSED))).first.wait_for()
    with open_store(db) as store:
        assert store.units.register().by_id["kongcun"].retired_from is None  # refused: nothing written
    retire.get_by_label(re.compile("^更正说明")).fill("孔村镇撤并，10 月起不再考核")
    press(page, exact("撤销"), "管理员", scope=retire)
    page.get_by_text("已撤销「孔村镇」，自 2022年10月 起不再考核").wait_for()
    with open_store(db) as store:
        assert store.units.register().by_id["kongcun"].retired_from == "2022-10"
        entry = store.audit_log(action="unit.retire")[0]["detail"]
        assert entry["correction"] == "孔村镇撤并，10 月起不再考核" and entry["signed_months"] == ["2022-10"]
        diff = record_vs_candidate(store, "2022-10", "镇街")
    kongcun = diff[diff["单位"] == "孔村镇"].iloc[0]
    assert not pd.isna(kongcun["已发布排名"]) and pd.isna(kongcun["更正后排名"])  # in the record, not the candidate
    visit(page, "月度通报")
    page.get_by_text("更正候选与已发布结果的差异").wait_for()
    page.get_by_text(NOTE).first.wait_for()
    assert_clean(page, "撤销后·月度通报")


@pytest.mark.parametrize("role", ["信用办", "管理员"])
def test_a_weight_version_in_a_signed_month_is_adopted_only_as_a_correction(server, page, role: str) -> None:
    url, db = server
    sign_october(db)
    sign_in(page, url, role)
    visit(page, "权重模拟")
    mine = 31.0 if role == "信用办" else 36.0
    page.get_by_label(re.compile("营商环境（官方")).wait_for(timeout=TIMEOUT_MS)
    set_first_level(page, mine)
    page.get_by_role("tab", name="官方权重版本").click()
    adopt = form(page, "发布为官方权重")
    adopt.get_by_label(re.compile("调整原因")).fill(f"{role}调整十月分值")
    adopt.get_by_text(re.compile("我确认自2022年10月起")).click()
    press(page, "发布为官方权重", role, scope=adopt)
    page.get_by_text(re.compile(re.escape(REFUSED))).first.wait_for()
    with open_store(db) as store:
        before = len(store.frameworks.framework_versions("镇街"))
    adopt.get_by_label(re.compile("^更正说明")).fill(f"{role}：领导小组决定 10 月起调整分值")
    if not adopt.get_by_role("checkbox").first.is_checked():
        adopt.get_by_text(re.compile("我确认自2022年10月起")).click()
    press(page, "发布为官方权重", role, scope=adopt)
    page.get_by_text("已发布新的官方权重：镇（街道）、开发区，自2022年10月起执行。").wait_for()
    with open_store(db) as store:
        versions = store.frameworks.framework_versions("镇街")
        assert len(versions) == before + 1
        assert versions[-1]["reason"].startswith(f"{role}调整十月分值；更正：{role}：领导小组决定 10 月起调整分值")
