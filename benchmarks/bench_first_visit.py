"""The first visit of a page on a new server against a later visit of the same page, in the browser.

    python -m benchmarks.bench_first_visit [--pairs 2]

Issue 28 saw the first 单位详情 of a new server take 42–48 s on a loaded machine where a later visit
took a few: every page paid its libraries (plotly.express, the 拼音 dictionaries) and its first
computations at the first person's first visit. Each pair starts a new server on a copy of the demo
database, signs in as 领导, stays on the first page for a few seconds as a person reads it, then
opens 单位详情 (first visit), goes to 月度排名 and back to 单位详情 (a later visit). The figure is the
ratio of the medians; both sides come from the same servers, so load hits both.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, demo_copy, run_pairs
from tests.support.live import chromium, have_browser, login, new_context, rerun_drawn, streamlit_server
from tests.support.paths import ROOT

READ_FIRST_PAGE_S = 5  # a person looks at the ranking before going on


def visit_s(page, title: str) -> float:
    """From the sidebar link's click to the page's run finished and drawn (`rerun_drawn`: the run that
    the click started, not the page before it), its heading shown."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    t0 = time.perf_counter()
    rerun_drawn(page, link.click, timeout=180_000)
    page.get_by_role("heading", name=title).first.wait_for(timeout=180_000)
    return time.perf_counter() - t0


def measure(pairs: int) -> list[Figure]:
    reason = have_browser()
    if reason:
        print(f"跳过浏览器基准：{reason}")
        return []
    first, later = [], []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for i in range(pairs):
            work = Path(tmp) / str(i)
            work.mkdir()
            db = demo_copy(work)
            with streamlit_server(ROOT / "Home.py", db=db) as url:
                ctx = new_context(browser, 1400, 1000, timeout=180_000)
                page = ctx.new_page()
                login(page, url, "leader", "demo-leader-1")
                page.wait_for_timeout(READ_FIRST_PAGE_S * 1000)
                first.append(visit_s(page, "单位详情"))
                visit_s(page, "月度排名")
                later.append(visit_s(page, "单位详情"))
                ctx.close()
    f, s = statistics.median(first), statistics.median(later)
    return [Figure("first_unit_page", "新启动的服务首次打开单位详情 / 之后再次打开", f / s, "×", 2.0, "≤",
                   f"{f:.2f} s / {s:.2f} s，{pairs} 次新启动服务，登录后在首页停留 {READ_FIRST_PAGE_S} s")]


def main() -> None:
    run_pairs(measure, __doc__, pairs=2)


if __name__ == "__main__":
    main()
