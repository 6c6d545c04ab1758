"""A 5,000-unit register (9 towns + 4,991 departments, three months of data): the first Home after a
server start against a bare page's first load, picking a unit on the unit page, a what-if weight
change (beside the same change on a page of one box and one table, `rerun_floor_app.py`: what any
rerun costs on this machine at this load); and adding 5,000 units to the register through the store.

    python -m benchmarks.bench_large [--pairs 2]

The database is built once into the temp directory (/tmp/credit-large-5000.db) through the store's
own seeding and import paths. One server first opens Home on a private copy (scoring the month and
storing the results, as the first visitor after an import does); each measured server is then a
new process on that copy, so it reads the stored results.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_browser import BARE_READY, HOME_READY, new_page
from benchmarks.bench_scale import county_rows, event_rows, unit_rows
from benchmarks.figures import Figure, run_pairs
from credit.app.service import framework_for
from credit.model.accounts import SYSTEM
from credit.model.framework import default_framework_texts
from credit.model.parsed import ParsedSheet, ParsedWorkbook
from credit.store.facade import NewUnit, Store
from tests.support.live import chromium, have_browser, new_context, rerun_drawn, streamlit_server, wait_drawn
from tests.support.paths import ROOT
from tests.support.synthetic import register_with_departments

N_UNITS = 5000
MONTHS = ("2022-01", "2022-02", "2022-03")
MASTER = Path(tempfile.gettempdir()) / f"credit-large-{N_UNITS}.db"
TIMEOUT_S = 60.0  # a page not drawn by then is reported as such


def build(path: Path, n_units: int = N_UNITS, months: tuple[str, ...] = MONTHS) -> None:
    """A register of 9 towns and `n_units` − 9 departments with `months` imported (tests use it too,
    with a few hundred units: enough for the search-instead-of-list paths)."""
    register = register_with_departments(n_units - 9)
    rng = random.Random(11)
    with Store(path) as store:
        store.seeding.seed_defaults(register, default_framework_texts(), by=SYSTEM)
        store.settings.set("login_required", "0", by=SYSTEM)  # readers need no login: the figures are the pages'
        towns, depts = register.active(MONTHS[0], "镇街"), register.active(MONTHS[0], "部门")
        for month in months:
            m = int(month[5:])
            sheets = {
                "镇街": ParsedSheet("镇街", unit_rows(rng, "镇街", towns, m)),
                "部门": ParsedSheet("部门", unit_rows(rng, "部门", depts, m)),
                "全县": ParsedSheet("全县", county_rows(m)),
                "扣分事项": ParsedSheet("扣分事项", event_rows(rng, towns + depts, month)),
            }
            store.datasets.import_workbook(ParsedWorkbook(month, sheets), f"large {month}".encode(), f"{month}.xlsx", SYSTEM)


def first_load(url: str, browser, selectors: list[str], path: str = "") -> float:
    page, ctx = new_page(browser)
    t0 = time.perf_counter()
    page.goto(url + path)
    wait_drawn(page, *selectors, timeout=180_000)
    dt = time.perf_counter() - t0
    ctx.close()
    return dt


def pick_unit(browser, url: str, runs: int, names: list[str] | None = None) -> list[float]:
    """On the unit page, choose another department → the page redrawn for it.

    A large group is searched: the name typed into 查找单位 and Enter (the best match is shown);
    a page without the search box (before it existed) is driven through the unit box itself.
    """
    page, ctx = new_page(browser)
    page.goto(f"{url}/unit")
    wait_drawn(page, timeout=180_000)
    # the group's rerun, waited for as such: a plain wait could see the state before the rerun began,
    # then type into the 镇街 page (no search box) while the 部门 one was still coming
    rerun_drawn(page, lambda: page.get_by_text("部门（单位）").click(), timeout=180_000)
    search = page.get_by_label("查找单位")
    out = []
    for i in range(runs + 1):
        name = names[i % len(names)] if names else f"合成部门{(7 + 13 * i):05d}"

        def choose(n: str = name) -> None:
            if search.count():
                search.fill(n)
                search.press("Enter")
                return
            page.get_by_test_id("stSelectbox").filter(has_text="单位").click()
            page.keyboard.type(n)
            page.keyboard.press("Enter")

        t0 = time.perf_counter()
        rerun_drawn(page, choose, timeout=TIMEOUT_S * 1000)
        dt = time.perf_counter() - t0
        picked = page.locator(".st-key-unit_id").first.evaluate(  # the box shows its choice in an input
            "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
        if name not in picked:
            raise RuntimeError(f"选单位后显示的是「{picked}」，不是「{name}」")
        if i:  # the first pick warms the page's caches
            out.append(dt)
    ctx.close()
    return out


def whatif_change(browser, url: str, runs: int, chart: bool = False) -> list[float]:
    """Typing a new 营商环境 weight for the 部门 group and Enter, to the page redrawn; with `chart` the
    slope chart (drawn on request at this size) is opened first. The page watches the server's
    runs (`RUN_WATCH`), so a rerun that ends before the page ever shows it running is still seen."""
    ctx = new_context(browser, 1400, 1000, timeout=TIMEOUT_S * 1000)
    page = ctx.new_page()
    page.goto(f"{url}/whatif")
    wait_drawn(page, timeout=180_000)
    rerun_drawn(page, lambda: page.get_by_text("部门（单位）").first.click(), timeout=180_000)
    if chart:
        opener = page.get_by_test_id("stExpander").filter(has_text="名次变化图（本页").locator("summary")
        rerun_drawn(page, opener.click, timeout=180_000)
        wait_drawn(page, '[data-testid="stPlotlyChart"]', timeout=180_000)
    with Store(MASTER) as store:
        fw = framework_for(store, "部门", MONTHS[-1])
    level = next(lv for lv in fw.level1 if lv.name == "营商环境")
    box = page.get_by_label(f"营商环境（官方 {level.points:g} 分）")  # the 部门 box, not the 镇街 one
    out = _typed_reruns(page, box, [str(30 + 5 * i) for i in range(runs + 1)])
    ctx.close()
    return out


def _typed_reruns(page, box, values: list[str], shown: str | None = None) -> list[float]:
    """Type each value into the number `box` and press Enter: the seconds until each rerun is
    drawn, the first left out (it warms the page's caches). With `shown` (a format of the value)
    the rerun is drawn when that text is on the page: a rerun of a few milliseconds may finish
    before the page ever shows it running, which `rerun_drawn` waits for."""
    out = []
    for i, value in enumerate(values):
        t0 = time.perf_counter()
        if shown is None:
            rerun_drawn(page, lambda v=value: (box.fill(v), box.press("Enter")), timeout=TIMEOUT_S * 1000)
        else:
            box.fill(value)
            box.press("Enter")
            page.get_by_text(shown.format(float(value))).wait_for(timeout=TIMEOUT_S * 1000)
            wait_drawn(page, timeout=TIMEOUT_S * 1000)
        if i:
            out.append(time.perf_counter() - t0)
    return out


def floor_change(browser, url: str, runs: int) -> list[float]:
    """`whatif_change` on `rerun_floor_app.py`: the same typing and Enter, the same wait."""
    page, ctx = new_page(browser)
    page.goto(url)
    wait_drawn(page, *BARE_READY, timeout=180_000)
    out = _typed_reruns(page, page.get_by_label("权重（基准页）"), [str(31 + 5 * i) for i in range(runs + 1)],
                        shown="已按 {:.2f} 重跑")
    ctx.close()
    return out


def add_units(tmp: Path) -> Figure:
    """5,000 new departments registered in one call (`Store.add_units`: one read of the register,
    a name index, one transaction) on a county register."""
    specs = [NewUnit(f"new{i:05d}", f"新增部门{i:05d}", "部门", "部门", "2023-01") for i in range(N_UNITS)]
    with Store(tmp / "add.db") as store:
        store.seeding.seed_defaults(register_with_departments(33), default_framework_texts(), by=SYSTEM)
        t0 = time.perf_counter()
        store.units.add_many(specs, SYSTEM)
        dt = time.perf_counter() - t0
        assert len(store.units.register()) == 42 + N_UNITS
    return Figure("add_units", f"向单位名册添加 {N_UNITS:,} 个单位", dt, "s", 2.0, "<",
                  "一次调用 Store.add_units，含校验、审计")


def _guarded(timings) -> float:
    """The median of `timings()`, or TIMEOUT_S when the page did not finish drawing in time."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return statistics.median(timings())
    except PlaywrightError as exc:  # a timeout, or the page never showed what it should
        print(f"  浏览器步骤未完成：{str(exc).splitlines()[0]}")
        return TIMEOUT_S


def measure(pairs: int) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        figures.append(add_units(Path(tmp)))
        reason = have_browser()
        if reason:
            print(f"跳过浏览器部分：{reason}")
            return figures
        if not MASTER.exists():
            t0 = time.perf_counter()
            build(MASTER)
            print(f"生成 {N_UNITS:,} 个单位的测试库，用时 {time.perf_counter() - t0:.0f} s（{MASTER}）", flush=True)
        with chromium() as browser:
            db = Path(tmp) / "large.db"
            shutil.copyfile(MASTER, db)
            with streamlit_server(ROOT / "Home.py", db=db) as url:  # an earlier process scored the month
                cold = first_load(url, browser, HOME_READY)
            bare, home = [], []
            for i in range(pairs):  # A B A B, each on a freshly started server
                with streamlit_server(ROOT / "benchmarks" / "bare_app.py") as url:
                    bare.append(first_load(url, browser, BARE_READY))
                with streamlit_server(ROOT / "Home.py", db=db) as url:
                    home.append(first_load(url, browser, HOME_READY))
                    if i == pairs - 1:
                        unit = _guarded(lambda u=url: pick_unit(browser, u, 3))
                        whatif = _guarded(lambda u=url: whatif_change(browser, u, 7))
                        whatif_chart = _guarded(lambda u=url: whatif_change(browser, u, 7, chart=True))
            with streamlit_server(ROOT / "benchmarks" / "rerun_floor_app.py") as url:
                floor = _guarded(lambda u=url: floor_change(browser, u, 7))
    b, h = statistics.median(bare), statistics.median(home)
    figures += [
        Figure("first_home_large", f"服务启动后首次打开首页 / 基准页（{N_UNITS:,} 个单位）", h / b, "×", 1.5, "≤",
               f"{h:.2f} s / {b:.2f} s，{pairs} 对交替，每次新启动服务（读已存得分；"
               f"库中尚无得分时首次 {cold:.1f} s）"),
        Figure("unit_pick_large", f"单位详情：选一个单位到页面绘制完成（{N_UNITS:,} 个单位）", unit, "s", 1.0, "<",
               "浏览器，中位数" if unit < TIMEOUT_S else f"超过 {TIMEOUT_S:.0f} s 未绘制完，停表"),
        Figure("whatif_large", f"权重模拟：改一个权重到重新绘制完成（{N_UNITS:,} 个单位）", whatif, "s", 0.3, "<",
               (f"浏览器，中位数；同一次运行中只有一个输入框和一张表的基准页改值重跑 {floor:.2f} s"
                if whatif < TIMEOUT_S else f"超过 {TIMEOUT_S:.0f} s 未绘制完，停表")),
        Figure("whatif_large_chart", f"同上，展开“名次变化图”时（{N_UNITS:,} 个单位）", whatif_chart, "s", None, "<",
               ("浏览器，中位数；该图只画本页 50 个单位，大名册时折叠、点开才绘制"
                if whatif_chart < TIMEOUT_S else f"超过 {TIMEOUT_S:.0f} s 未绘制完，停表")),
    ]
    return figures


def main() -> None:
    run_pairs(measure, __doc__, pairs=2)


if __name__ == "__main__":
    main()
