"""The warm PDF converter (unoserver over one kept LibreOffice) and its fallback: the same PDF as a
one-shot `soffice`, reused across conversions, replaced when it dies, and — when LibreOffice's Python
bindings are missing — one-shot conversions with the reason told by `doctor`."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from credit.app.doctor import check_libreoffice
from credit.app.service import open_store
from credit.reports import pdf
from credit.reports.bulletin import build_bulletin_data
from credit.reports.exports import render_docx

pytestmark = pytest.mark.slow  # runs LibreOffice


@pytest.fixture(scope="module")
def docx(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if pdf.soffice_path() is None or not shutil.which("pdftotext"):
        pytest.skip("未安装 LibreOffice / poppler-utils，无法验证 PDF")
    db = tmp_path_factory.mktemp("pdfconv") / "demo.db"
    shutil.copyfile(demo_db_master, db)
    with open_store(db) as store:
        return render_docx(build_bulletin_data(store, "2022-10"))


@pytest.fixture
def fresh_converter(monkeypatch: pytest.MonkeyPatch):
    """No converter from an earlier test, and none left running after this one; this process serves
    (as the web app does after `serve_warm`)."""
    pdf.stop_warm_converter()
    pdf._warm_refused = None
    monkeypatch.setattr(pdf, "_serving", True)
    yield
    pdf.stop_warm_converter()
    pdf._warm_refused = None


def _text_and_fonts(data: bytes, tmp: Path, name: str) -> tuple[str, list[tuple[str, str]]]:
    path = tmp / f"{name}.pdf"
    path.write_bytes(data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    fonts = sorted({(re.sub(r"^[A-Z]{6}\+", "", r.split()[0]), r.split()[-5]) for r in rows})
    return text, fonts


def test_warm_conversion_equals_one_shot_and_is_reused(docx: bytes, tmp_path: Path, fresh_converter) -> None:
    if not pdf.warm_status()[0]:
        pytest.skip(f"常驻转换不可用：{pdf.warm_status()[1]}")
    first = pdf.docx_to_pdf(docx)
    converter = pdf.warm_converter()
    assert converter is not None and converter.alive()
    second = pdf.docx_to_pdf(docx)
    assert pdf.warm_converter() is converter  # the same LibreOffice served both
    one_shot = pdf._one_shot(docx, "通报", pdf.soffice_path())
    warm_text, warm_fonts = _text_and_fonts(first, tmp_path, "warm")
    shot_text, shot_fonts = _text_and_fonts(one_shot, tmp_path, "one")
    assert warm_text == shot_text and "2022年10月" in warm_text
    assert warm_fonts == shot_fonts and all(emb == "yes" for _, emb in warm_fonts)
    assert _text_and_fonts(second, tmp_path, "again")[0] == warm_text


def test_a_dead_converter_is_replaced(docx: bytes, fresh_converter) -> None:
    if not pdf.warm_status()[0]:
        pytest.skip(f"常驻转换不可用：{pdf.warm_status()[1]}")
    pdf.docx_to_pdf(docx)
    dead = pdf.warm_converter()
    dead.proc.kill()
    dead.proc.wait(30)
    assert pdf.docx_to_pdf(docx).startswith(b"%PDF-")
    assert pdf.warm_converter() is not dead and pdf.warm_converter().alive()


def test_without_uno_conversions_are_one_shot_and_doctor_says_why(
        docx: bytes, monkeypatch: pytest.MonkeyPatch, fresh_converter) -> None:
    monkeypatch.setattr(pdf, "uno_python", lambda: None)  # as on a machine without python3-uno
    assert pdf.warm_status() == (False, "找不到带 LibreOffice Python 接口（uno）的 Python（Debian：apt-get install python3-uno）")
    assert pdf.docx_to_pdf(docx).startswith(b"%PDF-")
    assert pdf.warm_converter() is None
    check = check_libreoffice()
    assert check.level == "提示" and "python3-uno" in check.found + check.fix


def test_a_run_that_does_not_serve_converts_one_shot_and_starts_nothing(
        docx: bytes, monkeypatch: pytest.MonkeyPatch, fresh_converter) -> None:
    """A CLI run converts one file: a LibreOffice kept for later would cost it more than it saves."""
    monkeypatch.setattr(pdf, "_serving", False)
    assert pdf.docx_to_pdf(docx).startswith(b"%PDF-")
    assert pdf._warm is None


def test_serve_warm_prestarts_in_the_background(docx: bytes, monkeypatch: pytest.MonkeyPatch, fresh_converter) -> None:
    """The page where the office signs starts the converter without waiting for it; the first
    conversion then finds it running (or waits on the same start — never a second LibreOffice)."""
    if not pdf.warm_status()[0]:
        pytest.skip(f"常驻转换不可用：{pdf.warm_status()[1]}")
    monkeypatch.setattr(pdf, "_serving", False)
    started: list[int] = []
    real_start = pdf._start_warm
    monkeypatch.setattr(pdf, "_start_warm", lambda soffice: started.append(1) or real_start(soffice))
    t0 = time.perf_counter()
    pdf.serve_warm(prestart=True)
    pdf.serve_warm(prestart=True)  # a second page view while starting: no second start
    assert time.perf_counter() - t0 < 0.5
    assert pdf.docx_to_pdf(docx).startswith(b"%PDF-")
    assert started == [1] and pdf._warm is not None and pdf._warm.alive()
