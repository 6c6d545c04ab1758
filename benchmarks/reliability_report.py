"""Reliability figures: bad inputs refused, crashes survived, concurrent rounds held, fuzz cases,
backups and a rebuild from the archive — each with nothing lost.

Run: `python -m benchmarks.reliability_report [--crashes 50] [--rounds 100] [--fuzz 1000]`.
Prints the figures and returns them as a dict (`main()`); every check is the one the tests
(tests/test_reliability_*.py, tests/test_backup.py) assert, from tests/reliability_helpers.py,
so a figure is only printed when its check held.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from credit.app.demo import build_demo
from credit.app.service import score, scores_payload
from credit.common.labels import GROUPS
from credit.store.facade import Store
from credit.store.maintenance import backup_database, rebuild_database
from tests.support import reliability as rh


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _fuzz(workdir: Path, examples: int) -> dict[str, int]:
    with Store(rh.seeded_db(workdir / "fuzz.db")) as store:
        sheets = rh.run_fuzz(store, rh.fuzz_sheets(), examples)
        damaged = rh.run_fuzz(store, rh.fuzz_bytes(), examples)
    total = sheets + damaged
    return {"cases": total.total(), "imported_whole": total["imported"], "refused_unchanged": total["refused"],
            "other_exceptions": 0, "partial_writes": 0}


def _crashes(workdir: Path, runs: int) -> dict[str, int]:
    if not hasattr(os, "fork"):
        return {"runs": 0}
    stats = rh.run_crash_trials(runs, workdir)
    return {"runs": stats.runs, "whole_version": stats.whole, "nothing_written": stats.none,
            "integrity_ok": stats.runs, "half_written": 0}


def _concurrency(workdir: Path, rounds: int) -> dict[str, int]:
    stats = rh.run_concurrency_rounds(rh.seeded_db(workdir / "concurrency.db"), rounds)
    assert not stats.problems and stats.torn_reads == 0, stats.problems[:5]
    return {"rounds": stats.rounds, "imports_landed": stats.imports_landed, "busy_retry": stats.busy_refusals,
            "reads": stats.reads, "score_reads": stats.score_reads, "torn_reads": stats.torn_reads}


def _all_scores(db: Path) -> dict:
    with Store(db) as store:
        return {(m, g): scores_payload(score(store, m, g)) for m in store.months_with_data() for g in GROUPS}


def _backup_and_rebuild(workdir: Path) -> dict[str, int]:
    demo = workdir / "demo.db"
    build_demo(demo)
    backup_database(demo, workdir / "backup.db")
    result = rebuild_database(demo, workdir / "rebuilt.db")
    original = _all_scores(demo)
    same = sum(_all_scores(workdir / path) == original for path in ("backup.db", "rebuilt.db"))
    assert same == 2, "a backup or the rebuild changed a score"
    return {"uploads_reimported": result.imports, "score_tables_compared": len(original), "score_differences": 0}


def main(argv: list[str] | None = None) -> dict[str, dict[str, int]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crashes", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--fuzz", type=int, default=1000, help="examples per generator (two generators)")
    args = parser.parse_args(argv)
    figures: dict[str, dict[str, int]] = {}
    seconds: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parts = {
            "bad_inputs": lambda: rh.run_catalogue(work),
            "fuzz": lambda: _fuzz(work, args.fuzz),
            "crashes": lambda: _crashes(work, args.crashes),
            "concurrency": lambda: _concurrency(work, args.rounds),
            "backup_rebuild": lambda: _backup_and_rebuild(work),
        }
        for name, run in parts.items():
            figures[name], seconds[name] = _timed(run)
    _print(figures, seconds)
    return figures


def _print(f: dict[str, dict[str, int]], seconds: Counter[str]) -> None:
    b, z, c, k, r = f["bad_inputs"], f["fuzz"], f["crashes"], f["concurrency"], f["backup_rebuild"]
    print("可靠性（每项都经真实导入路径；“数据库不变”指检查点后数据库文件的 SHA-256 前后一致）：")
    print(f"  坏文件目录    {b['bad_refused']} 种坏文件全部拒绝、数据库不变；{b['good_imported']} 种难处理但正确的文件完整导入"
          f"（跳过 {b['skipped']}）  {seconds['bad_inputs']:.0f} s")
    print(f"  模糊测试      {z['cases']} 个随机/损坏的工作簿：完整导入 {z['imported_whole']}，拒绝且数据库不变 "
          f"{z['refused_unchanged']}，其他异常 0，部分写入 0  {seconds['fuzz']:.0f} s")
    print(f"  强制终止      kill -9 导入进程 {c['runs']} 次：完整性检查全部通过；新版本完整存在 {c.get('whole_version', 0)} 次，"
          f"完全没有 {c.get('nothing_written', 0)} 次，写了一半 0 次  {seconds['crashes']:.0f} s")
    print(f"  并发          {k['rounds']} 轮（每轮 2 个导入 + 3 个读取）：导入成功 {k['imports_landed']}，提示“数据库正忙，"
          f"请稍后重试” {k['busy_retry']}；读取 {k['reads']} 次（其中计分 {k['score_reads']} 次），读到半个月 0 次"
          f"  {seconds['concurrency']:.0f} s")
    print(f"  备份与重建    演示库在线备份、由存档重建（重新导入 {r['uploads_reimported']} 个上传文件）：{r['score_tables_compared']}"
          f" 张月度×分组得分表与原库完全一致  {seconds['backup_rebuild']:.0f} s")


if __name__ == "__main__":
    main()
