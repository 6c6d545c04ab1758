"""被考核单位 pages through AppTest: the unit page locked to its own unit (a deep link to another
unit is refused), the 填报与申诉 desk, the office's 报送审核 queue and the notices."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from credit.app.service import open_store
from credit.model.accounts import Actor
from tests.support.paths import ROOT

DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")
EDITOR = Actor("office", "editor", "信用办")


@pytest.fixture(autouse=True)
def navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def open_page(page: str, actor: Actor, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=90)
    at.session_state["actor"] = actor
    at.session_state["actor_seen"] = time.time()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(str(ROOT / "pages" / page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_unit_page_shows_only_its_own_unit(demo_db: Path) -> None:
    at = open_page("unit.py", DONG)
    assert not [sb for sb in at.selectbox if sb.key == "unit_id"]
    assert "东阿镇" in [s.value for s in at.subheader]
    assert "本年满分还需" in [s.value for s in at.subheader]
    assert "全组指标完成度热力图" not in [s.value for s in at.subheader]
    todo = next(t.value for t in at.table if "满分还需" in t.value.columns)  # a table that wraps
    assert "再出台 1 件信用制度文件（全年目标 3，本年累计 2）" in list(todo["满分还需"])
    assert not [r for r in at.radio if r.key == "unit_group"]


def test_unit_deep_link_to_another_unit_is_refused(demo_db: Path) -> None:
    at = open_page("unit.py", DONG, {"unit": "yushan"})
    errors = [e.value for e in at.error]
    assert any("只能查看和报送本单位" in e for e in errors), errors
    assert not at.dataframe


def test_unit_desk_form_submit_then_office_accepts(demo_db: Path) -> None:
    at = open_page("unit_desk.py", DONG)
    # Notices: one collapsed line with the count (in the sidebar too), one text line each.
    assert [e.label for e in at.expander if e.label.startswith("提醒")] == ["提醒（1 条）"]
    assert "本月待报送：2022年10月尚未报送本单位数据" in [t.value for t in at.text]
    assert any("提醒 1 条" in c.value for c in at.sidebar.caption)
    field = next(n for n in at.number_input if n.label == "本月出台信用制度文件数")
    field.set_value(1)
    at.button[[b.label for b in at.button].index("提交本月数据")].click()
    at.run()
    assert not at.exception
    assert any("等待信用办审核" in s.value for s in at.success)
    review = open_page("review.py", EDITOR)
    assert "2022年10月：1 份单位报送待审核" in [t.value for t in review.text]
    # The change is shown first (before → after), and 采纳 asks once more before writing.
    table = next(d.value for d in review.dataframe if "新值" in d.value.columns)
    assert table.set_index("指标").loc["本月出台信用制度文件数", ["当前值", "新值"]].tolist() == ["0", "1"]
    review.button(key="sub-ok-1").click()
    review.run()
    assert not review.exception and not review.success
    assert any("确认将上表的变化并入2022年10月的数据" in w.value for w in review.warning)
    review.button(key="sub-yes-1").click()
    review.run()
    assert not review.exception
    assert [s.value for s in review.success] == ["已采纳报送 #1（东阿镇），已生成新的数据版本：「镇街」第 2 版。"]
    history = next(d.value for d in review.dataframe if "生成版本" in d.value.columns)
    assert history[["编号", "结果", "生成版本"]].values.tolist() == [[1, "已采纳", "镇街 第 2 版"]]
    with open_store(demo_db) as s:
        rec = next(r for r in s.datasets.current_sheet("2022-10", "镇街") if r["unit_id"] == "dong_e")
        assert rec["本月出台信用制度文件数"] == 1.0


def test_office_confirms_a_tenfold_rise_before_adopting_it(demo_db: Path) -> None:
    """东阿镇 asked 1,289.4 万元 in September; its submission of 16,885 waits for the reviewer's tick."""
    with open_store(demo_db) as s:
        desk, dong = s.unit_desk, s.accounts.login("dongezhen", "demo-unit-1")
        row = next(r for r in s.datasets.current_sheet("2022-10", "镇街") if r["unit_id"] == "dong_e")
        sub = desk.submit_form(dong, "2022-10", "dong_e", {**{k: v for k, v in row.items() if k not in (
            "row", "unit_id", "单位名称")}, "信易贷融资需求金额（万元）": 16885})
    review = open_page("review.py", EDITOR)
    assert any("有 1 项数值比上月增长超过 10 倍" in w.value for w in review.warning)
    table = next(d.value for d in review.dataframe if "倍数" in d.value.columns)
    assert table[["单位", "指标", "倍数"]].values.tolist() == [["东阿镇", "信易贷融资需求金额（万元）", "13.1 倍"]]
    assert review.button(key=f"sub-ok-{sub}").disabled
    review.checkbox(key=f"sub-surges-{sub}").check().run()
    assert not review.button(key=f"sub-ok-{sub}").disabled
    review.button(key=f"sub-ok-{sub}").click().run()
    review.button(key=f"sub-yes-{sub}").click().run()
    assert not review.exception and any(f"已采纳报送 #{sub}" in x.value for x in review.success)
    with open_store(demo_db) as s:
        rec = next(r for r in s.datasets.current_sheet("2022-10", "镇街") if r["unit_id"] == "dong_e")
        assert rec["信易贷融资需求金额（万元）"] == 16885.0


