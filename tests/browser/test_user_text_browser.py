"""Issue 22 in a real browser: a 申诉理由 and a 文号 written as Markdown show as typed (no link, no
image from another site) on 报送审核 and 月度通报; 东阿镇's "下载 Excel 通报" on 月度排名 carries
only its own detail and is marked as a draft; the tables offer no CSV download of their own."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.accounts import Actor
from tests.support.actors import EDITOR
from tests.support.live import have_browser, screenshot, streamlit_server, wait_drawn
from tests.support.paths import ROOT
from tests.support.people import sidebar_month, sign_in, visit
from ui.safe import WORD_JOINER

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
TIMEOUT_MS = 120_000
DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")
LINK = "[点此查看](http://e.com)"
IMAGE = "![i](http://e.com/a.png)"
FOREIGN = 'a[href*="e.com"], img[src*="e.com"]'


def foreign(page) -> list[str]:
    """Every link to or image from the hostile site on the page, with where it sits."""
    return page.locator(FOREIGN).evaluate_all("els => els.map(e => e.parentElement.outerHTML.slice(0, 300))")


@pytest.fixture(scope="module")
def hostile_server(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("usertext") / "demo.db"
    shutil.copyfile(demo_db_master, db)
    with open_store(db) as store:
        month = store.unit_desk.collecting_month()
        store.unit_desk.raise_objection(DONG, month, "dong_e", "figure", f"{LINK} {IMAGE} www.e.com",
                                       field="本月出台信用制度文件数", proposed=2)
        publish_month(store, "2022-09", f"{LINK}〔2022〕90号", date(2022, 10, 5), "张三", EDITOR,
                      force_reason="测试", objections_confirmed=True, with_pdf=False)
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        yield url


def test_markdown_in_a_reason_and_a_number_shows_as_typed(hostile_server, page) -> None:
    sign_in(page, hostile_server, "信用办")
    visit(page, "报送审核")
    reason = page.get_by_text("点此查看", exact=False).first
    reason.wait_for()
    assert LINK in reason.inner_text().replace(WORD_JOINER, "")  # shown as typed (the joiner is invisible)
    assert foreign(page) == []
    screenshot(page, "usertext_review")
    visit(page, "月度通报")
    sidebar_month(page, "2022年9月")
    wait_drawn(page)
    page.get_by_text("〔2022〕90号", exact=False).first.wait_for()
    assert foreign(page) == []
    screenshot(page, "usertext_bulletin")


def test_a_unit_downloads_only_its_own_detail_and_tables_offer_no_csv(hostile_server, page) -> None:
    sign_in(page, hostile_server, "东阿镇")
    visit(page, "月度排名")
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载 Excel 通报").click()
    sheets = pd.read_excel(io.BytesIO(Path(dl.value.path()).read_bytes()), sheet_name=None, engine="calamine")
    assert set(sheets["镇街明细"]["单位"]) == {"东阿镇"} and sheets["部门明细"].empty
    assert set(sheets["扣分事项"]["单位"]) <= {"东阿镇"}
    assert "草稿" in sheets["总体情况"]["内容"].iloc[0]
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    page.wait_for_timeout(500)
    toolbar = page.get_by_test_id("stElementToolbar").first
    toolbar.get_by_role("button", name="Search").wait_for()  # the toolbar is drawn …
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0  # … without its CSV download
    screenshot(page, "usertext_unit_ranking")


@pytest.mark.parametrize("role", ["领导", "匿名"])
def test_readers_see_a_number_written_as_markdown_as_typed(hostile_server, page, role: str) -> None:
    """月度通报 as the readers who cannot write: the 文号 in the state line, the heading and 发布记录 is text."""
    sign_in(page, hostile_server, role)
    visit(page, "月度通报")
    sidebar_month(page, "2022年9月")
    wait_drawn(page)
    number = page.get_by_text("〔2022〕90号", exact=False).first
    number.wait_for()
    assert "[点此查看]" in number.inner_text()
    assert foreign(page) == []
