"""A month still being collected in a real browser: 信用办 downloads the draft Word 通报 from Home and
reads its ranking table (python-docx) — 孔村镇, which sent nothing, is 未报送 and not ranked, every
department too — and Home's own ranking download says the same, row for row."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from docx import Document

from credit.app.service import open_store
from credit.model.contract import SHEET_TOWN, UNIT_COL
from tests.support.live import have_browser, screenshot, wait_drawn
from tests.support.monthdata import import_month
from tests.support.people import assert_clean, chosen, sign_in

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
TIMEOUT_MS = 120_000  # two cores shared: a Word file and a Home rerun under load


def _drop_kongcun(data) -> None:
    data.sheets[SHEET_TOWN] = [r for r in data.sheets[SHEET_TOWN] if r[UNIT_COL] != "孔村镇"]


def _ranking_tables(path: Path) -> list[list[list[str]]]:
    doc = Document(str(path))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    return [t for t in tables if t and t[0][0] == "排名"]


def test_the_office_downloads_the_draft_word_of_a_collecting_month(server, page, tmp_path: Path) -> None:
    url, db = server
    with open_store(db) as store:
        import_month(store, "2022-11", _drop_kongcun, only=(SHEET_TOWN,))
    sign_in(page, url, "信用办")
    wait_drawn(page)
    assert "2022年11月" in chosen(page, "month")  # the office lands on the month it is collecting
    main = page.get_by_test_id("stMain")
    main.get_by_text(re.compile("2022年11月状态：采集中（40 个单位中已报送 8 个")).first.wait_for()
    assert_clean(page, "信用办 Home 采集中")
    screenshot(page, "draft-collecting-home-office")

    with page.expect_download(timeout=TIMEOUT_MS) as dl:
        main.get_by_role("button", name="下载 Word 通报").first.click()
    word = tmp_path / "草稿.docx"
    dl.value.save_as(word)
    towns, depts = _ranking_tables(word)
    assert towns[-1][:2] == ["—", "孔村镇"] and towns[-1][-3] == "未报送"  # its 得分率 cell
    assert [r[0] for r in towns[1:-1]] == [str(i) for i in range(1, 9)]
    assert len(depts) == 32 and {(r[0], r[-3]) for r in depts[1:]} == {("—", "未报送")}
    text = "\n".join(p.text for p in Document(str(word)).paragraphs)
    assert "草稿" in text and "孔村镇 1 个单位未报送、不参加排名" in text

    with page.expect_download(timeout=TIMEOUT_MS) as dl:
        main.get_by_role("button", name="下载 CSV").first.click()  # Home's own 镇街 ranking, as shown
    home = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r["单位"] for r in home] == [r[1] for r in towns[1:]]
    assert [r["排名"] for r in home] == [r[0] for r in towns[1:-1]] + ["—"]
    assert home[-1]["状态"] == "未报送" and home[-1]["得分率"] == "—"
    for row, word_row in zip(home[:-1], towns[1:-1], strict=True):  # the same 得分率, two decimals
        assert f"{float(row['得分率']):.2f}" == word_row[-3]
