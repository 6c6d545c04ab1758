"""Before/after figures of a change, side by side in one run: this tree against a git revision.

    python -m benchmarks.bench_ab [--base main] [--pairs 3] [--units 50000]

The base revision is exported (`git archive`) into a temporary directory; each measurement runs in
a fresh process of the same Python, alternating base / this tree (A B A B), so load from other
work on the shared machine hits both alike. Measured, each in CPU seconds of the process (all
threads) and wall seconds:

- a year of scoring (12 monthly scorings on fresh year-to-date inputs) of `--units` departments;
- the upload check and preview of a county month's workbook (parse, validate, diff against the
  stored month, jump and surge flags) on the demo database, without the page around it.

Not a timed test; prints the medians and the after/before ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.paths import ROOT

YEAR = """
import json, sys, time
from credit.model.framework import load_framework
from credit.scoring.engine import score_month
from tests.support.synthetic import Knobs, make_year, register_with_departments
register = register_with_departments({units})
year = make_year(register, seed=3, groups=("部门",), knobs=Knobs())
fw = load_framework("部门", register)
score_month(year.inputs(1, "部门"), fw)
c0, t0 = time.process_time(), time.perf_counter()
for m in range(1, 13):
    score_month(year.inputs(m, "部门"), fw)
print("RESULT " + json.dumps([time.process_time() - c0, time.perf_counter() - t0]))
"""

UPLOAD = """
import json, shutil, sys, tempfile, time
from pathlib import Path
from benchmarks.bench_browser import month_workbook
from credit.app.service import open_store
from credit.workbook.preview import build_preview, check_file
tmp = Path(tempfile.mkdtemp())
shutil.copyfile({db!r}, tmp / "demo.db")
book = month_workbook(tmp)  # named after its month: the month after the demo's last one
raw, month = book.read_bytes(), book.stem[:7]
with open_store(tmp / "demo.db") as store:
    def once():
        check = check_file(raw, book.name, month, store.register())
        build_preview(store, month, [check], store.register())
    once()
    cpu, wall = [], []
    for _ in range(15):
        c0, t0 = time.process_time(), time.perf_counter()
        once()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
print("RESULT " + json.dumps([min(cpu), min(wall)]))
"""


def export(rev: str, dest: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def run(tree: Path, code: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, text=True, check=True,
                         stdout=subprocess.PIPE).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    cpu, wall = json.loads(line[len("RESULT "):])
    return cpu, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="main")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--units", type=int, default=50000)
    args = ap.parse_args()
    from benchmarks.figures import demo_copy, machine

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        export(args.base, base)
        db = str(demo_copy(Path(tmp)))
        cases = {f"一年计分（{args.units:,} 个部门）": YEAR.format(units=args.units),
                 "上传检查与预览（县级一个月，不含页面）": UPLOAD.format(db=db)}
        print(f"机器：{machine()}；基准版本 {args.base}，{args.pairs} 对交替")
        for label, code in cases.items():
            got: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
            for _ in range(args.pairs):
                got["before"].append(run(base, code))
                got["after"].append(run(ROOT, code))
            (bc, bw), (ac, aw) = ([statistics.median(x) for x in zip(*got[k], strict=True)] for k in ("before", "after"))
            print(f"{label}：CPU {bc:.3f} s → {ac:.3f} s（{ac / bc:.2f}×），墙钟 {bw:.3f} s → {aw:.3f} s（{aw / bw:.2f}×）"
                  f"，负载 {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
