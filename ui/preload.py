"""The element code of the first page after login, loaded while the login form is being filled in.

Streamlit's frontend loads each kind of element's JavaScript on its first use and draws grey
skeletons until it is there (the table alone is about 1.2 MB with Arrow). The login page uses none
of the kinds the ranking page (every role's first page) draws, so the browser fetched and compiled
them only after 登录 was pressed: about half a second of the login-to-first-page time on this
machine, more than the password check. The login page draws one of each kind here instead, inside
a box `ui.style` hides (no room taken, nothing to read or press).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

PRELOAD_BOX = "first-page-code"  # the container's key; ui.style hides it


def preload_first_page() -> None:
    """One hidden metric, table and download button (the ranking page's element kinds)."""
    with st.container(key=PRELOAD_BOX):
        st.metric("预载", "0")
        st.dataframe(pd.DataFrame({"预载": [0]}), hide_index=True)
        st.download_button("预载", data=b"", file_name="preload.txt", key=f"{PRELOAD_BOX}-dl", on_click="ignore")
