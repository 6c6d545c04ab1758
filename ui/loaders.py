"""Cached reads: every loader is keyed on (database, data version), so a new import is seen at once
and a widget touch recomputes nothing.

Results are immutable once computed, so they live in `st.cache_resource` (handed out by
reference) rather than `st.cache_data` (which unpickles a fresh copy on every hit — five
`GroupMonth`s per Home rerun). Callers must treat them as read-only: copy before changing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import streamlit as st

from credit.app import service
from credit.app.service import GroupMonth
from credit.common.labels import GROUPS
from credit.common.months import previous_month
from credit.reports.scored import SIGNED
from credit.scoring import compare
from credit.scoring.compare import indicator_deltas, movers
from credit.scoring.explain import new_this_month
from credit.scoring.inputs import MonthInputs, county_values, load_county, load_month_inputs
from credit.scoring.not_reported import not_reported_names, state_labels
from credit.scoring.unit_view import GroupBoard, group_board
from credit.scoring.xyd import Progress, progress
from ui.context import Recent, data_version, db_path, per_version, store
from ui.safe import md
from ui.widgets import arrow, blank_missing, ranking_columns, ranking_table


@st.cache_resource(show_spinner="正在计算得分…", max_entries=256)
def _group_month(db: str, version: int, month: str, group: str, policy: str) -> GroupMonth:
    return service.score(store(), month, group, policy=policy)


def group_month(month: str, group: str, policy: str = "rescale") -> GroupMonth:
    return _group_month(db_path(), data_version(), month, group, policy)


@st.cache_resource(show_spinner=False, max_entries=16)
def _today_month(db: str, version: int, month: str, group: str) -> GroupMonth:
    return service.score(store(), month, group, published=False)


def today_month(month: str, group: str) -> GroupMonth:
    """The month scored from today's data under today's official framework: for a month not
    signed the same as `group_month`, for a signed month its 更正候选. Weight simulations start
    here: a new official version changes today's result (and is checked against today's framework)."""
    return _today_month(db_path(), data_version(), month, group)


@st.cache_resource(show_spinner=False, max_entries=32)
def _board(db: str, version: int, month: str, group: str, policy: str) -> GroupBoard:
    gm = _group_month(db, version, month, group, policy)
    ms = gm.scores
    return group_board(ms.detail, ms.items, list(gm.summary["unit"]), ms.framework.codes, ms.level1_names)


def board(month: str, group: str, policy: str = "rescale") -> GroupBoard:
    """The month's detail indexed by unit, with the heat-map tables (the unit page)."""
    return _board(db_path(), data_version(), month, group, policy)


@st.cache_resource(show_spinner=False, max_entries=256)
def _inputs(db: str, version: int, month: str, group: str) -> MonthInputs:
    """A month's inputs; for a signed month those of its record (what its figures came from)."""
    if store().publishing.current_publication(month) is not None:
        return _group_month(db, version, month, group, "rescale").inputs
    return load_month_inputs(store(), month, group)


def inputs(month: str, group: str) -> MonthInputs:
    return _inputs(db_path(), data_version(), month, group)


@st.cache_resource(show_spinner=False, max_entries=64)
def _year_history(db: str, version: int, month: str, group: str, policy: str) -> pd.DataFrame:
    """Summaries of every month of the year up to `month` (for rank history charts)."""
    return compare.year_history(store().datasets.months_with_data(), month,
                        lambda m: _group_month(db, version, m, group, policy).summary)


def year_history(month: str, group: str, policy: str = "rescale") -> pd.DataFrame:
    return _year_history(db_path(), data_version(), month, group, policy)


def is_demo() -> bool:
    return per_version("demo", lambda: store().settings.get("demo") == "1")


def has_admin() -> bool:
    """Whether the database has an enabled 管理员 (a new production database gets one from `init`)."""
    return per_version("has_admin", lambda: store().accounts.has_admin())


