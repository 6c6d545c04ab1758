"""本月无新增: an optional sheet uploaded with headers only, or marked by the office, counts as reported.

Real stores on SQLite files, real workbooks through the importer; every expectation is counted by hand.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from credit.app import service
from credit.app.publish import publish_month
from credit.errors import CreditError
from credit.model.accounts import Actor, PermissionDenied
from credit.model.contract import NO_NEW, SHEET_EVENTS, SHEET_SCENARIOS, SHEET_SUPERVISION, UNIT_COL
from credit.reports.status import MISSING, OPTIONAL, REPORTED, chase_list, month_status
from credit.workbook.importer import parse_workbook
from tests.support.workbooks import MONTH, fill_template, to_bytes

OFFICE = Actor("office", "editor", "信用办")
ADMIN = Actor("admin", "admin", "管理员")
LEADER = Actor("leader", "viewer", "领导")
TOWN_ROWS = [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 2}, {UNIT_COL: "孔村镇", "本月出台信用制度文件数": 1}]
SCENARIO = {UNIT_COL: "榆山街道", "信用应用": "信易租", "开展方案/制度文件名称": "榆山街道信易租方案", "优惠/激励措施": "租金减免"}


@pytest.fixture()
def store(tmp_path: Path):
    with service.open_store(tmp_path / "credit.db") as s:
        yield s


def _import(store, raw: bytes, name: str = "三月.xlsx", by: Actor = OFFICE, reason: str = ""):
    parsed = parse_workbook(raw, name, MONTH, store.units.register())
    return store.datasets.import_workbooks([(parsed, raw, name)], by, reason=reason)[0]


def _without(raw: bytes, *sheets: str) -> bytes:
    wb = load_workbook(io.BytesIO(raw))
    for name in sheets:
        del wb[name]
    return to_bytes(wb)


def _town_only(store) -> bytes:
    return _without(fill_template({"镇街": TOWN_ROWS}, units=store.units.register()),
                    "部门", "全县", SHEET_EVENTS, SHEET_SCENARIOS, SHEET_SUPERVISION)


def test_an_uploaded_sheet_with_headers_only_is_kept_as_reported_empty(store) -> None:
    raw = fill_template({"镇街": TOWN_ROWS}, units=store.units.register())  # the template: the other sheets untouched
    result = _import(store, raw)
    assert result.empty == [SHEET_EVENTS, SHEET_SCENARIOS, SHEET_SUPERVISION]
    assert [s for s, _ in result.created] == ["镇街"]  # no dataset version for an empty sheet
    empty = store.datasets.reported_empty(MONTH)
    assert list(empty) == [SHEET_EVENTS, SHEET_SCENARIOS, SHEET_SUPERVISION]
    assert {(e["source"], e["upload_id"], e["filename"], e["created_by"]) for e in empty.values()} == {
        ("upload", result.upload_id, "三月.xlsx", "office")}
    entry = store.audit_log(limit=1)[0]
    assert (entry["action"], entry["detail"]["empty"]) == ("import", [SHEET_EVENTS, SHEET_SCENARIOS, SHEET_SUPERVISION])
    # the same file again writes nothing at all
    version = store.data_version()
    again = _import(store, raw)
    assert (again.created, again.empty, store.data_version()) == ([], [], version)

    status = month_status(store, MONTH)
    assert status.sheets == {"镇街": "第 1 版", "部门": "未导入", "全县": "未导入", SHEET_EVENTS: NO_NEW,
                             SHEET_SCENARIOS: NO_NEW, SHEET_SUPERVISION: NO_NEW}
    assert status.not_imported == ["部门", "全县"]
    active = len(store.units.register().active(MONTH))
    assert status.count(NO_NEW) == 3 * active and status.count(OPTIONAL) == 0
    row = status.table[(status.table["单位"] == "孔村镇") & (status.table["工作表"] == SHEET_SCENARIOS)].iloc[0]
    assert (row["状态"], row["说明"], row["上传文件"], row["上传人"]) == (
        NO_NEW, "本月无新增（上传的表中没有数据行）", "三月.xlsx（空表）", "office")
    assert not chase_list(status)["未报送或需核实"].str.contains(SHEET_SCENARIOS).any()
    assert status.payload()["sheets"][SHEET_SCENARIOS] == NO_NEW


def test_rows_win_over_an_earlier_or_a_later_empty_sheet(store) -> None:
    register = store.units.register()
    _import(store, fill_template({"镇街": TOWN_ROWS}, units=register))
    with_rows = _import(store, fill_template({"镇街": TOWN_ROWS, SHEET_SCENARIOS: [SCENARIO]}, units=register), "补报.xlsx")
    assert (SHEET_SCENARIOS, 1) in with_rows.created
    assert SHEET_SCENARIOS not in store.datasets.reported_empty(MONTH)
    # a later file with the register left empty keeps the rows (and records nothing)
    later = _import(store, fill_template({"镇街": [{**TOWN_ROWS[0], "本月出台信用制度文件数": 3}]}, units=register), "更正.xlsx")
    assert SHEET_SCENARIOS not in later.empty and SHEET_EVENTS not in later.empty
    assert [r["信用应用"] for r in store.datasets.current_sheet(MONTH, SHEET_SCENARIOS)] == ["信易租"]
    assert month_status(store, MONTH).sheets[SHEET_SCENARIOS] == "第 1 版"
    with pytest.raises(CreditError, match="已导入 1 条（第 1 版），不能标记"):
        store.datasets.mark_empty(MONTH, SHEET_SCENARIOS, OFFICE)


@pytest.mark.parametrize("actor", [OFFICE, ADMIN])
def test_the_office_marks_and_unmarks_a_register_audited(store, actor: Actor) -> None:
    _import(store, _town_only(store))
    assert store.datasets.reported_empty(MONTH) == {}
    assert month_status(store, MONTH).sheets[SHEET_SUPERVISION] == "未导入"
    version = store.data_version()
    store.datasets.mark_empty(MONTH, SHEET_SUPERVISION, actor)
    (mark,) = store.datasets.reported_empty(MONTH).values()
    assert (mark["sheet"], mark["source"], mark["upload_id"], mark["created_by"]) == (
        SHEET_SUPERVISION, "mark", None, actor.username)
    entry = store.audit_log(limit=1)[0]
    assert (entry["who"], entry["action"], entry["detail"]) == (
        actor.username, "empty.mark", {"month": MONTH, "sheet": SHEET_SUPERVISION})
    assert store.data_version() == version + 1
    status = month_status(store, MONTH)
    assert status.sheets[SHEET_SUPERVISION] == NO_NEW
    note = set(status.table[status.table["工作表"] == SHEET_SUPERVISION]["说明"])
    assert note == {f"本月无新增（{actor.username}已标记）"}
    with pytest.raises(CreditError, match="已是“本月无新增”"):
        store.datasets.mark_empty(MONTH, SHEET_SUPERVISION, actor)

    store.datasets.unmark_empty(MONTH, SHEET_SUPERVISION, actor)
    assert store.datasets.reported_empty(MONTH) == {}
    assert store.audit_log(limit=1)[0]["action"] == "empty.unmark"
    assert month_status(store, MONTH).sheets[SHEET_SUPERVISION] == "未导入"
    with pytest.raises(CreditError, match="没有“本月无新增”标记"):
        store.datasets.unmark_empty(MONTH, SHEET_SUPERVISION, actor)
    assert store.data_version() == version + 2


def test_marking_is_refused_for_a_leader_a_required_sheet_and_typed_entries(store) -> None:
    _import(store, _town_only(store))
    version = store.data_version()
    with pytest.raises(PermissionDenied, match="仅限信用办、管理员"):
        store.datasets.mark_empty(MONTH, SHEET_SCENARIOS, LEADER)
    with pytest.raises(CreditError, match="「镇街」每月都应导入"):
        store.datasets.mark_empty(MONTH, "镇街", OFFICE)
    store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, "yushan", {"信用应用": "信易医", "开展方案/制度文件名称": "方案",
                                                                          "优惠/激励措施": "先诊疗后付费"}, OFFICE)
    version = store.data_version()
    with pytest.raises(CreditError, match="已在“证明材料”页登记 1 条"):
        store.datasets.mark_empty(MONTH, SHEET_SCENARIOS, OFFICE)
    assert store.data_version() == version and store.datasets.reported_empty(MONTH) == {}


def test_an_empty_register_scores_exactly_as_no_register(tmp_path: Path) -> None:
    """The month scored after a template with empty registers equals the month without those sheets."""
    summaries, t5 = [], []
    for name, drop in (("empty", ()), ("absent", (SHEET_EVENTS, SHEET_SCENARIOS, SHEET_SUPERVISION))):
        with service.open_store(tmp_path / f"{name}.db") as store:
            raw = _without(fill_template({"镇街": TOWN_ROWS}, units=store.units.register()), *drop)
            _import(store, raw)
            assert bool(store.datasets.reported_empty(MONTH)) == (name == "empty")
            gm = service.score(store, MONTH, "镇街", with_previous=False)
            summaries.append(gm.summary)
            d = gm.scores.detail
            t5.append(d[d["code"] == "T5"].set_index("unit_id")["earned"])
    pd.testing.assert_frame_equal(summaries[0], summaries[1])
    # T5 (presence of a 信易+场景 entry, 10 分): no entry either way, so 0 for every town
    # two towns reported; the seven prefilled rows left blank are no report, so not ranked (issue 23, obs. 5)
    assert (t5[0] == 0).all() and (t5[1] == 0).all() and len(t5[0]) == 2


def test_a_published_month_takes_a_mark_or_unmark_only_with_a_correction_reason(demo_db: Path) -> None:
    with service.open_store(demo_db) as store:
        # the demo's October was uploaded from the template with both registers empty
        assert list(store.datasets.reported_empty("2022-10")) == [SHEET_SCENARIOS, SHEET_SUPERVISION]
        status = month_status(store, "2022-10")
        assert status.complete and status.count(MISSING) == 0 and status.count(REPORTED) > 0
        done = publish_month(store, "2022-10", "平信用办〔2026〕1号", date(2026, 1, 5), "张三", OFFICE, with_pdf=False)
        assert store.publishing.current_publication("2022-10")["missing"] == []  # no 仍然发布 needed
        assert done.kind == "original"
        version = store.data_version()
        with pytest.raises(CreditError, match="通报已签发，撤销“本月无新增”须填写更正说明"):
            store.datasets.unmark_empty("2022-10", SHEET_SCENARIOS, OFFICE)
        assert store.data_version() == version
        store.datasets.unmark_empty("2022-10", SHEET_SCENARIOS, OFFICE, "信易+场景实有一条漏报，待补报")
        entry = store.audit_log(limit=1)[0]
        assert entry["detail"] == {"month": "2022-10", "sheet": SHEET_SCENARIOS, "reason": "信易+场景实有一条漏报，待补报"}
        assert list(store.datasets.reported_empty("2022-10")) == [SHEET_SUPERVISION]


def test_a_rebuild_from_the_archive_keeps_uploaded_and_marked_no_new_entries(tmp_path: Path) -> None:
    from credit.store.maintenance import rebuild_database

    db = tmp_path / "credit.db"
    with service.open_store(db) as store:
        _import(store, fill_template({"镇街": TOWN_ROWS}, units=store.units.register()))  # three empty optional sheets
        store.datasets.unmark_empty(MONTH, SHEET_EVENTS, OFFICE)
        _import(store, _town_only(store), "只有镇街.xlsx")
        store.datasets.unmark_empty(MONTH, SHEET_SUPERVISION, ADMIN)
        store.datasets.mark_empty(MONTH, SHEET_SUPERVISION, OFFICE)
        before = {s: (e["source"], e["created_by"]) for s, e in store.datasets.reported_empty(MONTH).items()}
    assert before == {SHEET_SCENARIOS: ("upload", "office"), SHEET_SUPERVISION: ("mark", "office")}
    rebuild_database(db, tmp_path / "rebuilt.db")
    with service.open_store(tmp_path / "rebuilt.db") as store:
        after = {s: e["source"] for s, e in store.datasets.reported_empty(MONTH).items()}
    assert after == {SHEET_SCENARIOS: "upload", SHEET_SUPERVISION: "mark"}
