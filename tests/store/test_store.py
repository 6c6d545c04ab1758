"""The versioned store on real SQLite files: versions, idempotence, rollback, locking, history.

Workbooks are built by hand (not through the importer) so these tests pin the store's own
contract: what goes in as `ParsedWorkbook` comes back out, and failures write nothing.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit.errors import ConfigError, CreditError, StoreBusyError
from credit.model.accounts import ROLE_ADMIN, SYSTEM, Actor
from credit.model.contract import COUNTY, DEPT, EVENTS, SHEET_COUNTY, SHEET_EVENTS, SHEET_TOWN, TOWN
from credit.model.parsed import ParsedSheet, ParsedWorkbook
from credit.model.units import Unit, UnitRegister
from credit.store.datasets import Datasets
from credit.store.facade import NewUnit, Store
from credit.store.schema import MIGRATIONS

JIA = Actor("甲", ROLE_ADMIN)
YI = Actor("乙", ROLE_ADMIN)

FW_OLD = 'group = "镇街"\ntitle = "旧版"\n'
FW_NEW = 'group = "镇街"\ntitle = "新版"\n'
FW_DEPT = 'group = "部门"\ntitle = "部门"\n'


def make_register() -> UnitRegister:
    return UnitRegister(
        [
            Unit("yushan", "榆山街道", "镇街", "街道", aliases=["榆山街道办事处"]),
            Unit("kongcun", "孔村镇", "镇街", "镇"),
            Unit("fgw", "县发展改革局", "部门", "部门"),
        ]
    )


def town_sheet(values: dict[str, float | None], base: float = 0.0) -> ParsedSheet:
    """镇街 sheet: every numeric field of unit `uid` = value + field index (None = blank)."""
    names = {"yushan": "榆山街道", "kongcun": "孔村镇"}
    records = []
    for row, (uid, value) in enumerate(values.items(), start=3):
        rec: dict[str, object] = {"row": row, "unit_id": uid, "单位名称": names[uid]}
        for i, fld in enumerate(TOWN.numeric_fields):
            rec[fld] = None if value is None else base + value + i
        records.append(rec)
    return ParsedSheet(SHEET_TOWN, records)


def county_sheet(value: float) -> ParsedSheet:
    records = [
        {"row": 3 + i, "item": item, "value": (None if i == 1 else value + i)}
        for i, item in enumerate(COUNTY.numeric_fields)
    ]
    return ParsedSheet(SHEET_COUNTY, records)


def event(row: int, uid: str, day: str, days: float) -> dict[str, object]:
    return {
        "row": row,
        "unit_id": uid,
        "单位名称": "榆山街道",
        "事项类型": "异议信息",
        "发生日期": day,
        "事项说明": "说明",
        "处理情况": "",
        "异议处理用时（工作日）": days,
        "数量": 1,
    }


def workbook(month: str, *sheets: ParsedSheet) -> ParsedWorkbook:
    return ParsedWorkbook(month, {s.name: s for s in sheets})


def file_hash(store: Store) -> str:
    store.checkpoint()
    return hashlib.sha256(store.path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "credit.db") as s:
        s.seeding.seed_defaults(make_register(), {"镇街": FW_OLD, "部门": FW_DEPT}, by=SYSTEM)
        yield s


def test_new_store_is_wal_with_foreign_keys_and_seeded(store: Store) -> None:
    assert store._core.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._core.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert [u.id for u in store.units.register()] == ["yushan", "kongcun", "fgw"]
    assert store.xyd_target(2022) == (269.0, 4000.0)
    assert store.frameworks.framework_for("部门", "2022-01")[1] == FW_DEPT
    # seeding again finds nothing missing and writes nothing
    before = file_hash(store)
    assert store.seeding.seed_defaults(make_register(), {"镇街": FW_NEW}, by=SYSTEM) == []
    assert file_hash(store) == before


def test_seed_is_piecewise(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as s:
        assert s.seeding.seed_defaults(make_register(), {}, by=SYSTEM) == ["units", "xyd:2022"]
        assert s.seeding.seed_gaps().framework_groups == ("镇街", "部门")
        assert s.seeding.seed_defaults(make_register(), {"部门": FW_DEPT}, by=SYSTEM) == ["framework:部门"]
        assert len(s.units.register()) == 3  # units not seeded twice


def test_migrations_idempotent_on_reopen(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as s:
        s.seeding.seed_defaults(make_register(), {"镇街": FW_OLD}, by=SYSTEM)
        s.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 1})), b"a", "a.xlsx", JIA)
        before, version = file_hash(s), s.data_version()
    for _ in range(2):
        with Store(path) as s:
            applied = s._core.conn.execute("SELECT name FROM _sqlite_migrations").fetchall()
            assert applied == [(m.name,) for m in MIGRATIONS._migrations]
            assert s.data_version() == version
            assert file_hash(s) == before


def test_versioning_keeps_old_versions(store: Store) -> None:
    v0 = store.data_version()
    r1 = store.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 1})), b"A", "a.xlsx", JIA)
    r2 = store.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 5})), b"B", "b.xlsx", YI)
    assert (r1.created, r2.created) == ([(SHEET_TOWN, 1)], [(SHEET_TOWN, 2)])
    assert r1.upload_id != r2.upload_id
    versions = store.datasets.versions("2023-01", SHEET_TOWN)
    assert [(v["version"], v["is_current"], v["filename"]) for v in versions] == [
        (2, True, "b.xlsx"),
        (1, False, "a.xlsx"),
    ]
    assert store.datasets.current_sheet("2023-01", SHEET_TOWN)[0][TOWN.numeric_fields[0]] == 5.0
    old_facts = store._core.conn.execute("SELECT COUNT(*) FROM facts WHERE version_id = ?", (versions[1]["id"],)).fetchone()[
        0
    ]
    assert old_facts == len(TOWN.numeric_fields)
    assert store.data_version() == v0 + 2
    assert [e["action"] for e in store.audit_log()][:2] == ["import", "import"]


def test_identical_reimport_changes_nothing_byte_for_byte(store: Store) -> None:
    wb = workbook("2023-01", town_sheet({"yushan": 1, "kongcun": None}), county_sheet(10))
    first = store.datasets.import_workbook(wb, b"raw-bytes", "m.xlsx", JIA)
    before, version = file_hash(store), store.data_version()
    again = store.datasets.import_workbook(wb, b"raw-bytes", "m.xlsx", YI)
    assert again.created == [] and not again.changed
    assert again.unchanged == [SHEET_TOWN, SHEET_COUNTY]
    assert again.upload_id == first.upload_id
    assert store.data_version() == version
    assert file_hash(store) == before


def test_same_content_in_a_new_file_is_archived_but_not_versioned(store: Store) -> None:
    wb = workbook("2023-01", town_sheet({"yushan": 1}))
    first = store.datasets.import_workbook(wb, b"file-1", "a.xlsx", JIA)
    version = store.data_version()
    second = store.datasets.import_workbook(wb, b"file-2 (resaved)", "a.xlsx", JIA)
    assert second.created == [] and second.upload_id != first.upload_id
    assert store.datasets.upload_bytes(second.upload_id) == ("a.xlsx", b"file-2 (resaved)")
    assert len(store.datasets.versions("2023-01")) == 1
    assert store.data_version() == version + 1


def test_failure_midway_rolls_back_everything(store: Store, monkeypatch) -> None:
    store.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 1})), b"A", "a.xlsx", JIA)
    before, version = file_hash(store), store.data_version()
    real = Datasets._insert_content
    calls = []

    def flaky(self, table, version_id, rows, sheet):
        calls.append(sheet)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        real(self, table, version_id, rows, sheet)

    monkeypatch.setattr(Datasets, "_insert_content", flaky)
    wb = workbook("2023-01", town_sheet({"yushan": 2}), county_sheet(3))
    with pytest.raises(RuntimeError):
        store.datasets.import_workbook(wb, b"B", "b.xlsx", JIA)
    assert calls == [SHEET_TOWN, SHEET_COUNTY]
    assert not store._core.conn.in_transaction
    assert file_hash(store) == before
    assert store.data_version() == version
    monkeypatch.undo()
    assert store.datasets.import_workbook(wb, b"B", "b.xlsx", JIA).created == [
        (SHEET_TOWN, 2),
        (SHEET_COUNTY, 1),
    ]


def test_batch_import_is_all_or_nothing(store: Store) -> None:
    good = workbook("2023-01", town_sheet({"yushan": 1}))
    bad = workbook("2023-02", ParsedSheet(SHEET_TOWN, [{"row": 3, "unit_id": "nobody", "x": 1}]))
    before = file_hash(store)
    with pytest.raises(CreditError, match="不在单位名册中：nobody"):
        store.datasets.import_workbooks([(good, b"g", "g.xlsx"), (bad, b"b", "b.xlsx")], by=JIA)
    assert file_hash(store) == before
    results = store.datasets.import_workbooks(
        [(good, b"g", "g.xlsx"), (workbook("2023-02", county_sheet(1)), b"c", "c.xlsx")], by=JIA
    )
    assert [r.created for r in results] == [[(SHEET_TOWN, 1)], [(SHEET_COUNTY, 1)]]
    assert store.datasets.months_with_data() == ["2023-01", "2023-02"]


def test_bad_shapes_are_refused_in_chinese(store: Store) -> None:
    text_in_number = ParsedSheet(SHEET_TOWN, [{"row": 4, "unit_id": "yushan", "本月出台信用制度文件数": "三"}])
    with pytest.raises(CreditError, match="第 4 行「本月出台信用制度文件数」列：「三」不是数字"):
        store.datasets.import_workbook(workbook("2023-01", text_in_number), b"x", "x.xlsx", JIA)
    with pytest.raises(CreditError, match="未知的工作表「杂项」"):
        store.datasets.import_workbook(workbook("2023-01", ParsedSheet("杂项", [])), b"x", "x.xlsx", JIA)
    with pytest.raises(CreditError, match="格式有误"):
        store.datasets.import_workbook(workbook("2023-13", town_sheet({"yushan": 1})), b"x", "x.xlsx", JIA)
    assert store.datasets.versions() == []


def test_restore_is_a_new_version_with_the_old_content(store: Store) -> None:
    wb_a = workbook("2023-01", town_sheet({"yushan": 1, "kongcun": 2}))
    store.datasets.import_workbook(wb_a, b"A", "a.xlsx", JIA)
    store.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 9})), b"B", "b.xlsx", JIA)
    v1 = store.datasets.versions("2023-01", SHEET_TOWN)[-1]
    restored = store.datasets.restore_version(v1["id"], YI)
    assert (restored["version"], restored["action"], restored["restored_from"]) == (3, "restore", v1["id"])
    assert restored["is_current"] and restored["filename"] == "a.xlsx"
    assert [v["version"] for v in store.datasets.versions("2023-01", SHEET_TOWN)] == [3, 2, 1]
    got = store.datasets.current_sheet("2023-01", SHEET_TOWN)
    want = wb_a.sheets[SHEET_TOWN].records
    assert got == want
    assert store.datasets.upload_bytes(restored["upload_id"]) == ("a.xlsx", b"A")
    with pytest.raises(CreditError, match="已是当前版本"):
        store.datasets.restore_version(restored["id"], YI)
    with pytest.raises(CreditError, match="内容相同"):
        store.datasets.restore_version(v1["id"], YI)
    with pytest.raises(CreditError, match="未找到编号为 999 的数据版本"):
        store.datasets.restore_version(999, YI)
    # the identical file re-imported now is "unchanged" against the restored current version
    assert store.datasets.import_workbook(wb_a, b"A", "a.xlsx", JIA).unchanged == [SHEET_TOWN]


def test_busy_writer_gives_store_busy_error_quickly(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with Store(path, busy_timeout_ms=50) as s:
        s.seeding.seed_defaults(make_register(), by=SYSTEM)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            started = time.perf_counter()
            with pytest.raises(StoreBusyError, match="数据库正忙"):
                s.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 1})), b"A", "a", JIA)
            assert time.perf_counter() - started < 2
            assert not s._core.conn.in_transaction
            assert s.datasets.current_sheet("2023-01", SHEET_TOWN) == []  # readers are not blocked
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert s.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 1})), b"A", "a", JIA).changed


def test_store_refuses_use_from_another_thread(store: Store) -> None:
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _catch(errors, store.data_version))
    thread.start()
    thread.join()
    assert isinstance(errors[0], sqlite3.ProgrammingError)


def _catch(errors: list[BaseException], fn) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        errors.append(exc)


def test_rename_keeps_history(store: Store) -> None:
    store.datasets.import_workbook(workbook("2023-02", town_sheet({"yushan": 1})), b"A", "a.xlsx", JIA)
    store.units.rename("yushan", "榆山新区街道", "2023-03", JIA)
    unit = store.units.register().get("yushan")
    assert unit.name == "榆山新区街道"
    assert unit.name_at("2023-02") == "榆山街道"
    assert unit.name_at("2023-03") == "榆山新区街道"
    register = store.units.register()
    assert register.resolve("榆山街道", "2023-02").id == "yushan"
    assert register.resolve("榆山 新区街道", "2023-04").id == "yushan"
    assert store.datasets.current_sheet("2023-02", SHEET_TOWN)[0]["单位名称"] == "榆山街道"
    with pytest.raises(CreditError, match="与单位「孔村镇」（编号 kongcun）重复"):
        store.units.rename("yushan", "孔村镇", "2023-05", JIA)
    with pytest.raises(CreditError, match="未找到单位编号「nobody」"):
        store.units.rename("nobody", "某镇", "2023-05", JIA)
    with pytest.raises(CreditError, match="早于"):
        store.units.rename("yushan", "榆山老街道", "2023-01", JIA)
    with pytest.raises(CreditError, match="相同"):
        store.units.rename("yushan", "榆山新区街道", "2023-06", JIA)
    assert store.audit_log(action="unit.rename")[0]["detail"]["old_name"] == "榆山街道"
    # a second rename in the same month corrects the first instead of stacking
    store.units.rename("yushan", "榆山东街道", "2023-03", JIA)
    unit = store.units.register().get("yushan")
    assert unit.names == [("2000-01", "榆山街道"), ("2023-03", "榆山东街道")]


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CreditError, match="无法打开数据库文件 junk.db"):
        Store(junk)


def test_add_and_retire_units(store: Store) -> None:
    unit = store.units.add("xinqu", "新区", "镇街", "开发区", "2023-04", JIA)
    register = store.units.register()
    assert register.get("xinqu").active_in("2023-04") and not unit.active_in("2023-03")
    with pytest.raises(CreditError, match="单位编号「xinqu」已存在"):
        store.units.add("xinqu", "另一新区", "镇街", "开发区", "2023-04", JIA)
    with pytest.raises(CreditError, match="名称「榆山街道办事处」与单位「榆山街道」"):
        store.units.add("ys2", "榆山街道办事处", "镇街", "街道", "2023-04", JIA)
    with pytest.raises(CreditError, match="类型应为"):
        store.units.add("ys3", "某局", "部门", "镇", "2023-04", JIA)
    with pytest.raises(CreditError, match="无效"):
        store.units.add("某 局", "某局", "部门", "部门", "2023-04", JIA)
    store.units.retire("kongcun", "2023-06", JIA)
    assert [u.id for u in store.units.register().active("2023-06", "镇街")] == ["yushan", "xinqu"]
    with pytest.raises(CreditError, match="已于 2023-06 撤销"):
        store.units.retire("kongcun", "2023-07", JIA)
    with pytest.raises(CreditError, match="应晚于"):
        store.units.retire("xinqu", "2023-04", JIA)
    # a retired unit's name may be given to a new unit from then on
    store.units.add("kongcun2", "孔村镇", "镇街", "镇", "2023-06", JIA)


def test_add_units_in_one_go_all_or_nothing(store: Store) -> None:
    version, audits = store.data_version(), len(store.audit_log(None, "unit.add"))
    batch = [NewUnit("a1", "甲局", "部门", "部门", "2023-01"), NewUnit("a2", "乙局", "部门", "部门", "2023-02")]
    # a clash anywhere — with the register or inside the batch — writes none of the batch
    for bad, message in [
        ([*batch, NewUnit("a3", "县发展改革局", "部门", "部门", "2023-01")], "名称「县发展改革局」与单位「县发展改革局」"),
        ([*batch, NewUnit("a3", " 甲局 ", "部门", "部门", "2023-01")], "名称「甲局」与单位「甲局」（编号 a1）重复"),
        ([*batch, NewUnit("a1", "丙局", "部门", "部门", "2023-01")], "单位编号「a1」已存在（本批中重复）"),
        ([*batch, NewUnit("fgw", "丙局", "部门", "部门", "2023-01")], "单位编号「fgw」已存在（县发展改革局）"),
        ([*batch, NewUnit("a3", "丙局", "部门", "镇", "2023-01")], "类型应为"),
    ]:
        with pytest.raises(CreditError, match=message):
            store.units.add_many(bad, JIA)
        assert len(store.units.register()) == 3 and store.data_version() == version
    added = store.units.add_many(batch, JIA)
    register = store.units.register()
    assert [u.id for u in register] == ["yushan", "kongcun", "fgw", "a1", "a2"]
    assert register.get("a2").names == [("2023-02", "乙局")] and not register.get("a2").active_in("2023-01")
    assert [u.name for u in added] == ["甲局", "乙局"]
    assert store.data_version() == version + 1  # one change
    log = store.audit_log(None, "unit.add")
    assert len(log) == audits + 2  # but one audit row per unit, as a single add writes
    with pytest.raises(CreditError, match="权限|无权"):
        store.units.add_many([NewUnit("a9", "丁局", "部门", "部门", "2023-01")], Actor("访客", "viewer"))


def test_framework_for_picks_by_effective_month(store: Store) -> None:
    seeded_id = store.frameworks.framework_for("镇街", "2023-01")[0]
    new_id = store.frameworks.save_framework("镇街", "2023-03", FW_NEW, JIA, "调整权重")
    assert store.frameworks.framework_for("镇街", "2023-02") == (seeded_id, FW_OLD, "2000-01")
    assert store.frameworks.framework_for("镇街", "2023-03") == (new_id, FW_NEW, "2023-03")
    assert store.frameworks.framework_for("镇街", "2024-12")[0] == new_id
    assert store.frameworks.framework_for("镇街", "1999-01")[0] == seeded_id  # before all → earliest
    version = store.data_version()
    assert store.frameworks.save_framework("镇街", "2023-03", FW_NEW, JIA, "重复") == new_id
    assert store.data_version() == version
    assert [f["effective_month"] for f in store.frameworks.framework_versions("镇街")] == ["2000-01", "2023-03"]
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        store.frameworks.save_framework("镇街", "2023-05", "group = ", JIA)
    with pytest.raises(CreditError, match="分组应为"):
        store.frameworks.framework_for("乡镇", "2023-01")


def test_framework_missing_is_a_clear_error(tmp_path: Path) -> None:
    with Store(tmp_path / "e.db") as s, pytest.raises(CreditError, match="尚未设置「部门」的指标体系"):
        s.frameworks.framework_for("部门", "2023-01")


def test_facts_frame_and_year_data(store: Store) -> None:
    store.datasets.import_workbook(
        workbook("2023-01", town_sheet({"yushan": 1, "kongcun": None}), county_sheet(100)),
        b"1",
        "1.xlsx",
        JIA,
    )
    store.datasets.import_workbook(workbook("2023-02", town_sheet({"yushan": 2})), b"2", "2.xlsx", JIA)
    store.datasets.import_workbook(workbook("2023-02", town_sheet({"yushan": 20})), b"2b", "2.xlsx", JIA)
    store.datasets.import_workbook(workbook("2023-03", town_sheet({"yushan": 3})), b"3", "3.xlsx", JIA)
    store.datasets.import_workbook(workbook("2022-12", town_sheet({"yushan": 99})), b"0", "0.xlsx", JIA)

    frame = store.datasets.facts_frame(2023, 2, SHEET_TOWN)
    assert list(frame.columns) == ["month", "unit_id", "field", "value"]
    assert str(frame["value"].dtype) == "float64"
    assert sorted(frame["month"].unique()) == ["2023-01", "2023-02"]
    first = TOWN.numeric_fields[0]
    pick = frame.set_index(["month", "unit_id", "field"])["value"]
    assert pick[("2023-01", "yushan", first)] == 1.0
    assert pick[("2023-02", "yushan", first)] == 20.0  # current version, not the first import
    assert pick[("2023-01", "yushan", TOWN.numeric_fields[3])] == 4.0
    assert math.isnan(pick[("2023-01", "kongcun", first)])
    assert len(frame) == 3 * len(TOWN.numeric_fields)

    county = store.datasets.facts_frame(2023, 12, SHEET_COUNTY)
    assert county["unit_id"].isna().all() and len(county) == len(COUNTY.numeric_fields)
    assert county["value"].tolist()[:3] == [100.0, pytest.approx(float("nan"), nan_ok=True), 102.0]

    data = store.datasets.year_data(2023, 3, SHEET_TOWN)
    assert list(data) == ["2023-01", "2023-02", "2023-03"]
    assert data["2023-02"][0][first] == 20.0
    assert store.datasets.year_data(2023, 1, SHEET_COUNTY)["2023-01"][1] == {
        "row": 4,
        "item": COUNTY.numeric_fields[1],
        "value": None,
    }
    assert store.datasets.facts_frame(2021, 12, SHEET_TOWN).empty
    with pytest.raises(CreditError, match="记录表"):
        store.datasets.facts_frame(2023, 1, SHEET_EVENTS)

    # the same rows without a frame, over a range that crosses the year (the upload preview's history)
    rows = store.datasets.facts_rows("2022-12", "2023-02", SHEET_TOWN)
    assert [r[0] for r in rows[:: len(TOWN.numeric_fields)]] == ["2022-12", "2023-01", "2023-01", "2023-02"]
    assert ("2022-12", "yushan", first, 99.0) in rows and ("2023-02", "yushan", first, 20.0) in rows
    assert ("2023-01", "kongcun", first, None) in rows  # a blank stays None here (NaN in the frame)
    assert not any(r[0] == "2023-03" for r in rows)
    with pytest.raises(CreditError, match="记录表"):
        store.datasets.facts_rows("2023-01", "2023-01", SHEET_EVENTS)


def test_records_frame(store: Store) -> None:
    events = [event(5, "yushan", "2023-01-05", 1.5), event(6, "yushan", "2023-01-09", 3)]
    store.datasets.import_workbook(workbook("2023-01", ParsedSheet(SHEET_EVENTS, events)), b"e", "e", JIA)
    frame = store.datasets.records_frame(2023, 1, SHEET_EVENTS)
    assert list(frame.columns) == ["month", "row", "unit_id", *(c.header for c in EVENTS.columns)]
    assert frame["异议处理用时（工作日）"].tolist() == [1.5, 3]
    assert frame["row"].tolist() == [5, 6]
    assert store.datasets.current_sheet("2023-01", SHEET_EVENTS) == events
    empty = store.datasets.records_frame(2024, 1, SHEET_EVENTS)
    assert empty.empty and "发生日期" in empty.columns
    with pytest.raises(CreditError, match="不是记录表"):
        store.datasets.records_frame(2023, 1, DEPT.name)


def test_status_and_months(store: Store) -> None:
    assert store.datasets.months_with_data() == []
    store.datasets.import_workbook(workbook("2023-04", county_sheet(1)), b"c", "c.xlsx", JIA)
    status = store.datasets.sheets_status("2023-04")
    assert list(status) == [TOWN.name, DEPT.name, SHEET_COUNTY, SHEET_EVENTS, "信易+场景", "分级分类监管"]
    assert status[SHEET_COUNTY]["version"] == 1 and status[SHEET_TOWN] is None
    assert store.datasets.months_with_data() == ["2023-04"]
    with pytest.raises(CreditError, match="未找到编号为 42 的上传文件"):
        store.datasets.upload_bytes(42)


def test_xyd_targets(store: Store) -> None:
    version = store.data_version()
    store.frameworks.set_xyd_target(2023, 300, 4500, JIA)
    store.frameworks.set_xyd_target(2023, 300, 4500, JIA)  # same again: no write
    assert store.xyd_target(2023) == (300.0, 4500.0)
    assert store.xyd_target(2030) is None
    assert store.frameworks.xyd_targets() == {2022: (269.0, 4000.0), 2023: (300.0, 4500.0)}
    assert store.data_version() == version + 1
    with pytest.raises(CreditError, match="应大于 0"):
        store.frameworks.set_xyd_target(2024, 1, 0, JIA)


def test_history_tables_are_append_only(store: Store) -> None:
    store.datasets.import_workbook(workbook("2023-01", county_sheet(1)), b"c", "c.xlsx", JIA)
    for sql in (
        "UPDATE uploads SET filename = 'x'",
        "DELETE FROM uploads",
        "DELETE FROM audit",
        "DELETE FROM dataset_versions",
        "UPDATE dataset_versions SET version = 7",
    ):
        with pytest.raises(sqlite3.DatabaseError):
            store._core.conn.execute(sql)


def test_backup_is_a_consistent_copy(store: Store, tmp_path: Path) -> None:
    store.datasets.import_workbook(workbook("2023-01", town_sheet({"yushan": 1})), b"A", "a.xlsx", JIA)
    dest = tmp_path / "backups" / "copy.db"
    store.backup(dest)
    with Store(dest) as copy:
        assert copy.datasets.current_sheet("2023-01", SHEET_TOWN) == store.datasets.current_sheet("2023-01", SHEET_TOWN)
        assert copy.data_version() == store.data_version()
        assert copy.datasets.upload_bytes(1) == ("a.xlsx", b"A")
    with pytest.raises(CreditError, match="不能与数据库文件相同"):
        store.backup(store.path)


numbers = st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.dictionaries(st.sampled_from(["yushan", "kongcun"]), numbers, min_size=1),
    county=st.floats(0, 1e6, allow_nan=False),
    days=st.lists(st.floats(0, 30, allow_nan=False), max_size=4),
)
def test_round_trip_property(values, county, days) -> None:
    """Whatever was imported last is exactly what the reads give back."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "p.db") as s:
        s.seeding.seed_defaults(make_register(), by=SYSTEM)
        town = town_sheet(values)
        events = ParsedSheet(SHEET_EVENTS, [event(10 + i, "yushan", "2023-05-01", d) for i, d in enumerate(days)])
        wb = workbook("2023-05", town, county_sheet(county), events)
        s.datasets.import_workbook(wb, repr(wb).encode(), "p.xlsx", JIA)
        for sheet in wb.sheets.values():
            assert s.datasets.current_sheet("2023-05", sheet.name) == sheet.records
        frame = s.datasets.facts_frame(2023, 5, SHEET_TOWN)
        assert len(frame) == len(values) * len(TOWN.numeric_fields)


