"""Issue 25 (填报与申诉 / 报送审核 half) in a real Chromium: shared links never meet Streamlit's English
"Page not found" (signed out, signed in without the permission, and with 浏览也需要登录 on).
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from credit.app.service import open_store
from tests.support.actors import ADMIN, EDITOR
from tests.support.live import PHONE, have_browser, login, screenshot, wait_drawn

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
VIEWPORT = (1400, 1000)
ENGLISH = re.compile("Page not found|does not seem to exist")


def arrive(page, url: str) -> None:
    page.goto(url)
    wait_drawn(page)
    page.wait_for_timeout(500)  # the dialog, if any, comes with the navigation message
    assert page.get_by_text(ENGLISH).count() == 0, url
    assert page.get_by_test_id("stException").count() == 0


def test_shared_links_say_in_chinese_who_may_open_them(server, person) -> None:
    url, db = server
    ctx = person()
    page = ctx.new_page()
    # Signed out on the demo (reading without login): an office page opens the login page, naming it.
    arrive(page, f"{url}/versions")
    page.get_by_text("「数据版本」只供有相应权限的账户使用，请先登录。").wait_for()
    assert page.get_by_label("用户名").count() == 1
    screenshot(page, "desk_link_signed_out")
    arrive(page, f"{url}/ranking")  # a reading page still opens for everyone
    page.get_by_role("heading", name=re.compile("月度排名")).first.wait_for()
    # Signed in as 领导: the office's page says the account may not open it.
    login(page, url, "leader", "demo-leader-1")
    page.wait_for_timeout(1500)  # the login cookie is written by the next script run
    arrive(page, f"{url}/review")
    page.get_by_text(re.compile("无权打开「报送审核」")).wait_for()
    screenshot(page, "desk_link_no_permission")
    # 浏览也需要登录 on: a reading link opens the login page for a new visitor.
    with open_store(db) as s:
        s.settings.set("login_required", "1", by=ADMIN)
    try:
        stranger = person().new_page()
        for path, title in (("ranking", "月度排名"), ("unit?month=2022-10&unit=dong_e", "单位详情"),
                            ("versions", "数据版本")):
            arrive(stranger, f"{url}/{path}")
            stranger.get_by_text(f"「{title}」需要登录后查看，请先登录。").wait_for()
        screenshot(stranger, "desk_link_login_required")
    finally:
        with open_store(db) as s:
            s.settings.set("login_required", "0", by=ADMIN)


def test_admin_records_a_unit_contact_for_the_chase_list(server, page) -> None:
    """Issue 25 §16: 管理员 saves 联系人 / 联系电话 on 单位名册; a bad phone is refused in Chinese."""
    from tests.support.people import pick, press, sign_in, visit

    url, db = server
    sign_in(page, url, "管理员")
    visit(page, "单位名册")
    page.get_by_role("tab", name="联系人").click()
    pick(page, "单位", re.compile("东阿镇"), scope=page.get_by_role("tabpanel", name="联系人"))
    page.get_by_role("textbox", name="联系人", exact=True).fill("王明")
    page.get_by_label(re.compile("^联系电话")).fill("八七八八")
    press(page, "保存联系人", "管理员")
    page.get_by_text(re.compile("联系电话「八七八八」格式不对")).wait_for()
    page.get_by_label(re.compile("^联系电话")).fill("0531-87881234")
    press(page, "保存联系人", "管理员")
    page.get_by_text("已保存「东阿镇」的联系人和联系电话").wait_for()
    with open_store(db) as s:
        unit = s.units.register().get("dong_e")
        assert (unit.contact, unit.phone) == ("王明", "0531-87881234")
    screenshot(page, "desk_unit_contact")


@pytest.mark.parametrize("role", ["信用办", "管理员"])
def test_a_file_of_another_month_is_one_error_with_a_switch(server, page, tmp_path, role: str) -> None:
    """Issue 25 §13: September's file uploaded as 2022年10月's: one error, and 改为按2022年9月检查 re-checks it."""
    from credit.model.contract import UNIT_COL
    from tests.support.people import pick, press, sign_in, visit
    from tests.support.workbooks import fill_template

    url, _db = server
    path = tmp_path / "九月.xlsx"
    path.write_bytes(fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 1}]}, month="2022-09"))
    sign_in(page, url, role)
    visit(page, "数据上传")
    pick(page, "① 选择数据所属月份", "2022年10月")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
    page.get_by_text("发现 1 处问题（文件：九月.xlsx）").wait_for()
    press(page, "改为按2022年9月检查", role)
    page.get_by_text("发现 1 处问题").wait_for(state="detached")
    page.get_by_role("button", name="确认导入").wait_for()
    screenshot(page, f"desk_month_switch_{role}")


@pytest.mark.parametrize("role", ["信用办", "管理员"])
def test_a_unit_sends_evidence_and_the_office_adopts_or_returns_it(server, person, tmp_path, role: str) -> None:
    """Issue 25 §8: 东阿镇 uploads 证明材料 for its own entry on 填报与申诉 (a fake PDF refused in
    Chinese); the office adopts one file (then it is the entry's file) and returns another with a reason."""
    from credit.model.accounts import Actor
    from tests.support.people import press, sign_in, visit

    url, db = server
    dong = person().new_page()
    sign_in(dong, url, "东阿镇")
    visit(dong, "填报与申诉")
    dong.get_by_role("tab", name="证明材料").click()
    fake = tmp_path / "假材料.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    good = tmp_path / f"应用方案{role}.pdf"
    good.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + role.encode())
    later = tmp_path / f"补充{role}.pdf"
    later.write_bytes(b"%PDF-1.4\n% second\n%%EOF\n" + role.encode())
    with open_store(db) as s:
        before = {e["id"] for e in s.unit_desk.unit_evidence(None)}
    def drop(path) -> None:
        box = dong.get_by_label("证明材料文件（PDF、DOC、DOCX）")
        box.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))

    drop(fake)
    press(dong, "提交证明材料", "被考核单位")
    dong.get_by_text(re.compile("「假材料.pdf」的内容不是有效的 PDF 或 Word 文档")).wait_for()
    with open_store(db) as s:
        assert {e["id"] for e in s.unit_desk.unit_evidence(None)} == before  # nothing written
    for path in (good, later):
        drop(path)
        press(dong, "提交证明材料", "被考核单位")
        dong.get_by_text(re.compile(r"已提交证明材料 #\d+，等待信用办采纳")).wait_for()
    screenshot(dong, f"desk_unit_evidence_sent_{role}")
    with open_store(db) as s:
        sent = sorted((e for e in s.unit_desk.unit_evidence(None) if e["id"] not in before), key=lambda e: e["id"])
    assert [e["filename"] for e in sent] == [good.name, later.name]
    assert {e["status"] for e in sent} == {"pending"} and {e["unit_id"] for e in sent} == {"dong_e"}

    office = person().new_page()
    sign_in(office, url, role)
    visit(office, "报送审核")
    office.get_by_text(f"证明材料 #{sent[0]['id']} 东阿镇").first.wait_for()
    screenshot(office, f"desk_office_evidence_{role}")
    press(office, "采纳为该条目的证明材料", role)
    office.get_by_text(f"已采纳证明材料 #{sent[0]['id']}，已计入该条目").wait_for()
    office.get_by_label("材料退回原因").first.fill("文件不清晰，请重新扫描")
    press(office, "退回材料", role)
    office.get_by_text(f"已退回证明材料 #{sent[1]['id']}").wait_for()
    with open_store(db) as s:
        done = {e["id"]: e for e in s.unit_desk.unit_evidence(None)}
        files = s.registers.evidence_files(sent[0]["year"], unit_id="dong_e", by=EDITOR)
        unit_notices = s.unit_desk.notices(Actor("dongezhen", "unit", unit_id="dong_e"))
    assert done[sent[0]["id"]]["status"] == "accepted" and done[sent[1]["id"]]["status"] == "returned"
    assert done[sent[1]["id"]]["reason"] == "文件不清晰，请重新扫描"
    assert any(f["id"] == done[sent[0]["id"]]["file_id"] and f["filename"] == good.name for f in files)
    assert not any(f["filename"] == later.name for f in files)
    assert any(f"证明材料 #{sent[1]['id']}" in text and "已退回" in text for _, text in unit_notices)


RADAR_LABELS = """() => [...document.querySelectorAll('g.angularaxistick text')].map(t => {
    const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; })"""


def test_ranking_and_radar_on_a_phone(server, person) -> None:
    """Issue 25 §14 at 390 px: the ranking's first columns (rank, unit, change, 得分率, 较上月) are drawn
    within the screen, and the radar's spoke labels neither overlap nor leave the screen."""
    url, _db = server
    page = person(390, 844, **PHONE).new_page()  # a phone's browser: the month's copy at the top too
    arrive(page, url)
    assert page.locator(".st-key-mobile_month-box").is_visible()
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(page, "desk_phone_ranking")
    arrive(page, f"{url}/unit?month=2022-10&unit=dong_e")
    page.get_by_text("指标完成度（%）与同组中位数").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('g.angularaxistick text').length > 3")
    labels = page.evaluate(RADAR_LABELS)
    assert len(labels) >= 8, labels
    for name, left, _top, right, _bottom in labels:
        assert left >= 0 and right <= 390, (name, left, right)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, (a, b)
    screenshot(page, "desk_phone_radar")
