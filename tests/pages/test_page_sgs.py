"""双公示预检 page through AppTest as 信用办: upload → problems and predictions → download →
preview → confirm writes one 部门 version; a refused file; the rules tab; hidden from 领导."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from credit.app import sgs
from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.model.sgs_rules import default_rules_text
from tests.app.test_sgs_service import faulty
from tests.support.apptest import EDITOR, VIEWER, XLSX, navigation_mode, open_page, press, switch, texts  # noqa: F401
from tests.support.sgs import LICENCE_HEADERS, PENALTY_HEADERS, codes_xlsx, licence, penalty, xlsx
from ui.nav import DATA, _allowed, registered

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
    # 计入指标 by the framework's names for people (the codes are only in the column's tooltip); 行 a number
    assert len(problems) == 7 and set(problems["计入指标"]) == {"上报数据合规率", "上报数据及时率", "有效异议数量"}
    assert problems["行"].dtype == "Int64" and not any("D2" in v or "D15" in v for v in problems["计入指标"])
    assert "下载问题清单（Excel）" in [b.proto.label for b in at.get("download_button")]
    with open_store(demo_db) as store:
        n = len(store.datasets.versions(MONTH, "部门"))
    at = press(at, "生成导入预览")
    changes = next(df.value for df in at.dataframe if "填入值" in df.value.columns)
    assert dict(zip(changes["数据项"], changes["填入值"])) == {
        "本月双公示上报数据量": "8", "本月双公示错误数据条数": "3", "本月双公示迟报数据条数": "2"}
    with open_store(demo_db) as store:
        assert len(store.datasets.versions(MONTH, "部门")) == n  # the preview wrote nothing
    at = press(at, "确认导入")
    assert any("已导入" in s and "部门" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert len(store.datasets.versions(MONTH, "部门")) == n + 1
        rec = next(r for r in store.datasets.current_sheet(MONTH, "部门") if r["unit_id"] == "shichangjianguan")
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
    shown = " ".join(texts(at, "markdown") + texts(at, "caption"))
    assert "字段取自全国“双公示”数据标准" in shown  # said for people: no "[interp]", no package version, no codes
    assert "[interp]" not in shown and "chinese-calendar" not in shown and "→" not in shown
    at = upload(at, "sgs-rules-file", "sgs_rules.toml", b"report_days = ")
    assert any("规则文件有误" in e for e in texts(at, "error"))
    new = default_rules_text().replace("report_days = 7", "report_days = 9").encode()
    at = upload(at, "sgs-rules-file", "sgs_rules.toml", new)
    at = press(at, "保存为新版本")
    assert any("已保存新版本规则" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert "report_days = 9" in store.settings.get("sgs_rules")
    at = press(at, "恢复默认规则")
    with open_store(demo_db) as store:
        assert "report_days = 7" in store.settings.get("sgs_rules")


def test_hidden_from_viewer() -> None:
    """Registered for 信用办/管理员 only (a 领导 account cannot reach it, not even by URL)."""
    assert "pages/sgs.py" not in [e[0] for e in _allowed(DATA, VIEWER)]
    assert "pages/sgs.py" in [e[0] for e in _allowed(DATA, EDITOR)]


def test_a_unit_account_checks_only_its_own_records_and_cannot_fill_them_in(demo_db: Path) -> None:
    """被考核单位 (发改局): the page lists only its own unit; the check runs; "apply" is the office's."""
    fagai = Actor("fagaiju", "unit", "发改局", "fagai")
    dong = Actor("dongezhen", "unit", "东阿镇", "dong_e")
    assert "pages/sgs.py" in [e[0] for e in _allowed(DATA, fagai)]
    at = open_page("sgs.py", fagai)
    at.selectbox(key="sgs_month").set_value(MONTH).run()
    assert at.selectbox(key="sgs_unit").options == ["发改局"]
    at = upload(at, "sgs-file", "导出.xlsx", faulty())
    assert "共 8 条记录" in " ".join(texts(at, "markdown"))
    assert not [b for b in at.button if b.key == "sgs-plan"]  # no 生成导入预览 for a unit account
    assert "填入" not in at.selectbox(key="sgs_month").label  # no mention of a button it does not have
    # a town has no 行政许可/行政处罚 export: 双公示预检 is not in its menu at all (nor reachable by URL)
    assert "pages/sgs.py" not in [f for f, _ in registered(dong, login_required=False)]
    assert "pages/sgs.py" in [f for f, _ in registered(fagai, login_required=False)]


