"""Every performance figure of issue 18's table beside its goal, measured in one run on one machine:

    python -m benchmarks.run_all              # all parts (the browser parts need /usr/bin/chromium)
    python -m benchmarks.run_all --quick      # without the browser and large-register parts
    python -m benchmarks.run_all --markdown   # all parts, then rewrite README's 性能 table from them

Each part is its own module (`python -m benchmarks.bench_rerun` …), run here in its own process
in turn; each prints its figures as one JSON line that this collects. Ratios are measured inside
one part with the two sides alternating (A B A B), so load on the shared machine hits both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date

from benchmarks.figures import Figure, machine, replace_readme_block, table
from tests.support.paths import ROOT

PARTS = [  # (title, module, arguments, needs a browser)
    ("服务器端重跑", "benchmarks.bench_rerun", ["--pairs", "60"], False),
    ("计分引擎", "benchmarks.bench_scoring", ["--runs", "15"], False),
    ("通报文件（Word、PDF）", "benchmarks.bench_documents", ["--pairs", "3"], False),
    ("真实浏览器（县级演示库）", "benchmarks.bench_browser", ["--pairs", "7"], True),
    ("新启动的服务首次打开页面", "benchmarks.bench_first_visit", ["--pairs", "2"], True),
    ("大名册（5,000 个单位）", "benchmarks.bench_large", ["--pairs", "3"], True),
    ("年度分析页（县级与 5,000 个单位）", "benchmarks.bench_year", ["--pairs", "3"], True),
]
ORDER = ["home_rerun", "home_floor_rerun", "home_browser", "login_first_page", "login_after_check", "login_floor", "first_home_large", "first_unit_page", "unit_pick_large", "whatif_large", "whatif_large_chart", "upload_preview",
         "engine_floor", "publish", "publish_refused", "docx", "pdf_warm", "pdf_one_shot", "download_again", "cli_issued_pdf", "cli_publish", "year_county", "year_county_ranks", "year_large", "year_large_ranks", "year_time", "year_peak", "add_units", "county_month", "whatif_county"]
README = ROOT / "README.md"
BEGIN, END = "<!-- perf-table:begin -->", "<!-- perf-table:end -->"


def run_part(module: str, args: list[str]) -> list[Figure]:
    proc = subprocess.run([sys.executable, "-m", module, *args, "--json"], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("FIGURES ")]
    for ln in proc.stdout.splitlines():
        if not ln.startswith("FIGURES "):
            print("  " + ln)
    if proc.returncode or not lines:
        print(f"  （{module} 失败，返回码 {proc.returncode}）")
        return []
    return [Figure(**f) for f in json.loads(lines[-1][len("FIGURES "):])]


def write_readme(figures: list[Figure], where: str) -> None:
    replace_readme_block(README, BEGIN, END,
                         f"由 `python -m benchmarks.run_all --markdown` 于 {date.today().isoformat()} 生成（不要手改）。"
                         f"机器：{where}。\n\n{table(figures, markdown=True)}")


def main() -> int:
    quick = "--quick" in sys.argv
    markdown = "--markdown" in sys.argv
    where = machine()
    print(f"机器：{where}")
    figures: list[Figure] = []
    failed = 0
    for title, module, args, browser in PARTS:
        if quick and browser:
            continue
        print(f"\n== {title} ==", flush=True)
        t0 = time.perf_counter()
        got = run_part(module, args)
        failed += not got
        figures += got
        print(f"  （用时 {time.perf_counter() - t0:.0f} s）", flush=True)
    figures.sort(key=lambda f: ORDER.index(f.key) if f.key in ORDER else len(ORDER))
    print(f"\n== 汇总（机器：{where}）==")
    print(table(figures))
    if markdown and not quick:
        write_readme(figures, where)
        print(f"\n已更新 {README.name} 的性能表")
    return 1 if failed else 0  # a missed goal is a figure to report, not a failure of the run


if __name__ == "__main__":
    sys.exit(main())
