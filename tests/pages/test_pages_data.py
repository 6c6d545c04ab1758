"""The data pages through AppTest: upload (good and bad files through the widget), versions,
registers and the unit register — what the page shows and what the database then holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.model.contract import SHEET_SCENARIOS, UNIT_COL
from credit.workbook.registers import KEY_COLUMN
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    ADMIN,
    EDITOR,
    VIEWER,
    XLSX,
    acknowledge,
    frame,
    good_workbook,
    navigation_mode,
    open_page,
    press,
    run,
    switch,
    texts,
    upload,
)
from tests.support.workbooks import fill_template, make_workbook

MONTH = "2022-10"


def versions(db: Path, month: str = MONTH) -> list[tuple[str, int]]:
    with open_store(db) as store:
        return sorted((v["sheet"], v["version"]) for v in store.datasets.versions(month))


def data_version(db: Path) -> int:
    with open_store(db) as store:
        return store.data_version()


# ---- 数据上传 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [None, VIEWER])
def test_upload_is_not_even_registered_without_the_import_permission(demo_db: Path, actor: Actor | None) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("upload.py", actor)


def test_good_workbook_preview_then_confirm_then_rank_changes(demo_db: Path) -> None:
    at = open_page("upload.py", EDITOR)
    assert at.selectbox(key="upload_month").value == "2022-11"  # the month after the latest
    before = versions(demo_db)
    at = upload(at, ("十月.xlsx", good_workbook(demo_db)))
    assert texts(at, "error") == []
    assert any("需要核对" in w for w in texts(at, "warning"))  # 99999 registrations: a reconciliation flag
    assert any("工作表「镇街」" in e.label for e in at.expander)
    changes = frame(at, "变化")
    row = changes[(changes["单位"] == "榆山街道") & (changes["指标"] == "本月出台信用制度文件数")].iloc[0]
    assert row["新值"] == "2" and row["变化"] == "修改"
    assert versions(demo_db) == before  # nothing stored before the confirmation
    # 99999 registrations is more than ten times September's: 确认导入 waits for the acknowledgement
    assert any("比上月增长超过 10 倍" in w for w in texts(at, "warning"))
    surge = frame(at, "倍数")
    assert surge[["单位", "指标"]].values.tolist() == [["榆山街道", "信易贷平台注册企业数"]]
    assert at.button(key="confirm").disabled
    [ack] = [c for c in at.checkbox if "确认无误" in c.label]  # besides each sheet's 导入 tick
    ack.check()
    at = run(at)
    assert not at.button(key="confirm").disabled
    at.button(key="confirm").click()
    at = run(at)
    assert versions(demo_db) == sorted([*before, ("镇街", 2)])
    assert any("新建版本 「镇街」第 2 版" in s for s in texts(at, "success"))
    ranks = frame(at, "导入后排名")
    assert {"导入前排名", "导入后排名", "排名变化"} <= set(ranks.columns) and len(ranks) == 9
    assert ranks["导入前排名"].notna().all()
    assert at.file_uploader[0].value in (None, [])  # the uploader was emptied


def test_the_same_batch_is_never_imported_twice(demo_db: Path) -> None:
    raw = good_workbook(demo_db)
    at = open_page("upload.py", EDITOR)
    at = upload(at, ("十月.xlsx", raw))
    at = acknowledge(at)
    at.button(key="confirm").click()
    at = run(at)
    after_first = data_version(demo_db)
    at = upload(at, ("十月.xlsx", raw), month=None)  # the same file again, same session
    assert any("已在本次导入过" in m for m in texts(at, "info"))
    assert "confirm" not in [b.key for b in at.button]
    # a new session (a refresh): the store knows the file and every sheet is already current
    fresh = upload(open_page("upload.py", EDITOR), ("十月.xlsx", raw))
    assert any("此前已存档" in m for m in texts(fresh, "info"))
    assert any("无需导入" in m for m in texts(fresh, "info"))
    assert "confirm" not in [b.key for b in fresh.button]
    assert data_version(demo_db) == after_first


def test_a_new_month_has_no_rank_before(demo_db: Path) -> None:
    at = open_page("upload.py", EDITOR)
    at = upload(at, ("十一月.xlsx", good_workbook(demo_db, "2022-11")), month="2022-11")
    at = acknowledge(at)
    at.button(key="confirm").click()
    at = run(at)
    assert versions(demo_db, "2022-11") == [("镇街", 1)]
    ranks = frame(at, "导入后排名")
    assert (ranks["导入前排名"] == "首次导入").all() and (ranks["导入前得分率"] == "首次导入").all()


@pytest.mark.parametrize(("name", "raw", "expected"), [
    ("坏表.xlsx", None, "不能为负数"),
    ("readme.xlsx", b"this is not a spreadsheet", "不是有效的 Excel 工作簿"),
    ("空.xlsx", b"", "空文件"),
    ("其他.xlsx", make_workbook({"Sheet1": [["姓名", "电话"]]}), "未找到任何可识别的工作表"),
])
def test_bad_files_show_every_error_and_write_nothing(demo_db: Path, name: str, raw: bytes | None,
                                                      expected: str) -> None:
    if raw is None:
        with open_store(demo_db) as store:
            raw = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": -1, "清欠未完成案例数": "两个"},
                                          {UNIT_COL: "不存在镇", "本月出台信用制度文件数": 1}]},
                                month=MONTH, units=store.units.register())
    version = data_version(demo_db)
    at = open_page("upload.py", EDITOR)
    at = upload(at, (name, raw), ("好表.xlsx", good_workbook(demo_db)))
    assert any("未导入任何数据" in e for e in texts(at, "error"))
    errors = at.table[0].value  # a static table: long hints wrap, nothing is cut off
    assert list(errors.columns) == ["单位", "文件", "工作表", "行", "列", "问题", "修改建议"]
    assert "下载错误清单（Excel）" in [b.proto.label for b in at.get("download_button")]
    assert set(errors["文件"]) == {name}
    assert any(expected in p for p in errors["问题"]), list(errors["问题"])
    assert (errors["修改建议"] != "").all()
    if name == "坏表.xlsx":  # every problem at once, each located by sheet, row and column
        assert len(errors) == 3
        assert errors.iloc[0][["工作表", "列"]].tolist() == ["镇街", "本月出台信用制度文件数"]
        assert set(errors["列"]) == {"本月出台信用制度文件数", "清欠未完成案例数", UNIT_COL}
        assert list(errors["单位"]) == ["榆山街道", "榆山街道", "不存在镇"]
    assert "confirm" not in [b.key for b in at.button]
    assert data_version(demo_db) == version


# ---- 数据版本 ------------------------------------------------------------------------------------


def test_versions_grid_download_and_restore(demo_db: Path) -> None:
    at = open_page("upload.py", EDITOR)
    at = upload(at, ("十月.xlsx", good_workbook(demo_db)))
    at = acknowledge(at)
    at.button(key="confirm").click()
    run(at)
    at = switch(at, "versions.py")
    grid = frame(at, "未导入")
    october = grid[grid["月份"] == "2022年10月"].iloc[0]
    # the demo's October and this file both left 分级分类监管 empty in the template: 本月无新增, not missing
    assert october["镇街"] == "第 2 版" and october["分级分类监管"] == "本月无新增" and october["未导入"] == 0
    assert not any("尚未导入：" in w for w in texts(at, "warning"))
    table = frame(at, "sha256")
    assert set(table[table["工作表"] == "镇街"]["版本"]) == {1, 2}
    with open_store(demo_db) as store:
        old = next(v for v in store.datasets.versions(MONTH, "镇街") if v["version"] == 1)
    at.selectbox(key="versions_pick").select(old["id"])
    at = run(at)
    assert at.get("download_button")[0].proto.label == "下载该版本的原始文件"
    at.button(key="versions_restore").click()
    at = run(at)
    assert any("恢复为当前版本" in s and "第 3 版" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        current = store.datasets.sheets_status(MONTH)["镇街"]
    assert (current["version"], current["action"], current["restored_from"]) == (3, "restore", old["id"])


@pytest.mark.parametrize("actor", [EDITOR, ADMIN])
def test_versions_unmark_then_mark_no_new_entries(demo_db: Path, actor: Actor) -> None:
    at = open_page("versions.py", actor)
    assert at.selectbox(key="empty_month").value == MONTH
    # 信易+场景 (index 1) came in empty with the demo's October file: undo, then mark by hand
    at = press(at, "撤销“信易+场景”本月无新增")
    assert any("已撤销2022年10月「信易+场景」的“本月无新增”" in s for s in texts(at, "success"))
    grid = frame(at, "未导入")
    assert grid.iloc[0]["信易+场景"] == "未导入" and grid.iloc[0]["未导入"] == 1
    assert any("2022年10月尚未导入：信易+场景（当月确无新记录的，请在下方标记“本月无新增”）" == w
               for w in texts(at, "warning"))
    with open_store(demo_db) as store:
        assert list(store.datasets.reported_empty(MONTH)) == ["分级分类监管"]
    at = press(at, "标记“信易+场景”本月无新增")
    assert any("已将2022年10月「信易+场景」标记为“本月无新增”" in s for s in texts(at, "success"))
    assert frame(at, "未导入").iloc[0]["信易+场景"] == "本月无新增"
    assert not any("尚未导入" in w for w in texts(at, "warning"))
    with open_store(demo_db) as store:
        mark = store.datasets.reported_empty(MONTH)["信易+场景"]
        assert (mark["source"], mark["created_by"]) == ("mark", actor.username)
        assert [e["action"] for e in store.audit_log(limit=2)] == ["empty.mark", "empty.unmark"]
    # 扣分事项 has rows in October: no button, the count instead
    assert not any("“扣分事项”本月无新增" in b.label for b in at.button)


# ---- 证明材料 ------------------------------------------------------------------------------------


def test_registers_form_adds_and_refuses_a_duplicate(demo_db: Path) -> None:
    at = open_page("registers.py", EDITOR)
    assert at.metric[0].label == "登记条目"
    at.selectbox(key="reg0-unit").select("kongcun")
    at.text_input(key="reg0-信用应用").input("信易 阅")
    at.text_input(key="reg0-优惠/激励措施").input("守信读者免押金借书")
    at = press(at, "添加登记")
    assert any("已添加登记条目" in s for s in texts(at, "success")), texts(at, "error")
    with open_store(demo_db) as store:
        (entry,) = store.registers.register_entries(2022, SHEET_SCENARIOS)
    assert (entry["unit_id"], entry["data"]["信用应用"], entry["created_by"]) == ("kongcun", "信易 阅", "office")
    table = frame(at, "出处")
    assert "页面录入 #" + str(entry["id"]) in " ".join(table["出处"])
    at.selectbox(key="reg0-unit").select("kongcun")
    at.text_input(key="reg0-信用应用").input("信易阅")
    at = press(at, "添加登记")
    assert any("只计一次" in e for e in texts(at, "error"))
    with open_store(demo_db) as store:
        assert len(store.registers.register_entries(2022)) == 1


def test_evidence_upload_checks_the_file_and_stores_it(demo_db: Path) -> None:
    at = open_page("registers.py", EDITOR)
    pick = at.selectbox(key="reg0-entry")
    entry = pick.format_func(pick.value)
    evidence = at.file_uploader[0]
    evidence.set_value(("方案.pdf", b"MZ\x90\x00 renamed program", "application/pdf"))
    at = run(at)
    at.button(key="reg0-save-files").click()
    at = run(at)
    assert any("不是有效的 PDF 或 Word" in e for e in texts(at, "error"))
    with open_store(demo_db) as store:
        assert store.registers.evidence_files(2022, by=EDITOR) == []
    at.file_uploader[0].set_value(("方案.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    at = run(at)
    at.button(key="reg0-save-files").click()
    at = run(at)
    assert any("已保存 1 份证明材料" in s for s in texts(at, "success")), texts(at, "error")
    with open_store(demo_db) as store:
        (stored,) = store.registers.evidence_files(2022, by=EDITOR)
        assert store.registers.evidence_bytes(stored["id"], by=EDITOR) == ("方案.pdf", b"%PDF-1.4\n%%EOF\n")
    assert stored["entry_name"] in entry
    assert "下载" in [b.proto.label for b in at.get("download_button")]


def _with_evidence(db: Path) -> dict[str, tuple[str, int]]:
    """One evidence file for each of two units' entries; unit id -> (the entry's label, its row on the page)."""
    with open_store(db) as store:
        view = store.registers.register_view(2022, 10, SHEET_SCENARIOS).table
        counted = view[~view["重复"]]
        out = {}
        for mine in (True, False):
            entry = counted[(counted["unit_id"] == "dong_e") == mine].iloc[0]
            store.registers.add_evidence(SHEET_SCENARIOS, 2022, entry["unit_id"], entry[KEY_COLUMN[SHEET_SCENARIOS]],
                                         "方案.pdf", b"%PDF-1.4\n%%EOF\n", EDITOR)
            out[entry["unit_id"]] = f"{entry[UNIT_COL]} · {entry[KEY_COLUMN[SHEET_SCENARIOS]]}", entry.name
    return out


def _pick_entry(at, entry: tuple[str, int]):
    pick = at.selectbox(key="reg0-entry")
    pick.set_value(entry[1])
    assert pick.format_func(entry[1]).startswith(entry[0])
    return run(at)


def test_evidence_files_are_listed_to_an_account_only(demo_db: Path) -> None:
    """The page passes the session's account; the refusal comes from the domain (`Registers.evidence_files`;
    a unit account has no 证明材料 page, and its domain refusal is tests/store/test_reads_need_actor.py)."""
    entries = _with_evidence(demo_db)
    other = next(u for u in entries if u != "dong_e")
    anonymous = _pick_entry(open_page("registers.py"), entries["dong_e"])
    assert any("证明材料文件只向登录的账户提供" in c.value for c in anonymous.caption)
    assert "下载" not in [b.proto.label for b in anonymous.get("download_button")]
    leader = _pick_entry(open_page("registers.py", VIEWER), entries[other])
    assert "下载" in [b.proto.label for b in leader.get("download_button")]


def test_registers_are_read_only_for_a_viewer(demo_db: Path) -> None:
    at = open_page("registers.py", VIEWER)
    assert frame(at, "出处").shape[0] > 0
    assert "添加登记" not in [b.label for b in at.button]
    assert any("无权维护证明材料登记表" in w for w in texts(at, "warning"))


# ---- 单位名册 ------------------------------------------------------------------------------------


def test_admin_adds_and_renames_a_unit(demo_db: Path) -> None:
    at = open_page("units_admin.py", ADMIN)
    at.text_input(key="unit_add_id").input("dashuju")
    at.text_input(key="unit_add_name").input("县大数据中心")
    at.selectbox(key="unit_add_group").select("部门")
    at.selectbox(key="unit_add_kind").select("部门")
    at = press(at, "新增")
    assert any("已新增单位「县大数据中心」" in s for s in texts(at, "success")), texts(at, "error")
    at.selectbox(key="unit_rename_id").select("yushan")
    at.text_input(key="unit_rename_name").input("榆山新区街道")
    at = press(at, "更名")
    with open_store(demo_db) as store:
        register = store.units.register()
    assert register.by_id["dashuju"].active_from == MONTH
    assert register.by_id["yushan"].name_at(MONTH) == "榆山新区街道"
    assert register.by_id["yushan"].name_at("2022-09") == "榆山街道"  # history preserved
    table = frame(at, "更名记录")
    assert "榆山街道" in table[table["编号"] == "yushan"].iloc[0]["更名记录"]


def test_unit_register_is_read_only_for_an_editor(demo_db: Path) -> None:
    at = open_page("units_admin.py", EDITOR)
    assert len(frame(at, "更名记录")) > 20
    assert not [b for b in at.button if b.label in ("新增", "更名", "撤销")]
    assert any("仅限管理员" in m for m in texts(at, "info"))


def test_login_mode_can_switch_to_oidc_only_when_configured(demo_db: Path) -> None:
    at = open_page("accounts.py", ADMIN)
    mode = at.radio[[r.label for r in at.radio].index("登录方式")]
    assert mode.disabled and mode.value == "local"
    assert any("secrets.toml" in c for c in texts(at, "caption"))

    at = open_page("accounts.py", ADMIN, secrets={"auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "pingyin", "client_secret": "s",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }})
    mode = at.radio[[r.label for r in at.radio].index("登录方式")]
    assert not mode.disabled
    mode.set_value("oidc")
    at = press(at, "保存设置")
    with open_store(demo_db) as store:
        assert store.settings.get("auth_mode") == "oidc"
        changes = [e["detail"] for e in store.audit_log(action="meta.set") if e["who"] == "admin"]
    assert {"key": "auth_mode", "value": "oidc"} in changes
    del at.session_state["actor"]
    at = run(at)  # signed out: the navigation now offers the login page
    at = switch(at, "login.py")
    assert "使用统一身份认证登录" in [b.label for b in at.button]
    assert "登录" in [b.label for b in at.button]  # the platform's own accounts still work


def test_audit_page_reads_in_chinese_and_beijing_time(demo_db: Path) -> None:
    at = open_page("audit.py", ADMIN)
    log = frame(at, "详情")
    assert list(log.columns) == ["时间（北京时间）", "操作人", "操作", "详情"]
    imports = log[log["操作"] == "导入数据"]
    assert len(imports) == 10
    assert imports["详情"].str.startswith("月份：2022-").all()
    assert log["时间（北京时间）"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    assert [m.placeholder for m in at.multiselect] == ["全部操作人", "全部操作"]