def test_accounts_page_adds_a_unit_account_bound_to_a_unit(demo_db: Path) -> None:
    at = open_page("accounts.py", Actor("admin", "admin", "管理员"))
    at.text_input[0].input("kongcun")
    at.selectbox[[s.label for s in at.selectbox].index("角色")].select("unit")
    at.selectbox[[s.label for s in at.selectbox].index("绑定单位（仅被考核单位账户）")].select("kongcun")
    at.text_input[2].input("abc12345")
    at.button[[b.label for b in at.button].index("新增")].click()
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "绑定单位" in d.value.columns)
    row = table[table["用户名"] == "kongcun"].iloc[0]
    assert (row["角色"], row["绑定单位"]) == ("被考核单位", "孔村镇")
    with open_store(demo_db) as s:
        assert s.accounts.login("kongcun", "abc12345").unit_id == "kongcun"


def test_upholding_an_event_objection_can_make_it_proactive(demo_db: Path) -> None:
    """Issue 25 §7: besides deleting the event, "改为主动处理" keeps the row, marked 主动处理; the
    message names the version made, and the word is 采纳 throughout."""
    with open_store(demo_db) as s:
        desk, dong = s.unit_desk, s.accounts.login("dongezhen", "demo-unit-1")
        target = [o for o in desk.contestable(dong, "2022-10", "dong_e") if o["target"] == "event"][-1]
        oid = desk.raise_objection(dong, "2022-10", "dong_e", "event", "已主动整改", row=target["row"],
                                   event_month=target["month"])
        before = [r for r in s.datasets.current_sheet(target["month"], "扣分事项") if r["unit_id"] == "dong_e"]
    review = open_page("review.py", EDITOR)
    labels = [b.label for b in review.button]
    assert "采纳：撤销该事项" in labels and "采纳：改为主动处理" in labels and not any("受理" in b for b in labels)
    review.button(key=f"obj-proactive-{oid}").click().run()
    assert not review.exception
    (msg,) = [x.value for x in review.success]
    assert msg.startswith(f"已采纳申诉 #{oid}，已生成新的数据版本：「扣分事项」第 ")
    with open_store(demo_db) as s:
        after = [r for r in s.datasets.current_sheet(target["month"], "扣分事项") if r["unit_id"] == "dong_e"]
        assert len(after) == len(before)
        assert next(r for r in after if r["row"] == target["row"])["处理情况"] == "主动处理"
        o = s.unit_desk.objections(dong, "2022-10")[0]
        assert o["decision"] == "已将该事项的处理情况更正为「主动处理」"
        assert any(t.startswith("申诉 #") and "已采纳" in t for _, t in s.unit_desk.notices(dong))


def _press(at: AppTest, label: str) -> AppTest:
    at.button[[b.label for b in at.button].index(label)].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_refused_attachment_keeps_the_typed_objection(demo_db: Path) -> None:
    """Issue 25 §5: a wrong attachment is refused, and the reason, value and item stay as typed."""
    at = open_page("unit_desk.py", DONG)
    reason = "该数据系统统计有误，附件为说明"
    at.text_area[0].set_value(reason)
    pick = next(s for s in at.selectbox if s.label == "申诉事项")
    figure = next(i for i, o in enumerate(pick.options) if "本月出台信用制度文件数" in o)
    pick.set_value(figure)  # the options are indexes into the contestable items
    next(n for n in at.number_input if n.label.startswith("如申诉的是报送数据")).set_value(2.0)
    next(u for u in at.get("file_uploader") if u.key == "obj-att").set_value(("说明.xlsx", b"PK\x03\x04nonsense", "application/octet-stream"))
    _press(at, "提交申诉")
    assert any("不是可上传的文件类型" in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_area[0].value == reason
    assert next(n for n in at.number_input if n.label.startswith("如申诉的是报送数据")).value == 2.0
    assert next(s for s in at.selectbox if s.label == "申诉事项").value == figure


def test_unit_sees_what_it_sent_and_is_asked_before_replacing_it(demo_db: Path) -> None:
    """Issue 25 §6: the values of a submission are shown on 我的报送; a second one while the first
    waits says so and asks; the status reads 已替代 in full."""
    at = open_page("unit_desk.py", DONG)
    next(n for n in at.number_input if n.label == "本月出台信用制度文件数").set_value(2)
    _press(at, "提交本月数据")
    assert any("报送 #1" in w.value and "尚待信用办审核" in w.value for w in at.warning)
    next(n for n in at.number_input if n.label == "本月出台信用制度文件数").set_value(3)
    _press(at, "提交本月数据")
    assert any("确认用这次提交替代它后再提交" in e.value for e in at.error)
    at.checkbox(key="replace-form").check()
    _press(at, "提交本月数据")
    assert any("已提交（报送 #2）" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "状态" in d.value.columns)
    assert table[["编号", "状态"]].values.tolist() == [[2, "待审核"], [1, "已替代"]]
    content = next(d.value for d in at.dataframe if list(d.value.columns) == ["指标", "数值"])
    assert content.set_index("指标").loc["本月出台信用制度文件数", "数值"] == "3"
