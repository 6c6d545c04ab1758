"""Every writing button, pressed in a real browser by every role that sees it (the presses the
other browser modules do not make; the whole map is tests/support/buttons.py).

One server on a private copy of the demo database and one Chromium for the module; each test a
fresh tab (a new session). After every press: no exception, no English or None leftovers, and the
write is read back from the server's database (and, where a person would look, on the page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit.app.demo import demo_months, fill_template
from credit.app.service import framework_for, open_store
from credit.model.accounts import ROLE_UNIT, SYSTEM, Actor
from credit.model.contract import SHEET_TOWN
from credit.model.units import load_units
from credit.scoring import whatif
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template
from tests.support.live import have_browser, login, rerun_drawn, wait_drawn
from tests.support.paths import ROOT
from tests.support.people import (
    ACCOUNTS,
    UNIT_ACCOUNTS,
    assert_clean,
    new_tab,
    pick,
    press,
    sidebar_month,
    sign_in,
    visit,
)

ARTIFACTS = ROOT / "test-artifacts"
REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OFFICE_ROLES = ["信用办", "管理员"]


@pytest.fixture()
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    ctx, pg = new_tab(browser)
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"buttons_{request.node.name}.png"), full_page=True)
    ctx.close()


def month_file(db: Path, month: str, town: str, header: str, value: float) -> bytes:
    """The demo workbook of `month` with one town's figure changed (a corrected re-upload)."""
    with open_store(db) as store:
        register = store.register()
    data = next(d for d in demo_months(load_units()) if d.month == month)
    next(r for r in data.sheets[SHEET_TOWN] if r["单位名称"] == town)[header] = value
    return fill_template(build_template(month, register), data)


def form(page, button: str):
    """The form whose submit button is called `button` (exactly)."""
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=button, exact=True)).first


def exact(name: str) -> re.Pattern:
    return re.compile(f"^{re.escape(name)}$")


# -- 我的账户: 修改密码, 退出登录 (every logged-in role) ---------------------------------------------


@pytest.mark.parametrize("role", ["领导", "信用办", "管理员", "东阿镇"])
def test_my_account_password_change_and_logout(server, page, role: str) -> None:
    url, db = server
    username, password, _ = ACCOUNTS.get(role) or UNIT_ACCOUNTS[role]
    new = f"{password}-new2"
    sign_in(page, url, role)
    try:
        visit(page, "我的账户")
        page.get_by_label("原密码", exact=True).fill(password)
        page.get_by_label("新密码（至少 8 位，含字母和数字）", exact=True).fill(new)
        page.get_by_label("再次输入新密码", exact=True).fill(new)
        press(page, "修改密码", role)
        page.get_by_text("密码已修改。").wait_for()
        with open_store(db) as store:
            assert store.login(username, new).username == username  # the new password is the one kept
        press(page, "退出登录", role)
        page.get_by_text("未登录：只读浏览").wait_for()  # the logout reruns the app once more
        assert page.get_by_text("当前用户：").count() == 0
        assert page.get_by_test_id("stSidebarNav").get_by_role("link", name="我的账户").count() == 0
        login(page, url, username, new)
        assert_clean(page, f"{role} 以新密码登录")
    finally:
        with open_store(db) as store:  # the other tests sign in with the demo password
            store.set_password(username, password, by=SYSTEM)


# -- 数据版本: 恢复为当前版本 -----------------------------------------------------------------------


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_versions_restore(server, page, role: str) -> None:
    url, db = server
    with open_store(db) as store:
        if len(store.versions("2022-08", SHEET_TOWN)) < 2:  # a second version to go back from
            raw = month_file(db, "2022-08", "榆山街道", "本月报送信用动态稿件数", 9)
            store.import_workbooks([(parse_workbook(raw, "八月（改）.xlsx", "2022-08", store.register()), raw,
                                     "八月（改）.xlsx")], by=SYSTEM)
        target = next(v for v in store.versions("2022-08", SHEET_TOWN) if not v["is_current"])
    sign_in(page, url, role)
    visit(page, "数据版本")
    pick(page, "月份", "2022年8月")
    pick(page, "工作表", exact(SHEET_TOWN))
    pick(page, "选择一个版本", f"「{SHEET_TOWN}」第 {target['version']} 版")
    press(page, "恢复为当前版本", role)
    page.get_by_text(re.compile(f"已将「{SHEET_TOWN}」第 {target['version']} 版恢复为当前版本")).wait_for()
    with open_store(db) as store:
        now = store.versions("2022-08", SHEET_TOWN)[0]
    assert now["is_current"] and now["action"] == "restore" and now["restored_from"] == target["id"]
    assert now["created_by"] == ACCOUNTS[role][0]


