"""A storage failure (disk full, read-only, locked, corrupt database) as a message, not a crash page.

Every page runs inside `storage_guard()` (Home.py), so an `sqlite3` error raised anywhere while a
page draws becomes one Chinese message from `credit.errors.storage_error`; each write is one
transaction, so nothing half-written is left behind. Other exceptions pass through unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from credit.errors import CreditError, storage_failure


@contextmanager
def storage_guard() -> Iterator[None]:
    try:
        yield
    except (CreditError, sqlite3.DatabaseError) as exc:
        failure = storage_failure(exc)
        if failure is None:
            raise
        st.error(str(failure), icon=":material/database:")
