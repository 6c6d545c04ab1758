"""Every writing button, pressed in a real browser by every role that sees it (the presses the
other browser modules do not make; the whole map is tests/support/buttons.py).

One server on a private copy of the demo database and one Chromium for the module; each test a
fresh tab (a new session). After every press: no exception, no English or None leftovers, and the
write is read back from the server's database (and, where a person would look, on the page).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from credit.app.demo import demo_months, fill_template
from credit.app.service import framework_for, open_store
from credit.model.accounts import SYSTEM, Actor
from credit.model.contract import SHEET_TOWN
from credit.model.units import load_units
from credit.scoring import whatif
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template
from tests.support.actors import EDITOR
from tests.support.live import have_browser, login, rerun_drawn
from tests.support.people import (
    ACCOUNTS,
    UNIT_ACCOUNTS,
    assert_clean,
    pick,
    press,
    sidebar_month,
    sign_in,
    visit,
)

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OFFICE_ROLES = ["信用办", "管理员"]


def month_file(db: Path, month: str, town: str, header: str, value: float) -> bytes:
    """The demo workbook of `month` with one town's figure changed (a corrected re-upload)."""
    with open_store(db) as store:
        register = store.units.register()
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
        # a password change ends every login of the account, this one too: log in again with the new one
        page.get_by_text("密码已修改，所有设备上的登录均已退出，请使用新密码重新登录。").wait_for()
        assert page.get_by_text("当前用户：").count() == 0
        with open_store(db) as store:
            assert store.accounts.login(username, new).username == username  # the new password is the one kept
        login(page, url, username, new)
        assert_clean(page, f"{role} 以新密码登录")
        visit(page, "我的账户")
        press(page, "退出登录", role)
        page.get_by_text("未登录：只读浏览").wait_for()  # the logout reruns the app once more
        assert page.get_by_text("当前用户：").count() == 0
        assert page.get_by_test_id("stSidebarNav").get_by_role("link", name="我的账户").count() == 0
    finally:
        with open_store(db) as store:  # the other tests sign in with the demo password
            store.accounts.set_password(username, password, by=SYSTEM)


# -- 数据版本: 恢复为当前版本 -----------------------------------------------------------------------


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_versions_restore(server, page, role: str) -> None:
    url, db = server
    with open_store(db) as store:
        if len(store.datasets.versions("2022-08", SHEET_TOWN)) < 2:  # a second version to go back from
            raw = month_file(db, "2022-08", "榆山街道", "本月报送信用动态稿件数", 9)
            store.datasets.import_workbooks([(parse_workbook(raw, "八月（改）.xlsx", "2022-08", store.units.register()), raw,
                                     "八月（改）.xlsx")], by=SYSTEM)
        target = next(v for v in store.datasets.versions("2022-08", SHEET_TOWN) if not v["is_current"])
    sign_in(page, url, role)
    visit(page, "数据版本")
    pick(page, "月份", "2022年8月")
    pick(page, "工作表", exact(SHEET_TOWN))
    pick(page, "选择一个版本", f"「{SHEET_TOWN}」第 {target['version']} 版")
    press(page, "恢复为当前版本", role)
    page.get_by_text(re.compile(f"已将「{SHEET_TOWN}」第 {target['version']} 版恢复为当前版本")).wait_for()
    with open_store(db) as store:
        now = store.datasets.versions("2022-08", SHEET_TOWN)[0]
    assert now["is_current"] and now["action"] == "restore" and now["restored_from"] == target["id"]
    assert now["created_by"] == ACCOUNTS[role][0]


