"""Where the app's database is, one connection per script thread, and the shared month picker."""

from __future__ import annotations

import threading

import streamlit as st

from credit.app.service import DEFAULT_DB, open_store
from credit.app.service import db_path as service_db_path
from credit.common.months import month_label
from credit.store.facade import Store

_local = threading.local()
MONTH_KEY = "month"


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
    """The month select box, created in the entry file so every page shares it."""
    options = list(reversed(months()))
    if not options:
        st.sidebar.info("数据库中还没有任何月份的数据，请先到“数据上传”导入月报表。")
        return None
    if st.session_state.get(MONTH_KEY) not in options:
        st.session_state[MONTH_KEY] = options[0]
    return st.sidebar.selectbox("考核月份", options, key=MONTH_KEY, format_func=month_label)


def current_month() -> str | None:
    value = st.session_state.get(MONTH_KEY)
    return value if value in months() else (months()[-1] if months() else None)
