"""The pages' heavy libraries are imported in the background after the server's first page is drawn
(issue 28: the first 单位详情 of a new server paid plotly.express and the 拼音 dictionaries)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT

CHECK = """
import sys, time
import streamlit  # what Home imports before it draws
assert "plotly.express" not in sys.modules and "pypinyin" not in sys.modules
from ui import warmup
t0 = time.perf_counter()
warmup.warm_libraries()
warmup.warm_libraries()  # a second session's first run: no second thread
started = time.perf_counter() - t0
assert warmup.warmed(120), "the background imports did not finish"
assert "plotly.express" in sys.modules and "pypinyin" in sys.modules
print(f"{started:.3f}")
"""


def test_the_libraries_are_imported_in_the_background_once() -> None:
    """In a new interpreter (this one has imported them already): the call returns at once, the thread
    imports plotly.express and pypinyin."""
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip()) < 0.5  # starting a thread, not importing on the caller's thread


def test_home_starts_the_warm_up_after_its_page() -> None:
    """The call is the last statement of Home.py: after nav.run(), so it never delays the first page."""
    lines = [ln for ln in (ROOT / "Home.py").read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert lines[-1].startswith("warm_libraries()") and lines[-2].strip() == "nav.run()"
