"""Issue 22 §1 in a real browser: the 2 KB workbook whose one far cell sits at XFD1048576 once ended
the Streamlit server for every user. Uploaded here by the unit account 东阿镇 on 填报与申诉 and by
信用办 on 数据上传, it gets a Chinese refusal naming the sheet and the limit, nothing is written,
and a second user's page still answers afterwards (the same server process)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from credit.app.service import open_store
from tests.support import hostile_files as hf
from tests.support.live import have_browser, login, open_page, rerun_drawn, screenshot, wait_drawn

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
VIEWPORT = (1400, 1000)
TIMEOUT_MS = 120_000


def no_error(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def second_user_answers(tab, url: str) -> None:
    """Another person, logging in after the upload, gets the ranking drawn by the same server."""
    other = tab()
    login(other, url, "leader", "demo-leader-1")
    open_page(other, "月度排名")
    other.get_by_test_id("stDataFrame").first.wait_for()
    wait_drawn(other)
    no_error(other)


def hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "东阿镇_填报.xlsx"
    path.write_bytes(hf.far_cell())
    assert path.stat().st_size < 5 * 1024
    return path


def counts(db: Path) -> tuple[int, int]:
    """(audit rows, unit submissions): a refused upload adds neither."""
    with closing(sqlite3.connect(db)) as con:
        return (con.execute("SELECT COUNT(*) FROM audit").fetchone()[0],
                con.execute("SELECT COUNT(*) FROM unit_submissions").fetchone()[0])


def test_unit_account_uploads_the_far_cell_workbook_and_the_server_survives(server, tab, tmp_path: Path) -> None:
    url, db = server
    dong = tab()
    login(dong, url, "dongezhen", "demo-unit-1")
    open_page(dong, "填报与申诉")
    dong.get_by_role("tab", name="上传填报文件").click()
    before = counts(db)
    dong.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(hostile_file(tmp_path)))
    dong.get_by_text("东阿镇_填报.xlsx").first.wait_for()
    wait_drawn(dong)
    rerun_drawn(dong, lambda: dong.get_by_role("button", name="提交填报文件").first.click())
    # the unit desk lists a file's problems one per row (sheet, row, column, fix) in a table
    dong.get_by_text("发现 1 处问题，未提交。").first.wait_for()
    dong.get_by_test_id("stMain").get_by_test_id("stDataFrame").first.wait_for()
    no_error(dong)
    screenshot(dong, "hostile_upload_dongezhen")
    assert counts(db) == before  # nothing submitted, nothing audited
    second_user_answers(tab, url)


def test_office_uploads_the_far_cell_workbook_and_the_server_survives(server, tab, tmp_path: Path) -> None:
    url, db = server
    office = tab()
    login(office, url, "office", "demo-office-1")
    open_page(office, "数据上传")
    with open_store(db) as store:
        months = store.datasets.months_with_data()
    rerun_drawn(office, lambda: office.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(
        str(hostile_file(tmp_path))))
    office.get_by_text(re.compile("XFD1048576.*超过上限 50,000 行")).first.wait_for()
    no_error(office)
    screenshot(office, "hostile_upload_office")
    with open_store(db) as store:
        assert store.datasets.months_with_data() == months
    second_user_answers(tab, url)
    # and the office's own page still works: the next (good) upload is read by a fresh worker
    open_page(office, "数据上传")
    office.get_by_role("button", name="下载模板").wait_for()
