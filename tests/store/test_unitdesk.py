"""被考核单位: submissions, objections and the row-level rule, called on the domain directly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from credit.app.cli import main
from credit.app.service import open_store, unit_detail, unit_events
from credit.common.months import month_label
from credit.errors import CreditError, SurgeNotConfirmed
from credit.model.accounts import SYSTEM, Actor, PermissionDenied
from credit.model.contract import SHEET_EVENTS, SHEET_SCENARIOS
from credit.workbook.registers import KEY_COLUMN
from credit.workbook.template import build_template
from tests.support.actors import EDITOR, file_digest

MONTH = "2022-10"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def store(demo_db: Path):
    s = open_store(demo_db)
    yield s
    s.close()


@pytest.fixture(scope="module")
def unit_actors(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Actor]:
    """The two demo unit accounts, each logged in once for the module on its own copy of the demo
    database: an Actor is a plain value, and every login is a real scrypt check (~0.35 s of CPU)."""
    db = tmp_path_factory.mktemp("unit-login") / "demo.db"
    shutil.copyfile(demo_db_master, db)
    with open_store(db) as s:
        return {name: s.accounts.login(name, password)
                for name, password in (("dongezhen", "demo-unit-1"), ("fagaiju", "demo-unit-2"))}


@pytest.fixture
def dong(unit_actors: dict[str, Actor]) -> Actor:
    return unit_actors["dongezhen"]


@pytest.fixture
def fagai(unit_actors: dict[str, Actor]) -> Actor:
    return unit_actors["fagaiju"]


def town_row(store, unit_id: str) -> dict:
    rec = next(r for r in store.datasets.current_sheet(MONTH, "镇街") if r["unit_id"] == unit_id)
    return {k: v for k, v in rec.items() if k not in ("row", "unit_id", "单位名称")}


def test_unit_login_binds_the_unit(dong, fagai):
    assert (dong.role, dong.unit_id) == ("unit", "dong_e")
    assert fagai.unit_id == "fagai"


def test_unit_account_needs_a_register_unit(store):
    with pytest.raises(CreditError, match="必须绑定"):
        store.accounts.add_account("x1", "abc12345", "unit", by=SYSTEM)
    with pytest.raises(CreditError, match="没有「不存在镇」"):
        store.accounts.add_account("x1", "abc12345", "unit", by=SYSTEM, unit_id="不存在镇")
    with pytest.raises(CreditError, match="只有被考核单位"):
        store.accounts.add_account("x1", "abc12345", "viewer", by=SYSTEM, unit_id="dong_e")


def test_unit_may_not_write_anything_else_or_escalate(store, dong):
    before = file_digest(store)
    for call in (
        lambda: store.accounts.add_account("evil", "abc12345", "admin", by=dong),
        lambda: store.accounts.set_account_disabled("office", True, by=dong),
        lambda: store.settings.set("collect_month", "2022-09", by=dong),
        lambda: store.unit_desk.return_submission(dong, 1, "x"),
        lambda: store.unit_desk.accept_objection(dong, 1),
    ):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(CreditError):
        store.accounts.set_password("dongezhen", "newpass123", by=dong)  # without the old password: refused
    assert store.accounts.account("dongezhen")["role"] == "unit"
    assert file_digest(store) == before


def test_row_level_reads_refuse_other_units(store, dong):
    with pytest.raises(PermissionDenied, match="只能查看和报送本单位"):
        unit_detail(store, dong, MONTH, "yushan")
    with pytest.raises(PermissionDenied):
        unit_events(store, dong, MONTH, "yushan")
    with pytest.raises(PermissionDenied):
        store.registers.evidence_files(2022, unit_id="yushan", by=dong)
    with pytest.raises(PermissionDenied):
        store.unit_desk.submissions(dong, unit_id="yushan")
    with pytest.raises(PermissionDenied):
        store.unit_desk.objections(dong, unit_id="yushan")
    with pytest.raises(PermissionDenied):
        store.unit_desk.contestable(dong, MONTH, "yushan")
    with pytest.raises(PermissionDenied):
        store.unit_desk.template(dong, MONTH, "yushan")
    with pytest.raises(PermissionDenied):
        store.registers.unit_register(dong, 2022, 10, SHEET_SCENARIOS, "yushan")
    own_register = store.registers.unit_register(dong, 2022, 10, SHEET_SCENARIOS, "dong_e")
    assert set(own_register["单位名称"]) <= {"东阿镇"}
    # Another unit's evidence file, by guessing its id.
    view = store.registers.register_view(2022, 10, SHEET_SCENARIOS).table
    entry = view[view["unit_id"] != "dong_e"].iloc[0]
    fid = store.registers.add_evidence(SHEET_SCENARIOS, 2022, entry["unit_id"], entry[KEY_COLUMN[SHEET_SCENARIOS]],
                             "方案.pdf", PDF, by=EDITOR)
    files = store.registers.evidence_files(2022, by=EDITOR)
    other = next(f for f in files if f["id"] == fid)
    with pytest.raises(PermissionDenied):
        store.registers.evidence_bytes(other["id"], by=dong)
    own = [f for f in files if f["unit_id"] == "dong_e"]
    assert store.registers.evidence_files(2022, by=dong) == own
    detail = unit_detail(store, dong, MONTH, "dong_e")
    assert set(detail.detail["unit_id"]) == {"dong_e"} and set(detail.events["unit_id"]) <= {"dong_e"}


def test_row_level_writes_refuse_other_units(store, dong):
    raw = build_template(MONTH, store.units.register(), "yushan")
    before = file_digest(store)
    with pytest.raises(PermissionDenied):
        store.unit_desk.submit(dong, MONTH, "yushan", raw, "x.xlsx")
    with pytest.raises(PermissionDenied):
        store.unit_desk.submit_form(dong, MONTH, "yushan", {})
    with pytest.raises(PermissionDenied):
        store.unit_desk.raise_objection(dong, MONTH, "yushan", "figure", "理由", field="本月出台信用制度文件数",
                                       proposed=1)
    assert file_digest(store) == before


def test_file_with_another_units_row_is_refused_naming_the_row(store, dong):
    register = store.units.register()
    raw = build_template(MONTH, register, "dong_e", {"镇街": [{"单位名称": "东阿镇", "本月出台信用制度文件数": 1},
                                                             {"单位名称": "榆山街道", "本月出台信用制度文件数": 9}]})
    # The one-unit template only offers 东阿镇, but a pasted row is still parsed: refused by name and row.
    with pytest.raises(CreditError, match="第 4 行「单位名称」列：本行是「榆山街道」的数据"):
        store.unit_desk.submit(dong, MONTH, "dong_e", raw, "东阿镇.xlsx")
    full = build_template(MONTH, register)
    with pytest.raises(CreditError):
        store.unit_desk.submit(dong, MONTH, "dong_e", full, "全县.xlsx")


def test_closed_month_is_refused(store, dong):
    with pytest.raises(CreditError, match="不是当前收集月份"):
        store.unit_desk.submit_form(dong, "2022-09", "dong_e", {"本月出台信用制度文件数": 1})


def test_submit_return_resubmit_accept_moves_the_score(store, dong):
    m = store.unit_desk
    before = unit_detail(store, dong, MONTH, "dong_e")
    row = town_row(store, "dong_e")
    assert before.todo.set_index("code").loc["T1", "满分还需"] == "再出台 1 件信用制度文件（全年目标 3，本年累计 2）"
    first = m.submit_form(dong, MONTH, "dong_e", {**row, "本月出台信用制度文件数": 5})
    assert [s["status"] for s in m.pending_submissions(MONTH)] == ["pending"]
    assert m.notices(EDITOR) == [("warning", "2022年10月：1 份单位报送待审核")]
    with pytest.raises(CreditError, match="请填写退回原因"):
        m.return_submission(EDITOR, first, " ")
    m.return_submission(EDITOR, first, "文件数与备案不符，应为 1 件")
    assert ("error", f"报送 #{first} 已退回：文件数与备案不符，应为 1 件，请修改后重新报送") in m.notices(dong)
    second = m.submit_form(dong, MONTH, "dong_e", {**row, "本月出台信用制度文件数": 1})
    versions = m.accept_submission(EDITOR, second)
    assert versions == [("镇街", 2)]
    after = unit_detail(store, dong, MONTH, "dong_e")
    # T1: 3 documents of an annual 3 by October: target 2.5 reached → 5 points (was 2/2.5 × 5 = 4).
    assert after.detail.set_index("code").loc["T1", "earned"] == pytest.approx(5.0)
    assert before.detail.set_index("code").loc["T1", "earned"] == pytest.approx(4.0)
    assert after.row["earned"] == pytest.approx(before.row["earned"] + 1.0)
    assert after.todo.set_index("code").loc["T1", "满分还需"] == "全年目标 3 已完成（本年累计 3）"
    # Other units' rows are untouched by the merge.
    assert town_row(store, "yushan") == {k: v for k, v in town_row(store, "yushan").items()}
    assert store.datasets.versions(MONTH, "镇街")[0]["row_count"] == store.datasets.versions(MONTH, "镇街")[1]["row_count"]
    actions = [a["action"] for a in store.audit_log(10)]
    assert actions[:3] == ["submission.accept", "import", "submission.submit"]
    assert [s["status"] for s in m.submissions(dong, MONTH)] == ["accepted", "returned"]
    with pytest.raises(CreditError, match="已采纳"):
        m.accept_submission(EDITOR, second)


def test_adopting_a_tenfold_rise_needs_the_reviewer_to_confirm_it(store, dong):
    """东阿镇 asked 1,289.4 万元 of 信易贷 in September; 16,885 (an extra digit, 13×) is not adopted unchecked.
    (A small flow such as 2 → 30 稿件 is not asked about: issue 25 §17.)"""
    m = store.unit_desk
    sub = m.submit_form(dong, MONTH, "dong_e", {**town_row(store, "dong_e"), "信易贷融资需求金额（万元）": 16885})
    surges = m.submission_surges(EDITOR, sub)
    assert surges[["工作表", "单位", "指标", "上月值", "新值", "倍数"]].values.tolist() == [
        ["镇街", "东阿镇", "信易贷融资需求金额（万元）", 1289.4, 16885.0, "13.1 倍"]]
    with pytest.raises(PermissionDenied):
        m.submission_surges(dong, sub)  # the unit does not review its own submission
    before = file_digest(store)
    with pytest.raises(SurgeNotConfirmed, match="有 1 项数值比上月增长超过 10 倍") as refused:
        m.accept_submission(EDITOR, sub)
    assert refused.value.lines == ["工作表「镇街」东阿镇「信易贷融资需求金额（万元）」：上月 1,289.40，本次 16,885.00（13.1 倍）"]
    assert file_digest(store) == before and m.pending_submissions(MONTH)[0]["id"] == sub
    assert m.accept_submission(EDITOR, sub, surges_confirmed=True) == [("镇街", 2)]
    assert town_row(store, "dong_e")["信易贷融资需求金额（万元）"] == 16885


def test_object_accept_removes_the_deduction_with_a_trail(store, dong):
    m = store.unit_desk
    before = unit_detail(store, dong, MONTH, "dong_e").detail.set_index("code").loc["T7", "earned"]
    events = [o for o in m.contestable(dong, MONTH, "dong_e") if o["target"] == "event"]
    target = events[-1]
    with pytest.raises(CreditError, match="「说明.xlsx」不是可上传的文件类型：这里只接受 .pdf、.doc、.docx"):
        m.raise_objection(dong, MONTH, "dong_e", "event", "理由", row=target["row"], event_month=target["month"],
                          attachment=("说明.xlsx", b"PK\x03\x04nonsense"))
    oid = m.raise_objection(dong, MONTH, "dong_e", "event", "该人员已不是村委会成员", row=target["row"],
                            event_month=target["month"], attachment=("说明.pdf", PDF))
    assert [o["id"] for o in m.open_objections(MONTH)] == [oid]
    assert m.objection_attachment(dong, oid) == ("说明.pdf", PDF)
    with pytest.raises(CreditError, match="已有待处理的申诉"):
        m.raise_objection(dong, MONTH, "dong_e", "event", "再次", row=target["row"], event_month=target["month"])
    created = m.accept_objection(EDITOR, oid)
    assert created == [(SHEET_EVENTS, 2)]
    after = unit_detail(store, dong, MONTH, "dong_e").detail.set_index("code").loc["T7", "earned"]
    assert after == pytest.approx(before + 1.0)  # 1 point per 村居失信案件
    o = m.objections(dong, MONTH)[0]
    assert o["status"] == "accepted" and o["versions"] == [[SHEET_EVENTS, 2]]
    assert store.datasets.versions(target["month"], SHEET_EVENTS)[0]["filename"] == f"申诉第{oid}号更正.json"
    assert m.open_objections(MONTH) == []
    assert f"申诉 #{oid} 已采纳：已从{month_label(target['month'])}扣分事项中撤销该事项" in [t for _, t in m.notices(dong)]
    assert [a["action"] for a in store.audit_log(3)][:2] == ["objection.accept", "import"]


def test_object_figure_reject_needs_reason(store, fagai):
    m = store.unit_desk
    oid = m.raise_objection(fagai, MONTH, "fagai", "figure", "错误数据系系统误判", field="本月双公示错误数据条数",
                            proposed=0)
    with pytest.raises(CreditError, match="不予采纳的理由"):
        m.reject_objection(EDITOR, oid, "")
    m.reject_objection(EDITOR, oid, "经核查，错误数据属实")
    o = m.objections(fagai, MONTH)[0]
    assert (o["status_name"], o["decision"]) == ("未采纳", "经核查，错误数据属实")
    assert ("warning", f"申诉 #{oid} 未采纳：经核查，错误数据属实") in m.notices(fagai)
    assert store.audit_log(1)[0]["action"] == "objection.reject"


def test_cli_user_add_unit_and_unit_template(demo_db: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("abc12345\n"))
    assert main(["user", "add", "孝直镇", "--db", str(demo_db), "--role", "unit", "--unit", "孝直镇",
                 "--password-stdin"]) == 0
    assert "绑定单位 孝直镇" in capsys.readouterr().out
    with open_store(demo_db) as s:
        actor = s.accounts.login("孝直镇", "abc12345")
    assert actor.unit_id == "xiaozhi"
    out = tmp_path / "孝直镇.xlsx"
    assert main(["template", "--db", str(demo_db), "--month", MONTH, "--unit", "孝直镇", "-o", str(out)]) == 0
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == ["填报说明", "镇街", "扣分事项", "信易+场景", "分级分类监管"]
    assert wb["镇街"].cell(3, 1).value == "孝直镇" and wb["镇街"].cell(4, 1).value is None


def test_the_far_cell_workbook_of_issue_22_is_refused_on_the_unit_desk(store, dong):
    """The 2 KB file that once ended the server, as 东阿镇's own 填报 file: a Chinese refusal, nothing written."""
    from tests.support.hostile_files import far_cell

    before = file_digest(store)
    with pytest.raises(CreditError, match="工作表「镇街」：声明的数据范围 A1:XFD1048576 的行数为 1,048,576 行，超过上限 50,000 行"):
        store.unit_desk.submit(dong, MONTH, "dong_e", far_cell(), "东阿镇.xlsx")
    assert file_digest(store) == before
