"""Real-browser figures: time to a fully drawn Home page vs a bare one-table page, same machine,
same run (target ≤ 1.5×). Run: `python benchmarks/bench_browser.py` (needs /usr/bin/chromium)."""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.live import chromium, have_browser, streamlit_server, wait_drawn  # noqa: E402

HOME_READY = ['[data-testid="stMetric"]', '[data-testid="stDataFrame"]']
BARE_READY = ['[data-testid="stDataFrame"]']


def time_page(browser, url: str, selectors: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(url)
        wait_drawn(page, *selectors)
        out.append(time.perf_counter() - t0)
        ctx.close()
    return out


def demo_copy(tmp: Path) -> Path:
    from credit.demo import build_demo

    master = Path(tempfile.gettempdir()) / "credit-bench-demo.db"
    if not master.exists():
        build_demo(master)
    dest = tmp / "demo.db"
    shutil.copyfile(master, dest)
    return dest


def main(runs: int = 7) -> dict[str, float] | None:
    reason = have_browser()
    if reason:
        print(f"跳过浏览器基准：{reason}")
        return None
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        db = demo_copy(Path(tmp))
        with streamlit_server(root / "benchmarks" / "bare_app.py") as bare_url:
            time_page(browser, bare_url, BARE_READY, 1)  # warm-up
            bare = time_page(browser, bare_url, BARE_READY, runs)
        with streamlit_server(root / "Home.py", db=db) as home_url:
            cold = time_page(browser, home_url, HOME_READY, 1)[0]
            home = time_page(browser, home_url, HOME_READY, runs)
    b, h = statistics.median(bare), statistics.median(home)
    print("浏览器中页面完全绘制用时（Debian chromium 无头模式，中位数）：")
    print(f"  基准页（一个表格）   {b * 1000:7.0f} ms")
    print(f"  首页（月度排名）     {h * 1000:7.0f} ms   首次（缓存未命中）{cold * 1000:.0f} ms")
    print(f"  比值                 {h / b:7.2f}×   目标 ≤ 1.5×   {'达标' if h / b <= 1.5 else '未达标'}")
    return {"bare_ms": b * 1000, "home_ms": h * 1000, "home_cold_ms": cold * 1000, "ratio": h / b}


if __name__ == "__main__":
    main()