# -- 证明材料: 添加登记 (with a file), 保存证明材料, 撤回 ---------------------------------------------


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_registers_add_evidence_and_withdraw(server, page, role: str, tmp_path: Path,
                                            request: pytest.FixtureRequest) -> None:
    url, db = server
    # A retry (after a Playwright timeout) adds its own entry: the module's database keeps the first
    # try's, and the register refuses the same 信用应用 for a unit twice in a year.
    attempt = getattr(request.node, "execution_count", 1)
    name = f"信易测（{role}）" + (f"·重试{attempt - 1}" if attempt > 1 else "")
    proof = tmp_path / "方案.pdf"
    proof.write_bytes(PDF)
    sign_in(page, url, role)
    visit(page, "证明材料")
    add = form(page, "添加登记")
    add.get_by_label("信用应用（必填）", exact=True).fill(name)
    add.get_by_label("开展方案/制度文件名称", exact=True).fill("测试方案")
    add.get_by_label("优惠/激励措施", exact=True).fill("免押金")
    add.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(proof))
    add.get_by_text("方案.pdf").wait_for()
    press(page, exact("添加登记"), role, scope=add)
    page.get_by_text(re.compile(r"已添加登记条目 #\d+，附 1 份证明材料")).wait_for()
    with open_store(db) as store:
        entry = next(e for e in store.registers.register_entries(2022, "信易+场景") if e["data"].get("信用应用") == name)
        assert entry["created_by"] == ACCOUNTS[role][0] and entry["month"] == "2022-10"
        unit_name = store.units.register().by_id[entry["unit_id"]].name_at("2022-10")
        files = [f for f in store.registers.evidence_files(2022, "信易+场景", entry["unit_id"], by=EDITOR) if f["entry_key"] == entry["entry_key"]]
    assert [f["filename"] for f in files] == ["方案.pdf"]

    pick(page, "选择条目", re.compile(re.escape(f"{unit_name} · {name}")), search=name)
    more = tmp_path / "补充材料.pdf"
    more.write_bytes(PDF + b"%more\n")
    box = page.get_by_test_id("stFileUploader").filter(has_text="为该条目上传证明材料").first
    rerun_drawn(page, lambda: box.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(more)))
    press(page, "保存证明材料", role)
    page.get_by_text("已保存 1 份证明材料").wait_for()
    with open_store(db) as store:
        files = [f for f in store.registers.evidence_files(2022, "信易+场景", entry["unit_id"], by=EDITOR) if f["entry_key"] == entry["entry_key"]]
    assert sorted(f["filename"] for f in files) == ["方案.pdf", "补充材料.pdf"]

    page.get_by_text("撤回本页录入的条目").first.click()
    pick(page, "条目", re.compile(f"^#{entry['id']} "), search=name)
    page.get_by_label("撤回原因", exact=True).first.fill("重复登记")
    press(page, exact("撤回"), role)
    page.get_by_text(f"已撤回条目 #{entry['id']}").wait_for()
    with open_store(db) as store:
        gone = next(e for e in store.registers.register_entries(2022, "信易+场景", include_withdrawn=True) if e["id"] == entry["id"])
        assert gone["withdrawn"] and gone["reason"] == "重复登记"
        assert entry["id"] not in [e["id"] for e in store.registers.register_entries(2022, "信易+场景")]


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
        if not any(sc.name == "营商环境四十分" for sc in store.scenarios.scenarios("镇街", by=None)):
            fw = framework_for(store, "镇街", "2022-10")
            points = whatif.set_level1(fw, whatif.official_points(fw), "营商环境", 40.0, fw.total_points)
            store.scenarios.save_scenario("营商环境四十分", "镇街", "2022-10", points, "", Actor("office", "editor"))
    sign_in(page, url, role)
    visit(page, "权重模拟")
    label = page.get_by_text(re.compile(r"^营商环境（官方 [\d.]+ 分）$")).first.inner_text()
    points = float(re.search(r"官方 ([\d.]+) 分", label).group(1))
    official = f"{points:.2f}"  # read from the label: the box may still be filling in
    expect(first_level(page)).to_have_value(official, timeout=60_000)
    set_first_level(page, 20)
    assert first_level(page).input_value() == "20.00"
    press(page, "恢复官方权重", role)
    assert first_level(page).input_value() == official

    page.get_by_role("tab", name="方案保存与对比").click()
    if role in OFFICE_ROLES:
        page.get_by_label("方案名称", exact=True).fill(f"{role}的方案")
        page.get_by_label("备注", exact=True).fill("按官方权重保存")
        press(page, "保存当前方案", role)
        page.get_by_text(f"已保存方案「{role}的方案」").wait_for()
        with open_store(db) as store:
            saved = next(sc for sc in store.scenarios.scenarios("镇街", by=None) if sc.name == f"{role}的方案")
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
        latest = store.frameworks.framework_versions("镇街")[-1]
        assert latest["reason"] == f"{role}测试发布" and latest["effective_month"] == "2022-10"
        adopted = framework_for(store, "镇街", "2022-10")
        assert next(lv.points for lv in adopted.level1 if lv.name == "营商环境") == pytest.approx(mine)


