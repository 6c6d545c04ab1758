"""Real-browser figures: time to a fully drawn Home page vs a bare one-table page, same machine,
same run (target ≤ 1.5×). Run: `python benchmarks/bench_browser.py` (needs /usr/bin/chromium)."""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.live import chromium, have_browser, login, open_page, rerun_drawn, streamlit_server, wait_drawn  # noqa: E402

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
    from credit.app.demo import build_demo

    master = Path(tempfile.gettempdir()) / "credit-bench-demo.db"
    if not master.exists():
        build_demo(master)
    dest = tmp / "demo.db"
    shutil.copyfile(master, dest)
    return dest


def time_whatif(browser, url: str, runs: int) -> list[float]:
    """From committing a new 营商环境 weight to the what-if ranking redrawn (script finished)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    login(page, url, "leader", "demo-leader-1")
    open_page(page, "权重模拟")
    box = page.get_by_label(re.compile("营商环境（官方"))
    out = []
    for i in range(runs + 1):
        value = str(30 + 5 * i)
        t0 = time.perf_counter()
        rerun_drawn(page, lambda v=value: (box.fill(v), box.press("Enter")))
        if i:  # the first change warms the page's caches
            out.append(time.perf_counter() - t0)
    ctx.close()
    return out


def time_upload_preview(browser, url: str, workbook: Path, runs: int) -> list[float]:
    """From choosing the month's workbook in the uploader to the validation preview drawn."""
    out = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        login(page, url, "office", "demo-office-1")
        open_page(page, "数据上传")
        t0 = time.perf_counter()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(workbook))
        # the preview's own heading, drawn only once the file is checked (the page's idle caption
        # also mentions 导入预览, so a plain text match would stop the clock at once)
        page.get_by_role("heading", name=re.compile("④ 导入预览")).wait_for(timeout=60_000)
        wait_drawn(page)
        out.append(time.perf_counter() - t0)
        ctx.close()
    return out


def month_workbook(tmp: Path) -> Path:
    """November's full workbook (all six sheets, county size), filled like the office would."""
    from credit.app.demo import MonthData, demo_months, fill_template
    from credit.model.units import load_units
    from credit.workbook.template import build_template

    register = load_units()
    october = demo_months(register)[-1]
    sheets = {k: v for k, v in october.sheets.items() if k in ("镇街", "部门", "全县", "信易+场景", "分级分类监管")}
    path = tmp / "2022-11.xlsx"
    path.write_bytes(fill_template(build_template("2022-11", register), MonthData("2022-11", sheets)))
    return path


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
            whatif = time_whatif(browser, home_url, runs)
            upload = time_upload_preview(browser, home_url, month_workbook(Path(tmp)), max(3, runs // 2))
    b, h = statistics.median(bare), statistics.median(home)
    w, u = statistics.median(whatif), statistics.median(upload)
    print("浏览器中页面完全绘制用时（Debian chromium 无头模式，中位数）：")
    print(f"  基准页（一个表格）   {b * 1000:7.0f} ms")
    print(f"  首页（月度排名）     {h * 1000:7.0f} ms   首次（缓存未命中）{cold * 1000:.0f} ms")
    print(f"  比值                 {h / b:7.2f}×   目标 ≤ 1.5×   {'达标' if h / b <= 1.5 else '未达标'}")
    print(f"  权重模拟：改一个权重到新排名绘制完成 {w * 1000:7.0f} ms   目标 < 500 ms   {'达标' if w < 0.5 else '未达标'}")
    print(f"  上传一个月工作簿到校验预览绘制完成 {u * 1000:7.0f} ms   目标 < 2000 ms   {'达标' if u < 2 else '未达标'}")
    return {"bare_ms": b * 1000, "home_ms": h * 1000, "home_cold_ms": cold * 1000, "ratio": h / b,
            "whatif_ms": w * 1000, "upload_preview_ms": u * 1000}


if __name__ == "__main__":
    main()
