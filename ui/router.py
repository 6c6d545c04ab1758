"""The router guard: every request runs through Home.py, deep links included.

Why it exists: Streamlit keeps a legacy mode for apps with a `pages/` folder. Until the entry file
has called `st.navigation` once in this server process, a deep link such as /unit runs
pages/unit.py on its own — no login gate, no shared month picker, the folder's file names as the
menu. The folder is kept (the project card names `pages/`), so each page calls `ensure_router()`
as its first line: the first page run in legacy mode switches that mode off for the process and
reruns, and from then on Home.py's navigation (login, role-filtered pages, month picker) takes
over. After the first request it costs one attribute check.

Page tests run in the same mode a live server reaches after its first request
(`tests/support/apptest.stay_in_navigation_mode`).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_router() -> None:
    """Leave Streamlit's legacy pages/ mode (once per process) so Home.py routes this request."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