# -- 单位名册 (管理员): 新增, 更名, 撤销 ------------------------------------------------------------------


def test_admin_edits_the_unit_register(server, page, request) -> None:
    url, db = server
    # A retry (after a Playwright timeout) adds its own unit: the module's database keeps the first try's.
    attempt = getattr(request.node, "execution_count", 1)
    uid, name = (f"ceshi_ju{attempt}", f"测试{attempt}局") if attempt > 1 else ("ceshi_ju", "测试局")
    renamed = name.replace("局", "总局")
    sign_in(page, url, "管理员")
    visit(page, "单位名册")
    add = form(page, "新增")
    add.get_by_label("单位编号（字母、数字、下划线，创建后不可修改）", exact=True).fill(uid)
    add.get_by_label("单位名称", exact=True).fill(name)
    pick(page, "分组", "部门", scope=add)
    pick(page, "类型", "部门", scope=add)
    press(page, exact("新增"), "管理员", scope=add)
    page.get_by_text(f"已新增单位「{name}」，自 2022年10月 起参加考核").wait_for()
    with open_store(db) as store:
        unit = store.units.register().by_id[uid]
    assert (unit.name, unit.group, unit.kind, unit.active_from) == (name, "部门", "部门", "2022-10")
    for title in ("月度排名", "单位详情", "月度通报"):  # a unit with no data yet reads clean everywhere
        visit(page, title)
        assert_clean(page, f"新增单位后·{title}")

    visit(page, "单位名册")
    page.get_by_role("tab", name="单位更名").click()
    rename = form(page, "更名")
    pick(page, "单位", f"{name}（{uid}）", scope=rename, search=name)
    rename.get_by_label("新名称", exact=True).fill(renamed)
    press(page, exact("更名"), "管理员", scope=rename)
    page.get_by_text(f"已将「{name}」自 2022年10月 起更名为「{renamed}」").wait_for()
    with open_store(db) as store:
        assert store.units.register().by_id[uid].name_at("2022-10") == renamed

    page.get_by_role("tab", name="撤销单位").click()
    retire = form(page, "撤销")
    pick(page, "单位", f"{renamed}（{uid}）", scope=retire, search=renamed)
    pick(page, "自该月起不再考核", "2022年11月", scope=retire, search="2022年11月")  # joined in October: leaves after
    press(page, exact("撤销"), "管理员", scope=retire)
    page.get_by_text(f"已撤销「{renamed}」，自 2022年11月 起不再考核").wait_for()
    with open_store(db) as store:
        assert store.units.register().by_id[uid].retired_from == "2022-11"


# -- 账户管理 (管理员): 新增, 执行 (停用 / 启用 / 重设密码), 保存设置 --------------------------------------


