"""Import figures: one month's workbook with 2,000 event rows, parsed and stored (target < 1 s).

Run: `python -m benchmarks.bench_import`. Prints figures; not a timed test.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from credit.app.demo import MonthData, demo_months, fill_template
from credit.app.service import open_store
from credit.model.accounts import CLI
from credit.model.units import load_units
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template

MONTH = "2022-10"
EVENTS = 2000


def workbook() -> bytes:
    register = load_units()
    month = demo_months(register)[-1]
    units = register.active(MONTH, None)
    events = [{
        "单位名称": units[i % len(units)].name, "事项类型": "异议信息" if i % 3 == 0 else "严重失信事件",
        "发生日期": f"{MONTH}-{1 + i % 28:02d}", "事项说明": f"第 {i} 号事项：网络曝光的负面信用事件，已核实",
        "处理情况": "主动处理" if i % 2 else "被举报后处置", "异议处理用时（工作日）": 1 + i % 3 if i % 3 == 0 else None,
        "数量": 1,
    } for i in range(EVENTS)]
    sheets = {**month.sheets, "扣分事项": events}
    return fill_template(build_template(MONTH, register), MonthData(MONTH, sheets))


def main(runs: int = 7) -> dict[str, float]:
    raw = workbook()
    register = load_units()
    parse_t, store_t = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            with open_store(Path(tmp) / "b.db") as store:
                t0 = time.perf_counter()
                parsed = parse_workbook(raw, "bench.xlsx", MONTH, register)
                t1 = time.perf_counter()
                store.datasets.import_workbook(parsed, raw, "bench.xlsx", CLI)
                t2 = time.perf_counter()
        parse_t.append(t1 - t0)
        store_t.append(t2 - t1)
    p, s = statistics.median(parse_t), statistics.median(store_t)
    total = p + s
    print(f"导入一个月的工作簿（{len(raw) / 1024:.0f} KB，{EVENTS} 条扣分事项，全部 6 张表）：")
    print(f"  解析与校验  {p * 1000:7.1f} ms（中位数，{runs} 次）")
    print(f"  写入数据库  {s * 1000:7.1f} ms")
    print(f"  合计        {total * 1000:7.1f} ms   目标 < 1000 ms   {'达标' if total < 1 else '未达标'}")
    return {"parse_ms": p * 1000, "store_ms": s * 1000, "total_ms": total * 1000}


if __name__ == "__main__":
    main()
