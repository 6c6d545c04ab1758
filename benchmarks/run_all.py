"""Every performance and reliability figure, printed by one command:

    python benchmarks/run_all.py            # all (about 3 minutes; the browser parts need chromium)
    python benchmarks/run_all.py --quick    # without the browser and scale parts

Each part is its own script, runnable alone; this only runs them in turn on the same machine.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = [
    ("计分引擎", ["bench_scoring.py", "--runs", "30"]),
    ("导入", ["bench_import.py"]),
    ("双公示预检", ["bench_sgs.py"]),
    ("权重模拟与排名稳定性", ["bench_whatif.py"]),
    ("可靠性", ["reliability_report.py"]),
    ("真实浏览器", ["bench_browser.py"]),
    ("规模（120 个月、500 个单位）", ["bench_scale.py"]),
]
BROWSER_PARTS = {"真实浏览器", "规模（120 个月、500 个单位）"}


def main() -> int:
    quick = "--quick" in sys.argv
    with open("/proc/cpuinfo", encoding="utf-8", errors="ignore") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    print(f"机器：{platform.system()} {platform.machine()}，{cpu}，Python {platform.python_version()}")
    failed = 0
    for title, cmd in PARTS:
        if quick and title in BROWSER_PARTS:
            continue
        if not (HERE / cmd[0]).exists():
            continue
        print(f"\n== {title} ==", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, str(HERE / cmd[0]), *cmd[1:]], cwd=HERE.parent).returncode
        failed += rc != 0
        print(f"（用时 {time.perf_counter() - t0:.0f} s）", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
