"""The upload reader processes start a few seconds after a new server's first run began, not with it:
starting two interpreters that import the readers took the first page's CPU on a 2-core server
(issue 28, 性能三: the first Home of a new server)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT

CHECK = """
import time
from credit.workbook import isolation
from ui import uploads
uploads.READERS_AFTER_S = 1.0
t0 = time.perf_counter()
uploads.warm_readers()
uploads.warm_readers()  # a second run before they are due: no second timer
assert time.perf_counter() - t0 < 0.5, "warm_readers waited on the caller's thread"
assert isolation.worker_pids() == [], "the readers started with the first run"
deadline = time.monotonic() + 120
while len(isolation.worker_pids()) < isolation.WORKERS and time.monotonic() < deadline:
    time.sleep(0.1)
started = isolation.worker_pids()
assert len(started) == isolation.WORKERS, started
assert time.perf_counter() - t0 >= 1.0
uploads.warm_readers()  # from now on a rerun's call only checks they still run
assert sorted(isolation.worker_pids()) == sorted(started)
isolation.shutdown()
print("ok")
"""


def test_the_readers_start_in_the_background_after_the_first_run() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_home_asks_for_the_readers_on_every_run() -> None:
    """Called from Home.py before the page, so every server schedules them on its first run, whatever
    the page then does (a page may stop its run early)."""
    text = (ROOT / "Home.py").read_text(encoding="utf-8")
    assert "\nwarm_readers()" in text and text.index("\nwarm_readers()") < text.index("nav.run()")
