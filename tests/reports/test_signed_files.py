"""The files a 签发 stores: the PDF is converted while the Excel file is written (issue 28), and a
failure of either stops the 签发 before anything is stored."""

from __future__ import annotations

import threading

import pytest

from credit.errors import CreditError
from credit.reports import pdf


def test_the_pdf_is_converted_while_the_excel_file_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    excel_started = threading.Event()
    overlapped: list[bool] = []

    def converter(docx: bytes, stem: str) -> bytes:
        overlapped.append(excel_started.wait(timeout=10))  # sequential code would wait here in vain
        return b"%PDF-" + docx

    def excel() -> bytes:
        excel_started.set()
        return b"xlsx"

    monkeypatch.setattr(pdf, "docx_to_pdf", converter)
    files = pdf.signed_files("通报_1号", b"docx", excel, pdf_stem="通报")
    assert overlapped == [True]
    assert files == {"docx": ("通报_1号.docx", b"docx"), "xlsx": ("通报_1号.xlsx", b"xlsx"),
                     "pdf": ("通报_1号.pdf", b"%PDF-docx")}
    assert list(files) == ["docx", "xlsx", "pdf"]


def test_without_pdf_nothing_is_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "docx_to_pdf", lambda *_: pytest.fail("converted"))
    assert set(pdf.signed_files("a", b"d", lambda: b"x", pdf_stem="a", with_pdf=False)) == {"docx", "xlsx"}


def test_a_failed_conversion_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_):
        raise CreditError("LibreOffice 未能生成 PDF：无输出")

    monkeypatch.setattr(pdf, "docx_to_pdf", broken)
    with pytest.raises(CreditError, match="未能生成 PDF"):
        pdf.signed_files("a", b"d", lambda: b"x", pdf_stem="a")