def test_write_lock_is_taken_up_front(store: Store, monkeypatch) -> None:
    """BEGIN IMMEDIATE: another writer is locked out before our first INSERT, not after."""
    seen: list[str] = []
    real = Datasets._import_prepared

    def probe(self, prep, by):
        other = sqlite3.connect(self._core.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            seen.append("other got the lock")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return real(self, prep, by)

    monkeypatch.setattr(Datasets, "_import_prepared", probe)
    store.datasets.import_workbook(workbook("2023-01", county_sheet(1)), b"c", "c.xlsx", JIA)
    assert seen == ["database is locked"]


def test_meta_settings(store: Store) -> None:
    assert store.settings.get("demo") is None and store.settings.get("demo", "0") == "0"
    version = store.data_version()
    store.settings.set("demo", "1", by=SYSTEM)
    store.settings.set("demo", "1", by=SYSTEM)
    assert store.settings.get("demo") == "1"
    assert store.data_version() == version + 1
    with pytest.raises(CreditError, match="由系统维护"):
        store.settings.set("data_version", "0", by=SYSTEM)


def test_concurrent_first_open_migrates_once(tmp_path: Path) -> None:
    """Several sessions opening a brand-new file at once: one migrates, the others wait and see it."""
    path = tmp_path / "race.db"
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_and_close() -> None:
        barrier.wait()
        with Store(path) as s:
            s.data_version()

    threads = [threading.Thread(target=lambda: _catch(errors, open_and_close)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as s:
        assert s._core.conn.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == len(MIGRATIONS._migrations)