def test_admin_manages_accounts(server, page, tab) -> None:
    url, db = server
    sign_in(page, url, "管理员")
    visit(page, "账户管理")
    add = form(page, "新增")
    add.get_by_label("用户名", exact=True).fill("ceshi")
    add.get_by_label("显示名称（可选）", exact=True).fill("测试领导")
    add.get_by_label("初始密码（至少 8 位，含字母和数字）", exact=True).fill("ceshi-pass-1")
    press(page, exact("新增"), "管理员", scope=add)
    page.get_by_text("已新增账户 ceshi").wait_for()
    with open_store(db) as store:
        made = store.accounts.account("ceshi")
    assert (made["role"], made["display"], made["disabled"]) == ("viewer", "测试领导", 0)

    def act(action: str, password: str = "") -> None:
        manage = form(page, "执行")
        pick(page, "账户", exact("ceshi"), scope=manage)
        if password:
            manage.get_by_label("新密码（仅重设密码时填写）", exact=True).fill(password)
        manage.get_by_text(action, exact=True).click()
        press(page, exact("执行"), "管理员", scope=manage)
        page.get_by_text(f"已对账户 ceshi 执行：{action}").wait_for()

    act("停用")
    with open_store(db) as store:
        assert store.accounts.account("ceshi")["disabled"]
    act("启用")
    with open_store(db) as store:
        assert not store.accounts.account("ceshi")["disabled"]
    act("重设密码", "ceshi-pass-2")
    other = tab()
    login(other, url, "ceshi", "ceshi-pass-2")  # the reset password signs in, as 领导
    other.get_by_text("当前用户：测试领导（领导）").wait_for()

    settings = form(page, "保存设置")
    settings.get_by_label("无操作自动退出（分钟）", exact=True).fill("45")
    press(page, "保存设置", "管理员", scope=settings)
    page.get_by_text("设置已保存。").wait_for()
    with open_store(db) as store:
        assert store.settings.get("session_idle_minutes") == "45"
        assert store.settings.get("login_required") == "0"  # unchanged: the demo stays open for reading


# -- 数据上传: 确认导入 (管理员), 完成，继续上传其他文件 (信用办, 管理员) -----------------------------------


def upload_and_confirm(page, db: Path, path: Path, month_label: str, where: str, reason: str = "") -> None:
    """Upload one file for the chosen month, tick what the preview asks, confirm; wait for 已导入."""
    rerun_drawn(page, lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path)))
    page.get_by_role("heading", name=re.compile(f"④ 导入预览：{month_label}")).wait_for()
    assert_clean(page, f"{where}: 预览")
    surges = page.get_by_text(re.compile("我已逐项核对"))
    if surges.count():
        rerun_drawn(page, lambda: surges.first.click())
    if reason:
        box = page.get_by_label("更正说明（必填）", exact=True)
        box.fill(reason)
        rerun_drawn(page, lambda: box.press("Enter"))
    press(page, "确认导入", where)
    page.get_by_text(f"已导入 {month_label}").first.wait_for()


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_upload_confirm_and_done(server, page, role: str, tmp_path: Path) -> None:
    url, db = server
    value = 5 if role == "信用办" else 7
    path = tmp_path / f"七月（{role}）.xlsx"
    path.write_bytes(month_file(db, "2022-07", "孝直镇", "本月出台信用制度文件数", value))
    with open_store(db) as store:
        before = len(store.datasets.versions("2022-07", SHEET_TOWN))
    sign_in(page, url, role)
    visit(page, "数据上传")
    pick(page, "① 选择数据所属月份", "2022年7月")
    upload_and_confirm(page, db, path, "2022年7月", role)
    with open_store(db) as store:
        now = store.datasets.versions("2022-07", SHEET_TOWN)
        row = next(r for r in store.datasets.current_sheet("2022-07", SHEET_TOWN) if r["unit_id"] == "xiaozhi")
    assert len(now) == before + 1 and now[0]["created_by"] == ACCOUNTS[role][0]
    assert row["本月出台信用制度文件数"] == value
    press(page, "完成，继续上传其他文件", role)
    expect(page.get_by_text("已导入 2022年7月")).to_have_count(0, timeout=30_000)  # after the second rerun
    page.get_by_text("上传后将在此显示检查结果和导入预览。").wait_for()


# -- 报送审核 (管理员): 退回, 采纳并入本月数据, 受理并更正, 不予采纳 ------------------------------------------


