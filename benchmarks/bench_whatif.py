"""What-if figures: a weight change (slider move) and the rank-stability simulation (target < 2 s
for 1,000 runs at county size), both on the cached attainment table — no database involved.

Run: `python -m benchmarks.bench_whatif`. Prints figures; not a timed test. County size is the real
register (9 towns, 33 departments, 19 department indicators); larger synthetic groups show how
the vectorised stability scales.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from credit.model.framework import load_framework
from credit.scoring import stability, whatif
from credit.scoring.engine import MonthScores, score_month
from tests.support.synthetic import make_year, register_with_departments

MONTH_NO = 10
TARGET_S = 2.0


def month_scores(n_departments: int, group: str) -> MonthScores:
    register = register_with_departments(n_departments)
    year = make_year(register, seed=5, months=MONTH_NO)
    return score_month(year.inputs(MONTH_NO, group), load_framework(group, register))


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up (imports, BLAS threads)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def slider_move(ms: MonthScores) -> dict[str, float]:
    fw, detail = ms.framework, ms.detail
    level = fw.level1[1].name
    points = whatif.set_level1(fw, whatif.official_points(fw), level, fw.level1[1].points / 2, budget=100)
    return {
        "budget": median_ms(lambda: whatif.set_level1(fw, whatif.official_points(fw), level, 5, budget=100), 50),
        "reweight": median_ms(lambda: whatif.reweight(detail, fw, points), 20),
        "simulate": median_ms(lambda: whatif.simulate(detail, fw, points), 20),
    }


def stability_ms(ms: MonthScores, runs: int, repeats: int = 5) -> float:
    return median_ms(lambda: stability.stability(ms.detail, ms.framework, 20, runs, seed=1), repeats)


def main() -> dict[str, float]:
    figures: dict[str, float] = {}
    print("权重模拟（基于缓存的完成度表，不访问数据库；中位数）")
    for group in ("镇街", "部门"):
        ms = month_scores(33, group)
        n_units, n_ind = ms.detail["unit_id"].nunique(), len(ms.framework.codes)
        move = slider_move(ms)
        stab = stability_ms(ms, 1000)
        figures[f"stability_1000_{group}_ms"] = stab
        figures[f"simulate_{group}_ms"] = move["simulate"]
        print(f"  {group}（{n_units} 个单位 × {n_ind} 项指标）")
        print(f"    预算模式重新分配分值      {move['budget']:8.3f} ms")
        print(f"    重新加权并排名            {move['reweight']:8.1f} ms")
        print(f"    完整模拟（含对比与原因）  {move['simulate']:8.1f} ms   （每次调整滑块）")
        print(f"    排名稳定性 1,000 次       {stab:8.1f} ms   目标 < {TARGET_S * 1000:.0f} ms   "
              f"{'达标' if stab < TARGET_S * 1000 else '未达标'}")
    print("  排名稳定性的规模（部门组，±20%）")
    for n in (100, 300):
        ms = month_scores(n, "部门")
        for runs in (1000, 10000):
            t = stability_ms(ms, runs, repeats=3)
            figures[f"stability_{runs}_{n}_ms"] = t
            print(f"    {n:4d} 个单位 × {runs:6,d} 次   {t:8.1f} ms")
    return figures


if __name__ == "__main__":
    main()
