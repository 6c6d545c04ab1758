"""年度 in a real browser, on the whole demo (2022 and the start of 2023): 领导, 信用办 and a unit account
open it from the sidebar and click a row to a unit; a unit account opens only its own row."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit.app.annual_publish import signed_year
from credit.app.service import open_store
from credit.reports.annual import year_view
from tests.support.live import rerun_drawn, screenshot, streamlit_server, wait_drawn
from tests.support.paths import ROOT
from tests.support.people import assert_clean, pick, sign_in, visit

TIMEOUT_MS = 120_000  # a loaded 2-core box: the first draw of a year scores fourteen months


@pytest.fixture(scope="module")
def server(year_demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("year-browser") / "demo.db"
    shutil.copyfile(year_demo_db_master, db)
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        yield url, db


def _annual_rows(db: Path) -> list[str]:
    with open_store(db) as store:  # the page opens on the latest month's year: 2023
        return list(year_view(store, 2023, "镇街").annual.table["unit_id"])


def _click_row(page, grid, i: int) -> None:
    """Tick row `i`'s selection box (rows are 35 px under a 36 px header), as a reader does."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    rerun_drawn(page, lambda: page.mouse.click(box["x"] + 18, box["y"] + 36 + 35 * i + 17))


def _open_year(page, url: str, role: str) -> object:
    sign_in(page, url, role)
    visit(page, "年度分析")
    page.get_by_role("heading", name="年度分析").wait_for()
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    wait_drawn(page)
    assert_clean(page, f"{role}·年度分析")
    text = page.locator("body").inner_text()
    assert "年度结果（临时结果）" in text and "各月排名" in text and "近12个月" in text
    return grid


@pytest.mark.parametrize("role", ["领导", "信用办"])
def test_leader_and_office_open_the_year_and_click_a_row_to_a_unit(server, page, role: str) -> None:
    url, db = server
    grid = _open_year(page, url, role)
    screenshot(page, f"year_{role}")
    rows = _annual_rows(db)
    _click_row(page, grid, 2)
    page.get_by_role("heading", name="单位详情").wait_for()
    wait_drawn(page)
    assert f"unit={rows[2]}" in page.url and "month=2023-02" in page.url
    assert_clean(page, f"{role}·年度分析 → 单位详情")


def test_a_unit_account_sees_its_row_and_opens_only_its_own_unit(server, page) -> None:
    url, db = server
    grid = _open_year(page, url, "东阿镇")
    assert "分组：镇（街道）、开发区（本单位所在分组）" in page.locator("body").inner_text()
    screenshot(page, "year_东阿镇")
    rows = _annual_rows(db)
    other = next(i for i, u in enumerate(rows) if u != "dong_e")
    _click_row(page, grid, other)
    page.get_by_text("被考核单位账户只能打开本单位的详情。").wait_for()
    assert "unit=" not in page.url
    _click_row(page, grid, other)  # untick it
    _click_row(page, grid, rows.index("dong_e"))
    page.get_by_role("heading", name="单位详情").wait_for()
    wait_drawn(page)
    assert "unit=dong_e" in page.url
    assert "东阿镇" in page.locator("body").inner_text()
    assert_clean(page, "东阿镇·年度分析 → 单位详情")


TABS = {  # each tab: what it draws, and words a reader reads there
    "各月排名": ('[data-testid="stPlotlyChart"]', "“—”为当月未参加排名"),
    "得分率热力图": ('[data-testid="stPlotlyChart"]', ""),
    "进退与一级指标": ('[data-testid="stDataFrame"]', "进退情况（2023年1月 → 2023年2月）"),
    "近12个月": ('[data-testid="stDataFrame"]', "截至 2023年2月 的近 12 个月（可跨年度"),
}


@pytest.mark.parametrize("role", ["领导", "东阿镇"])
def test_every_tab_draws_clean(server, page, role: str) -> None:
    """Each lazily drawn tab (charts, movers, 近12个月 across the year boundary) opens without an
    error or a leftover code; 2022 as well as 2023 (a year whose December is in)."""
    url, _ = server
    _open_year(page, url, role)
    main = page.get_by_test_id("stMain")
    for year in ("2023年", "2022年"):
        if year == "2022年":
            pick(page, "年度", year)
            page.get_by_text("年度结果（临时结果）").wait_for()
        for tab, (drawn, words) in TABS.items():
            rerun_drawn(page, lambda tab=tab: main.get_by_role("tab", name=tab).click(), timeout=TIMEOUT_MS)
            wait_drawn(page, drawn, timeout=TIMEOUT_MS)
            text = page.locator("body").inner_text()
            if words and year == "2023年":
                assert words in text, (role, tab)
            assert_clean(page, f"{role}·{year}·{tab}")
        rerun_drawn(page, lambda: main.get_by_role("tab", name="年度结果").click(), timeout=TIMEOUT_MS)
    screenshot(page, f"year_tabs_{role}")


@pytest.mark.parametrize(("role", "number", "reason"), [("信用办", "平信用办〔2023〕1号", ""),
                                                      ("管理员", "平信用办〔2023〕2号", "12 月数据更正")])
def test_office_and_admin_sign_the_years_bulletin(server, page, role: str, number: str, reason: str) -> None:
    """信用办 signs 2022's 年度通报; 管理员 then signs its 更正 (the order of the parameters)."""
    url, db = server
    sign_in(page, url, role)
    visit(page, "年度分析")
    pick(page, "年度", "2022年")
    main = page.get_by_test_id("stMain")
    main.get_by_label("文号").fill(number)
    main.get_by_label("成文日期").fill("2023-01-06" if reason else "2023-01-05")
    main.get_by_label("签发人").fill("张三")
    if reason:
        main.get_by_label("更正说明（必填：为什么更正、更正了什么）").fill(reason)
    main.get_by_role("button", name="签发年度更正通报" if reason else "签发年度通报").click()
    what = "年度更正通报" if reason else "年度通报"
    page.get_by_text(f"已签发{what} {number}。").wait_for(timeout=240_000)  # Word, Excel and PDF rendered
    wait_drawn(page)
    assert_clean(page, f"{role}·签发{what}")
    assert f"已签发{what}：{number}" in page.locator("body").inner_text()
    with open_store(db) as store:
        assert signed_year(store, 2022).number == number
        assert {f["format"] for f in store.annual_publishing.current(2022)["files"]} == {"docx", "xlsx", "pdf"}
