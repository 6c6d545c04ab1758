"""Element code a page is about to need, loaded while the person is still busy with the page before.

Streamlit's frontend loads each kind of element's JavaScript on its first use and draws grey
skeletons until it is there (the table alone is about 1.2 MB with Arrow). Two moments paid that
load after the person had acted:
- the login page uses none of the kinds the ranking page (every role's first page) draws, so the
  browser fetched and compiled them only after 登录 was pressed: about half a second of the
  login-to-first-page time on this machine, more than the password check;
- the upload page draws its first check box and button only in the validation preview.
Those pages draw one of each kind here instead, inside a box `ui.style` hides (no room taken,
nothing to read or press).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

PRELOAD_BOX = "element-code"  # the container's key prefix; ui.style hides it
BOXES = ("login", "upload")  # the pages that preload (plain class selectors in ui.style, no wildcards)
FIRST_PAGE = ("metric", "dataframe", "download_button")  # the ranking page's kinds the login page lacks
PREVIEW = ("checkbox", "button")  # the upload preview's kinds the upload page lacks before a file


def preload(kinds: tuple[str, ...], key: str) -> None:
    """One hidden, inert element of each of `kinds` (see the module doc); `key` (one of BOXES) names the box."""
    if key not in BOXES:
        raise ValueError(f"unknown preload box {key!r}: ui.style hides only {BOXES}")
    with st.container(key=f"{PRELOAD_BOX}-{key}"):
        for kind in kinds:
            if kind == "metric":
                st.metric("预载", "0")
            elif kind == "dataframe":
                st.dataframe(pd.DataFrame({"预载": [0]}), hide_index=True)
            elif kind == "download_button":
                st.download_button("预载", data=b"", file_name="preload.txt", key=f"{PRELOAD_BOX}-{key}-dl",
                                   on_click="ignore")
            elif kind == "checkbox":
                st.checkbox("预载", key=f"{PRELOAD_BOX}-{key}-cb", disabled=True)
            elif kind == "button":
                st.button("预载", key=f"{PRELOAD_BOX}-{key}-bt", disabled=True)
            else:
                raise ValueError(f"unknown element kind {kind!r}")
