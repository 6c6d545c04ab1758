"""Chinese end to end where Streamlit would draw English: the uploaders pass no `type=` (Streamlit's
own check says "… files are not allowed"), so a wrong type reaches the page and is refused there
in Chinese, nothing written; 成文日期 is a text box read by credit (no English calendar)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.model.sgs_rules import default_rules_text
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    EDITOR,
    acknowledge,
    good_workbook,
    navigation_mode,
    open_page,
    press,
    run,
    texts,
    upload,
)
from tests.support.paths import ROOT

MONTH = "2022-10"
DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56)


def _uploader_calls() -> list[tuple[str, ast.Call]]:
    out = []
    for path in [ROOT / "Home.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "file_uploader":
                out.append((path.relative_to(ROOT).as_posix(), node))
    return out


def test_no_uploader_lets_streamlit_check_the_type_and_each_label_names_the_types() -> None:
    calls = _uploader_calls()
    assert len(calls) == 10  # upload 1, sgs 4, registers 2, unit_desk 3
    assert [f"{f}:{c.lineno}" for f, c in calls if any(k.arg == "type" for k in c.keywords)] == []
    labels = [c.args[0].value for _, c in calls]
    unnamed = [label for label in labels if not any(t in label for t in (".xlsx", ".toml", "PDF"))]
    assert unnamed == []
    assert not any(c.func.attr == "date_input" for f, _ in calls
                   for c in ast.walk(ast.parse((ROOT / f).read_text(encoding="utf-8"))) if isinstance(c, ast.Call)
                   and isinstance(c.func, ast.Attribute))


def versions(db: Path) -> list[tuple[str, int]]:
    with open_store(db) as store:
        return sorted((v["sheet"], v["version"]) for v in store.datasets.versions(MONTH))


@pytest.mark.parametrize(("name", "raw"), [("报表.pdf", PDF), ("setup.exe", EXE), ("报表", EXE), ("十月.xlsx.exe", EXE)])
def test_upload_page_refuses_a_wrong_type_in_chinese_and_writes_nothing(demo_db: Path, name: str, raw: bytes) -> None:
    before = versions(demo_db)
    at = upload(open_page("upload.py", EDITOR), (name, raw), month=MONTH)
    assert texts(at, "error") == [f"发现 1 处问题（文件：{name}），未导入任何数据。请按“修改建议”改正后重新上传。"]
    [table] = [t.value for t in at.table]
    assert table[["问题", "修改建议"]].values.tolist() == [
        [f"「{name}」不是可上传的文件类型：这里只接受 .xlsx、.xls", "请选择 .xlsx、.xls 文件后重新上传"]]
    assert "confirm" not in [b.key for b in at.button]
    assert versions(demo_db) == before


def test_upload_page_a_pdf_renamed_xlsx_is_refused_by_its_content(demo_db: Path) -> None:
    at = upload(open_page("upload.py", EDITOR), ("报表.xlsx", PDF), month=MONTH)
    [table] = [t.value for t in at.table]
    assert list(table["问题"]) == ["文件「报表.xlsx」不是有效的 Excel 工作簿（.xlsx 或 .xls）"]


def test_upload_page_accepts_an_upper_case_extension(demo_db: Path) -> None:
    before = versions(demo_db)
    at = acknowledge(upload(open_page("upload.py", EDITOR), ("十月.XLSX", good_workbook(demo_db, MONTH)), month=MONTH))
    assert texts(at, "error") == []
    at = press(at, "确认导入")
    assert versions(demo_db) == sorted([*before, ("镇街", 2)])


def test_unit_desk_refuses_at_once_and_holds_the_submit_button(demo_db: Path) -> None:
    at = open_page("unit_desk.py", DONG)
    at.file_uploader(key="unit-file").set_value(("填报.pdf", PDF, "application/pdf"))
    at = run(at)
    assert "「填报.pdf」不是可上传的文件类型：这里只接受 .xlsx、.xls，未提交。" in texts(at, "error")
    assert at.button[[b.label for b in at.button].index("提交填报文件")].disabled
    with open_store(demo_db) as store:
        assert store.unit_desk.submissions(DONG) == []


def test_evidence_of_a_wrong_type_is_refused_before_the_save_button(demo_db: Path) -> None:
    at = open_page("registers.py", EDITOR)
    at.file_uploader[0].set_value([("方案.pdf", PDF, "application/pdf"), ("方案.pdf.exe", EXE, "application/octet-stream")])
    at = run(at)
    assert texts(at, "error") == ["「方案.pdf.exe」不是可上传的文件类型：这里只接受 .pdf、.doc、.docx，未保存。"]
    assert "reg0-save-files" not in [b.key for b in at.button]
    with open_store(demo_db) as store:
        assert store.registers.evidence_files(2022, by=EDITOR) == []


def _sgs_page() -> AppTest:
    at = open_page("sgs.py", EDITOR)
    at.selectbox(key="sgs_month").set_value(MONTH).run()
    at.selectbox(key="sgs_unit").select("市场监管局").run()
    return at


def test_sgs_uploads_refuse_wrong_types_in_chinese(demo_db: Path) -> None:
    at = _sgs_page()
    at.file_uploader(key="sgs-file").set_value(("导出.pdf", PDF, "application/pdf"))
    at = run(at)
    assert "文件有 1 处问题，无法检查：" in texts(at, "error")
    problems = next(df.value for df in at.dataframe if "问题" in df.value.columns)
    assert list(problems["问题"]) == ["「导出.pdf」不是可上传的文件类型：这里只接受 .xlsx、.xls、.csv"]
    at.file_uploader(key="sgs-rules-file").set_value(("规则.txt", default_rules_text().encode(), "text/plain"))
    at = run(at)
    assert "规则文件有误，未保存：「规则.txt」不是可上传的文件类型：这里只接受 .toml" in texts(at, "error")
    assert "保存为新版本" not in [b.label for b in at.button]


def _date_box(at: AppTest):
    return next(t for t in at.text_input if t.label == "成文日期")


def test_issue_date_is_a_chinese_text_box_read_by_credit(demo_db: Path) -> None:
    at = open_page("bulletin.py", EDITOR)
    box = _date_box(at)
    assert len(box.value) == 10 and box.value[4] == "-" and box.value[7] == "-"  # today (Beijing), YYYY-MM-DD
    assert not at.get("date_input")
    form = [t for t in at.text_input if t.key and t.key.startswith("pub-")]
    month = box.key.removeprefix("pub-date-text-")
    for t in form:
        if t.label == "文号":
            t.set_value("平信用办〔2022〕10号")
        elif t.label == "签发人":
            t.set_value("张三")
    box.set_value("2022-02-30")
    at = press(at, "签发通报")
    assert "成文日期「2022-02-30」不是有效的日期，请按 2022-11-05 的格式填写（也可写 2022年11月5日）。" in texts(at, "error")
    _date_box(at).set_value("2022年10月31日")
    at = press(at, "签发通报")
    assert any(f"早于或等于 {month} 的月末" in e for e in texts(at, "error")), texts(at, "error")
    with open_store(demo_db) as store:
        assert store.publishing.current_publication(month) is None


def test_the_chip_error_names_the_configured_size_limit() -> None:
    """With no `type=`, Streamlit's only chip error is its size limit (or a failed transfer): the
    Chinese text that replaces its English tooltip must name the limit the config sets."""
    import tomllib

    from ui.style import CSS, UPLOAD_REFUSED

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert f"单个文件不能超过 {config['server']['maxUploadSize']} MB" in UPLOAD_REFUSED
    assert f'content: "{UPLOAD_REFUSED}"' in CSS
    uploaders = {f for f, c in _uploader_calls() if any(k.arg == "max_upload_size" for k in c.keywords)}
    assert uploaders == set()  # a smaller per-widget limit would make that text wrong; credit refuses in Chinese
