"""What the two walls of issue 22 cost and what they save, measured side by side.

- A county month's workbook (the demo's October with 2,000 event rows, as `bench_import`) parsed
  in this process (main's way) and in a warm reader worker, alternating A B A B; the preflight
  alone; a cold worker's first read (interpreter start + imports).
- The 1,000,000-row 扣分事项 file: refused by the preflight (wall, CPU, traced peak memory); with
  `--before`, the same file given to the reader directly in a child process, as main did (minutes
  of CPU and gigabytes; off by default).

Run: `python -m benchmarks.bench_isolation [--pairs 15] [--before]`. Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

from benchmarks.bench_import import MONTH, workbook
from credit.errors import WorkbookError
from credit.model.contract import WORKBOOK_BOUNDS
from credit.model.units import load_units
from credit.workbook import importer, isolation
from credit.workbook.preflight import check_workbook_file
from credit.workbook.safety import check_upload
from tests.support.hostile_files import million_event_rows

_BEFORE = """
import resource, sys, time
from credit.model.units import load_units
from credit.workbook import importer
raw = open(sys.argv[1], "rb").read()
t = time.perf_counter()
try:
    importer._parse_guarded(raw, "m.xlsx", "2022-10", load_units())
except Exception as exc:
    print(type(exc).__name__)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(f"{time.perf_counter() - t:.1f} {ru.ru_utime + ru.ru_stime:.1f} {ru.ru_maxrss / 1024:.0f}")
"""


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def county(pairs: int) -> dict[str, float]:
    raw, register = workbook(), load_units()
    isolation.shutdown()
    t = time.perf_counter()
    importer.parse_workbook(raw, "bench.xlsx", MONTH, register)
    cold = time.perf_counter() - t
    inproc, worker, gate = [], [], []
    for _ in range(pairs):
        t = time.perf_counter()  # main's way: the zip checks, then the reader in this process
        assert check_upload(raw, "bench.xlsx") == []
        importer._parse_guarded(raw, "bench.xlsx", MONTH, register)
        inproc.append(time.perf_counter() - t)
        t = time.perf_counter()
        importer.parse_workbook(raw, "bench.xlsx", MONTH, register)
        worker.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert check_workbook_file(raw, "bench.xlsx", WORKBOOK_BOUNDS) == []
        gate.append(time.perf_counter() - t)
    a, b, g = (statistics.median(x) * 1000 for x in (inproc, worker, gate))
    print(f"县级月报（{len(raw) / 1024:.0f} KB，2,000 条扣分事项），{pairs} 组交替，中位数：")
    print(f"  main：zip 检查后在本进程中解析              {a:7.1f} ms")
    print(f"  现在：zip 检查、逐表预检后在读取进程中解析  {b:7.1f} ms   （多 {b - a:.1f} ms；"
          f"zip 检查与预检合计 {g:.1f} ms）")
    print(f"  读取进程冷启动后的第一次      {cold * 1000:7.0f} ms   （页面启动时已预热，见 ui.uploads.warm_readers）")
    return {"inproc_ms": a, "worker_ms": b, "preflight_ms": g, "cold_ms": cold * 1000}


def million(before: bool) -> dict[str, float]:
    raw = million_event_rows()
    cpu0, t = _cpu(), time.perf_counter()
    tracemalloc.start()
    try:
        importer.parse_workbook(raw, "m.xlsx", MONTH, load_units())
    except WorkbookError as exc:
        message = exc.errors[0].message
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    wall, cpu = time.perf_counter() - t, _cpu() - cpu0
    print(f"1,000,000 行扣分事项（{len(raw) / 2**20:.1f} MB）：拒绝用时 {wall:.2f} s，CPU {cpu:.2f} s，"
          f"Python 内存峰值 {peak / 2**20:.0f} MB —— {message}")
    out = {"refuse_s": wall, "refuse_cpu_s": cpu, "refuse_peak_mb": peak / 2**20}
    if before:
        path = "/tmp/bench_isolation_million.xlsx"
        with open(path, "wb") as f:
            f.write(raw)
        done = subprocess.run([sys.executable, "-c", _BEFORE, path], capture_output=True, text=True, check=False)
        wall_b, cpu_b, rss_b = (float(x) for x in done.stdout.split()[-3:])
        print(f"  main 的做法（直接交给读取库，子进程中）：{wall_b:.0f} s，CPU {cpu_b:.0f} s，内存峰值 {rss_b:,.0f} MB")
        out.update(before_s=wall_b, before_cpu_s=cpu_b, before_rss_mb=rss_b)
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--before", action="store_true", help="also run main's way on the 1,000,000-row file")
    args = parser.parse_args(argv)
    return {**county(args.pairs), **million(args.before)}


if __name__ == "__main__":
    main()
