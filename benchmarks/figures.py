"""One figure of the performance table: what was measured, its value, the goal, and how it was got.

Every benchmark returns `Figure`s; `benchmarks.run_all` prints them side by side with the machine
and, with `--markdown`, writes README's 性能 table from the same run (figures are never typed).
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # what was measured, in Chinese (README's first column)
    value: float
    unit: str  # "×", "s", "ms", "MB"
    goal: float | None  # None: shown for context, no goal
    op: str = "≤"  # "≤" or "<"
    note: str = ""  # the raw figures behind a ratio, run counts

    @property
    def ok(self) -> bool | None:
        if self.goal is None:
            return None
        return self.value <= self.goal if self.op == "≤" else self.value < self.goal

    def shown(self) -> str:
        if self.unit == "×":
            return f"{self.value:.2f}×"
        if self.unit == "ms":
            return f"{self.value:.0f} ms"
        if self.unit == "MB":
            return f"{self.value:.0f} MB"
        return f"{self.value:.2f} {self.unit}"

    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        g = f"{self.goal:g}×" if self.unit == "×" else f"{self.goal:g} {self.unit}"
        return f"{self.op} {g}"

    def verdict(self) -> str:
        return {None: "", True: "达标", False: "未达标"}[self.ok]

    def line(self) -> str:
        return f"{self.label}：{self.shown()}（{self.note}）  目标 {self.goal_text() or '—'}  {self.verdict()}"


def machine() -> str:
    """The box the figures came from (they mean nothing without it)."""
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="ignore") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(next(ln for ln in f if ln.startswith("MemTotal")).split()[1])
        mem = f"，{kb / 1024 / 1024:.0f} GB 内存"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{platform.system()} {platform.machine()}，{os.cpu_count()} 核 {cpu}{mem}，"
            f"Python {platform.python_version()}，负载 {os.getloadavg()[0]:.1f}")


def demo_copy(tmp: Path) -> Path:
    """A private copy of the demo database (built once per machine into the temp directory)."""
    import hashlib

    import credit.app.demo
    import credit.store.schema
    from credit.app.demo import build_demo

    # keyed by the demo builder and the schema: a master left by an older checkout is never reused
    sources = b"".join(Path(m.__file__).read_bytes() for m in (credit.app.demo, credit.store.schema))
    master = Path(tempfile.gettempdir()) / f"credit-bench-demo-{hashlib.sha256(sources).hexdigest()[:12]}.db"
    if not master.exists():
        building = master.with_name(f"{master.stem}.{os.getpid()}.building")
        build_demo(building)
        os.replace(building, master)  # a parallel run never copies a half-built master
    dest = tmp / "demo.db"
    shutil.copyfile(master, dest)
    return dest


def table(figures: list[Figure], markdown: bool = False) -> str:
    if markdown:
        rows = ["| 项目 | 实测 | 目标 | 结果 | 说明 |", "|---|---|---|---|---|"]
        rows += [f"| {f.label} | {f.shown()} | {f.goal_text()} | {f.verdict()} | {f.note} |" for f in figures]
        return "\n".join(rows)
    w = max(len(f.label) for f in figures)
    return "\n".join(f"{f.label.ljust(w)}  {f.shown():>10}  {f.goal_text():>9}  {f.verdict():4}  {f.note}"
                     for f in figures)


def replace_readme_block(readme: Path, begin: str, end: str, body: str) -> None:
    """Rewrite the text between the `begin` and `end` markers of `readme` (generated tables only)."""
    import re

    text = readme.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        raise SystemExit(f"{readme.name} 中没有 {begin} … {end} 标记")
    block = f"{begin}\n{body}\n{end}"
    readme.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S),
                      encoding="utf-8")


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table; `|` inside a cell is escaped."""
    cells = [[str(c).replace("|", "\\|") for c in row] for row in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


def emit(figures: list[Figure], as_json: bool) -> None:
    """Print the figures: one line each, or (for `benchmarks.run_all`) one JSON line at the end."""
    import json
    from dataclasses import asdict

    if as_json:
        print("FIGURES " + json.dumps([asdict(f) for f in figures], ensure_ascii=False), flush=True)
    else:
        for f in figures:
            print(f.line())


def run_pairs(measure: Callable[[int], list[Figure]], doc: str | None, pairs: int) -> None:
    """The command line of a benchmark measured in `--pairs` alternating pairs (`--json` for run_all)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=pairs)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    emit(measure(args.pairs), args.json)
