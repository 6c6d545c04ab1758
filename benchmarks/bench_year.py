"""The 年度 page's draw against the monthly ranking page (Home), in a real browser, in the same run:
on the county demo (2022 and the start of 2023) and on a 5,000-unit register with all twelve months
of 2022.

    python -m benchmarks.bench_year [--pairs 3]

Each database has every month already scored and stored (as a live server leaves it once its pages
ran). One server per database; the first visit to each page after its start is reported apart
(the server's caches are empty then); then visits alternate ranking, year, ranking, year … and the
medians are the figures. A visit is a fresh browser session opening the page's URL until every
table and chart is drawn.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_browser import HOME_READY
from benchmarks.bench_large import build, first_load
from benchmarks.figures import Figure, emit
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
            for month in store.months_with_data():
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


def visits(browser, db: Path, pairs: int) -> tuple[float, float, list[float], list[float], list[float]]:
    """(first ranking, first year, ranking visits, year visits, rank-tab switches) on one server on `db`."""
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        first_rank = first_load(url, browser, HOME_READY)
        first_year = first_load(url, browser, YEAR_READY, "/year")
        rank, year, tab = [], [], []
        for _ in range(pairs):
            rank.append(first_load(url, browser, HOME_READY))
            year.append(first_load(url, browser, YEAR_READY, "/year"))
        for _ in range(pairs):
            tab.append(rank_tab(browser, url))
    return first_rank, first_year, rank, year, tab


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
            fr, fy, rank, year, tab = visits(browser, db, pairs)
            r, y, t = statistics.median(rank), statistics.median(year), statistics.median(tab)
            figures.append(Figure(key, f"年度分析页绘制完成（{label}）", y, "s", goal, "<",
                                  f"浏览器，新会话打开到页面绘制完成（年度结果表；图表在各自的标签页，选中时才绘制），{pairs} 次中位数；同一服务上月度排名页 {r:.2f} s；"
                                  f"服务启动后首次：年度 {fy:.2f} s、月度排名 {fr:.2f} s"))
            figures.append(Figure(f"{key}_ranks", f"年度分析页切换到“各月排名”（排名图和表）绘制完成（{label}）", t, "s",
                                  None, "<", f"浏览器，{pairs} 次中位数"))
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    emit(measure(args.pairs), args.json)


if __name__ == "__main__":
    main()
