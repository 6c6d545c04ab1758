"""The one wrong-type refusal every upload path asks first (the uploaders pass no `type=`, so
Streamlit never shows its English "… files are not allowed"); the content checks stay behind it."""

from __future__ import annotations

import pytest

from credit.app.sgs import uploaded_rules
from credit.common.filetypes import (
    EVIDENCE_TYPES,
    RULES_TYPES,
    TABLE_TYPES,
    WORKBOOK_TYPES,
    FileTypeError,
    check_type,
    extension,
    type_error,
)
from credit.errors import CreditError, WorkbookError
from credit.model.sgs_rules import default_rules_text
from credit.workbook.registers import sniff_evidence
from credit.workbook.safety import check_upload
from credit.workbook.sgs_reader import read_sheets

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56)


@pytest.mark.parametrize(("name", "ext"), [
    ("报表.xlsx", ".xlsx"), ("报表.XLSX", ".xlsx"), ("报表.Xls", ".xls"), ("a.xlsx.exe", ".exe"),
    ("报表", ""), (".xlsx", ""), ("", ""), ("C:\\Users\\办公室\\报表.xlsx", ".xlsx"), ("目录.xlsx/报表", ""),
    ("报表.xlsx ", ".xlsx"),
])
def test_extension_is_the_last_suffix_of_the_base_name(name: str, ext: str) -> None:
    assert extension(name) == ext


@pytest.mark.parametrize("name", ["报表.xlsx", "报表.XLSX", "报表.xls", "十月.Xlsx"])
def test_workbook_names_accepted_in_any_case(name: str) -> None:
    assert type_error(name, WORKBOOK_TYPES) is None
    check_type(name, WORKBOOK_TYPES)  # does not raise


@pytest.mark.parametrize("name", ["报表.pdf", "setup.exe", "报表", "a.xlsx.exe", "宏.xlsm", "名单.csv", ".xlsx"])
def test_other_names_refused_in_chinese_naming_file_and_types(name: str) -> None:
    expected = f"「{name}」不是可上传的文件类型：这里只接受 .xlsx、.xls"
    assert type_error(name, WORKBOOK_TYPES) == expected
    with pytest.raises(FileTypeError, match="^" + expected.replace(".", r"\.") + "$"):
        check_type(name, WORKBOOK_TYPES)


def test_each_upload_lists_its_own_types() -> None:
    assert type_error("x.txt", TABLE_TYPES) == "「x.txt」不是可上传的文件类型：这里只接受 .xlsx、.xls、.csv"
    assert type_error("x.txt", EVIDENCE_TYPES) == "「x.txt」不是可上传的文件类型：这里只接受 .pdf、.doc、.docx"
    assert type_error("x.txt", RULES_TYPES) == "「x.txt」不是可上传的文件类型：这里只接受 .toml"
    assert type_error("", WORKBOOK_TYPES) == "「（未命名）」不是可上传的文件类型：这里只接受 .xlsx、.xls"
    assert issubclass(FileTypeError, CreditError)


# ---- the paths: the workbook importer's raw check, 双公示 tables, evidence, the rules file ----------


@pytest.mark.parametrize("name", ["setup.exe", "报表", "a.xlsx.exe", "报表.pdf"])
def test_check_upload_refuses_the_name_before_reading_the_bytes(name: str) -> None:
    [e] = check_upload(EXE, name)
    assert e.message == f"「{name}」不是可上传的文件类型：这里只接受 .xlsx、.xls"
    assert e.hint == "请选择 .xlsx、.xls 文件后重新上传"
    assert str(e) == f"文件：{e.message}（{e.hint}）"


def test_a_pdf_renamed_xlsx_passes_the_name_and_is_refused_by_its_bytes() -> None:
    [e] = check_upload(PDF, "报表.xlsx")
    assert e.message == "文件「报表.xlsx」不是有效的 Excel 工作簿（.xlsx 或 .xls）"
    [e] = check_upload(PDF, "报表.XLSX")  # upper case: the same content refusal, not a type refusal
    assert "不是有效的 Excel 工作簿" in e.message


def test_sgs_tables_accept_csv_and_refuse_other_names() -> None:
    assert read_sheets("统一社会信用代码\n91110000600037341L\n".encode(), "清单.CSV") == [
        ("清单.CSV", [["统一社会信用代码"], ["91110000600037341L"]])]
    with pytest.raises(WorkbookError) as caught:
        read_sheets(b"a,b\n1,2\n", "清单.txt")
    assert [e.message for e in caught.value.errors] == ["「清单.txt」不是可上传的文件类型：这里只接受 .xlsx、.xls、.csv"]


@pytest.mark.parametrize("name", ["方案.pdf.exe", "方案", "方案.xlsx"])
def test_evidence_names_refused_before_the_content(name: str) -> None:
    with pytest.raises(FileTypeError, match=f"^「{name}」不是可上传的文件类型：这里只接受 \\.pdf、\\.doc、\\.docx$"):
        sniff_evidence(PDF, name)


def test_evidence_upper_case_accepted_and_a_renamed_program_refused_by_content() -> None:
    assert sniff_evidence(PDF, "方案.PDF") == "pdf"
    with pytest.raises(CreditError, match="不是有效的 PDF 或 Word 文档"):
        sniff_evidence(EXE, "方案.pdf")


def test_rules_file_by_name_then_encoding_then_content() -> None:
    text = default_rules_text()
    assert uploaded_rules(text.encode("utf-8"), "sgs_rules.TOML") == text
    with pytest.raises(FileTypeError, match="「规则.txt」不是可上传的文件类型：这里只接受 \\.toml"):
        uploaded_rules(text.encode("utf-8"), "规则.txt")
    with pytest.raises(CreditError, match="「规则.toml」不是 UTF-8 编码的文本文件"):
        uploaded_rules(text.encode("utf-16"), "规则.toml")
    with pytest.raises(CreditError):
        uploaded_rules(b"report_days = ", "规则.toml")
