"""Make sure Home.py routes every request, deep links included.

Streamlit keeps a legacy mode for apps with a `pages/` folder: until the entry file has called
`st.navigation` once in this server process, a deep link such as /unit runs pages/unit.py on its
own (no login gate, no shared month picker, the folder's file names as the menu). The first page
run in that mode switches it off and reruns, so Home.py's navigation takes over at once.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_router() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
