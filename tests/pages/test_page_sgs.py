"""双公示预检 page through AppTest as 信用办: upload → problems and predictions → download →
preview → confirm writes one 部门 version; a refused file; the rules tab; hidden from 领导."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from credit.app.service import open_store
from credit.model.sgs import default_rules_text
from tests.app.test_sgs_service import faulty
from tests.support.apptest import EDITOR, VIEWER, XLSX, navigation_mode, open_page, press, texts  # noqa: F401
from tests.support.sgs import codes_xlsx
from ui.nav import DATA, _allowed

MONTH = "2022-10"


def page(month: str = MONTH) -> AppTest:
    at = open_page("sgs.py", EDITOR)
    at.selectbox(key="sgs_month").set_value(month).run()
    unit = next(o for o in at.selectbox(key="sgs_unit").options if o == "市场监管局")
    at.selectbox(key="sgs_unit").select(unit).run()
    assert not at.exception
    return at


def upload(at: AppTest, key: str, name: str, raw: bytes) -> AppTest:
    uploader = next(u for u in at.file_uploader if u.proto.id.endswith(key) or key in str(u.proto.id))
    uploader.set_value((name, raw, XLSX))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_check_download_preview_confirm(demo_db: Path) -> None:
    at = upload(page(), "sgs-file", "导出.xlsx", faulty())
    body = " ".join(texts(at, "markdown"))
    assert "共 8 条记录" in body and "按当前规则预计扣 0.3 分" in body
    problems = next(df.value for df in at.dataframe if "修改建议" in df.value.columns)
    assert len(problems) == 7 and set(problems["计入指标"]) <= {"D2a", "D2b", "D15a", "D2a、D15a"}
    assert "下载问题清单（Excel）" in [b.proto.label for b in at.get("download_button")]
    with open_store(demo_db) as store:
        n = len(store.versions(MONTH, "部门"))
    at = press(at, "生成导入预览")
    changes = next(df.value for df in at.dataframe if "填入值" in df.value.columns)
    assert dict(zip(changes["数据项"], changes["填入值"])) == {
        "本月双公示上报数据量": "8", "本月双公示错误数据条数": "3", "本月双公示迟报数据条数": "2"}
    with open_store(demo_db) as store:
        assert len(store.versions(MONTH, "部门")) == n  # the preview wrote nothing
    at = press(at, "确认导入")
    assert any("已导入" in s and "部门" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert len(store.versions(MONTH, "部门")) == n + 1
        rec = next(r for r in store.current_sheet(MONTH, "部门") if r["unit_id"] == "shichangjianguan")
        assert rec["本月双公示错误数据条数"] == 3
    assert "确认导入" not in [b.label for b in at.button]


def test_refused_file_and_code_list(demo_db: Path) -> None:
    at = upload(page(), "sgs-file", "导出.xlsx", b"not a workbook")
    assert any("无法检查" in e for e in texts(at, "error"))
    at = upload(at, "sgs-codes", "codes.xlsx", codes_xlsx(["91110000600037341L", "91110000600037341L", "123"]))
    assert any("重错码 **2** 条" in m for m in texts(at, "markdown"))
    assert any("按当前规则预计扣 1 分" in m for m in texts(at, "markdown"))


def test_rules_tab_replace_and_reset(demo_db: Path, tmp_path: Path) -> None:
    at = page()
    assert any("[interp]" in m for m in texts(at, "markdown"))
    at = upload(at, "sgs-rules-file", "sgs_rules.toml", b"report_days = ")
    assert any("规则文件有误" in e for e in texts(at, "error"))
    new = default_rules_text().replace("report_days = 7", "report_days = 9").encode()
    at = upload(at, "sgs-rules-file", "sgs_rules.toml", new)
    at = press(at, "保存为新版本")
    assert any("已保存新版本规则" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert "report_days = 9" in store.get_meta("sgs_rules")
    at = press(at, "恢复默认规则")
    with open_store(demo_db) as store:
        assert "report_days = 7" in store.get_meta("sgs_rules")


def test_hidden_from_viewer() -> None:
    """Registered for 信用办/管理员 only (a 领导 account cannot reach it, not even by URL)."""
    assert "pages/sgs.py" not in [e[0] for e in _allowed(DATA, VIEWER)]
    assert "pages/sgs.py" in [e[0] for e in _allowed(DATA, EDITOR)]


def test_a_unit_account_checks_only_its_own_records_and_cannot_fill_them_in(demo_db: Path) -> None:
    """被考核单位 (发改局): the page lists only its own unit; the check runs; "apply" is the office's."""
    from credit.model.accounts import Actor

    fagai = Actor("fagaiju", "unit", "发改局", "fagai")
    dong = Actor("dongezhen", "unit", "东阿镇", "dong_e")
    assert "pages/sgs.py" in [e[0] for e in _allowed(DATA, fagai)]
    at = open_page("sgs.py", fagai)
    at.selectbox(key="sgs_month").set_value(MONTH).run()
    assert at.selectbox(key="sgs_unit").options == ["发改局"]
    at = upload(at, "sgs-file", "导出.xlsx", faulty())
    assert "共 8 条记录" in " ".join(texts(at, "markdown"))
    assert not [b for b in at.button if b.key == "sgs-plan"]  # no 生成导入预览 for a unit account
    at = open_page("sgs.py", dong)  # a town: 双公示预检 is for 部门 only
    at.selectbox(key="sgs_month").set_value(MONTH).run()
    assert any("没有可检查的部门" in w for w in texts(at, "warning"))
