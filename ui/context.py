"""Where the app's database is, one connection per script run, and the shared month picker.

Why a pool: Streamlit runs each rerun on a new thread, and a new sqlite connection costs more
than the rest of a cached page's server work (connect, WAL check, migration check, seed check,
and the first query parsing the schema: about 4 ms of a 20 ms Home rerun). Home.py wraps every
run in `run_scope()`, which takes an open store from a process-wide pool for that run's thread
and gives it back when the run ends, so one connection serves one run at a time and is never
used by two threads at once. A store is handed back only when no transaction is open, and a
pooled one is dropped when its database file was replaced (restore) since it was opened.
Outside a run scope (widget callbacks run before the entry file) `store()` opens one per thread
as before.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import streamlit as st

from credit.app.service import DEFAULT_DB, open_store
from credit.app.service import db_path as service_db_path
from credit.common.months import month_label
from credit.reports.month_state import PROVISIONAL, MonthState, landing_month, month_state
from credit.store.facade import Store
from ui.style import MOBILE_MONTH_KEY

T = TypeVar("T")
K = TypeVar("K")
_local = threading.local()
_pool: dict[str, list[tuple[Store, tuple[int, int]]]] = {}  # db path → idle stores, each with its file's identity
_pool_lock = threading.Lock()
POOL_IDLE_MAX = 4  # idle connections kept per database (2 cores: a handful of runs at once)
MONTH_KEY = "month"
LINK_TAKEN_KEY = "link_taken"  # the link's query parameters were applied once in this session


def db_path() -> str:
    """`credit.app.service.db_path()` — built as the demo database on first start if that is the default and absent.

    Looked up once per script run (a page asks a dozen times: every loader and store call)."""
    return once_per_run("db_path", _db_path)


def _db_path() -> str:
    path = service_db_path()
    if path == DEFAULT_DB and not path.exists():
        from credit.app.demo import build_demo  # only on a first start; the demo builder is heavy

        with st.spinner("首次启动：正在生成演示数据库（约半分钟）…"):
            build_demo(path)
    return str(path)


def store() -> Store:
    """The store for this script run (the run scope's pooled one), else one for this thread."""
    path = db_path()
    cached = getattr(_local, "store", None)
    if cached is None or getattr(_local, "path", None) != path:
        if cached is not None and not getattr(_local, "pooled", False):
            cached.close()
        _local.store, _local.path, _local.pooled = open_store(path), path, False
    return _local.store


def _file_id(path: str) -> tuple[int, int]:
    """The database file's identity: a restore renames a new file over the path (new inode)."""
    st_ = os.stat(path)
    return st_.st_dev, st_.st_ino


def _take(path: str) -> tuple[Store, tuple[int, int]]:
    with _pool_lock:
        idle = _pool.get(path, [])
        while idle:
            pooled, ident = idle.pop()
            try:
                if _file_id(path) == ident:
                    return pooled, ident
            except OSError:
                pass
            pooled.close()  # its file was replaced or removed: a connection to the old one
    fresh = open_store(path, handover=True)
    return fresh, _file_id(path)


def _give_back(path: str, pooled: Store, ident: tuple[int, int]) -> None:
    if pooled.in_transaction():
        pooled.close()
        return
    with _pool_lock:
        idle = _pool.setdefault(path, [])
        if len(idle) < POOL_IDLE_MAX:
            idle.append((pooled, ident))
            return
    pooled.close()


def once_per_run(key: str, compute: Callable[[], T]) -> T:
    """`compute()` once in this script run (every call outside a run scope). Only for values that
    cannot change while a run draws, such as what the deployment's secrets.toml configures."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@contextmanager
def run_scope() -> Iterator[None]:
    """One script run with one pooled store (Home.py wraps every run in it; see the module doc)."""
    path = db_path()
    pooled, ident = _take(path)
    outer = getattr(_local, "store", None), getattr(_local, "path", None), getattr(_local, "pooled", False)
    _local.store, _local.path, _local.pooled = pooled, path, True
    _local.memo = {}
    try:
        yield
    finally:
        current = getattr(_local, "store", None)
        for own in {id(s): s for s in (current, outer[0] if not outer[2] else None) if s is not None}.values():
            if own is not pooled:
                own.close()  # a callback's own connection opened before the run, or one for another path
        _local.store, _local.path, _local.pooled, _local.memo = None, None, False, None
        _give_back(path, pooled, ident)


def data_version() -> int:
    """The store's data version, read once per script run while this run's connection writes
    nothing (a page asks up to four times a run: picker, month, each loader). Another session's
    import in the middle of a run is seen from the next run on, as a rerun sees it anyway."""
    s = store()
    memo = getattr(_local, "memo", None)
    if memo is None:
        return s.data_version()
    key = ("data_version", id(s), s.changes())
    if key not in memo:
        memo[key] = s.data_version()
    return memo[key]


_VERSIONED: dict[tuple[str, int, str], object] = {}  # (database, data version, what) → value


def per_version(what: str, compute: Callable[[], T]) -> T:
    """`compute()` once per data version of this database, for small values that only a counted
    write changes: months with data (imports, withdrawn versions, restores) and the settings
    (`Settings.set` bumps the version too). Home asks for them on every rerun; each was a query,
    and in a test run each query is a hand-over of the interpreter lock to the polling thread."""
    key = (db_path(), data_version(), what)
    found = _VERSIONED.get(key, _VERSIONED)  # the dict itself stands for "not there" (None is a value)
    if found is _VERSIONED:
        if len(_VERSIONED) > 256:
            _VERSIONED.clear()  # another session may clear it too: this run keeps its own value
        found = _VERSIONED[key] = compute()
    return found  # type: ignore[return-value]


class Recent(Generic[K, T]):
    """The last few values computed, by small keys, handed out by reference: for a value a page
    reads on every rerun from an `st.cache_resource` loader, whose every call hashes its arguments
    and inspects the function's signature (a fifth of a millisecond, a twentieth of a bare page's
    rerun). Keys must name the data (database, data version, …), as the loader's own do, so a
    new import is a new key; a miss asks the loader (spinner and shared cache as before)."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._items: dict[K, T] = {}
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], T]) -> T:
        found = self._items.get(key, self._items)  # the dict itself stands for "not there"
        if found is not self._items:
            return found  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._keep:  # the oldest first (dicts keep insertion order)
                del self._items[next(iter(self._items))]
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def months() -> list[str]:
    """Months with data, ascending (read once per data version)."""
    return list(per_version("months", lambda: store().datasets.months_with_data()))


