"""月度闭环 in a real browser as 信用办: 报送进度 → 保存文稿 → 签发 → re-import with 更正说明 → 更正通报."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from credit.app.demo import demo_months, fill_template
from credit.app.service import open_store
from credit.model.contract import SHEET_TOWN
from credit.model.units import load_units
from credit.workbook.template import build_template
from tests.app.test_bulletin_text import check_text_against_tables, paragraphs, tables
from tests.support.live import have_browser, login, open_page, wait_drawn
from tests.support.people import pick

VIEWPORT, TIMEOUT_MS = (1400, 1000), 120_000  # the shared `page` fixture's tab
REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")


def no_error(page) -> None:
    wait_drawn(page)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def _frozen(db: Path, pub_id: int) -> str:
    with open_store(db) as store:
        return json.dumps(store.publishing.published_scores(pub_id), ensure_ascii=False)


def test_office_publishes_then_corrects_a_month(server, page, tmp_path: Path) -> None:
    url, db = server
    login(page, url, "office", "demo-office-1")
    open_page(page, "月度通报")
    page.get_by_role("heading", name="2022年10月报送进度").wait_for()
    assert "0 项" in page.get_by_test_id("stMetric").filter(has_text="未报送").inner_text()
    page.get_by_text("2022年10月状态：待签发").first.wait_for()  # everyone reported, not signed (issue 23)

    # edit 下步要求 and save the text
    area = page.get_by_label("下步要求")
    area.fill("一是各单位于 11 月 10 日前报送整改情况。")
    page.get_by_role("button", name="保存文稿").click()
    page.get_by_text("文稿已保存。").wait_for()
    no_error(page)

    # 签发 with a number, the default date (today) and a signer
    page.get_by_label("文号").fill("平信用办〔2026〕1号")
    page.get_by_label("签发人").fill("张三")
    page.get_by_role("button", name="签发通报").click()
    page.get_by_text("已签发通报 平信用办〔2026〕1号。").wait_for(timeout=180_000)
    no_error(page)
    page.get_by_text(re.compile("2022年10月状态：已签发（通报 平信用办〔2026〕1号")).first.wait_for()
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="下载PDF").first.click()
    assert dl.value.path().read_bytes().startswith(b"%PDF")
    with open_store(db) as store:
        first = store.publishing.current_publication("2022-10")
        assert first["text"]["requirements"] == "一是各单位于 11 月 10 日前报送整改情况。"
        _, docx, _ = store.publishing.publication_file(first["id"], "docx")
    from docx import Document

    assert "一是各单位于 11 月 10 日前报送整改情况。" in [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    frozen = _frozen(db, first["id"])

    # re-import October with more articles for 榆山街道: refused without a reason, then accepted
    register = load_units()
    october = next(d for d in demo_months(register) if d.month == "2022-10")
    next(r for r in october.sheets[SHEET_TOWN] if r["单位名称"] == "榆山街道")["本月报送信用动态稿件数"] = 6
    with open_store(db) as store:
        upload = tmp_path / "更正_2022-10.xlsx"
        upload.write_bytes(fill_template(build_template("2022-10", store.units.register()), october))
    open_page(page, "数据上传")
    pick(page, "① 选择数据所属月份", re.compile("^2022年10月"))
    no_error(page)
    page.get_by_text(re.compile("的通报已签发（平信用办〔2026〕1号）")).wait_for()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    page.get_by_role("heading", name=re.compile("④ 导入预览")).wait_for()
    no_error(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("该月通报已签发，请先填写更正说明").wait_for()
    no_error(page)
    page.get_by_label("更正说明（必填）").fill("榆山街道漏报 6 篇信用动态稿件")
    page.get_by_label("更正说明（必填）").press("Enter")
    wait_drawn(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile("已导入 2022年10月")).first.wait_for()
    no_error(page)
    assert _frozen(db, first["id"]) == frozen  # the published record did not move

    # 更正通报: the diff shows 榆山街道, then a new number referencing the original
    open_page(page, "月度通报")
    page.get_by_text(re.compile("2022年10月状态：更正中")).first.wait_for()
    page.get_by_role("heading", name="签发更正通报").wait_for()
    page.get_by_text("更正候选与已发布结果的差异").wait_for()
    # the saved text was written against the old figures: out of date, signing waits for a new save
    page.get_by_text("文稿已过期").wait_for()
    page.get_by_role("button", name="保存文稿").click()
    page.get_by_text("文稿已保存。").wait_for()
    no_error(page)
    assert page.get_by_text("文稿已过期").count() == 0
    page.get_by_label("文号").fill("平信用办〔2026〕2号")
    page.get_by_label("签发人").fill("张三")
    page.get_by_label(re.compile("更正说明")).fill("榆山街道漏报稿件，更正排名")
    page.get_by_role("button", name="签发更正通报").click()
    page.get_by_text("已签发更正通报 平信用办〔2026〕2号。").wait_for(timeout=180_000)
    no_error(page)
    page.get_by_text(re.compile("更正 平信用办〔2026〕1号：榆山街道漏报稿件，更正排名")).wait_for()
    with open_store(db) as store:
        pubs = store.publishing.publications("2022-10")
    assert [(p["number"], p["kind"]) for p in pubs] == [("平信用办〔2026〕2号", "correction"),
                                                         ("平信用办〔2026〕1号", "original")]
    assert _frozen(db, first["id"]) == frozen
    # the issued 更正通报 states its 更正说明 and what changed, and its text agrees with its tables
    with open_store(db) as store:
        _, fixed, _ = store.publishing.publication_file(pubs[0]["id"], "docx")
    assert "更正说明：榆山街道漏报稿件，更正排名。" in paragraphs(fixed)
    assert any(r[0] == "榆山街道" for t in tables(fixed) if t[0][:2] == ["单位", "指标"] for r in t[1:])
    assert check_text_against_tables(fixed) >= 10
