"""报送审核: what a unit's submission may change, and the preview the office sees before 采纳.

Issue 22 §3: 东阿镇's own 填报 with one 主动处理 event, once adopted, silently removed an
office-recorded 异议信息 deduction. A submission replaces only the unit's own figures and the rows
the unit itself reported; the office's rows about the unit stay, and the reviewer sees each change."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from credit.app.service import import_batch, open_store
from credit.errors import CreditError
from credit.model.accounts import Actor
from credit.model.contract import SHEET_EVENTS
from credit.workbook.template import build_template
from tests.support.actors import EDITOR

MONTH = "2022-10"
DONG = Actor("dongezhen", "unit", unit_id="dong_e")
OFFICE_EVENT = {"单位名称": "东阿镇", "事项类型": "异议信息", "发生日期": "2022-10-12",
                "事项说明": "信用修复申请逾期办理", "异议处理用时（工作日）": 4}
OWN_EVENT = {"单位名称": "东阿镇", "事项类型": "严重失信事件", "发生日期": "2022-10-08",
             "事项说明": "村干部失信被执行", "处理情况": "主动处理"}


@pytest.fixture
def store(demo_db: Path):
    s = open_store(demo_db)
    yield s
    s.close()


def _office_records_event(store) -> None:
    """The office adds a 异议信息 row for 东阿镇 to October's 扣分事项 (keeping 人社局's row)."""
    rows = [{k: v for k, v in r.items() if k not in ("row", "unit_id")} for r in store.datasets.current_sheet(MONTH, SHEET_EVENTS)]
    raw = build_template(MONTH, store.units.register(), fill={SHEET_EVENTS: [*rows, OFFICE_EVENT]})
    done = import_batch(store, MONTH, [("信用办扣分事项.xlsx", raw)], EDITOR)
    assert done.ok, [str(e) for c in done.failed for e in c.errors]


def _events_of(store, unit_id: str) -> list[tuple[str, str]]:
    return sorted((r["事项类型"], r["事项说明"]) for r in store.datasets.current_sheet(MONTH, SHEET_EVENTS)
                  if r["unit_id"] == unit_id)


def _unit_file(store, events: list[dict]) -> bytes:
    return build_template(MONTH, store.units.register(), "dong_e", {SHEET_EVENTS: events})


def test_unit_submission_keeps_the_office_recorded_objection_event(store):
    _office_records_event(store)
    m = store.unit_desk
    sub = m.submit(DONG, MONTH, "dong_e", _unit_file(store, [OWN_EVENT]), "东阿镇.xlsx")
    changes = m.submission_changes(EDITOR, sub)
    # The preview: one row added, nothing removed, and the office's row named as staying.
    assert changes.records.values.tolist() == [
        ["扣分事项", "新增", "严重失信事件、2022-10-08、村干部失信被执行、主动处理、1"]]
    assert changes.figures.empty and changes.kept_office == 1
    m.accept_submission(EDITOR, sub)
    assert _events_of(store, "dong_e") == [("严重失信事件", "村干部失信被执行"), ("异议信息", "信用修复申请逾期办理")]
    assert _events_of(store, "renshe") == [("异议信息", "行政处罚信息公示期满申请修复")]
    # A second submission replaces what the unit reported before, and still not the office's row.
    second = dict(OWN_EVENT, 事项说明="村干部失信被执行（已履行）")
    sub2 = m.submit(DONG, MONTH, "dong_e", _unit_file(store, [second]), "东阿镇2.xlsx")
    assert sorted(m.submission_changes(EDITOR, sub2).records["变化"]) == ["删除", "新增"]
    m.accept_submission(EDITOR, sub2)
    assert _events_of(store, "dong_e") == [("严重失信事件", "村干部失信被执行（已履行）"),
                                           ("异议信息", "信用修复申请逾期办理")]


def test_preview_shows_each_figure_before_and_after(store):
    m = store.unit_desk
    row = next(r for r in store.datasets.current_sheet(MONTH, "镇街") if r["unit_id"] == "dong_e")
    figures = {k: v for k, v in row.items() if k not in ("row", "unit_id", "单位名称")}
    sub = m.submit_form(DONG, MONTH, "dong_e", {**figures, "本月出台信用制度文件数": 3, "本月报送信用动态稿件数": 30,
                                                 "信易贷融资需求金额（万元）": 16885})
    changes = m.submission_changes(EDITOR, sub)
    got = {r["指标"]: (r["当前值"], r["新值"], r["上月值"], r["变化"]) for r in changes.figures.to_dict("records")}
    assert set(got) == {"本月出台信用制度文件数", "本月报送信用动态稿件数", "信易贷融资需求金额（万元）"}
    assert got["本月出台信用制度文件数"][1:] == (3.0, pytest.approx(got["本月出台信用制度文件数"][2], nan_ok=True), "修改")
    assert got["本月报送信用动态稿件数"][1] == 30.0 and got["本月报送信用动态稿件数"][2] == 2.0
    assert not math.isnan(got["本月出台信用制度文件数"][0])
    assert got["信易贷融资需求金额（万元）"][:3] == (1688.5, 16885.0, 1289.4)
    assert changes.surges["指标"].tolist() == ["信易贷融资需求金额（万元）"]  # 2 → 30 稿件: a small flow, not asked
    with pytest.raises(CreditError):
        m.submission_changes(DONG, sub)  # a unit does not review its own submission


def test_notices_are_one_line_dismissible_and_say_the_month_in_words(store):
    """Issue 25 §9: "2022年10月", one short line each, closed per account by 知道了; an adopted
    submission is told to the unit; a new event (another submission) shows again."""
    m = store.unit_desk
    assert m.notices(DONG) == [("info", "本月待报送：2022年10月尚未报送本单位数据")]
    sub = m.submit(DONG, MONTH, "dong_e", _unit_file(store, [OWN_EVENT]), "东阿镇.xlsx")
    assert m.notices(EDITOR) == [("warning", "2022年10月：1 份单位报送待审核")]
    m.return_submission(EDITOR, sub, "请补充说明" + "很长的退回原因" * 20)
    returned, todo = m.notice_items(DONG)
    assert todo.key == f"todo:{MONTH}"
    assert returned.key == f"returned:{sub}" and "\n" not in returned.text and len(returned.text) < 70
    m.dismiss_notice(DONG, returned.key)
    assert m.notices(DONG) == [("info", "本月待报送：2022年10月尚未报送本单位数据")]
    sub2 = m.submit(DONG, MONTH, "dong_e", _unit_file(store, [OWN_EVENT]), "东阿镇2.xlsx")
    m.dismiss_notice(EDITOR, f"pending:{MONTH}:1")
    assert m.notices(EDITOR) == []
    m.accept_submission(EDITOR, sub2)
    assert m.notices(DONG) == [("success", f"报送 #{sub2} 已采纳，已计入本月数据")]
    with pytest.raises(CreditError):
        m.dismiss_notice(Actor("leader", "viewer"), "x")


def test_unit_file_errors_come_all_at_once_one_per_cell(store):
    """Issue 25 §10: a serious event without 处理情况 is refused from a unit (the template says 必填),
    another unit's row is flagged on the first try beside a bad cell, each error on its own line."""
    from credit.errors import WorkbookError

    raw = build_template(MONTH, store.units.register(), "dong_e", {
        "镇街": [{"单位名称": "东阿镇", "本月出台信用制度文件数": "两件"},
                 {"单位名称": "榆山街道", "本月出台信用制度文件数": 9}],
        SHEET_EVENTS: [{k: v for k, v in OWN_EVENT.items() if k != "处理情况"}],
    })
    with pytest.raises(WorkbookError) as refused:
        store.unit_desk.submit(DONG, MONTH, "dong_e", raw, "东阿镇.xlsx")
    got = [(e.sheet, e.row, e.column) for e in refused.value.errors]
    assert got == [("镇街", 3, "本月出台信用制度文件数"), ("镇街", 4, "单位名称"), ("扣分事项", 3, "处理情况")]
    assert str(refused.value).count("\n") == 3  # a head line, then one line per error
    assert "「处理情况」必填" in refused.value.errors[2].message
    assert store.unit_desk.submissions(DONG) == []
    # The office's importer still reads a blank as 未处理 (with a warning), as before.
    from credit.workbook.importer import parse_workbook

    full = build_template(MONTH, store.units.register(), fill={SHEET_EVENTS: [{k: v for k, v in OWN_EVENT.items()
                                                                        if k != "处理情况"}]})
    parsed = parse_workbook(full, "信用办.xlsx", MONTH, store.units.register())
    assert parsed.sheets[SHEET_EVENTS].records[0]["处理情况"] == "未处理"


