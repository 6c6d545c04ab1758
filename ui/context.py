"""Where the app's database is, one connection per script thread, and the shared month picker."""

from __future__ import annotations

import threading

import streamlit as st

from credit.app.service import DEFAULT_DB, open_store
from credit.app.service import db_path as service_db_path
from credit.common.months import month_label
from credit.store.facade import Store
from ui.style import MOBILE_MONTH_KEY

_local = threading.local()
MONTH_KEY = "month"
LINK_TAKEN_KEY = "link_taken"  # the link's query parameters were applied once in this session


def db_path() -> str:
    """`credit.app.service.db_path()` — built as the demo database on first start if that is the default and absent."""
    path = service_db_path()
    if path == DEFAULT_DB and not path.exists():
        from credit.app.demo import build_demo  # only on a first start; the demo builder is heavy

        with st.spinner("首次启动：正在生成演示数据库（约半分钟）…"):
            build_demo(path)
    return str(path)


def store() -> Store:
    """The store for this script run's thread (sqlite connections must stay on their thread)."""
    path = db_path()
    cached = getattr(_local, "store", None)
    if cached is None or getattr(_local, "path", None) != path:
        if cached is not None:
            cached.close()
        _local.store, _local.path = open_store(path), path
    return _local.store


def data_version() -> int:
    return store().data_version()


def months() -> list[str]:
    return store().months_with_data()


def month_picker() -> str | None:
    """The month select box, created in the entry file so every page shares it.

    The month is also the `month` query parameter, so every view is a shareable link: a link's
    month is taken once on arrival (first run of the session), then the picker writes it back.
    On a narrow screen the same month shows at the top of the page (the sidebar is collapsed).
    """
    options = list(reversed(months()))
    if not options:
        st.sidebar.info("数据库中还没有任何月份的数据，请先到“数据上传”导入月报表。")
        return None
    if not st.session_state.get(LINK_TAKEN_KEY):
        st.session_state[LINK_TAKEN_KEY] = True
        linked = st.query_params.get("month")
        if linked in options:
            st.session_state[MONTH_KEY] = linked
    if st.session_state.get(MONTH_KEY) not in options:
        st.session_state[MONTH_KEY] = options[0]
    month = st.sidebar.selectbox("考核月份", options, key=MONTH_KEY, format_func=month_label)
    st.query_params["month"] = month
    _mobile_month(options)
    return month


def _on_mobile_month() -> None:
    st.session_state[MONTH_KEY] = st.session_state[MOBILE_MONTH_KEY]


def _mobile_month(options: list[str]) -> None:
    """The month at the top of the page, shown by CSS only on narrow screens (ui.style)."""
    st.session_state[MOBILE_MONTH_KEY] = st.session_state[MONTH_KEY]
    with st.container(key=f"{MOBILE_MONTH_KEY}-box"):
        st.selectbox("考核月份", options, key=MOBILE_MONTH_KEY, format_func=month_label, on_change=_on_mobile_month)


def current_month() -> str | None:
    value = st.session_state.get(MONTH_KEY)
    return value if value in months() else (months()[-1] if months() else None)
