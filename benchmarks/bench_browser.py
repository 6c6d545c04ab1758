"""Real-browser figures: time to a fully drawn Home page vs a bare one-table page (≤ 1.2×), from
pressing 登录 to the first page drawn vs a rerun of that page (≤ 1.5×), upload → preview (< 0.5 s),
same machine, same run. Run: `python -m benchmarks.bench_browser` (needs /usr/bin/chromium);
`--only login_first_page,upload_preview` measures some of them."""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from benchmarks.figures import Figure, demo_copy, emit
from tests.support.live import (
    DRAWN_WITH,
    chromium,
    have_browser,
    login,
    new_context,
    open_page,
    rerun_drawn,
    streamlit_server,
    wait_drawn,
)
from tests.support.paths import ROOT

HOME_READY = ['[data-testid="stMetric"]', '[data-testid="stDataFrame"]']
# Drawn (`DRAWN_WITH`) with the sidebar saying who is signed in: checked at every animation frame,
# so the login side is timed as finely as the rerun beside it.
# Its value is the moment (performance.now()) it first held, so a figure can start from a run's beginning.
SIGNED_IN_DRAWN = """(selectors) => {
  const side = document.querySelector('[data-testid="stSidebar"]');
  const drawn = side !== null && side.innerText.includes('当前用户：') && (""" + DRAWN_WITH + """)(selectors);
  return drawn ? performance.now() : false;
}"""
# When each run since the `n`th began (none when no run began: slice(-0) would be all of them).
RUNS_SINCE = "n => { const k = window.__stRun.started - n; return k > 0 ? window.__stRun.at.slice(-k) : []; }"
BARE_READY = ['[data-testid="stDataFrame"]']


def new_page(browser):
    """A fresh browser context (no cookies, no session) and its page."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    return ctx.new_page(), ctx


def time_page(browser, url: str, selectors: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        page, ctx = new_page(browser)
        t0 = time.perf_counter()
        page.goto(url)
        wait_drawn(page, *selectors)
        out.append(time.perf_counter() - t0)
        ctx.close()
    return out


class LoginTimes(NamedTuple):
    """One login and the rerun beside it, seconds."""

    login: float  # pressing 登录 → the first page fully drawn
    after_check: float  # the first page's own run began (the password was accepted) → drawn
    rerun: float  # the same page rerun in the same tab (its sidebar link) → drawn
    check: float  # one password check as the server makes it, same hash, same moment


def time_login_first_page(browser, url: str, pairs: int, username: str = "office",
                          password: str = "demo-office-1") -> list[LoginTimes]:
    """A B A B in one browser: A = from pressing 登录 to the first page after login fully drawn
    (the ranking's cards and table, the sidebar's 当前用户), B = a rerun of that same page in the
    same tab (its sidebar link clicked), drawn alike. Each pair is a fresh browser (no cookie),
    the first pair warms both sides and is not counted. Beside each pair, one password check as
    the server makes it (same hash, same machine, same moment): the floor the login cannot go
    below while the hash keeps its strength. A is also taken from the moment the first page's own
    run began — the login page's run ends (st.switch_page) once the check has accepted the
    password — to show what the page itself costs after the deliberate wait."""
    from credit.model.accounts import hash_password, verify_password

    stored = hash_password(password)
    out: list[LoginTimes] = []
    for i in range(pairs + 1):
        ctx = new_context(browser, 1400, 1000)
        page = ctx.new_page()
        page.goto(f"{url}/login")
        wait_drawn(page)
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        button = page.get_by_role("button", name="登录")
        before = page.evaluate("() => window.__stRun.started")
        t0 = time.perf_counter()
        button.click()
        drawn_at = page.wait_for_function(SIGNED_IN_DRAWN, arg=HOME_READY, polling="raf", timeout=60_000).json_value()
        took = time.perf_counter() - t0
        runs = page.evaluate(RUNS_SINCE, before)
        if len(runs) < 2:
            raise RuntimeError(f"登录后只看到 {len(runs)} 次运行（应为登录页一次、首页一次）")
        # the second run since the press: the first page's, begun once the check had accepted the
        # password; a later run (if any) counts as part of that page's time, not instead of it
        after_check = (drawn_at - runs[1]) / 1000
        # the person reads the page: the chart code it prefetches (ui.preload) is in before the rerun
        page.wait_for_function("() => window.__chartCode !== 'pending'", polling=100, timeout=30_000)
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="月度排名")
        t0 = time.perf_counter()
        rerun_drawn(page, link.click, timeout=60_000)
        wait_drawn(page, *HOME_READY)
        again = time.perf_counter() - t0
        t0 = time.perf_counter()
        verify_password(password, stored)
        check = time.perf_counter() - t0
        if i:
            out.append(LoginTimes(took, after_check, again, check))
        ctx.close()
    return out


def time_whatif(browser, url: str, runs: int) -> list[float]:
    """From committing a new 营商环境 weight to the what-if ranking redrawn (script finished)."""
    page, ctx = new_page(browser)
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


def time_upload_preview(browser, url: str, workbook: Path | list[Path], runs: int) -> list[float]:
    """From choosing the month's workbook in the uploader to the validation preview drawn.
    Given a list, run i uploads workbook i: files the server has not seen, so nothing comes from
    the page's caches (the office uploads each file once)."""
    out = []
    for i in range(runs):
        page, ctx = new_page(browser)
        login(page, url, "office", "demo-office-1")
        open_page(page, "数据上传")
        chosen = workbook[i % len(workbook)] if isinstance(workbook, list) else workbook
        t0 = time.perf_counter()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(chosen))
        # the preview's own heading, drawn only once the file is checked (the page's idle caption
        # also mentions 导入预览, so a plain text match would stop the clock at once)
        page.get_by_role("heading", name=re.compile("④ 导入预览")).wait_for(timeout=60_000)
        wait_drawn(page)
        out.append(time.perf_counter() - t0)
        ctx.close()
    return out


