"""Reliability figures: bad inputs refused, crashes survived, concurrent rounds held, fuzz cases,
backups and a rebuild from the archive — each with nothing lost.

Run: `python -m benchmarks.reliability_report [--crashes 50] [--rounds 100] [--fuzz 1000] [--markdown]`.
Prints the figures and the hostile-case table of issue 13, and returns them as a dict (`main()`);
every check is the one the tests (tests/reliability/, tests/store/, tests/workbook/) assert, from
tests/support/reliability.py and tests/support/hostile.py, so a figure is only printed when its
check held. `--markdown` rewrites README's reliability tables from this run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from benchmarks.figures import machine, markdown_table, replace_readme_block
from credit.app.demo import build_demo
from credit.app.service import score, scores_payload
from credit.common.labels import GROUPS
from credit.store.facade import Store
from credit.store.maintenance import backup_database, rebuild_database
from tests.support import reliability as rh
from tests.support.paths import ROOT

README = ROOT / "README.md"
BEGIN, END = "<!-- reliability-table:begin -->", "<!-- reliability-table:end -->"


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
        return {(m, g): scores_payload(score(store, m, g)) for m in store.datasets.months_with_data() for g in GROUPS}


def _backup_and_rebuild(workdir: Path) -> dict[str, int]:
    demo = workdir / "demo.db"
    build_demo(demo)
    backup_database(demo, workdir / "backup.db")
    result = rebuild_database(demo, workdir / "rebuilt.db")
    original = _all_scores(demo)
    same = sum(_all_scores(workdir / path) == original for path in ("backup.db", "rebuilt.db"))
    assert same == 2, "a backup or the rebuild changed a score"
    return {"uploads_reimported": result.imports, "score_tables_compared": len(original), "score_differences": 0}


def _summary_rows(f: dict, seconds: Counter[str]) -> list[list[str]]:
    """(项目, 结果, 用时) of the summary table, from this run's figures only."""
    b, z, c, k, r = f["bad_inputs"], f["fuzz"], f["crashes"], f["concurrency"], f["backup_rebuild"]
    skipped = f"（跳过 {b['skipped']} 种：本机没有 LibreOffice）" if b["skipped"] else ""
    return [
        ["坏文件目录（改名的非表格文件、截断/损坏、空表、压缩炸弹、XML 实体炸弹、超限、宏、公式与错误值（含旧版 .xls）、"
         "超出合理范围等）",
         f"{b['bad_refused']} 种全部拒绝，数据库文件 SHA-256 不变；{b['good_imported']} 种难处理但正确的文件（合并单元格、"
         f"隐藏行、文本数字、序列号日期、保存了结果的公式、旧版 .xls、LibreOffice 保存）完整导入{skipped}",
         f"{seconds['bad_inputs']:.0f} s"],
        ["hypothesis 生成的随机/变异工作簿",
         f"{z['cases']:,} 个：完整导入 {z['imported_whole']:,}，拒绝且数据库不变 {z['refused_unchanged']:,}，"
         "部分写入 0，未处理异常 0", f"{seconds['fuzz']:.0f} s"],
        ["导入进程随机时刻 `kill -9`",
         f"{c['runs']} 次：`PRAGMA integrity_check` 全部 ok；新版本完整 {c.get('whole_version', 0)} 次、"
         f"完全没有 {c.get('nothing_written', 0)} 次、写了一半 0 次", f"{seconds['crashes']:.0f} s"],
        ["并发：每轮 2 个导入 + 3 个读取",
         f"{k['rounds']} 轮：导入成功 {k['imports_landed']}，“数据库正忙，请稍后重试” {k['busy_retry']}，"
         f"读取 {k['reads']:,} 次（其中计分 {k['score_reads']:,} 次），读到半个月 0 次", f"{seconds['concurrency']:.0f} s"],
        ["备份与重建",
         f"在线备份一致；由存档重新导入 {r['uploads_reimported']} 个上传文件重建，{r['score_tables_compared']} 张"
         "月度×分组得分表与原库完全一致", f"{seconds['backup_rebuild']:.0f} s"],
    ]


