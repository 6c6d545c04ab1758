"""The screenshot walk (tools/screenshots.py) as a test: a 被考核单位 account opens every page and
tab of its menu at 1440×900 and at 390×844, and nothing a reader must not see is on any of them —
no exception box, no None/nan/NaT, no Streamlit English label, no icon-only upload button."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.support.live import have_browser, wait_drawn
from tools.screenshots import SIZES, findings, walk

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")


def test_findings_catch_what_a_reader_must_not_see() -> None:
    """The walk's checks themselves: each kind of leftover is reported, Chinese text is not."""
    problems, _ = findings("得分率 95.60\nBrowse files\n单位 None\n200MB per file", 1)
    assert problems == ["异常框 1 个", "英文：per file", "英文：Browse files", "空值：None"]
    assert findings("东阿镇 2022年10月 下载 Excel 通报（PDF）", 0) == ([], [])
    assert findings("Upload", 0)[0] == ["英文：Upload"] and findings("Uploaded", 0)[0] == []


def test_findings_catch_jargon_bare_codes_and_cut_words() -> None:
    """Issue 25's kinds: "[interp]", a rules file path, "→ D2a", "D2a、D2b、D15a", codes alone in a
    table's cells, a status cut to "已被新报送替…", Streamlit's English "Page not found"."""
    problems, _ = findings("规则 [interp] 见 data/sgs_rules.toml；必填项为空 → D2a；按 D2a、D2b、D15a 扣分", 0)
    assert problems == ["术语：[interp]", "术语：规则文件路径", "术语：箭头指向指标代码", "术语：成串的指标代码"]
    assert findings("Page not found", 0)[0] == ["英文：Page not found"]
    problems, _ = findings("", 0, ["D2a", "D2a、D15a", "上报数据合规率", "已被新报送替…", "东阿镇"])
    assert problems == ["表格中只有指标代码：D2a、D2a、D15a", "表格中被截断的文字：已被新报送替…"]
    # names with their codes, as 指标说明 shows them, are fine
    assert findings("D2a　“双公示”工作——上报数据合规率　3 分", 0, ["D2a 上报数据合规率"])[0] == []
    assert findings("为我们的理解**[interp]**，", 0)[0] == ["术语：[interp]", "未渲染的 Markdown：**"]
    assert findings("程序内置日历 chinese-calendar 1.11.0", 0)[0] == ["术语：程序包名和版本"]
    assert findings("程序内置日历（收录至 2026 年）", 0)[0] == []


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_unit_account_walks_every_page_clean(server, browser, tmp_path: Path, width: int, height: int) -> None:
    url, _ = server
    shots = list(walk(browser, url, "单位", width, height, tmp_path))
    titles = [s.title for s in shots]
    assert {"月度排名", "单位详情", "指标说明", "填报与申诉", "填报与申诉·上传填报文件", "我的账户"} <= set(titles)
    assert "双公示预检" not in titles  # the walk's unit is 东阿镇, a town: nothing to pre-check (issue 25)
    assert [(s.title, s.problems) for s in shots if s.problems] == []
    for s in shots:  # full page: as wide as the window, at least as tall
        w, h = Image.open(s.file).size
        assert w == width and h >= height, (s.title, w, h)


def test_toolbar_and_chart_tooltips_are_chinese(server, page) -> None:
    """A table's toolbar has no English "Download as CSV" (its export is off), and hovering a chart's
    modebar button shows Chinese (ui.style), not plotly's "Zoom"."""
    url, _ = server
    page.goto(url)
    wait_drawn(page, '[data-testid="stDataFrame"]', timeout=180_000)
    page.get_by_test_id("stDataFrame").first.hover()
    page.get_by_test_id("stElementToolbar").first.wait_for()
    # a table's own CSV download is off (client.disableDataExport, issue 22 §4): downloads go through
    # the platform's formula-safe buttons only, so no English "Download as CSV" can appear
    assert page.locator('button[aria-label="Download as CSV"]').count() == 0
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="单位详情").click()  # same session
    wait_drawn(page, ".js-plotly-plot", timeout=180_000)  # three charts; slow on a loaded machine
    page.locator(".js-plotly-plot").first.hover()
    zoom = page.locator('.modebar-btn[data-title="Zoom"]').first
    zoom.hover()
    assert zoom.evaluate("e => getComputedStyle(e, '::after').content") == '"框选放大"'
