"""Server-side rerun of Home against a bare one-table page, in AppTest (no browser, no network):
what the server spends per rerun once every cache is warm. Alternating A B A B on the same machine.

    python -m benchmarks.bench_rerun [--pairs 15] [--profile]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from benchmarks.figures import Figure, demo_copy, emit
from tests.support.paths import ROOT


def _server_like_script_cache() -> None:
    """AppTest compiles every script afresh on each run (a new `ScriptCache` per runner), which a
    real server does not: its Runtime keeps one cache for the process. Share one here too, for
    both pages alike, so the figure is the server's rerun rather than AppTest's compiler."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    local_script_runner.ScriptCache = app_test.ScriptCache = lambda: shared


def _server_like_navigation_mode() -> None:
    """AppTest also resets `PagesManager.uses_pages_directory` before every run, so each Home run
    would first go through Streamlit's legacy pages/ mode (`_mpa_v1`: a `Path.resolve()` and a
    page object per file of pages/, then Home.py run as a page of it). A server leaves that mode
    for good on its first request (ui.router); do the same here, as the page tests do
    (`tests.support.apptest.stay_in_navigation_mode`)."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def _server_like_client() -> None:
    """AppTest's runtime is a `MagicMock`, so each `st.context.cookies` read (Home asks once per
    run whether the browser sent a login cookie) builds a chain of mock objects, about a tenth of
    a bare page's rerun. A server answers from the session's client, a dict; answer as a browser
    without a cookie does (`st.context` falls back to empty cookies and headers without a client)."""
    from streamlit.runtime import context

    context._get_client_context = lambda: None


def _server_like_wait() -> None:
    """AppTest waits for a run by polling every millisecond whether it has ended, which takes the
    GIL from the script thread about a thousand times a second: each database query of a rerun then
    costs 0.1–0.17 ms instead of its 11 µs. A server's script thread has no such poller beside it.
    Wait by joining the script thread, as the page tests do (`tests.support.apptest`)."""
    from streamlit.testing.v1 import local_script_runner

    from tests.support.apptest import _wait_for_the_run

    local_script_runner.require_widgets_deltas = _wait_for_the_run


def _apptest(script: Path) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rerun(at: AppTest) -> float:
    t0 = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]
    return dt


def profile_reruns(at: AppTest, runs: int) -> str:
    """pyinstrument of the script thread itself (a profiler on the calling thread sees only waiting)."""
    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner import script_runner

    prof = Profiler(interval=0.0005)
    original = script_runner.exec_func_with_error_handling

    def wrapped(func, ctx):
        prof.start()
        try:
            return original(func, ctx)
        finally:
            prof.stop()

    script_runner.exec_func_with_error_handling = wrapped
    try:
        for _ in range(runs):
            at.run()
    finally:
        script_runner.exec_func_with_error_handling = original
    return prof.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1")


def measure(pairs: int, profile: bool = False) -> list[Figure]:
    _server_like_script_cache()
    _server_like_navigation_mode()
    _server_like_client()
    _server_like_wait()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CREDIT_DB"] = str(demo_copy(Path(tmp)))
        home, bare = _apptest(ROOT / "Home.py"), _apptest(ROOT / "benchmarks" / "bare_app.py")
        floor = _apptest(ROOT / "benchmarks" / "home_floor_app.py")
        for _ in range(3):  # warm all three
            _rerun(home), _rerun(bare), _rerun(floor)
        h, b, f = [], [], []
        for _ in range(pairs):
            b.append(_rerun(bare))
            h.append(_rerun(home))
            f.append(_rerun(floor))
        if profile:
            print(profile_reruns(home, 10))
    hm, bm, fm = (statistics.median(x) * 1000 for x in (h, b, f))
    return [Figure("home_rerun", "首页服务器端重跑 / 基准页重跑（AppTest，缓存已热）", hm / bm, "×", 2.0, "≤",
                   f"{hm:.1f} ms / {bm:.1f} ms，{pairs} 组交替"),
            Figure("home_floor_rerun", "首页同样元素、不含应用逻辑的重跑 / 基准页重跑（Streamlit 自身下限）", fm / bm, "×",
                   None, "≤", f"{fm:.1f} ms / {bm:.1f} ms（benchmarks/home_floor_app.py）")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    emit(measure(args.pairs, args.profile), args.json)


if __name__ == "__main__":
    main()