def test_unit_contacts_are_kept_validated_and_fill_the_chase_list(store):
    """Issue 25 §16: 联系人 / 联系电话 in the register (管理员 only, audited, checked), and the
    催报清单's columns filled from them."""
    from credit.errors import CreditError as Refused
    from credit.model.accounts import PermissionDenied
    from credit.reports.status import chase_list, month_status
    from tests.support.actors import ADMIN

    with pytest.raises(PermissionDenied):
        store.units.set_contact("dong_e", "王明", "0531-87881234", by=EDITOR)
    for contact, phone, why in (("王明", "八七八八", "格式不对"), ("王\u200b明", "", "零宽字符"),
                                ("王" * 21, "", "不超过 20"), ("王明", "0531\n8788", "换行或制表符")):
        with pytest.raises(Refused, match=why):
            store.units.set_contact("dong_e", contact, phone, by=ADMIN)
    assert store.units.set_contact("dong_e", " 王明 ", "0531-87881234转12", by=ADMIN) == ("王明", "0531-87881234转12")
    unit = store.units.register().get("dong_e")
    assert (unit.contact, unit.phone) == ("王明", "0531-87881234转12")
    assert store.audit_log(1)[0]["action"] == "unit.contact"
    status = month_status(store, "2022-11")  # nothing imported for November: every unit owes its sheets
    row = chase_list(status).set_index("单位").loc["东阿镇"]
    assert (row["联系人"], row["联系电话"]) == ("王明", "0531-87881234转12")
    assert chase_list(status).set_index("单位").loc["榆山街道", "联系人"] == ""