def month_workbook(tmp: Path, variant: int = 0) -> Path:
    """The month after the demo's last one (the upload page's default month): its full workbook
    (all six sheets, county size), filled with the last demo month's figures as the office would;
    `variant` > 0 adds that many to one department's 稿件数 (a distinct file, same shape)."""
    from credit.app.demo import MonthData, demo_months, fill_template
    from credit.common.months import next_month
    from credit.model.units import load_units
    from credit.workbook.template import build_template

    register = load_units()
    last = demo_months(register)[-1]
    month = next_month(last.month)
    sheets = {k: v for k, v in last.sheets.items() if k in ("镇街", "部门", "全县", "信易+场景", "分级分类监管")}
    if variant:
        first, *rest = sheets["部门"]
        sheets["部门"] = [{**first, "本月报送信用动态稿件数": first["本月报送信用动态稿件数"] + variant}, *rest]
    path = tmp / (f"{month}-{variant}.xlsx" if variant else f"{month}.xlsx")
    path.write_bytes(fill_template(build_template(month, register), MonthData(month, sheets)))
    return path


KEYS = ("home_browser", "login_first_page", "upload_preview", "whatif_county")


def measure(pairs: int = 7, only: tuple[str, ...] = KEYS) -> list[Figure]:
    reason = have_browser()
    if reason:
        print(f"跳过浏览器基准：{reason}")
        return []
    figures = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        db = demo_copy(Path(tmp))
        with streamlit_server(ROOT / "benchmarks" / "bare_app.py") as bare_url, \
                streamlit_server(ROOT / "Home.py", db=db) as home_url:
            if "home_browser" in only:
                time_page(browser, bare_url, BARE_READY, 1)
                time_page(browser, home_url, HOME_READY, 1)  # both warm
                bare, home = [], []
                # A B A B: drift on the shared machine hits both alike. Three times the pairs of the
                # other rows: a first load is a second and a half, and on a loaded box the median of 7
                # pairs of this one varied by ±0.1× from run to run (25 pairs: ±0.01×).
                for _ in range(3 * pairs):
                    bare += time_page(browser, bare_url, BARE_READY, 1)
                    home += time_page(browser, home_url, HOME_READY, 1)
                b, h = statistics.median(bare), statistics.median(home)
                figures.append(Figure("home_browser", "首页在真实浏览器中完全绘制 / 只有一个表格的基准页", h / b, "×", 1.2,
                                      "≤", f"{h * 1000:.0f} ms / {b * 1000:.0f} ms，{3 * pairs} 对交替，chromium 无头"))
            if "login_first_page" in only:
                times = time_login_first_page(browser, home_url, pairs)
                a, p, r, c = (statistics.median(t[k] for t in times) for k in range(4))
                # Issue 28 keeps the hash's strength and asks for the first page after login within 1.5× a
                # rerun: the goal is on that page's own time (next figure); the whole press, which
                # includes one scrypt as long as a rerun, is measured beside it with its floor.
                figures.append(Figure("login_first_page", "按下“登录”到登录后首页完全绘制（含口令核对）/ 同一页重跑一次",
                                      a / r, "×", None, "≤", f"{a * 1000:.0f} ms / {r * 1000:.0f} ms，其中口令核对"
                                      f"（scrypt N=2^17，保持强度）{c * 1000:.0f} ms；信用办账户，{pairs} 对交替，chromium 无头"))
                figures.append(Figure("login_after_check", "登录后首页：口令核对通过、首页开始运行到完全绘制 / 同一页重跑一次",
                                      p / r, "×", 1.5, "≤", f"{p * 1000:.0f} ms / {r * 1000:.0f} ms；上一行减去口令核对与"
                                      "登录页自身运行的部分，即登录后首页本身的用时"))
                figures.append(Figure("login_floor", "（口令核对 + 同一页重跑一次）/ 同一页重跑一次：保持口令强度时上一行的下限",
                                      (c + r) / r, "×", None, "≤", "同一次运行中逐对测得的口令核对与重跑的中位数"))
            if "upload_preview" in only:
                files = [month_workbook(Path(tmp), v) for v in range(1, 6)]
                upload = time_upload_preview(browser, home_url, files, 5)
                figures.append(Figure("upload_preview", "上传一个月工作簿（县级）到校验预览绘制完成",
                                      statistics.median(upload), "s", 0.5, "<",
                                      "浏览器，中位数，每次上传一个新文件（不命中缓存）"))
            if "whatif_county" in only:
                whatif = time_whatif(browser, home_url, 5)
                figures.append(Figure("whatif_county", "权重模拟：改一个权重到新排名绘制完成（县级）",
                                      statistics.median(whatif), "s", None, "<", "浏览器，中位数"))
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", default=",".join(KEYS), help="逗号分隔的图表键（默认全部）：" + "、".join(KEYS))
    args = ap.parse_args()
    only = tuple(k.strip() for k in args.only.split(",") if k.strip())
    unknown = [k for k in only if k not in KEYS]
    if unknown:
        ap.error(f"未知的图表键：{'、'.join(unknown)}")
    emit(measure(args.pairs, only), args.json)


if __name__ == "__main__":
    main()