def test_admin_reviews_submissions_and_objections(server, page) -> None:
    url, db = server
    dong = Actor("dongezhen", "unit", unit_id="dong_e")
    fagai = Actor("fagaiju", "unit", unit_id="fagai")
    with open_store(db) as store:
        month = store.unit_desk.collecting_month()
        current = next(r for r in store.datasets.current_sheet(month, SHEET_TOWN) if r["unit_id"] == "dong_e")
        row = {k: v for k, v in current.items() if isinstance(v, (int, float)) and k not in ("row",)}
        first = store.unit_desk.submit_form(dong, month, "dong_e", {**row, "本月出台信用制度文件数": 6})
    sign_in(page, url, "管理员")
    visit(page, "报送审核")
    page.get_by_label("退回原因", exact=True).first.fill("数字与备案不符")
    press(page, exact("退回"), "管理员")
    page.get_by_text(f"已退回报送 #{first}").wait_for()
    with open_store(db) as store:
        back = store.unit_desk.submissions(None, month, "dong_e")
        assert next(s for s in back if s["id"] == first)["status"] == "returned"
        second = store.unit_desk.submit_form(dong, month, "dong_e", {**row, "本月出台信用制度文件数": 3})
    visit(page, "数据版本")
    visit(page, "报送审核")
    page.get_by_text("采纳后的变化").first.wait_for()
    press(page, "采纳并入本月数据…", "管理员")
    press(page, exact("取消"), "管理员")  # nothing written: asked again
    press(page, "采纳并入本月数据…", "管理员")
    press(page, "确认采纳", "管理员")
    page.get_by_text(re.compile(f"已采纳报送 #{second}（东阿镇），已生成新的数据版本")).wait_for()
    with open_store(db) as store:
        merged = next(r for r in store.datasets.current_sheet(month, SHEET_TOWN) if r["unit_id"] == "dong_e")
        assert merged["本月出台信用制度文件数"] == 3
        assert store.datasets.versions(month, SHEET_TOWN)[0]["created_by"] == "admin"
        events = [o for o in store.unit_desk.contestable(dong, month, "dong_e") if o["target"] == "event"]
        withdraw = store.unit_desk.raise_objection(dong, month, "dong_e", "event", "该事项不属本单位",
                                                  row=events[0]["row"], event_month=events[0]["month"])
        proactive = store.unit_desk.raise_objection(dong, month, "dong_e", "event", "已主动处理",
                                                   row=events[-1]["row"], event_month=events[-1]["month"])
        figure = store.unit_desk.raise_objection(dong, month, "dong_e", "figure", "漏报一件",
                                                field="本月出台信用制度文件数", proposed=4)
        reject = store.unit_desk.raise_objection(fagai, month, "fagai", "figure", "系统误判",
                                                field="本月双公示错误数据条数", proposed=0)
    assert len(events) >= 2
    visit(page, "数据版本")
    visit(page, "报送审核")
    press(page, "采纳：撤销该事项", "管理员")
    page.get_by_text(re.compile(f"已采纳申诉 #{withdraw}")).wait_for()
    press(page, "采纳：改为主动处理", "管理员")
    page.get_by_text(re.compile(f"已采纳申诉 #{proactive}")).wait_for()
    press(page, "采纳并更正", "管理员")
    page.get_by_text(re.compile(f"已采纳申诉 #{figure}")).wait_for()
    page.get_by_label("不予采纳的理由", exact=True).first.fill("经核查属实")
    press(page, "不予采纳", "管理员")
    page.get_by_text(f"申诉 #{reject} 已不予采纳").wait_for()
    with open_store(db) as store:
        done = {o["id"]: o for o in store.unit_desk.objections(None, month)}
        actions = [a["action"] for a in store.audit_log(20)]
        own = next(r for r in store.datasets.current_sheet(month, SHEET_TOWN) if r["unit_id"] == "dong_e")
    assert {done[i]["status"] for i in (withdraw, proactive, figure)} == {"accepted"}
    assert done[proactive]["decision"] == "已将该事项的处理情况更正为「主动处理」"
    assert done[withdraw]["decision"].endswith("扣分事项中撤销该事项") and own["本月出台信用制度文件数"] == 4
    assert done[reject]["status"] == "rejected"
    assert done[reject]["decision"] == "经核查属实" and done[reject]["decided_by"] == "admin"
    assert {"submission.return", "submission.accept", "objection.accept", "objection.reject"} <= set(actions)
    # A notice closed with 知道了 (the admin reviews too): after a new submission, one waits.
    with open_store(db) as store:
        store.unit_desk.submit_form(dong, month, "dong_e", {**row, "本月出台信用制度文件数": 2})
    visit(page, "数据版本")
    page.get_by_text("提醒（1 条）").first.click()
    press(page, "知道了", "管理员")
    assert page.get_by_text("提醒（1 条）").count() == 0
    with open_store(db) as store:
        assert store.unit_desk.notices(Actor("admin", "admin")) == []


