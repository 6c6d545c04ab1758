"""In a real browser: 信用办 and 管理员 undo and mark 本月无新增 on 数据版本; 领导 saves and deletes a
private what-if scenario on 权重模拟 that 信用办 never sees. Every press is read back from the database
and the page, and after each one: no exception, no "This app has encountered an error", no None/nan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import Actor
from tests.support.live import have_browser, login, open_page, open_select, rerun_drawn, wait_drawn

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")

ACCOUNTS = {"信用办": ("office", "demo-office-1"), "管理员": ("admin", "demo-admin-1"), "领导": ("leader", "demo-leader-1")}
LEFTOVER = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT)(?![A-Za-z])")
SHOTS = Path("/tmp/empty")


def clean(page, where: str) -> None:
    wait_drawn(page)
    assert page.get_by_test_id("stException").count() == 0, where
    text = page.get_by_test_id("stMain").inner_text()
    assert "This app has encountered an error" not in text, where
    found = LEFTOVER.search(text)
    assert found is None, (where, text[max(0, found.start() - 60):][:120] if found else "")


def press(page, name: str, where: str) -> None:
    rerun_drawn(page, lambda: page.get_by_role("button", name=re.compile(re.escape(name))).first.click())
    clean(page, f"{where}: {name}")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_tab(page, name: str) -> None:
    """Click a tab until it is the selected one (a click landing during a late rerun can be lost)."""
    tab = page.get_by_role("tab", name=name)
    for _ in range(10):
        tab.click()
        page.wait_for_timeout(300)
        wait_drawn(page)
        if tab.get_attribute("aria-selected") == "true":
            return
    raise AssertionError(f"标签页「{name}」未能打开")


def signed_in(tab, url: str, role: str, title: str):
    page = tab()
    login(page, url, *ACCOUNTS[role])
    open_page(page, title)
    clean(page, f"{role}·{title}")
    return page


@pytest.mark.parametrize("role", ["信用办", "管理员"])
def test_the_office_undoes_and_marks_no_new_entries(server, tab, role: str) -> None:
    url, db = server
    page = signed_in(tab, url, role, "数据版本")
    section = page.get_by_role("heading", name="本月无新增")
    section.wait_for()
    # 2022年10月 came with an empty 信易+场景 sheet (the demo's file) or was marked by the run before
    press(page, "撤销“信易+场景”本月无新增", role)
    page.get_by_text("已撤销2022年10月「信易+场景」的“本月无新增”，该表恢复为未导入（已记入操作日志）。").wait_for()
    page.get_by_text("2022年10月尚未导入：信易+场景").wait_for()
    with open_store(db) as store:
        assert list(store.datasets.reported_empty("2022-10")) == ["分级分类监管"]
    shot(page, f"versions-{role}-unmarked")

    press(page, "标记“信易+场景”本月无新增", role)
    page.get_by_text("已将2022年10月「信易+场景」标记为“本月无新增”（已记入操作日志）。").wait_for()
    assert page.get_by_text("2022年10月尚未导入").count() == 0
    assert page.get_by_role("button", name=re.compile("撤销“信易\\+场景”本月无新增")).count() == 1
    with open_store(db) as store:
        mark = store.datasets.reported_empty("2022-10")["信易+场景"]
        assert (mark["source"], mark["created_by"]) == ("mark", ACCOUNTS[role][0])
        assert [e["action"] for e in store.audit_log(limit=2)] == ["empty.mark", "empty.unmark"]
    shot(page, f"versions-{role}-marked")

    # 报送进度 on 月度通报 shows the sheet as 本月无新增 too
    open_page(page, "月度通报")
    clean(page, f"{role}·月度通报")
    page.get_by_text(re.compile("信易\\+场景：本月无新增")).first.wait_for()


def test_a_leader_saves_and_deletes_a_private_scenario_the_office_never_sees(server, tab) -> None:
    url, db = server
    leader = signed_in(tab, url, "领导", "权重模拟")
    open_tab(leader, "方案保存与对比")
    leader.get_by_label("方案名称").fill("领导私有草案")
    leader.get_by_label("备注").fill("只给自己看")
    press(leader, "保存为我的私有方案", "领导")
    leader.get_by_text("已保存我的私有方案「领导私有草案」").wait_for()
    with open_store(db) as store:
        (sc,) = store.scenarios.scenarios("镇街", by=Actor("leader", "viewer"))
        assert (sc.name, sc.owner, sc.note) == ("领导私有草案", "leader", "只给自己看")
    assert leader.get_by_role("button", name="发布为官方权重").count() == 0
    shot(leader, "whatif-leader-saved")

    office = signed_in(tab, url, "信用办", "权重模拟")
    open_tab(office, "方案保存与对比")
    office.get_by_text("还没有保存的方案。").wait_for()
    assert office.get_by_text("领导私有草案").count() == 0
    open_tab(office, "官方权重版本")
    open_select(office, office.get_by_role("combobox", name="采用哪套权重"))  # the list is open: now its options count
    offered = office.get_by_role("listbox").get_by_role("option").all_inner_texts()
    assert offered and not [o for o in offered if "领导私有草案" in o], offered
    office.keyboard.press("Escape")
    shot(office, "whatif-office-does-not-see")

    press(leader, "删除", "领导")
    leader.get_by_text("已删除我的私有方案「领导私有草案」").wait_for()
    leader.get_by_text("还没有保存的方案。").wait_for()
    with open_store(db) as store:
        assert store.scenarios.scenarios("镇街", by=Actor("leader", "viewer")) == []
        assert store.audit_log(limit=1)[0]["action"] == "scenario.delete"
    shot(leader, "whatif-leader-deleted")