def test_the_page_month_follows_the_sidebar_month(demo_db: Path) -> None:
    at = open_page(None, EDITOR)
    at.session_state["month"] = "2022-09"
    at = switch(at, "sgs.py")
    assert at.selectbox(key="sgs_month").value == "2022-09"  # not the next month to collect (2022-11)
    assert "“填入”" in at.selectbox(key="sgs_month").label  # the office does have the button


OFFICIAL = {"处罚决定日期": "作出行政处罚决定日期", "上报日期": "公示时间", "行政处罚决定书文号": "行政处罚决定文书号",
            "统一社会信用代码": "行政相对人代码_1(统一社会信用代码)", "行政相对人名称": "*行政相对人名称"}


def _penalty_file(rename: dict[str, str], records: list[dict]) -> bytes:
    return xlsx([], records, headers=(LICENCE_HEADERS, [rename.get(h, h) for h in PENALTY_HEADERS]))


def _renamed(rec: dict, rename: dict[str, str]) -> dict:
    return {rename.get(k, k): v for k, v in rec.items()}


def test_official_header_variants_give_the_same_result(demo_db: Path) -> None:
    """作出行政处罚决定日期 / 公示时间 / 行政处罚决定文书号 …: read as the standard's fields — no false
    必填项 errors, lateness checked (one late record found), the file not refused."""
    # 2022-10-09 was a 调休 Sunday: 10-09, 10-10…14, 10-17…20 = 10 working days after the decision
    late = penalty(行政处罚决定书文号="P9", 处罚决定日期="2022-10-08", 上报日期="2022-10-20")
    raw = _penalty_file(OFFICIAL, [_renamed(penalty(), OFFICIAL), _renamed(late, OFFICIAL)])
    at = upload(page(), "sgs-file", "省平台导出.xlsx", raw)
    problems = next(df.value for df in at.dataframe if "修改建议" in df.value.columns)
    assert list(problems["问题类型"]) == ["迟报"] and list(problems["行"]) == [4]
    assert list(problems["字段"]) == ["公示时间"]  # the file's own column name, not 上报日期
    assert "公示时间（2022-10-20）距作出行政处罚决定日期（2022-10-08）10 个工作日" in problems["问题"][0]
    assert not any("必填项" in m for m in texts(at, "markdown") + texts(at, "warning"))


