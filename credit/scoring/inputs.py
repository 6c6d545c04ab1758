"""Year-to-date inputs for one month and group: what the rules score.

Flows (things done in a month) are summed from January to month m of the same year; stocks
(month-end levels) take the latest value reported up to m, a blank meaning "not reported this
month". The monthly frames are kept alongside so the drill-down can show every month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.common.months import month_parts
from credit.model.contract import (
    EVENTS,
    GROUP_SHEET,
    REGISTER_SHEETS,
    SHEET_COUNTY,
    SHEET_EVENTS,
    SHEETS,
    UNIT_COL,
)
from credit.model.units import Unit, UnitRegister
from credit.workbook.registers import register_frame

EVENT_COLUMNS = ["month", "row", "unit_id", *[c.header for c in EVENTS.columns if c.header != UNIT_COL]]


def ytd_values(monthly: pd.DataFrame, key: str | None, flows: list[str], stocks: list[str]) -> pd.DataFrame:
    """Flows summed, stocks latest non-blank; `monthly` must be sorted by month."""
    if key is None:
        monthly = monthly.assign(_k=0)
        key = "_k"
    grouped = monthly.groupby(key, sort=False)
    parts = []
    if flows:
        parts.append(grouped[flows].sum(min_count=1).fillna(0.0))
    if stocks:
        parts.append(grouped[stocks].last())  # GroupBy.last skips NaN: the latest reported value
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=grouped.size().index)


def arrow_strings(values: pd.Series | np.ndarray | list) -> pa.Array | pa.ChunkedArray | None:
    """Ids or labels as Arrow strings, or None when they are not all text (blanks allowed).

    pandas 3 keeps text columns as Arrow strings; handing them to Arrow is free, whereas turning
    them into Python objects to hash them (pandas' own lookup) took a third of a month's scoring."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if pa.types.is_null(arr.type):
        return arr.cast(pa.string())
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def lookup(values: pd.Series | np.ndarray | list, keys: pd.Index) -> np.ndarray:
    """Each value's position among `keys` (unique ids), -1 where it is not one of them."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    arr, key_arr = arrow_strings(values), arrow_strings(keys)
    if arr is not None and key_arr is not None:
        found = pc.index_in(arr, value_set=key_arr)
        return found.fill_null(-1).to_numpy().astype(np.int64, copy=False)
    # Mixed or non-text values: factorise first, so each distinct one is looked up once.
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return np.append(keys.get_indexer(uniques), -1)[codes].astype(np.int64, copy=False)


def _nan0(values: np.ndarray) -> np.ndarray:
    """`np.nan_to_num` for a figure column: blanks (NaN) are 0. Written out because
    nan_to_num also scans for infinities, which a figure never is — if one ever is, it
    still gets nan_to_num's treatment."""
    out = np.where(np.isnan(values), 0.0, values)
    return np.nan_to_num(out) if np.isinf(out).any() else out


def equals(values: pd.Series, value: str) -> np.ndarray:
    """`values == value` as a NumPy bool array (blanks False), without leaving Arrow for text."""
    arr = arrow_strings(values)
    if arr is None:
        return (pd.Series(values, dtype=object) == value).to_numpy(dtype=bool)
    return pc.fill_null(pc.equal(arr, value), False).to_numpy(zero_copy_only=False)


@dataclass
class MonthInputs:
    """Everything the rules need for `group` in `month`, already restricted to Jan..m.

    The derived arrays (unit positions of every row, year-to-date values, event masks) are
    computed once, on first use, and kept: every indicator reads the same few of them."""

    month: str
    group: str
    units: list[Unit]
    unit_monthly: pd.DataFrame  # month, unit_id, <numeric fields of the group's sheet>
    county_monthly: pd.DataFrame  # month, <全县 items>
    events: pd.DataFrame  # EVENT_COLUMNS; both groups' units
    registers: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet -> month, unit_id, …
    unreported: list[Unit] = field(default_factory=list)  # active units left out: no row this year

    @cached_property
    def month_no(self) -> int:
        return month_parts(self.month)[1]

    @cached_property
    def unit_ids(self) -> list[str]:
        return list(map(attrgetter("id"), self.units))

    @cached_property
    def ids(self) -> np.ndarray:
        """The unit ids as an object array (rules index it by mask)."""
        return np.fromiter(self.unit_ids, dtype=object, count=len(self.unit_ids))

    @cached_property
    def id_strings(self) -> pa.Array | None:
        """The unit ids as Arrow strings (None if any is not text): the lookups' key set."""
        return arrow_strings(self.ids)

    @cached_property
    def _fields(self) -> tuple[list[str], list[str]]:
        sheet = SHEETS[GROUP_SHEET[self.group]]
        return ([c.header for c in sheet.columns if c.kind == "flow"],
                [c.header for c in sheet.columns if c.kind == "stock"])

    @cached_property
    def _unit_index(self) -> pd.Index:
        return pd.Index(self.unit_ids, dtype=object)

    def _positions(self, unit_ids: pd.Series) -> np.ndarray:
        """Each row's unit position in `units` (-1 if not among them)."""
        return lookup(unit_ids, self._unit_index)

    @cached_property
    def _row_positions(self) -> dict[str, np.ndarray]:
        """The unit position of every row of the monthly sheet ("monthly"), the events ("events")
        and each register (by sheet). One Arrow lookup for all of them: hashing 50,000 ids
        costs as much as probing 500,000 rows, so it is done once, not once per table."""
        cols = {"monthly": self.unit_monthly["unit_id"], "events": self.events["unit_id"]}
        cols.update({s: f["unit_id"] for s, f in self.registers.items() if f is not None and "unit_id" in f})
        arrays = {k: arrow_strings(v) for k, v in cols.items()}
        keys = self.id_strings
        if keys is None or any(a is None for a in arrays.values()):
            return {k: self._positions(v) for k, v in cols.items()}
        wide = pa.large_string()
        chunks = [c.cast(wide) for a in arrays.values()
                  for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a]) if len(c)]
        if not chunks:
            return {k: np.zeros(0, dtype=np.int64) for k in cols}
        found = pc.index_in(pa.chunked_array(chunks, type=wide), value_set=keys.cast(wide))
        flat = found.fill_null(-1).to_numpy().astype(np.int64, copy=False)
        bounds = np.cumsum([0, *(len(a) for a in arrays.values())])
        return {k: flat[bounds[i]:bounds[i + 1]] for i, k in enumerate(arrays)}

    @cached_property
    def _months(self) -> tuple[np.ndarray, np.ndarray]:
        """(the months present, sorted; each monthly row's number among them)."""
        months = self.unit_monthly["month"]
        arr = arrow_strings(months)
        if arr is not None:
            labels = np.sort(np.asarray(pc.unique(arr).to_pylist(), dtype=object).astype(str))
            return labels, lookup(arr, pd.Index(labels, dtype=object))
        codes, uniques = pd.factorize(months)
        labels = np.asarray(uniques, dtype=object).astype(str)
        rank = np.argsort(np.argsort(labels, kind="stable"))  # month code → order of month
        return np.sort(labels), rank[codes]

    @cached_property
    def _rows(self) -> tuple[np.ndarray | None, np.ndarray]:
        """The monthly rows in month order: (row order, None if already so; unit position or -1).
        Rows arrive sorted by month from the store and the synthetic data, so usually no column
        needs permuting — and then no month needs numbering either (a row's place is its order)."""
        pos = self._row_positions["monthly"]
        arr = arrow_strings(self.unit_monthly["month"])
        if arr is not None and arr.null_count == 0 and len(arr) > 1:
            if pc.all(pc.greater_equal(arr[1:], arr[:-1])).as_py():
                return None, pos
        _, keys = self._months
        if np.all(keys[1:] >= keys[:-1]):
            return None, pos
        order = np.argsort(keys, kind="stable")
        return order, pos[order]

    def _column(self, header: str) -> np.ndarray:
        """One numeric field over the month-sorted rows."""
        order, pos = self._rows
        if header not in self.unit_monthly.columns:
            return np.full(len(pos), np.nan)
        col = self.unit_monthly[header].to_numpy(dtype=float)
        return col if order is None else col[order]

    @cached_property
    def _ytd_cache(self) -> dict[str, np.ndarray]:
        return {}

    def ytd_value(self, header: str) -> np.ndarray:
        """One field's year-to-date value per unit (in `units` order): a flow summed over the
        months, a stock its latest reported value (NaN when never reported)."""
        got = self._ytd_cache.get(header)
        if got is not None:
            return got
        flows, _ = self._fields
        _, pos = self._rows
        n = len(self.units)
        if header in flows:
            ok, pos_ok = self._reported
            col = self._column(header)
            col = col if ok is None else col[ok]
            got = np.bincount(pos_ok, weights=_nan0(col), minlength=n)
        else:
            idx = self.latest_rows(header)
            got = np.full(n, np.nan)
            got[pos[idx]] = self._column(header)[idx]
        self._ytd_cache[header] = got
        return got

    @cached_property
    def _reported(self) -> tuple[np.ndarray | None, np.ndarray]:
        """(which month-sorted rows belong to a unit in scope — None for all of them; their unit
        positions), shared by every flow."""
        _, pos = self._rows
        ok = pos >= 0
        return (None, pos) if ok.all() else (ok, pos[ok])

    @property
    def ytd_arrays(self) -> dict[str, np.ndarray]:
        """Every field of the group's sheet, year to date (see `ytd_value`)."""
        flows, stocks = self._fields
        return {h: self.ytd_value(h) for h in (*flows, *stocks)}

    def latest_rows(self, header: str) -> np.ndarray:
        """Indices (into the month-sorted rows) of each unit's latest reported value of a field,
        in unit order of first appearance among them (ascending unit position)."""
        _, pos = self._rows
        valid = np.flatnonzero((pos >= 0) & ~np.isnan(self._column(header)))
        last = np.full(len(self.units), -1, dtype=np.int64)
        np.maximum.at(last, pos[valid], valid)
        return last[last >= 0]

    @property
    def sorted_months(self) -> np.ndarray:
        """Each month-sorted row's month label."""
        order, _ = self._rows
        labels, keys = self._months
        return labels[keys if order is None else keys[order]].astype(object)

    @property
    def sorted_positions(self) -> np.ndarray:
        return self._rows[1]

    @cached_property
    def ytd(self) -> pd.DataFrame:
        arrays = self.ytd_arrays
        return pd.DataFrame(arrays, index=pd.Index(self.unit_ids, name="unit_id"))

    @cached_property
    def county(self) -> dict[str, float]:
        return county_values(self.county_monthly)

    @cached_property
    def _event_masks(self) -> dict[tuple[str, str], np.ndarray]:
        return {}

    def event_is(self, column: str, value: str) -> np.ndarray:
        """Per event row, whether a text column holds `value` (事项类型, 处理情况)."""
        key = (column, value)
        got = self._event_masks.get(key)
        if got is None:
            got = self._event_masks[key] = equals(self.events[column], value)
        return got

    @cached_property
    def _event_number_cache(self) -> dict[str, np.ndarray]:
        return {}

    def event_numbers(self, column: str) -> np.ndarray:
        """A numeric column of the events (数量, 异议处理用时) as float, converted once."""
        got = self._event_number_cache.get(column)
        if got is None:
            got = self._event_number_cache[column] = self.events[column].to_numpy(dtype=float)
        return got

    @cached_property
    def event_types(self) -> np.ndarray:
        return self.events["事项类型"].to_numpy(dtype=object)

    @cached_property
    def event_positions(self) -> np.ndarray:
        """Each event's unit position in `units` (-1 for units of the other group or out of scope)."""
        return self._row_positions["events"]

    @cached_property
    def _register_counts(self) -> dict[str, np.ndarray]:
        out = {}
        for sheet in REGISTER_SHEETS:
            frame = self.registers.get(sheet)
            counts = np.zeros(len(self.units))
            if frame is not None and not frame.empty:
                key = "信用应用" if sheet == REGISTER_SHEETS[0] else "监管领域"
                # The few distinct names are normalised, not every row: fold "信易 批" into "信易批".
                codes, uniques = pd.factorize(frame[key], use_na_sentinel=False)
                folded = pd.Series(uniques).astype(str).str.replace(r"\s+", "", regex=True)
                fold_codes, fold_uniques = pd.factorize(folded, use_na_sentinel=False)
                name_codes = fold_codes[codes]
                pos = self._row_positions[sheet]
                keep = pos >= 0
                width = len(fold_uniques) + 1
                pairs = np.unique(pos[keep].astype(np.int64) * width + name_codes[keep])  # (unit, name) once
                counts = np.bincount(pairs // width, minlength=len(self.units)).astype(float)
            out[sheet] = counts
        return out

    def register_count_array(self, sheet: str) -> np.ndarray:
        """Entries per unit in a register (Jan..m), counting a repeated entry once (units order)."""
        return self._register_counts[sheet]

    def register_counts(self, sheet: str) -> pd.Series:
        """Entries per unit in a register (Jan..m), counting a repeated entry once."""
        return pd.Series(self._register_counts[sheet], index=self.unit_ids)


def empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})


