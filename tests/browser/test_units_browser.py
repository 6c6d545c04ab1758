"""被考核单位 end to end in a real browser, as two unit accounts and the office:
submit → return → resubmit → accept → the score moves; object → accept → the deduction is gone
with its trail; object → reject; and what a unit may not reach. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from credit.app.service import open_store, unit_detail
from credit.model.accounts import Actor
from tests.support.live import have_browser, login, open_page, rerun_drawn, screenshot, wait_drawn
from tests.support.people import pick

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
VIEWPORT = (1400, 1000)
MONTH = "2022-10"
dong_actor = Actor("dongezhen", "unit", unit_id="dong_e")
fagai_actor = Actor("fagaiju", "unit", unit_id="fagai")


def no_error(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def shot(page, name: str) -> None:
    screenshot(page, f"units_{name}")


def earned(db: Path, unit_id: str, code: str) -> float:
    with open_store(db) as s:
        d = unit_detail(s, None, MONTH, unit_id).detail.set_index("code")
    return float(d.loc[code, "earned"])


def click(page, name: str) -> None:
    rerun_drawn(page, lambda: page.get_by_role("button", name=name).first.click())
    no_error(page)


def test_submit_return_resubmit_accept_and_objections(server, tab, tmp_path: Path) -> None:
    url, db = server
    dong, office, fagai = tab(), tab(), tab()
    try:
        flow(url, db, tmp_path, dong, office, fagai)
    except Exception:
        for name, pg in (("dong", dong), ("office", office), ("fagai", fagai)):
            shot(pg, f"failed_{name}")
        raise


def flow(url: str, db: Path, tmp: Path, dong, office, fagai) -> None:
    t1_before = earned(db, "dong_e", "T1")

    login(dong, url, "dongezhen", "demo-unit-1")
    dong.get_by_text("提醒（1 条）").first.wait_for()  # one collapsed line; the count in the sidebar too
    dong.get_by_test_id("stSidebar").get_by_text("提醒 1 条").wait_for()
    nav = dong.get_by_test_id("stSidebarNav")
    for hidden in ("数据上传", "证明材料", "权重模拟", "月度通报", "账户管理"):
        assert nav.get_by_role("link", name=hidden).count() == 0
    open_page(dong, "单位详情")
    dong.get_by_text("本年满分还需").wait_for()
    assert dong.get_by_text("全组指标完成度热力图").count() == 0
    no_error(dong)
    shot(dong, "dongezhen_unit_page")
    dong.get_by_text("本年满分还需").scroll_into_view_if_needed()
    shot(dong, "dongezhen_todo")

    open_page(dong, "填报与申诉")
    dong.get_by_role("spinbutton", name="本月出台信用制度文件数").fill("5")
    click(dong, "提交本月数据")
    dong.get_by_text(re.compile("已提交（报送 #1）")).wait_for()
    shot(dong, "dongezhen_submitted")

    login(office, url, "office", "demo-office-1")
    office.get_by_text("提醒（1 条）").first.click()
    office.get_by_text("2022年10月：1 份单位报送待审核").first.wait_for()
    click(office, "知道了")  # closed for this account; the page itself still lists the submission
    assert office.get_by_text("提醒（1 条）").count() == 0
    open_page(office, "报送审核")
    office.get_by_label("退回原因").first.fill("文件数与备案不符，应为 1 件")
    click(office, "退回")
    office.get_by_text("已退回报送 #1").wait_for()

    open_page(dong, "单位详情")
    dong.get_by_text(re.compile("报送 #1 已退回：文件数与备案不符")).first.wait_for()
    # 知道了 closes it for this account: gone after a fresh page load too.
    click(dong, "知道了")
    assert dong.get_by_text(re.compile("报送 #1 已退回")).count() == 0
    # Resubmit as a file: download the unit's own workbook, fill its row, upload it.
    open_page(dong, "填报与申诉")
    dong.get_by_role("tab", name="上传填报文件").click()
    with dong.expect_download() as dl:
        dong.get_by_role("button", name="下载本单位填报文件").click()
    template = tmp / "东阿镇.xlsx"
    dl.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    ws = wb["镇街"]
    heads = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    with open_store(db) as s:
        current = next(r for r in s.datasets.current_sheet(MONTH, "镇街") if r["unit_id"] == "dong_e")
    for header, col in heads.items():
        if header in current and header != "单位名称" and current[header] is not None:
            ws.cell(3, col).value = current[header]
    ws.cell(3, heads["本月出台信用制度文件数"]).value = 1
    wb.save(template)
    dong.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(template))
    wait_drawn(dong)
    click(dong, "提交填报文件")
    dong.get_by_text(re.compile("已提交（报送 #2）")).wait_for()

    open_page(office, "数据上传")
    open_page(office, "报送审核")
    office.get_by_text("采纳后的变化").first.wait_for()
    click(office, "采纳并入本月数据…")
    office.get_by_text("确认将上表的变化并入2022年10月的数据？").wait_for()
    click(office, "取消")
    assert office.get_by_text("确认将上表的变化并入2022年10月的数据？").count() == 0
    click(office, "采纳并入本月数据…")
    click(office, "确认采纳")
    office.get_by_text(re.compile("已采纳报送 #2（东阿镇），已生成新的数据版本")).wait_for()
    office.get_by_text("已处理的报送").wait_for()
    shot(office, "office_review")
    assert earned(db, "dong_e", "T1") == pytest.approx(t1_before + 1.0)  # 4 → 5

    # 申诉 on an event: accepted → the deduction is gone, with the correction as a version.
    t7_before = earned(db, "dong_e", "T7")
    open_page(dong, "填报与申诉")
    dong.get_by_role("tab", name="申诉").click()
    dong.get_by_label("申诉理由（必填）").fill("该人员已于 2022 年 7 月不再担任村委会成员")
    proof = tmp / "免职文件.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    attach = dong.get_by_label("附件（可选；PDF、DOC、DOCX）")  # not the 证明材料 tab's file box
    attach.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(proof))
    dong.get_by_text("免职文件.pdf").first.wait_for()
    click(dong, "提交申诉")
    dong.get_by_text(re.compile("已提交申诉 #1")).wait_for()
    shot(dong, "dongezhen_objection")

    # 发改局 contests a figure: rejected with a reason.
    login(fagai, url, "fagaiju", "demo-unit-2")
    open_page(fagai, "填报与申诉")
    fagai.get_by_role("tab", name="申诉").click()
    pick(fagai, "申诉事项", re.compile("本月双公示错误数据条数"))
    fagai.get_by_label("申诉理由（必填）").fill("错误数据系系统误判")
    fagai.get_by_role("spinbutton", name="如申诉的是报送数据，请填写正确数值").fill("0")
    click(fagai, "提交申诉")
    fagai.get_by_text(re.compile("已提交申诉 #2")).wait_for()

    open_page(office, "数据上传")
    open_page(office, "报送审核")
    office.get_by_text("申诉 #1").first.wait_for()
    rerun_drawn(office, lambda: office.get_by_role("button", name="采纳：改为主动处理").first.click())
    office.get_by_text(re.compile("已采纳申诉 #1，已生成新的数据版本")).wait_for()
    office.get_by_label("不予采纳的理由").first.fill("经核查，错误数据属实")
    click(office, "不予采纳")
    office.get_by_text("申诉 #2 已不予采纳").wait_for()
    assert earned(db, "dong_e", "T7") == pytest.approx(t7_before + 1.0)
    with open_store(db) as s:
        assert s.unit_desk.objection_attachment(None, 1)[0] == "免职文件.pdf"
    with open_store(db) as s:
        actions = [a["action"] for a in s.audit_log(30)]
    for action in ("submission.submit", "submission.return", "submission.accept", "objection.raise",
                   "objection.accept", "objection.reject"):
        assert action in actions

    # The other two ways to uphold: withdraw an event, correct a figure (raised directly here).
    with open_store(db) as s:
        ev = next(o for o in s.unit_desk.contestable(dong_actor, MONTH, "dong_e") if o["target"] == "event")
        w = s.unit_desk.raise_objection(dong_actor, MONTH, "dong_e", "event", "不属本单位", row=ev["row"],
                                       event_month=ev["month"])
        f = s.unit_desk.raise_objection(fagai_actor, MONTH, "fagai", "figure", "漏报", field="本月出台信用制度文件数",
                                       proposed=2)
    open_page(office, "数据上传")
    open_page(office, "报送审核")
    click(office, "采纳：撤销该事项")
    office.get_by_text(re.compile(f"已采纳申诉 #{w}，已生成新的数据版本")).wait_for()
    click(office, "采纳并更正")
    office.get_by_text(re.compile(f"已采纳申诉 #{f}，已生成新的数据版本")).wait_for()
    with open_store(db) as s:
        assert {o["id"]: o["status"] for o in s.unit_desk.objections(None, MONTH)}[w] == "accepted"
        assert next(r for r in s.datasets.current_sheet(MONTH, "部门") if r["unit_id"] == "fagai")["本月出台信用制度文件数"] == 2

    open_page(dong, "单位详情")
    dong.get_by_text(re.compile("^提醒（")).first.click()  # collapsed: nothing was returned
    dong.get_by_text(re.compile("申诉 #1 已采纳")).first.wait_for()
    shot(dong, "dongezhen_after")
    open_page(fagai, "单位详情")
    fagai.get_by_text(re.compile("^提醒（")).first.click()
    fagai.get_by_text(re.compile("申诉 #2 未采纳")).first.wait_for()
    shot(fagai, "fagaiju_rejected")
    no_error(fagai)