def _hostile(workdir: Path) -> list[tuple[str, str, str]]:
    from tests.support.hostile import run_hostile
    from tests.support.hostile_files import run_file_cases

    return run_hostile(workdir) + run_file_cases(rh.seeded_db(workdir / "files22.db"))


def _hostile_text(workdir: Path) -> list[tuple[str, str, str]]:
    """Issue 22 (安全三) text, writes, numbers, months, CSV and exports: each case on its own copy of
    the demo database (tests/support/hostile_text.py, the cases tests/store/test_hostile_text.py asserts)."""
    import shutil

    from credit.app.demo import build_demo
    from tests.support.hostile_text import all_cases

    master = workdir / "text-demo.db"
    build_demo(master)

    def db_of(tag: str) -> Path:
        path = workdir / f"text-{tag}.db"
        shutil.copyfile(master, path)
        return path

    return [(item, name, run()) for item, name, run in all_cases(db_of)]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crashes", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--fuzz", type=int, default=1000, help="examples per generator (two generators)")
    parser.add_argument("--markdown", action="store_true",
                        help=f"rewrite README's reliability tables between {BEGIN} and {END} from this run")
    args = parser.parse_args(argv)
    figures: dict = {}
    seconds: Counter[str] = Counter()
    where = machine()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parts = {
            "bad_inputs": lambda: rh.run_catalogue(work),
            "hostile": lambda: _hostile(work),
            "hostile_text": lambda: _hostile_text(work),
            "fuzz": lambda: _fuzz(work, args.fuzz),
            "crashes": lambda: _crashes(work, args.crashes),
            "concurrency": lambda: _concurrency(work, args.rounds),
            "backup_rebuild": lambda: _backup_and_rebuild(work),
        }
        for name, run in parts.items():
            print(f"…{name}", flush=True)
            figures[name], seconds[name] = _timed(run)
    summary, hostile = _summary_rows(figures, seconds), [list(row) for row in figures["hostile"]]
    text_rows = [list(row) for row in figures["hostile_text"]]
    print(f"\n机器：{where}")
    print("可靠性（每项都经真实路径；“数据库不变”指检查点后数据库文件的 SHA-256 前后一致）：")
    for item, result, took in summary:
        print(f"  {item}\n      {result}  {took}")
    print(f"\n攻击者视角的用例（issue 13、22，{len(hostile)} 个，全部按预期拒绝或处理）  {seconds['hostile']:.0f} s：")
    for item, case, outcome in hostile:
        print(f"  [{item}] {case}\n      {outcome}")
    print(f"\n文字、写入、数值、月份、CSV 与导出（issue 22，{len(text_rows)} 个，全部按预期拒绝或处理）  "
          f"{seconds['hostile_text']:.0f} s：")
    for item, case, outcome in text_rows:
        print(f"  [{item}] {case}\n      {outcome}")
    if args.markdown:
        replace_readme_block(README, BEGIN, END, _markdown(summary, hostile, where, args) + _markdown_text(text_rows))
        print(f"\n已更新 {README.name} 的可靠性表")
    return figures


def _markdown(summary: list[list[str]], hostile: list[list[str]], where: str, args: argparse.Namespace) -> str:
    command = (f"python -m benchmarks.reliability_report --crashes {args.crashes} --rounds {args.rounds} "
               f"--fuzz {args.fuzz} --markdown")
    return (f"由 `{command}` 于 {date.today().isoformat()} 生成（不要手改）。机器：{where}。\n\n"
            f"{markdown_table(['项目', '结果', '用时'], summary)}\n\n"
            f"攻击者视角的用例（issue 13、22；每行都在运行中实测，未按预期处理就不会打印）：\n\n"
            f"{markdown_table(['条目', '情形', '结果'], hostile)}")


def _markdown_text(rows: list[list[str]]) -> str:
    """The issue 22 table (text / writes / exports), after issue 13's."""
    return ("\n\n文字、写入、数值、月份、CSV 与导出（issue 22；每行都在运行中实测，未按预期处理就不会打印）：\n\n"
            f"{markdown_table(['条目', '情形', '结果'], [[i, c, o.replace('|', '｜')] for i, c, o in rows])}")


if __name__ == "__main__":
    main()
