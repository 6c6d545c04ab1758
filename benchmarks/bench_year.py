"""The 年度 page's draw against the monthly ranking page (Home), in a real browser, in the same run:
on the county demo (2022 and the start of 2023) and on a 5,000-unit register with all twelve months
of 2022.

    python -m benchmarks.bench_year [--pairs 3]

Each database has every month already scored and stored (as a live server leaves it once its pages
ran). One server per database; the first visit to each page after its start is reported apart
(the server's caches are empty then); then new sessions alternate ranking, year …; the figure is
one session moving between the two pages through the sidebar (year, ranking, year …), each until
drawn, as a reader does. The charts sit in tabs drawn when chosen: that switch is measured too.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_browser import HOME_READY
from benchmarks.bench_large import build, first_load
from benchmarks.figures import Figure, run_pairs
from credit.app.demo import build_demo
from credit.app.service import open_store, score
from credit.common.labels import GROUPS
from tests.support.live import chromium, have_browser, new_context, rerun_drawn, streamlit_server, wait_drawn
from tests.support.paths import ROOT

YEAR_READY = ['[data-testid="stDataFrame"]']  # the annual table; charts are in tabs drawn when chosen
N_UNITS = 5000
LARGE_MONTHS = tuple(f"2022-{m:02d}" for m in range(1, 13))
TMP = Path(tempfile.gettempdir())
COUNTY_MASTER = TMP / "credit-bench-year-demo.db"
LARGE_MASTER = TMP / f"credit-large-{N_UNITS}-year.db"


def scored(master: Path, make) -> Path:
    """`master` built once per machine by `make(path)`, with every month of both groups scored."""
    if not master.exists():
        t0 = time.perf_counter()
        building = master.with_suffix(".building")
        building.unlink(missing_ok=True)
        make(building)
        with open_store(building) as store:
            for month in store.datasets.months_with_data():
                for group in GROUPS:
                    score(store, month, group)
        building.rename(master)
        print(f"生成 {master.name}，用时 {time.perf_counter() - t0:.0f} s", flush=True)
    return master


def rank_tab(browser, url: str) -> float:
    """Choosing the 各月排名 tab of an open 年度 page until its rank chart and table are drawn."""
    ctx = new_context(browser, 1400, 1000, 180_000)  # with the run watch rerun_drawn reads
    page = ctx.new_page()
    page.goto(url + "/year")
    wait_drawn(page, *YEAR_READY, timeout=180_000)
    t0 = time.perf_counter()
    rerun_drawn(page, lambda: page.get_by_role("tab", name="各月排名").click(), timeout=180_000)
    wait_drawn(page, '[data-testid="stPlotlyChart"]', timeout=180_000)
    dt = time.perf_counter() - t0
    ctx.close()
    return dt


def _go(page, title: str, heading: str, ready: list[str]) -> float:
    """Click `title` in the sidebar (the same session) until that page has drawn."""
    t0 = time.perf_counter()
    rerun_drawn(page, lambda: page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click(),
                timeout=180_000)
    page.get_by_role("heading", name=heading).wait_for()
    wait_drawn(page, *ready, timeout=180_000)
    return time.perf_counter() - t0


def navigate(browser, url: str, pairs: int) -> tuple[list[float], list[float]]:
    """In one session, as a reader moves between them: 年度分析, 月度排名, 年度分析 … (each until drawn)."""
    ctx = new_context(browser, 1400, 1000, 180_000)
    page = ctx.new_page()
    page.goto(url)
    wait_drawn(page, *HOME_READY, timeout=180_000)
    rank, year = [], []
    for _ in range(pairs):
        year.append(_go(page, "年度分析", "年度分析", YEAR_READY))
        rank.append(_go(page, "月度排名", "平阴县社会信用体系建设月度排名", HOME_READY))
    ctx.close()
    return rank, year


def visits(browser, db: Path, pairs: int) -> dict[str, object]:
    """On one server started on `db`: first visits after the start, new-session visits, in-session
    navigation between the two pages, and the 各月排名 tab switch."""
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        out: dict[str, object] = {"first_rank": first_load(url, browser, HOME_READY),
                                  "first_year": first_load(url, browser, YEAR_READY, "/year")}
        rank, year = [], []
        for _ in range(pairs):
            rank.append(first_load(url, browser, HOME_READY))
            year.append(first_load(url, browser, YEAR_READY, "/year"))
        out["new_rank"], out["new_year"] = statistics.median(rank), statistics.median(year)
        nav_rank, nav_year = navigate(browser, url, pairs)
        out["nav_rank"], out["nav_year"] = statistics.median(nav_rank), statistics.median(nav_year)
        out["tab"] = statistics.median([rank_tab(browser, url) for _ in range(pairs)])
    return out


def measure(pairs: int) -> list[Figure]:
    reason = have_browser()
    if reason:
        print(f"跳过：{reason}")
        return []
    county = scored(COUNTY_MASTER, build_demo)
    large = scored(LARGE_MASTER, lambda p: build(p, N_UNITS, LARGE_MONTHS))
    figures = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for key, label, master, goal in (("year_county", "县级演示库", county, 1.0),
                                         ("year_large", f"{N_UNITS:,} 个单位、12 个月", large, 3.0)):
            db = Path(tmp) / master.name
            shutil.copyfile(master, db)
            v = visits(browser, db, pairs)
            figures.append(Figure(key, f"年度分析页绘制完成（{label}）", v["nav_year"], "s", goal, "<",
                                  f"浏览器，同一会话从侧栏点开到绘制完成，{pairs} 次中位数；同一运行中月度排名页 "
                                  f"{v['nav_rank']:.2f} s。新会话打开：年度 {v['new_year']:.2f} s、月度排名 "
                                  f"{v['new_rank']:.2f} s；服务启动后首次：年度 {v['first_year']:.2f} s、月度排名 "
                                  f"{v['first_rank']:.2f} s（年度结果表；图表在各自的标签页，选中时才绘制）"))
            figures.append(Figure(f"{key}_ranks", f"年度分析页切换到“各月排名”（排名图和表）绘制完成（{label}）", v["tab"],
                                  "s", None, "<", f"浏览器，{pairs} 次中位数"))
    return figures


def main() -> None:
    run_pairs(measure, __doc__, pairs=3)


if __name__ == "__main__":
    main()
