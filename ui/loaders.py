"""Cached reads: every loader is keyed on (database, data version), so a new import is seen at once
and a widget touch recomputes nothing."""

from __future__ import annotations

import streamlit as st

from credit.app import service
from credit.app.service import GroupMonth
from credit.scoring.inputs import MonthInputs, load_month_inputs
from ui.context import data_version, db_path, store


@st.cache_data(show_spinner="正在计算得分…", max_entries=256)
def _group_month(db: str, version: int, month: str, group: str, policy: str) -> GroupMonth:
    return service.score(store(), month, group, policy=policy)


def group_month(month: str, group: str, policy: str = "rescale") -> GroupMonth:
    return _group_month(db_path(), data_version(), month, group, policy)


@st.cache_data(show_spinner=False, max_entries=256)
def _inputs(db: str, version: int, month: str, group: str) -> MonthInputs:
    return load_month_inputs(store(), month, group)


def inputs(month: str, group: str) -> MonthInputs:
    return _inputs(db_path(), data_version(), month, group)


@st.cache_data(show_spinner=False, max_entries=64)
def _year_history(db: str, version: int, month: str, group: str, policy: str):
    """Summaries of every month of the year up to `month` (for rank history charts)."""
    import pandas as pd

    year = month[:4]
    frames = []
    for m in store().months_with_data():
        if m[:4] == year and m <= month:
            frames.append(_group_month(db, version, m, group, policy).summary)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def year_history(month: str, group: str, policy: str = "rescale"):
    return _year_history(db_path(), data_version(), month, group, policy)


@st.cache_data(show_spinner=False, max_entries=16)
def _is_demo(db: str, version: int) -> bool:
    return store().get_meta("demo") == "1"


def is_demo() -> bool:
    return _is_demo(db_path(), data_version())
