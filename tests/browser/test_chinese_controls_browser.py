"""The two places Streamlit drew English, in a real Chromium set to an *English* browser language
(the hardest case: Streamlit's own texts follow no app setting, its calendar follows the browser):
a wrong file type on 数据上传 is refused in Chinese (the uploaders pass no `type=`, so Streamlit's
"… files are not allowed" never appears), and 成文日期 on 月度通报 is a text box that issues the
通报 with the date typed, Chinese errors for a bad one, and no calendar with English month names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credit.app.service import open_store
from tests.support.live import have_browser, login, open_page, rerun_drawn
from tests.support.people import assert_clean
from ui.style import UPLOAD_REFUSED

REASON = have_browser()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MONTHS_EN = ["January", "February", "March", "April", "June", "July", "August", "September", "October",
             "November", "December"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
STREAMLIT_EN = ["files are not allowed", "Browse files", "Drag and drop", "Choose date"]
LOCALE, TIMEOUT_MS = "en-US", 120_000  # the shared `page` fixture's tab: an English browser


def english_on(page) -> list[str]:
    """Streamlit's English and English month/weekday names in what the page shows (text and labels)."""
    text = page.locator("body").inner_text()
    labels = " ".join(page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(e => e.ariaLabel)"))
    return [w for w in (*STREAMLIT_EN, *MONTHS_EN, *WEEKDAYS_EN) if w in text or w in labels]


def test_a_wrong_file_type_is_refused_in_chinese(server, page, tmp_path: Path) -> None:
    url, db = server
    login(page, url, "office", "demo-office-1")
    open_page(page, "数据上传")
    with open_store(db) as store:
        before = store.data_version()
    wrong = tmp_path / "报表.pdf"
    wrong.write_bytes(PDF)
    rerun_drawn(page, lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(wrong)),
                timeout=120_000)
    page.get_by_text("发现 1 处问题（文件：报表.pdf），未导入任何数据。").wait_for()
    page.get_by_text("「报表.pdf」不是可上传的文件类型：这里只接受 .xlsx、.xls").wait_for()
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert english_on(page) == []
    assert_clean(page, "数据上传·错误类型")
    # the uploader itself: Chinese button and drop text, the types named in its label
    zone = page.get_by_test_id("stFileUploader")
    assert "（.xlsx 或 .xls" in zone.inner_text()
    # too large for server.maxUploadSize: Streamlit refuses on the chip, its English tooltip replaced
    big = tmp_path / "大文件.xlsx"
    big.write_bytes(bytes(21 * 1024 * 1024))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(big))
    chip = page.locator('[data-testid="stFileChip"][aria-invalid="true"]')
    chip.hover()
    tip = page.get_by_test_id("stTooltipErrorContent")
    tip.wait_for()
    shown = tip.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content]")
    assert shown == ["0px", f'"{UPLOAD_REFUSED}"']
    with open_store(db) as store:
        assert store.data_version() == before


def test_issue_date_is_typed_refused_in_chinese_then_accepted(server, page) -> None:
    url, db = server
    login(page, url, "office", "demo-office-1")
    open_page(page, "月度通报")
    page.get_by_text(re.compile("2022年10月状态：(待签发|采集中)")).first.wait_for()  # not yet signed
    assert page.get_by_test_id("stDateInput").count() == 0
    box = page.get_by_label("成文日期")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", box.input_value())  # today (Beijing) by default
    page.get_by_label("文号").fill("平信用办〔2022〕10号")
    page.get_by_label("签发人").fill("张三")
    box.fill("2022-02-30")
    rerun_drawn(page, lambda: page.get_by_role("button", name="签发通报").click(), timeout=120_000)
    page.get_by_text("成文日期「2022-02-30」不是有效的日期，请按 2022-11-05 的格式填写（也可写 2022年11月5日）。").wait_for()
    assert english_on(page) == []
    with open_store(db) as store:
        assert store.publishing.current_publication("2022-10") is None
    page.get_by_label("成文日期").fill("2022年11月5日")
    page.get_by_role("button", name="签发通报").click()
    page.get_by_text("已签发通报 平信用办〔2022〕10号。").wait_for(timeout=300_000)
    assert_clean(page, "月度通报·签发")
    assert english_on(page) == []
    with open_store(db) as store:
        pub = store.publishing.current_publication("2022-10")
    assert (pub["number"], pub["issued"]) == ("平信用办〔2022〕10号", "2022-11-05")
