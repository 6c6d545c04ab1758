"""Shareable links: what a view needs in `st.query_params` and how the what-if weights fit in one
short parameter.

Each page writes its state (month by the shared picker; group and unit on 单位详情; group and
changed weights on 权重模拟) into the URL on every run, and applies a link's values once on
arrival, so "/unit?month=2022-11&unit=孝直镇" opens there. The weights parameter lists only the
indicators that differ from the official points: "T1~6.5.T7~12" (code~points, dot-separated;
characters a URL keeps as they are).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlparse

import streamlit as st

AFTER_LOGIN_KEY = "after_login"
_PAIR = re.compile(r"^([A-Za-z]\w{0,9})~(\d{1,4}(?:\.\d{1,2})?)$")


def encode_points(official: Mapping[str, float], points: Mapping[str, float]) -> str:
    """Only the changed indicators, official order, at most two decimals."""
    parts = [f"{code}~{round(float(points[code]), 2):g}" for code in official
             if code in points and abs(float(points[code]) - float(official[code])) > 0.004]
    return ".".join(parts)


def decode_points(text: str, official: Mapping[str, float]) -> dict[str, float] | None:
    """The official points with a link's changes applied; None when the text is not a valid list."""
    out = dict(official)
    for part in _split(text):
        m = _PAIR.match(part)
        if m is None or m.group(1) not in out:
            return None
        out[m.group(1)] = float(m.group(2))
    return out


def _split(text: str) -> list[str]:
    """"T1~6.5.T7~12" → ["T1~6.5", "T7~12"]: a dot followed by a code starts the next pair."""
    return [p for p in re.split(r"\.(?=[A-Za-z])", text) if p]


def arrived(param: str) -> str | None:
    """A link's value for `param` not applied yet in this session (then marked applied)."""
    value = st.query_params.get(param)
    key = f"link_applied:{param}"
    if value is None or st.session_state.get(key) == value:
        return None
    st.session_state[key] = value
    return value


def keep(param: str, value: str | None) -> None:
    """Write the view's current value into the URL (and note it as applied)."""
    st.session_state[f"link_applied:{param}"] = value
    if value:
        st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]


def remember_target() -> None:
    """Before login: note which page and parameters the link asked for (first run only)."""
    if AFTER_LOGIN_KEY in st.session_state:
        return
    url = st.context.url or ""
    path = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]
    st.session_state[AFTER_LOGIN_KEY] = (path, dict(st.query_params.to_dict()))


def go_to_target(pages: Mapping[str, list]) -> None:
    """After login: open the page the link asked for, with its parameters, if this role has it."""
    target = st.session_state.pop(AFTER_LOGIN_KEY, None)
    if not target or not target[0] or target[0] == "login":
        return
    path, params = target
    for page in (p for group in pages.values() for p in group):
        if page.url_path == path:
            st.switch_page(page, query_params=params)