def county_values(frame: pd.DataFrame) -> dict[str, float]:
    """The county's figures for the year so far from its monthly rows: flows summed, levels the
    latest reported (`MonthInputs.county`; Home's headline cards read it without a group's inputs)."""
    sheet = SHEETS[SHEET_COUNTY]
    months = frame["month"].to_numpy(dtype=object).astype(str) if "month" in frame else np.array([], str)
    order = np.argsort(months, kind="stable")
    out: dict[str, float] = {}
    for c in sheet.columns:
        col = frame[c.header].to_numpy(dtype=float)[order] if c.header in frame else np.array([])
        if c.kind == "flow":
            out[c.header] = float(np.nansum(col)) if col.size else 0.0
        else:
            valid = col[~np.isnan(col)]
            out[c.header] = float(valid[-1]) if valid.size else float("nan")
    return out


def load_county(store, month: str) -> pd.DataFrame:
    """The year's 全县 sheet up to `month`, one row a month: all that Home's headline cards need,
    without a group's facts, events and registers (at 5,000 units those are most of a first Home)."""
    year, m = month_parts(month)
    return wide_facts(store.datasets.facts_frame(year, m, SHEET_COUNTY), None, list(SHEETS[SHEET_COUNTY].numeric_fields))


def wide_facts(long: pd.DataFrame, key: str | None, columns: list[str]) -> pd.DataFrame:
    """Long facts (month, [unit_id,] field, value) → one row per month (and unit), one column a field."""
    index = ["month"] if key is None else ["month", key]
    if long.empty:
        return pd.DataFrame(columns=[*index, *columns])
    wide = long.pivot_table(index=index, columns="field", values="value", aggfunc="last", dropna=False)
    wide = wide.reindex(columns=columns).reset_index()
    wide.columns.name = None
    return wide


