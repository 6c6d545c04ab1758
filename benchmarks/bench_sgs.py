"""双公示预检 figures: 10,000 records (5,000 行政许可 + 5,000 行政处罚, about one in ten with a
problem) read from an .xlsx and checked (target < 1 s for the check).

Run: `python -m benchmarks.bench_sgs`. Prints figures and the ratio to the 1 s goal; not a timed test.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, timedelta

from stdnum.cn import uscc

from credit.model.sgs_rules import load_sgs_rules
from credit.scoring import sgs_checks as checks
from credit.scoring.sgs_checks import check_records
from credit.workbook.sgs_reader import read_records
from tests.support.sgs import WRONG_CHECK, licence, penalty, xlsx

RECORDS = 10_000
GOAL_S = 1.0


def code(i: int) -> str:
    """A distinct valid 统一社会信用代码 per record (real exports name a different entity per row)."""
    base = f"91370124MA{i:07d}"
    return base + uscc.calc_check_digit(base)


def clear_caches() -> None:
    """Every run starts cold: the checks cache code verdicts, which would flatter later runs."""
    for fn in (checks.uscc_problem, checks.is_id_number, checks._norm):
        fn.cache_clear()


def records() -> tuple[list[dict], list[dict]]:
    start = date(2022, 1, 4)
    lic, pen = [], []
    for i in range(RECORDS // 2):
        day = start + timedelta(days=i % 300)
        rep = day + timedelta(days=1 + i % 12)  # some beyond 7 working days
        lic.append(licence(行政许可决定文书号=f"平市监许〔2022〕{i if i % 97 else i - 1}号",
                           统一社会信用代码=WRONG_CHECK if i % 50 == 0 else code(i),
                           许可决定日期=day.isoformat(), 有效期自=day.isoformat(), 上报日期=rep.isoformat(),
                           当前状态="撤销" if i % 113 == 0 else "有效"))
        pen.append(penalty(行政处罚决定书文号=f"平市监罚〔2022〕{i}号", 统一社会信用代码=code(RECORDS + i),
                           处罚决定日期=day.isoformat(), 上报日期=rep.isoformat(),
                           **{"罚款金额（万元）": 0.02 if i % 40 == 0 else 0.5}))
    return lic, pen


def main(runs: int = 5) -> dict[str, float]:
    rules = load_sgs_rules()
    raw = xlsx(*records())
    read_t, check_t, cpu_t, found = [], [], [], 0
    for _ in range(runs):
        clear_caches()
        t0 = time.perf_counter()
        file = read_records(raw, "bench.xlsx", rules)
        t1, p1 = time.perf_counter(), time.process_time()
        result = check_records(file, rules, date(2026, 12, 1))
        t2, p2 = time.perf_counter(), time.process_time()
        read_t.append(t1 - t0)
        check_t.append(t2 - t1)
        cpu_t.append(p2 - p1)
        found = len(result.problems)
    r, c, cpu = statistics.median(read_t), statistics.median(check_t), statistics.median(cpu_t)
    load = os.getloadavg()[0]
    print(f"双公示预检：{RECORDS:,} 条记录（{len(raw) / 1024 / 1024:.1f} MB .xlsx），发现 {found:,} 个问题：")
    print(f"  读取与识别表头  {r * 1000:7.1f} ms（中位数，{runs} 次）")
    print(f"  全部检查        {c * 1000:7.1f} ms   目标 < {GOAL_S * 1000:.0f} ms   {c / GOAL_S:.2f} 倍于目标时间"
          f"   {'达标' if c < GOAL_S else '未达标'}")
    print(f"  检查所用 CPU 时间 {cpu * 1000:6.1f} ms   {cpu / GOAL_S:.2f} 倍于目标时间（本机 {os.cpu_count()} 核，"
          f"测量时 1 分钟平均负载 {load:.1f}：负载高时墙钟时间会成倍变长）")
    print(f"  读取 + 检查     {(r + c) * 1000:7.1f} ms   {(r + c) / GOAL_S:.2f} 倍于 1 秒")
    return {"read_ms": r * 1000, "check_ms": c * 1000, "check_cpu_ms": cpu * 1000, "ratio": c / GOAL_S}


if __name__ == "__main__":
    main()
