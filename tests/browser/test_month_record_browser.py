"""Observation 3 of issue 23 in a real browser, as 信用办: after October is signed, a correction
import on 数据上传 shows the change (record → 更正候选), and the 月度通报 page says the very same."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from credit.app.demo import demo_months, fill_template
from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.contract import SHEET_TOWN
from credit.workbook.template import build_template
from tests.support.actors import EDITOR
from tests.support.live import have_browser, login, open_page, wait_drawn
from tests.support.people import pick

VIEWPORT, TIMEOUT_MS = (1400, 1000), 120_000
REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
NOTE = re.compile(r"2022年10月已签发；按现有数据计算的更正候选与已签发记录不同：[^。]+。")


def no_error(page) -> None:
    wait_drawn(page)
    assert page.get_by_test_id("stException").count() == 0


def test_upload_and_bulletin_pages_show_one_comparison(server, page, tmp_path: Path) -> None:
    url, db = server
    with open_store(db) as store:
        publish_month(store, "2022-10", "平信用办〔2022〕10号", date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        register = store.register()
        record = {r["unit"]: r["score"] for r in store.publishing.published_scores(
            store.publishing.current_publication("2022-10")["id"], "镇街")}
    october = next(d for d in demo_months(register) if d.month == "2022-10")
    next(r for r in october.sheets[SHEET_TOWN] if r["单位名称"] == "榆山街道")["信易贷融资需求金额（万元）"] = 9999
    upload = tmp_path / "更正_2022-10.xlsx"
    upload.write_bytes(fill_template(build_template("2022-10", register), october))

    login(page, url, "office", "demo-office-1")
    open_page(page, "数据上传")
    pick(page, "① 选择数据所属月份", re.compile("^2022年10月"))
    page.get_by_text(re.compile("的通报已签发（平信用办〔2022〕10号）")).wait_for()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    page.get_by_role("heading", name=re.compile("④ 导入预览")).wait_for()
    no_error(page)
    for box in page.get_by_text(re.compile("确认无误")).all():  # a tenfold rise asks for a tick first
        box.click()
        wait_drawn(page)
    page.get_by_label("更正说明（必填）").fill("榆山街道融资需求金额漏报")
    page.get_by_label("更正说明（必填）").press("Enter")
    wait_drawn(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile("已导入 2022年10月")).first.wait_for()
    no_error(page)
    on_upload = page.get_by_text(NOTE).first.inner_text()
    page.get_by_text("本月通报已签发：下表比较已签发记录与按现有数据计算的更正候选").wait_for()
    yushan = re.search(r"榆山街道 ([\d.]+)→([\d.]+)", on_upload)
    assert yushan and float(yushan.group(1)) == round(record["榆山街道"], 2)
    assert yushan.group(1) != yushan.group(2)  # the change is shown, not "79.48 → 79.48"

    open_page(page, "月度通报")
    page.get_by_text("更正候选与已发布结果的差异").wait_for()
    on_bulletin = page.get_by_text(NOTE).first.inner_text()
    assert on_bulletin == on_upload
    no_error(page)
