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

A third moment was the first chart: the chart pages (单位详情, 信易贷进度, 年度分析, 权重模拟) draw with
plotly, whose element code is one 4.7 MB file; the first of them a person opened waited for it to
be fetched and compiled (2.9× a later visit of 单位详情 on a new server). `prefetch_chart_code()`
has the browser import those files itself, once per page load, a moment after the first page
after login is drawn (while the person reads it): the same module URLs Streamlit imports later,
so its own import finds them loaded. The files are served with an immutable cache header, so a
browser fetches them once per Streamlit version.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from string import Template

import pandas as pd
import streamlit as st

PRELOAD_BOX = "element-code"  # the container's key prefix; ui.style hides it
BOXES = ("login", "upload", "charts")  # the preload boxes (plain class selectors in ui.style, no wildcards)
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


CHART_CODE = ("PlotlyChart", "Radio", "useSlot")  # what the first 单位详情 fetched after the ranking page (Radio: also the month picker's list)
PREFETCHED_KEY = "chart_code_prefetched"  # session_state: this session's page has been told once
PREFETCH_DELAY_MS = 1000  # after the first page is drawn, then when the browser is idle
_CHUNK_NAME = re.compile(r"^[A-Za-z]+\.[A-Za-z0-9_-]+\.js$")  # Streamlit's hashed file names, nothing else
# No JavaScript template literals here: `$` belongs to the placeholders below. `window.__chartCode`
# says where the prefetch is ("pending", then "done"); the benchmarks and tests read it.
PREFETCH_SCRIPT = Template("""<script>
(() => {
  if (window.__chartCode) return;
  const main = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!main) return;
  window.__chartCode = "pending";
  const files = $files;
  const load = () => Promise.allSettled(files.map((f) => import(new URL(f, main.src).href)))
    .then(() => { window.__chartCode = "done"; });
  setTimeout(() => (window.requestIdleCallback ? requestIdleCallback(load, {timeout: 2000}) : load()), $delay);
})();
</script>""")


@functools.cache
def chart_code_files() -> tuple[str, ...]:
    """The hashed file names of `CHART_CODE` in this Streamlit's frontend build (none if its
    layout differs: then nothing is prefetched and the pages load their code as before)."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    found = []
    for name in CHART_CODE:
        files = sorted(p.name for p in js.glob(f"{name}.*.js") if _CHUNK_NAME.match(p.name))
        if len(files) == 1:
            found.append(files[0])
    return tuple(found)


def prefetch_script(files: tuple[str, ...], delay_ms: int = PREFETCH_DELAY_MS) -> str:
    """The script that imports `files` (hashed names beside Streamlit's own index.*.js)."""
    if not all(_CHUNK_NAME.match(f) for f in files):
        raise ValueError("only Streamlit's own hashed file names may be prefetched")
    return PREFETCH_SCRIPT.substitute(files=json.dumps([f"./{f}" for f in files]), delay=int(delay_ms))


def prefetch_chart_code() -> None:
    """Once per session, after its first page past the login is drawn (Home.py): see the module doc."""
    if st.session_state.get(PREFETCHED_KEY) or not chart_code_files():
        return
    st.session_state[PREFETCHED_KEY] = True
    with st.container(key=f"{PRELOAD_BOX}-charts"):
        st.html(prefetch_script(chart_code_files()), unsafe_allow_javascript=True)