def test_a_missing_column_is_unchecked_then_mapped_and_remembered(demo_db: Path) -> None:
    """Unknown headers for 处罚决定日期 and 上报日期: no 199-row 必填项 list and no "0 条": one notice,
    the lateness card says 未检查; the office maps the two columns, the check runs; the next upload of
    the same export for the unit is read with the mapping (stored, audited)."""
    odd = {"处罚决定日期": "决定作出时间", "上报日期": "网上公示时间"}
    late = penalty(行政处罚决定书文号="P9", 处罚决定日期="2022-10-08", 上报日期="2022-10-20")
    raw = _penalty_file(odd, [_renamed(penalty(), odd), _renamed(late, odd)])
    at = upload(page(), "sgs-file", "导出.xlsx", raw)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["迟报数据"] == "未检查" and metrics["错误数据"] == "0 条"
    assert any("已检查的部分发现 **0** 个问题，部分检查未进行" in m for m in texts(at, "markdown"))
    assert any("未检查：" in m and "无法判断是否迟报" in m for m in texts(at, "markdown"))
    assert not any("为必填项" in str(df.value) for df in at.dataframe)
    assert any("「处罚决定日期」" in w and "未检查" in w for w in texts(at, "warning"))
    at.selectbox(key="sgs-map-行政处罚-处罚-处罚决定日期").select("决定作出时间")
    at.selectbox(key="sgs-map-行政处罚-处罚-上报日期").select("网上公示时间")
    at = press(at, "保存列对应并重新检查")
    assert any("已保存列对应" in s for s in texts(at, "success"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["迟报数据"] == "1 条"
    problems = next(df.value for df in at.dataframe if "修改建议" in df.value.columns)
    assert list(problems["字段"]) == ["网上公示时间"] and list(problems["行"]) == [4]
    with open_store(demo_db) as store:
        assert store.sgs_columns.get("shichangjianguan", by=EDITOR) == {"处罚": {"处罚决定日期": "决定作出时间",
                                                                      "上报日期": "网上公示时间"}}
        assert store.audit_log(limit=1)[0]["action"] == "sgs.columns"
    at = upload(page(), "sgs-file", "导出（下月）.xlsx", raw)  # remembered: a new session reads it at once
    assert {m.label: m.value for m in at.metric}["迟报数据"] == "1 条"
    assert any("已按本单位保存的列对应读取" in c for c in texts(at, "caption"))
    at = press(at, "取消这些列对应")  # a wrong choice is undone: both fields unread again, audited
    assert any("已取消 2 项列对应" in s for s in texts(at, "success"))
    assert {m.label: m.value for m in at.metric}["迟报数据"] == "未检查"
    with open_store(demo_db) as store:
        assert store.sgs_columns.get("shichangjianguan", by=EDITOR) == {}
        assert [r["action"] for r in store.audit_log(limit=2)] == ["sgs.columns.forget"] * 2


def test_records_outside_the_month_are_warned_and_a_blank_template_is_offered(demo_db: Path) -> None:
    raw = xlsx([licence()], [penalty(), penalty(行政处罚决定书文号="P2", 上报日期="2022-10-31")])
    at = upload(page(), "sgs-file", "导出.xlsx", raw)  # two records reported in 11月, one in 10月
    assert any("有 2 条记录的日期不在所选的 2022年10月（2022年11月 2 条）" in w for w in texts(at, "warning"))
    assert "下载空白导出模板（Excel）" in [b.proto.label for b in at.get("download_button")]


def test_problem_list_excel_row_is_a_number(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        unit = sgs.resolve_unit(store.units.register(), "市场监管局", MONTH)
        report = sgs.run_check(store, unit, MONTH, faulty(), "导出.xlsx", by=EDITOR)
    ws = load_workbook(io.BytesIO(sgs.problems_excel(report)))["问题清单"]
    header = [c.value for c in ws[1]]
    rows = [ws.cell(r, header.index("行") + 1).value for r in range(2, ws.max_row + 1)]
    assert rows and all(isinstance(v, int) for v in rows)
    named = {ws.cell(r, header.index("计入指标") + 1).value for r in range(2, ws.max_row + 1)}
    assert named == {"上报数据合规率", "上报数据及时率", "有效异议数量"}


def test_guide_names_indicators_for_people(demo_db: Path) -> None:
    at = open_page("guide.py", EDITOR)
    text = " ".join(texts(at, "markdown"))
    assert "“双公示”预检规则" in " ".join(texts(at, "subheader"))
    for jargon in ("[interp]", "data/sgs_rules.toml", "→D2a", "→ D2a", "D2a、D2b、D15a、D5"):
        assert jargon not in text
    assert "重复公示计入“上报数据合规率、有效异议数量”" in text


def test_calendar_tab_office_enters_2027_and_the_unit_reads_it(demo_db: Path) -> None:
    at = page()
    assert any("2027 年尚无该年的放假安排" in w for w in texts(at, "warning"))
    at.selectbox(key="sgs-cal-year").select(2027)
    at.run()
    at.text_area(key="sgs-cal-off-2027").input("2027-01-01 至 2027-01-03\n2027-02-06 至 2027-02-12")
    at.text_area(key="sgs-cal-on-2027").input("2027-02-14")
    at = press(at, "保存该年安排")
    assert any("已保存 2027 年：放假 10 天、调休上班 1 天" in s for s in texts(at, "success"))
    years = next(df.value for df in at.dataframe if "工作日来源" in df.value.columns)
    sources = dict(zip(years["年份"], years["工作日来源"]))
    assert sources["2027 年"] == "本平台录入"
    assert sources["2026 年"] == "程序内置日历（国务院办公厅历年放假通知，收录至 2026 年）"  # no package name
    with open_store(demo_db) as store:
        assert store.audit_log(limit=1)[0]["action"] == "workdays.set"
    at.text_area(key="sgs-cal-on-2027").input("2027-02-15")  # a Monday: refused, nothing written
    at = press(at, "保存该年安排")
    assert any("未保存" in e and "周六或周日" in e for e in texts(at, "error"))
    fagai = Actor("fagaiju", "unit", "发改局", "fagai")
    at = open_page("sgs.py", fagai)
    assert not [b for b in at.button if b.label == "保存该年安排"]  # read-only for a unit
    assert any("2027 年" in m and "2027-02-14" in m for m in texts(at, "markdown"))
