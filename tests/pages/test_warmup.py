"""The pages' heavy libraries are imported in the background after the server's first page is drawn
(issue 28: the first 单位详情 of a new server paid plotly.express and the 拼音 dictionaries), and the
browser is told once per session to fetch the chart pages' element code (ui.preload; the browser
side is tests/browser/test_login_browser.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.apptest import checked, navigation_mode, open_page, run, switch  # noqa: F401 (autouse)
from tests.support.paths import ROOT
from ui import preload

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
    lines = [ln.strip() for ln in (ROOT / "Home.py").read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert lines[-1].startswith("warm_libraries()") and "nav.run()" in lines[:-1]


def prefetches(at) -> list[str]:
    """The prefetch scripts this run drew (st.html elements)."""
    return [e.proto.body for e in at.get("html") if "__chartCode" in e.proto.body]


def test_the_chart_code_is_prefetched_once_per_session_after_the_first_page(demo_db: Path) -> None:
    at = open_page()  # the demo database: the ranking page, no login needed
    scripts = prefetches(at)
    assert len(scripts) == 1
    assert all(f'"./{name}' in scripts[0] for name in ("PlotlyChart.", "Radio.", "useSlot."))
    assert prefetches(run(at)) == []  # the session's page has it: a rerun does not draw it again
    assert prefetches(switch(at, "unit.py")) == []


def test_the_login_page_does_not_prefetch(demo_db: Path) -> None:
    """While the person types the password the browser stays free (the press of 登录 is timed)."""
    at = switch(open_page(), "login.py")  # (the first run drew the ranking page, which prefetched)
    at.session_state[preload.PREFETCHED_KEY] = False
    assert prefetches(run(at)) == []


def test_every_chart_file_is_found_in_this_streamlit() -> None:
    files = preload.chart_code_files()
    assert [f.split(".")[0] for f in files] == list(preload.CHART_CODE)
    js = Path(preload.st.__file__).parent / "static" / "static" / "js"
    assert all((js / f).is_file() for f in files)


@pytest.mark.parametrize("name", ["../../etc/passwd", "x.js\"</script><script>alert(1)//", "Plotly Chart.a.js",
                                  "https://evil.example/x.js", "PlotlyChart.js"])
def test_only_streamlits_hashed_file_names_reach_the_script(name: str) -> None:
    with pytest.raises(ValueError):
        preload.prefetch_script(("PlotlyChart.D9Z0_fxz.js", name))
    assert '"./PlotlyChart.D9Z0_fxz.js"' in preload.prefetch_script(("PlotlyChart.D9Z0_fxz.js",))