def signed_months() -> list[str]:
    """Months with a signed 通报 (read once per data version)."""
    return list(per_version("signed", lambda: store().publishing.published_months()))


def state_of(month: str) -> MonthState:
    """The month's state (采集中 / 待签发 / 已签发 / 更正中), once per data version."""
    return per_version(f"state:{month}", lambda: month_state(store(), month))


def month_picker(reader: bool = False) -> str | None:
    """The month picker, created in the entry file so every page shares it.

    The month is also the `month` query parameter, so every view is a shareable link: a link's
    month is taken once on arrival (first run of the session), then the picker writes it back.
    A phone's browser also gets the same picker at the top of the page (its sidebar is collapsed).
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
        # a reader (领导, anonymous, a unit) lands on the latest signed month; the office on the latest
        st.session_state[MONTH_KEY] = landing_month(months(), signed_months()) if reader else options[0]
    month = st.session_state[MONTH_KEY]
    with st.sidebar:
        _picker(options, MONTH_KEY, month)
    if month not in signed_months():
        st.sidebar.caption(f"⚠️ {PROVISIONAL}：{month_label(month)}的通报尚未签发，数据可能变化。")
    if st.query_params.get("month") != month:  # each write is a message to the browser: only a change
        st.query_params["month"] = month
    if on_phone():
        _mobile_month(options)
    return month


PICKER_LABEL = "考核月份"
PICKER_ICON = ":material/calendar_month:"


def picker_label(month: str) -> str:
    """What the picker's button says: 考核月份 and the month chosen (the list opens under it)."""
    return f"{PICKER_LABEL}：{_label(month)}"


def _picker(options: list[str], key: str, month: str, on_change: Callable[[], None] | None = None) -> None:
    """A button that reads like a select box (考核月份：2022年10月 ⌄) and opens the list of months.

    Why not `st.selectbox`: its code is about twenty files the browser fetches on a page's first
    draw, queued before the ranking table's own (issue 28: Home's first draw was 1.25–1.3× a bare
    one-table page; the select box alone was 0.07–0.13× of it). A popover is part of Streamlit's
    main code and its body is mounted only when opened, so the radio list costs nothing until a
    person opens it (its code is prefetched after the first page, `ui.preload.CHART_CODE`).
    The button's label names the month, so a new month is a new button: the list closes.
    """
    with st.popover(picker_label(month), icon=PICKER_ICON, width="stretch", key=f"{key}-picker-{month}"):
        st.radio(PICKER_LABEL, options, key=key, format_func=_label, on_change=on_change,
                 label_visibility="collapsed")


# A phone's or tablet's browser says so in its User-Agent (WeChat's and DingTalk's built-in browsers
# on a phone say "Mobile" too); bounded, so a forged header of any length costs one short search.
PHONE_AGENT = re.compile(r"Mobile|Android|iPhone|iPad|iPod|HarmonyOS|Windows Phone", re.IGNORECASE)
AGENT_CHARS = 512


def is_phone_agent(user_agent: str | None) -> bool:
    """Whether a User-Agent header is a phone's or tablet's browser (see PHONE_AGENT)."""
    return bool(user_agent) and PHONE_AGENT.search(user_agent[:AGENT_CHARS]) is not None


def on_phone() -> bool:
    """This session's page was opened by a phone's or tablet's browser. Only there is the
    top-of-page copy of the picker drawn (ui.style shows it on narrow screens): on a PC it was one
    more element on every page's first draw that no one could see. A PC window made narrow keeps
    the sidebar's picker (the sidebar's ☰ opens it)."""
    return is_phone_agent(st.context.headers.get("User-Agent"))


@functools.lru_cache(maxsize=1024)
def _label(month: str) -> str:
    """`month_label`, remembered: the picker labels every month with data on every rerun."""
    return month_label(month)


def _on_mobile_month() -> None:
    st.session_state[MONTH_KEY] = st.session_state[MOBILE_MONTH_KEY]


def _mobile_month(options: list[str]) -> None:
    """The month at the top of the page, shown by CSS only on narrow screens (ui.style)."""
    month = st.session_state[MONTH_KEY]
    if st.session_state.get(MOBILE_MONTH_KEY) != month:
        st.session_state[MOBILE_MONTH_KEY] = month
    with st.container(key=f"{MOBILE_MONTH_KEY}-box"):
        _picker(options, MOBILE_MONTH_KEY, month, on_change=_on_mobile_month)


def current_month() -> str | None:
    value = st.session_state.get(MONTH_KEY)
    have = months()
    return value if value in have else (have[-1] if have else None)
