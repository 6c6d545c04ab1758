"""Scoring speed, in figures (not a timed test).

    python benchmarks/bench_scoring.py [--runs 50] [--units 5000] [--profile]

(a) one month (December, the most data) for both groups at county size: 9 towns + 40 departments,
    with events and registers — building the year-to-date inputs and scoring; median of `--runs`.
(b) a whole year (12 monthly scorings, each on its own year-to-date inputs) for `--units`
    synthetic departments — beside the plain reference loop (tests/reference.py) on the SAME
    data, the full year too (no subset, no extrapolation).

Prints a table with PASS/MISS against the targets; `--profile` adds the top of a cProfile of (a).
Both wall-clock and CPU time (`time.process_time`, this process only) are measured; the verdict uses
CPU time, which stays meaningful when the machine is shared (the load average is printed).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

from tests.support.paths import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from credit.model.framework import load_framework  # noqa: E402
from credit.scoring.engine import score_month  # noqa: E402
from tests.support.reference import reference_month  # noqa: E402
from tests.support.synthetic import Knobs, make_year, register_with_departments  # noqa: E402

TARGET_MONTH_MS = 50.0
TARGET_YEAR_S = 2.0
TARGET_SPEEDUP = 20.0


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def county_month(runs: int) -> dict[str, float]:
    register = register_with_departments(40)  # 9 towns + 40 departments
    year = make_year(register, seed=1)
    fws = {g: load_framework(g, register) for g in ("镇街", "部门")}

    def once() -> None:
        for g in ("镇街", "部门"):
            score_month(year.inputs(12, g), fws[g])

    once()  # warm-up (imports, caches)
    walls, cpus = zip(*(timed(once) for _ in range(runs)), strict=True)
    return {
        "units": sum(len(year.units(g, 12)) for g in fws),
        "events": len(year.events),
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "min_ms": min(walls) * 1000,
    }


def profile_month() -> str:
    register = register_with_departments(40)  # 9 towns + 40 departments
    year = make_year(register, seed=1)
    fws = {g: load_framework(g, register) for g in ("镇街", "部门")}
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        for g in fws:
            score_month(year.inputs(12, g), fws[g])
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
    stats.print_stats(r"credit[/\\]", 25)
    return out.getvalue()


def big_year(n_units: int, repeats: int) -> dict[str, float]:
    register = register_with_departments(n_units)
    year = make_year(register, seed=2, groups=("部门",), knobs=Knobs())
    fw = load_framework("部门", register)
    n_events = len(year.events)

    def engine_year() -> None:
        for m in range(1, 13):
            score_month(year.inputs(m, "部门"), fw)

    def reference_year() -> None:
        for m in range(1, 13):
            reference_month(year.inputs(m, "部门"), fw)

    engine_year()  # warm-up
    walls, cpus = zip(*(timed(engine_year) for _ in range(repeats)), strict=True)
    ref_wall, ref_cpu = timed(reference_year)
    return {
        "units": len(year.units("部门", 12)),
        "rows": len(year.unit_monthly["部门"]),
        "events": n_events,
        "engine_wall": statistics.median(walls),
        "engine_cpu": statistics.median(cpus),
        "ref_wall": ref_wall,
        "ref_cpu": ref_cpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3, help="engine repeats of (b); median")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    a = county_month(args.runs)
    big = big_year(args.units, args.repeats)
    speedup = big["ref_cpu"] / big["engine_cpu"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    rows = [
        (f"(a) one month, both groups, {a['units']} units, {a['events']} events/yr (median of {args.runs})",
         f"{a['cpu_ms']:.1f} ms", f"{a['wall_ms']:.1f} ms", f"< {TARGET_MONTH_MS:.0f} ms",
         verdict(a["cpu_ms"] < TARGET_MONTH_MS)),
        (f"(b) 12 months, {big['units']:,} depts ({big['rows']:,} unit-months, {big['events']:,} events), engine",
         f"{big['engine_cpu']:.2f} s", f"{big['engine_wall']:.2f} s", f"< {TARGET_YEAR_S:.0f} s",
         verdict(big["engine_cpu"] < TARGET_YEAR_S)),
        ("(b) same year, plain reference loop (full year, not extrapolated)",
         f"{big['ref_cpu']:.2f} s", f"{big['ref_wall']:.2f} s", "", ""),
        ("(b) engine speed-up over the reference (CPU)",
         f"{speedup:.1f}×", f"{big['ref_wall'] / big['engine_wall']:.1f}×", f"≥ {TARGET_SPEEDUP:.0f}×",
         verdict(speedup >= TARGET_SPEEDUP)),
    ]
    w = max(len(r[0]) for r in rows)
    print(f"{'benchmark'.ljust(w)}  {'CPU':>9}  {'wall':>9}  {'target':>8}  result")
    for name, cpu, wall, target, res in rows:
        print(f"{name.ljust(w)}  {cpu:>9}  {wall:>9}  {target:>8}  {res}")
    print(f"(a) fastest wall run {a['min_ms']:.1f} ms; load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs")
    print(f"python {sys.version.split()[0]}")
    if args.profile:
        print(profile_month())


if __name__ == "__main__":
    main()