# -- 证明材料: 添加登记 (with a file), 保存证明材料, 撤回 ---------------------------------------------


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_registers_add_evidence_and_withdraw(server, page, role: str, tmp_path: Path) -> None:
    url, db = server
    name = f"信易测（{role}）"
    proof = tmp_path / "方案.pdf"
    proof.write_bytes(PDF)
    sign_in(page, url, role)
    visit(page, "证明材料")
    add = form(page, "添加登记")
    add.get_by_label("信用应用（必填）").fill(name)
    add.get_by_label("开展方案/制度文件名称").fill("测试方案")
    add.get_by_label("优惠/激励措施").fill("免押金")
    add.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(proof))
    add.get_by_text("方案.pdf").wait_for()
    press(page, exact("添加登记"), role, scope=add)
    page.get_by_text(re.compile(r"已添加登记条目 #\d+，附 1 份证明材料")).wait_for()
    with open_store(db) as store:
        entry = next(e for e in store.register_entries(2022, "信易+场景") if e["data"].get("信用应用") == name)
        assert entry["created_by"] == ACCOUNTS[role][0] and entry["month"] == "2022-10"
        unit_name = store.register().by_id[entry["unit_id"]].name_at("2022-10")
        files = [f for f in store.evidence_files(2022, "信易+场景", entry["unit_id"]) if f["entry_key"] == entry["entry_key"]]
    assert [f["filename"] for f in files] == ["方案.pdf"]

    pick(page, "选择条目", re.compile(re.escape(f"{unit_name} · {name}")), search=name)
    more = tmp_path / "补充材料.pdf"
    more.write_bytes(PDF + b"%more\n")
    box = page.get_by_test_id("stFileUploader").filter(has_text="为该条目上传证明材料").first
    rerun_drawn(page, lambda: box.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(more)))
    press(page, "保存证明材料", role)
    page.get_by_text("已保存 1 份证明材料").wait_for()
    with open_store(db) as store:
        files = [f for f in store.evidence_files(2022, "信易+场景", entry["unit_id"]) if f["entry_key"] == entry["entry_key"]]
    assert sorted(f["filename"] for f in files) == ["方案.pdf", "补充材料.pdf"]

    page.get_by_text("撤回本页录入的条目").first.click()
    pick(page, "条目", re.compile(f"^#{entry['id']} "), search=name)
    page.get_by_label("撤回原因").first.fill("重复登记")
    press(page, exact("撤回"), role)
    page.get_by_text(f"已撤回条目 #{entry['id']}").wait_for()
    with open_store(db) as store:
        gone = next(e for e in store.register_entries(2022, "信易+场景", include_withdrawn=True) if e["id"] == entry["id"])
        assert gone["withdrawn"] and gone["reason"] == "重复登记"
        assert entry["id"] not in [e["id"] for e in store.register_entries(2022, "信易+场景")]


# -- 权重模拟: 恢复官方权重, 载入 (every reader); 保存当前方案, 发布为官方权重 (信用办, 管理员) ---------------


def first_level(page):
    return page.get_by_label(re.compile("营商环境（官方"))


def set_first_level(page, value: float) -> None:
    box = first_level(page)
    box.fill(f"{value:g}")
    rerun_drawn(page, lambda: box.press("Enter"))


@pytest.mark.parametrize("role", ["匿名", "领导", *OFFICE_ROLES])
def test_whatif_buttons(server, page, role: str) -> None:
    url, db = server
    with open_store(db) as store:
        if not any(sc.name == "营商环境四十分" for sc in store.scenarios("镇街")):
            fw = framework_for(store, "镇街", "2022-10")
            points = whatif.set_level1(fw, whatif.official_points(fw), "营商环境", 40.0, fw.total_points)
            store.save_scenario("营商环境四十分", "镇街", "2022-10", points, "", Actor("office", "editor"))
    sign_in(page, url, role)
    visit(page, "权重模拟")
    official = first_level(page).input_value()
    set_first_level(page, 20)
    assert first_level(page).input_value() == "20.00"
    press(page, "恢复官方权重", role)
    assert first_level(page).input_value() == official

    page.get_by_role("tab", name="方案保存与对比").click()
    if role in OFFICE_ROLES:
        page.get_by_label("方案名称").fill(f"{role}的方案")
        page.get_by_label("备注").fill("按官方权重保存")
        press(page, "保存当前方案", role)
        page.get_by_text(f"已保存方案「{role}的方案」").wait_for()
        with open_store(db) as store:
            saved = next(sc for sc in store.scenarios("镇街") if sc.name == f"{role}的方案")
            assert saved.created_by == ACCOUNTS[role][0] and saved.note == "按官方权重保存"
    else:
        assert page.get_by_role("button", name="保存当前方案").count() == 0
    page.get_by_role("tab", name="方案保存与对比").click()
    pick(page, "载入方案到模拟", re.compile("^营商环境四十分"))
    press(page, exact("载入"), role)
    page.get_by_text("已载入方案「营商环境四十分」").wait_for()
    assert first_level(page).input_value() == "40.00"

    if role not in OFFICE_ROLES:
        assert page.get_by_role("button", name="发布为官方权重").count() == 0
        return
    mine = 30.0 if role == "信用办" else 35.0
    set_first_level(page, mine)
    page.get_by_role("tab", name="官方权重版本").click()
    adopt = form(page, "发布为官方权重")
    adopt.get_by_label(re.compile("调整原因")).fill(f"{role}测试发布")
    adopt.get_by_text(re.compile("我确认自2022年10月起")).click()
    press(page, "发布为官方权重", role, scope=adopt)
    page.get_by_text("已发布新的官方权重：镇（街道）、开发区，自2022年10月起执行。").wait_for()
    with open_store(db) as store:
        latest = store.framework_versions("镇街")[-1]
        assert latest["reason"] == f"{role}测试发布" and latest["effective_month"] == "2022-10"
        adopted = framework_for(store, "镇街", "2022-10")
        assert next(lv.points for lv in adopted.level1 if lv.name == "营商环境") == pytest.approx(mine)
