"""The one way page tests open the app in Streamlit's AppTest: through Home.py, as a browser does.

Every page test goes through the entry file (login gate, shared month picker, st.navigation), never
runs a page file on its own, and checks after every run that the page raised nothing.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, local_script_runner

from credit.app.service import open_store
from credit.common.filetypes import XLSX_MIME
from credit.model.accounts import Actor
from credit.model.contract import UNIT_COL
from tests.support.paths import ROOT
from tests.support.workbooks import fill_template
from ui.context import MONTH_KEY

HOME = ROOT / "Home.py"
TIMEOUT = 90  # seconds: the first run parses the framework and scores two groups


def _wait_for_the_run(runner: local_script_runner.LocalScriptRunner, timeout: float = 3) -> None:
    """Streamlit's `require_widgets_deltas` without its busy wait: block on the script thread.

    Streamlit polls every millisecond whether the run has ended, scanning the whole list of
    the run's events each time (one per element sent). That poll takes the GIL from the script
    thread ~1,000 times a second, so on a loaded 2-core box the page tests spent most of their
    wall time handing the GIL back and forth. The run has ended exactly when the script thread
    has returned (it emits SHUTDOWN as its last act, and `run` joins it right after), so joining
    it with the same timeout waits for the same moment and fails the same way.
    """
    thread = getattr(runner, "_script_thread", None)
    if thread is None:  # not started (or a future Streamlit renamed it): Streamlit's own wait
        _streamlit_wait(runner, timeout)
        return
    thread.join(timeout)
    if thread.is_alive():
        runner.request_stop()
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


_streamlit_wait = local_script_runner.require_widgets_deltas
local_script_runner.require_widgets_deltas = _wait_for_the_run


def checked(at: AppTest) -> AppTest:
    """`at` after asserting the last run raised no exception (the message lists them)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    """Run the script again (a rerun after a widget change) and check it."""
    at.run()
    return checked(at)


def switch(at: AppTest, page: str) -> AppTest:
    """Go to `pages/<page>` through the navigation, as a click in the sidebar does."""
    return run(at.switch_page(str(ROOT / "pages" / page)))


def open_page(page: str | None = None, actor: Actor | None = None,
              secrets: Mapping[str, object] | None = None) -> AppTest:
    """Home.py run once (signed in as `actor`, if any, with `secrets` set), then `pages/<page>` if given."""
    at = AppTest.from_file(str(HOME), default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if actor is not None:
        at.session_state["actor"] = actor
        at.session_state["actor_seen"] = time.time()
    run(at)
    return switch(at, page) if page else at


def press(at: AppTest, label: str) -> AppTest:
    """Click the button with this label and run the page again, as one user click does."""
    at.button[[b.label for b in at.button].index(label)].click()
    return run(at)


def month_picker(at: AppTest, key: str = MONTH_KEY):
    """The shared month picker's list (`ui.context.month_picker`: a radio list in the sidebar's
    popover; `key="mobile_month"` for the phone's copy at the top of the page). Its value is the
    month ("2022-10"); `.set_value(m)` then `run(at)` is a reader choosing a month."""
    return at.radio(key=key)


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Choose the tab called `label` of the lazy tabs `key` (drawn only when chosen), as a click does."""
    at.session_state[key] = label
    return run(at)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a Markdown backslash escape of ASCII punctuation


def texts(at: AppTest, kind: str) -> list[str]:
    """The text of every element of one kind ("info", "caption", "markdown", …) as a reader sees it:
    the escapes and invisible word joiners `ui.safe.md` adds to user text are resolved."""
    return [_ESCAPED.sub(r"\1", str(e.value)).replace("\u2060", "") for e in getattr(at, kind)]


def frame(at: AppTest, column: str, index: int = 0) -> pd.DataFrame:
    """The index-th table on the page that has `column` (st.dataframe is not looked up by key)."""
    return [df.value for df in at.dataframe if column in df.value.columns][index]


def stay_in_navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every AppTest run as a live server does after its first request: st.navigation mode.

    AppTest resets `PagesManager.uses_pages_directory` before each run, so a page whose url is
    its file stem (upload, registers, versions) starts in legacy pages/ mode, and ui.router's
    one-off rerun then drops the button click of that run. A real server leaves legacy mode for
    good on its first request, which is what this reproduces.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


# ---- shared by the page tests (signed-in actors, the upload widget, a good workbook) ------------

XLSX = XLSX_MIME
EDITOR = Actor("office", "editor", "信用办")
VIEWER = Actor("leader", "viewer", "领导")
ADMIN = Actor("admin", "admin", "管理员")
UPLOAD_MONTH = "2022-10"  # the demo month the page tests upload into by default


@pytest.fixture(autouse=True)
def navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autouse in every page module that imports it: st.navigation mode, as a live server runs."""
    stay_in_navigation_mode(monkeypatch)


def good_workbook(db: Path, month: str = UPLOAD_MONTH) -> bytes:
    """A valid 镇街 upload (榆山街道; 99999 registrations raise a reconciliation flag and a surge)."""
    with open_store(db) as store:
        register = store.units.register()
    return fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 2, "信易贷平台注册企业数": 99999}]},
                         month=month, units=register)


def acknowledge(at: AppTest) -> AppTest:
    """Tick the "checked the tenfold rises" box when the preview asks for it (good_workbook's 99999 does)."""
    for box in at.checkbox:
        if box.key and box.key.startswith("surges-ok-"):
            box.check()
            return run(at)
    return at


def upload(at: AppTest, *files: tuple[str, bytes], month: str | None = UPLOAD_MONTH) -> AppTest:
    """Pick the upload month, then put `files` into the uploader, as a user drops them."""
    if month is not None:
        at.selectbox(key="upload_month").select(month).run()
    at.file_uploader[0].set_value([(name, raw, XLSX) for name, raw in files])
    return run(at)


def plotly_array(value: object) -> np.ndarray:
    """A numeric array of a chart's spec: Plotly ships them as base64 typed arrays ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value, dtype=float)