# -- 月度通报 (管理员): 保存文稿, 签发通报, then a re-import with 更正说明 and 签发更正通报 ------------------------


def test_admin_publishes_reimports_and_corrects_a_month(server, page, tmp_path: Path) -> None:
    url, db = server
    sign_in(page, url, "管理员")
    sidebar_month(page, "2022年9月")
    visit(page, "月度通报")
    page.get_by_text(re.compile("2022年9月状态：(待签发|采集中)")).first.wait_for()  # not yet signed (issue 23 states)
    page.get_by_label("下步要求", exact=True).fill("请各单位于 10 月 10 日前报送整改情况。")
    press(page, "保存文稿", "管理员")
    page.get_by_text("文稿已保存。").wait_for()
    with open_store(db) as store:
        assert store.publishing.saved_text("2022-09")["text"]["requirements"] == "请各单位于 10 月 10 日前报送整改情况。"

    def issue(number: str, button: str, reason: str = "") -> None:
        sign = form(page, button)
        sign.get_by_label("文号", exact=True).fill(number)
        sign.get_by_label("签发人", exact=True).fill("李四")
        if reason:
            sign.get_by_label(re.compile("更正说明")).fill(reason)
        for box in ("申诉未处理仍然签发", "仍然发布"):
            if sign.get_by_text(box).count():
                sign.get_by_text(box).first.click()
                if box == "仍然发布":
                    sign.get_by_label("仍然发布的原因（将记入操作日志）", exact=True).fill("测试")
        rerun_drawn(page, lambda: sign.get_by_role("button", name=button, exact=True).click(), timeout=240_000)
        page.get_by_text(f"已签发{'更正通报' if reason else '通报'} {number}。").wait_for(timeout=240_000)
        assert_clean(page, f"管理员·{button}")

    issue("平信用办〔2026〕9号", "签发通报")
    page.get_by_text(re.compile("2022年9月状态：已签发")).first.wait_for()
    with open_store(db) as store:
        first = store.publishing.current_publication("2022-09")
    assert (first["number"], first["published_by"], first["kind"]) == ("平信用办〔2026〕9号", "admin", "original")

    visit(page, "数据上传")
    pick(page, "① 选择数据所属月份", "2022年9月")
    page.get_by_text(re.compile("的通报已签发（平信用办〔2026〕9号）")).wait_for()
    path = tmp_path / "九月（更正）.xlsx"
    path.write_bytes(month_file(db, "2022-09", "榆山街道", "本月报送信用动态稿件数", 8))
    upload_and_confirm(page, db, path, "2022年9月", "管理员·更正导入", reason="榆山街道漏报稿件")

    visit(page, "月度通报")
    page.get_by_role("heading", name="签发更正通报").wait_for()
    issue("平信用办〔2026〕10号", "签发更正通报", reason="榆山街道漏报稿件，更正排名")
    with open_store(db) as store:
        pubs = store.publishing.publications("2022-09")
    assert [(p["number"], p["kind"], p["published_by"]) for p in pubs] == [
        ("平信用办〔2026〕10号", "correction", "admin"), ("平信用办〔2026〕9号", "original", "admin")]