def test_register_file_carries_contacts(tmp_path):
    from credit.errors import ConfigError
    from credit.model.units import load_units

    path = tmp_path / "units.toml"
    path.write_text('[[unit]]\nid = "a"\nname = "甲镇"\ngroup = "镇街"\nkind = "镇"\ncontact = "李红"\nphone = "13800000000"\n',
                    encoding="utf-8")
    unit = load_units(path).get("a")
    assert (unit.contact, unit.phone) == ("李红", "13800000000")
    path.write_text('[[unit]]\nid = "a"\nname = "甲镇"\ngroup = "镇街"\nkind = "镇"\nphone = "call me"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="联系电话「call me」格式不对"):
        load_units(path)


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_unit_sends_its_own_evidence_pending_the_offices_adoption(store):
    """Issue 25 §8: 东阿镇 sends a 证明材料 file for its own 信易+场景 entry; it is the entry's file only
    once the office adopts it; another unit's entry, a fake PDF and a guessed id are refused."""
    from credit.model.accounts import PermissionDenied
    from credit.model.contract import SHEET_SCENARIOS
    from credit.workbook.registers import KEY_COLUMN

    m = store.unit_desk
    view = store.registers.register_view(2022, 10, SHEET_SCENARIOS).table
    own = view[view["unit_id"] == "dong_e"].iloc[0][KEY_COLUMN[SHEET_SCENARIOS]]
    other = view[view["unit_id"] != "dong_e"].iloc[0]
    with pytest.raises(PermissionDenied):
        m.submit_evidence(DONG, SHEET_SCENARIOS, 2022, other["unit_id"], other[KEY_COLUMN[SHEET_SCENARIOS]], "a.pdf", PDF)
    with pytest.raises(CreditError, match="没有本单位的「不存在的应用」条目"):
        m.submit_evidence(DONG, SHEET_SCENARIOS, 2022, "dong_e", "不存在的应用", "a.pdf", PDF)
    with pytest.raises(CreditError):
        m.submit_evidence(DONG, SHEET_SCENARIOS, 2022, "dong_e", own, "a.pdf", b"MZ not a pdf")
    before = len(store.registers.evidence_files(2022, unit_id="dong_e", by=EDITOR))
    ev = m.submit_evidence(DONG, SHEET_SCENARIOS, 2022, "dong_e", own, "方案.pdf", PDF)
    assert [e["status"] for e in m.unit_evidence(DONG)] == ["pending"]
    assert len(store.registers.evidence_files(2022, unit_id="dong_e", by=EDITOR)) == before  # not the entry's file yet
    with pytest.raises(PermissionDenied):
        m.accept_evidence(DONG, ev)
    file_id = m.accept_evidence(EDITOR, ev)
    assert store.registers.evidence_bytes(file_id, by=DONG) == ("方案.pdf", PDF)
    assert m.unit_evidence(DONG)[0]["status"] == "accepted"
    with pytest.raises(CreditError, match="已采纳，不能再处理"):
        m.accept_evidence(EDITOR, ev)  # twice: refused, nothing stored twice
    with pytest.raises(CreditError, match="证明材料只能对应"):
        m.submit_evidence(DONG, "镇街", 2022, "dong_e", own, "a.pdf", PDF)
    with pytest.raises(CreditError, match="1900 年"):  # a far year has no entries
        m.submit_evidence(DONG, SHEET_SCENARIOS, 1900, "dong_e", own, "a.pdf", PDF)
    with pytest.raises(CreditError):
        m.submit_evidence(DONG, SHEET_SCENARIOS, 2022, "dong_e", own, "a.exe", PDF)
    with pytest.raises(CreditError, match="未找到编号为 999 的证明材料"):
        m.accept_evidence(EDITOR, 999)
    ev2 = m.submit_evidence(DONG, SHEET_SCENARIOS, 2022, "dong_e", own, "方案2.pdf", PDF + b" ")
    with pytest.raises(CreditError, match="请填写退回原因"):
        m.return_evidence(EDITOR, ev2, "")
    m.return_evidence(EDITOR, ev2, "文件不清晰")
    assert m.unit_evidence(DONG)[0]["reason"] == "文件不清晰"
    with pytest.raises(PermissionDenied):
        m.unit_evidence_bytes(Actor("fagaiju", "unit", unit_id="fagai"), ev2)