@dataclass(frozen=True)
class HomeGroup:
    """One group's part of Home, ready to draw."""

    gm: GroupMonth
    table: pd.DataFrame  # the ranking table as shown (and downloaded)
    arrow: pa.Table  # the same, converted once: pandas → Arrow was a third of a rerun
    columns: dict  # its column_config (two decimals for the scores), made once too
    gain: list[str] | None  # movers' lines with their reasons; None when the month before has no data
    fall: list[str] | None
    waiting: int = 0  # units of the group that sent nothing in a month still collecting (not in movers)


@dataclass(frozen=True)
class HomeView:
    """Everything Home shows for a month, computed once per data version (a rerun only draws)."""

    groups: dict[str, HomeGroup]
    target: tuple[float, float] | None
    progress: Progress | None
    hit: list[str]  # units with a new deduction this month
    city_rank: float


def mover_lines(frame: pd.DataFrame) -> list[str]:
    """One markdown line per mover: name, score and change, rank arrow, then the indicators behind it."""
    return [f"**{md(u)}**　{sc:.2f} 分（{d:+.2f}），排名 {arrow(dr)}  \n{md(why)}"
            for u, sc, d, dr, why in zip(frame["unit"], frame["score"], frame["d_score"], frame["d_rank"], frame["原因"],
                                         strict=True)]


@st.cache_resource(show_spinner="正在计算得分…", max_entries=32)
def _home(db: str, version: int, month: str) -> HomeView:
    prev = previous_month(month)
    has_prev = prev in store().datasets.months_with_data()
    groups: dict[str, HomeGroup] = {}
    names: dict[str, str] = {}
    hit_ids: set[str] = set()
    for group in GROUPS:
        gm = _group_month(db, version, month, group, "rescale")
        gain = fall = before = None
        if has_prev:  # a 未报送 unit has no change (credit.scoring.not_reported): never a mover
            before = _group_month(db, version, prev, group, "rescale")
            gain, fall = (mover_lines(f) for f in movers(gm.summary,
                                                          indicator_deltas(gm.scores.detail, before.scores.detail)))
        table = ranking_table(gm)
        states = state_labels(gm.summary)  # the same rows as the 通报 and the signed record (issue 23)
        if states is not None:  # 未报送 instead of a rank; a missing cell is "—", never Streamlit's "None"
            table["状态"] = states
            table = blank_missing(table, "—", digits={c: 2 for c in table.select_dtypes("float").columns})
        numeric = [c for c in ("得分率", *gm.scores.level1_names, "得分", "适用满分") if table[c].dtype.kind == "f"]
        columns = ranking_columns(table, numeric)
        waiting = len(not_reported_names(gm.summary))
        groups[group] = HomeGroup(gm, table, pa.Table.from_pandas(table, preserve_index=False), columns, gain, fall,
                                  waiting)
        names.update(zip(gm.summary["unit_id"], gm.summary["unit"]))
        items = gm.scores.items[gm.scores.items["deduction"] > 0]
        new = new_this_month(items, None if before is None else before.scores.items, month, gm.scores.framework)
        hit_ids.update(items.loc[new, "unit_id"])  # a stock carried over from an earlier report is not new
    towns = groups["镇街"].gm if "镇街" in groups else None
    # not a group's whole inputs (the scores came stored) — except for a signed month: its record's
    county = (towns.inputs.county_monthly if towns is not None and towns.label == SIGNED
              else load_county(store(), month))
    target = store().xyd_target(int(month[:4]))
    p = progress(county, month, *target) if target else None
    return HomeView(groups, target, p, sorted(names.get(u, u) for u in hit_ids),
                    county_values(county).get("全县信用监测全市排名"))


_homes: Recent[tuple[str, int, str], HomeView] = Recent(keep=4)


def home(month: str) -> HomeView:
    db, version = db_path(), data_version()
    return _homes.get((db, version, month), lambda: _home(db, version, month))
