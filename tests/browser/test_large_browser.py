"""A 5,000-unit register in a real browser (issue 18): the unit page is searched, not listed —
typing part of a name opens that unit, a shared link opens its unit — and a what-if weight change
redraws one page of rows. The database is the benchmark's (built once into the temp directory
when absent, which takes a few minutes)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from benchmarks.bench_large import MASTER, MONTHS, build
from tests.support.live import have_browser, open_select, rerun_drawn, streamlit_server, wait_drawn
from tests.support.paths import ROOT

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
MONTH = MONTHS[-1]
VIEWPORT, TIMEOUT_MS = (1400, 1000), 120_000  # the shared `page` fixture's tab


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not MASTER.exists():
        build(MASTER)
    db = tmp_path_factory.mktemp("large") / "large.db"
    shutil.copyfile(MASTER, db)
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        yield url


def clean(page) -> None:
    wait_drawn(page, timeout=120_000)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def shown_unit(page) -> str:
    return page.locator(".st-key-unit_id").first.evaluate(
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")


def options(page) -> list[str]:
    open_select(page, page.locator(".st-key-unit_id").get_by_role("combobox"))
    texts = page.get_by_role("listbox").get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return texts


def test_typing_part_of_a_name_opens_that_unit(large_server: str, page) -> None:
    page.goto(f"{large_server}/unit?group=部门")
    clean(page)
    assert "共 4,991 个单位" in page.locator("body").inner_text()
    search = page.get_by_label("查找单位")
    rerun_drawn(page, lambda: (search.fill("市场监管"), search.press("Enter")), timeout=120_000)
    clean(page)
    assert "市场监管局" in shown_unit(page)
    assert "unit=shichangjianguan" in page.url
    assert options(page) == ["市场监管局"]
    rerun_drawn(page, lambda: (search.fill("合成部门0400"), search.press("Enter")), timeout=120_000)
    clean(page)
    listed = options(page)
    assert len(listed) == 10 and all(t.startswith("合成部门0400") for t in listed)


def test_a_shared_link_opens_its_unit(large_server: str, page) -> None:
    page.goto(f"{large_server}/unit?month={MONTH}&unit=合成部门04321")
    clean(page)
    assert "合成部门04321" in shown_unit(page)
    assert "group=部门" in unquote(page.url) and "unit=syn04321" in page.url
    page.goto(f"{large_server}/unit?month={MONTH}&unit=孝直镇")  # a town, as links did before
    clean(page)
    assert "孝直镇" in shown_unit(page)


def test_a_what_if_change_redraws_one_page_of_rows(large_server: str, page) -> None:
    page.goto(f"{large_server}/whatif?group=部门")
    clean(page)
    box = page.get_by_label("营商环境（官方", exact=False).first
    rerun_drawn(page, lambda: (box.fill("5"), box.press("Enter")), timeout=120_000)
    clean(page)
    moved = page.get_by_test_id("stMetric").filter(has_text="名次变化的单位").inner_text()
    assert "\n0 个" not in moved
    assert "共 4,991 个单位，每页 50 个" in page.locator("body").inner_text()
    assert page.get_by_role("button", name="下载 Excel").count() >= 1
    assert page.get_by_test_id("stPlotlyChart").count() == 0  # thousands of units: the chart waits to be opened
    opener = page.get_by_test_id("stExpander").filter(has_text="名次变化图（本页 50 个单位）").locator("summary")
    rerun_drawn(page, opener.click, timeout=120_000)
    clean(page)
    chart = page.get_by_test_id("stPlotlyChart")
    chart.wait_for(timeout=60_000)
    assert "官方排名" in chart.inner_text() and "模拟排名" in chart.inner_text()
