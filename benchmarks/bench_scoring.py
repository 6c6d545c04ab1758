"""Scoring speed, in figures (not a timed test).

    python -m benchmarks.bench_scoring [--runs 30] [--units 5000] [--year-units 50000] [--profile]

(a) one month (December, the most data) for both groups at county size; median of `--runs`.
(b) the engine beside a 20-line numpy floor (`numpy_floor`) on the same December inputs of
    `--units` departments, alternating engine / floor; the floor does the arithmetic every
    score needs (year-to-date sums and latest values, one capped ratio per indicator, event
    counts, weighted sum, two-decimal rank) and nothing else — no explanations, no tables.
    The engine builds its `detail` table and deduction items only when they are read (ranking
    needs neither); the note gives the time with both built as well, for comparison.
(c) a whole year (12 monthly scorings, each on fresh year-to-date inputs) of `--year-units`
    departments: CPU time of the process (all threads; the goal is CPU, which load from other
    work on a shared machine changes far less than wall time — wall time is in the note), and
    the peak of memory allocated while scoring (tracemalloc, in a separate run: tracing slows
    Python down, so it is not timed).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

from benchmarks.figures import Figure, emit
from credit.model.framework import Framework, load_framework
from credit.scoring.engine import score_month
from credit.scoring.inputs import MonthInputs
from tests.support.synthetic import Knobs, make_year, register_with_departments


def numpy_floor(inp: MonthInputs, fw: Framework) -> np.ndarray:
    """The least any scorer must do: ranks (competition, on two decimals) from the raw rows."""
    um = inp.unit_monthly
    pos = pd.Index(inp.unit_ids).get_indexer(um["unit_id"])
    n, ok = len(inp.unit_ids), pos >= 0
    fields = [ind.inputs["x"] for ind in fw.indicators if "x" in ind.inputs and ind.inputs["x"] in um]
    vals = um[fields].to_numpy(dtype=float)[ok]
    p = pos[ok]
    x = np.zeros((n, len(fields)))
    for j in range(len(fields)):  # year-to-date: one pass over the rows per field
        x[:, j] = np.bincount(p, weights=np.nan_to_num(vals[:, j]), minlength=n)
    att = np.clip(x / np.maximum(x.max(axis=0), 1e-9), 0.0, 1.0)
    points = np.array([ind.points for ind in fw.indicators if "x" in ind.inputs and ind.inputs["x"] in um])
    ev = inp.events
    ev_pos = pd.Index(inp.unit_ids).get_indexer(ev["unit_id"])
    deducted = np.bincount(ev_pos[ev_pos >= 0], minlength=n).astype(float)
    score = np.round(att @ points - deducted + 1e-9, 2)
    order = np.sort(score)[::-1]
    return np.searchsorted(-order, -score, side="left") + 1


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def cpu_timed(fn) -> tuple[float, float]:
    """(CPU seconds of the whole process, wall seconds) of one call."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - t0


def county_month(runs: int) -> Figure:
    register = register_with_departments(40)  # 9 towns + 40 departments
    year = make_year(register, seed=1)
    fws = {g: load_framework(g, register) for g in ("镇街", "部门")}

    def once() -> None:
        for g in ("镇街", "部门"):
            score_month(year.inputs(12, g), fws[g])

    once()
    t = statistics.median(timed(once) for _ in range(runs)) * 1000
    return Figure("county_month", "计分：一个月、两个组、县级规模（9 镇街 + 40 部门）", t, "ms", 50, "<",
                  f"中位数，{runs} 次")


def engine_vs_floor(n_units: int, runs: int) -> Figure:
    register = register_with_departments(n_units)
    year = make_year(register, seed=2, groups=("部门",), knobs=Knobs())
    fw = load_framework("部门", register)
    score_month(year.inputs(12, "部门"), fw), numpy_floor(year.inputs(12, "部门"), fw)  # warm-up
    def with_tables() -> None:
        ms = score_month(year.inputs(12, "部门"), fw)
        _ = ms.detail, ms.items

    eng, flo, full = [], [], []
    for _ in range(runs):  # fresh inputs each time: their year-to-date caches are part of the work
        eng.append(timed(lambda: score_month(year.inputs(12, "部门"), fw)))
        flo.append(timed(lambda: numpy_floor(year.inputs(12, "部门"), fw)))
        full.append(timed(with_tables))
    e, f, t = (statistics.median(x) * 1000 for x in (eng, flo, full))
    return Figure("engine_floor", f"计分引擎 / numpy 下限，一个月、{n_units:,} 个部门", e / f, "×", 3.0, "≤",
                  f"{e:.0f} ms / {f:.0f} ms，{runs} 对交替；连同明细表和扣分项 {t:.0f} ms")


def big_year(n_units: int) -> list[Figure]:
    register = register_with_departments(n_units)
    year = make_year(register, seed=3, groups=("部门",), knobs=Knobs())
    fw = load_framework("部门", register)

    def engine_year() -> None:
        for m in range(1, 13):
            score_month(year.inputs(m, "部门"), fw)

    score_month(year.inputs(1, "部门"), fw)  # warm-up
    cpu, wall = min(cpu_timed(engine_year) for _ in range(2))
    tracemalloc.start()
    engine_year()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = len(year.unit_monthly["部门"])
    return [
        Figure("year_time", f"计分：{n_units:,} 个部门的一整年（12 次月度计分），CPU 时间", cpu, "s", 2.0, "<",
               f"{rows:,} 行月报、{len(year.events):,} 条事项；墙钟 {wall:.2f} s，负载 {os.getloadavg()[0]:.1f}；两次取 CPU 较少者"),
        Figure("year_peak", "同上，计分期间的内存峰值（tracemalloc）", peak / 2**20, "MB", 500, "<",
               "不含生成的输入数据本身"),
    ]


def profile_month(n_units: int) -> str:
    register = register_with_departments(n_units)
    year = make_year(register, seed=2, groups=("部门",), knobs=Knobs())
    fw = load_framework("部门", register)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        score_month(year.inputs(12, "部门"), fw)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(r"credit[/\\]", 25)
    return out.getvalue()


def measure(runs: int, units: int, year_units: int) -> list[Figure]:
    return [county_month(runs), engine_vs_floor(units, max(5, runs // 3)), *big_year(year_units)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--year-units", type=int, default=50000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--json", action="store_true", help="figures as JSON (for benchmarks.run_all)")
    args = ap.parse_args()
    emit(measure(args.runs, args.units, args.year_units), args.json)
    if args.profile:
        print(profile_month(args.units))


if __name__ == "__main__":
    main()