def units_in_scope(active: list[Unit], unit_long: pd.DataFrame) -> tuple[list[Unit], list[Unit]]:
    """The units assessed this year: those with a row in the group's sheet in some month so far.

    [interp] A unit with no row at all this year (e.g. a department the county does not assess, or
    one added to the register but not yet in any return) is listed as 未报送 and left out of the
    ranking rather than ranked with zeros, which would also drag every peer-relative indicator
    (min_max) down. Until the group's sheet has any data this year, every active unit is in scope.
    """
    if unit_long.empty:
        return active, []
    seen = set(unit_long["unit_id"].unique())
    return [u for u in active if u.id in seen], [u for u in active if u.id not in seen]


def load_month_inputs(store, month: str, group: str, register: UnitRegister | None = None) -> MonthInputs:
    """Read the current versions of the year's datasets from the store (one query per sheet)."""
    year, m = month_parts(month)
    register = register or store.units.register()
    sheet = SHEETS[GROUP_SHEET[group]]
    unit_long = store.datasets.facts_frame(year, m, sheet.name)
    events = store.datasets.records_frame(year, m, SHEET_EVENTS)
    if events.empty:
        events = empty_events()
    registers = {s: register_frame(store, year, m, s) for s in REGISTER_SHEETS}  # uploaded + typed entries
    units, unreported = units_in_scope(register.active(month, group), unit_long)
    return MonthInputs(
        month=month,
        group=group,
        units=units,
        unreported=unreported,
        unit_monthly=wide_facts(unit_long, "unit_id", list(sheet.numeric_fields)),
        county_monthly=load_county(store, month),
        events=events.reindex(columns=EVENT_COLUMNS),
        registers=registers,
    )


def as_float(values: object, n: int) -> np.ndarray:
    """Broadcast a scalar or take an array, as float."""
    arr = np.asarray(values, dtype=float)
    return np.full(n, float(arr)) if arr.ndim == 0 else arr
