"""Synthetic month data for the scoring engine: the benchmark and the property tests share it.

Nothing here touches the store or the workbook importer: frames are built in the exact shape
`credit.scoring.inputs.MonthInputs` documents (unit_monthly, county_monthly, events, registers), for one
year, and `SyntheticYear.inputs(m, group)` cuts them to January..m as the store loader does.

`Knobs` exaggerate the awkward cases on purpose (small counts, so ties and "everyone equal" are
common; blank stocks; units that skip a month; missing county items; proactive events; events of
units outside the group), so a random draw exercises the edges of every rule.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from credit.model.contract import (
    EVENT_TYPES,
    GROUP_SHEET,
    HANDLINGS,
    SHEET_COUNTY,
    SHEET_SCENARIOS,
    SHEET_SUPERVISION,
    SHEETS,
)
from credit.model.units import Unit, UnitRegister, load_units
from credit.scoring.inputs import EVENT_COLUMNS, MonthInputs

EV_DAYS = "异议处理用时（工作日）"
SCENARIO_NAMES = ("信易批", "信易医", "信易健", "信易阅", "信易行", "信易租", "信易游", "信易 批")
FIELD_NAMES = ("汽车维修领域", "食品生产领域", "建筑市场", "危险化学品", "旅游市场")

# Columns whose typical size is an amount or a population rather than a small count.
_LARGE = {
    "信易贷平台注册企业数": 400,
    "辖区注册企业总数": 3000,
    "信易贷融资需求金额（万元）": 5000,
    "信易贷授信成功金额（万元）": 3000,
    "本月双公示上报数据量": 500,
    "本月归集其他信用信息条数": 200,
}


@dataclass(frozen=True)
class Knobs:
    """How the random data leans; the defaults are a plausible county month."""

    p_row: float = 0.95  # a unit's row is present in a month
    p_blank_stock: float = 0.3  # a present row leaves a stock cell blank
    p_blank_flow: float = 0.02  # a flow cell arrives blank (means 0)
    max_count: int = 3  # flows and small stocks are 0..max_count
    scale_large: float = 1.0  # multiplies the typical size of _LARGE columns (0 → all zero)
    events_per_unit_month: float = 0.15
    p_foreign_event: float = 0.05  # an event names a unit of the other group
    p_proactive: float = 0.3
    max_quantity: int = 3
    p_county_missing: float = 0.15  # each county item is blank in a month
    n_districts: int = 12  # 全市区县数
    register_per_unit: float = 0.4  # expected register entries per unit over the year


@dataclass
class SyntheticYear:
    year: int
    register: UnitRegister
    unit_monthly: dict[str, pd.DataFrame]  # group -> month, unit_id, <numeric fields>
    county_monthly: pd.DataFrame
    events: pd.DataFrame
    registers: dict[str, pd.DataFrame] = field(default_factory=dict)
    units_override: dict[str, list[Unit]] = field(default_factory=dict)
    _ends: dict[int, tuple] = field(default_factory=dict, repr=False, compare=False)

    def _month_ends(self, frame: pd.DataFrame) -> tuple[list[str], list[int]] | None:
        """For a frame sorted by month, its months and the row each one ends at; None when not
        sorted. Worked out once per frame: comparing every row's month again for each of the 12
        months was a tenth of the year benchmark, which is there to time the engine."""
        got = self._ends.get(id(frame))
        if got is None or got[0] is not frame:
            codes, labels = pd.factorize(frame["month"], sort=True)
            ordered = bool(np.all(codes[1:] >= codes[:-1])) and (len(codes) == 0 or codes.min() >= 0)
            ends = np.searchsorted(codes, np.arange(len(labels)), side="right").tolist() if ordered else None
            got = self._ends[id(frame)] = (frame, None if ends is None else ([str(x) for x in labels], ends))
        return got[1]

    def month(self, m: int) -> str:
        return f"{self.year}-{m:02d}"

    def units(self, group: str, m: int) -> list[Unit]:
        if group in self.units_override:
            return self.units_override[group]
        return self.register.active(self.month(m), group)

    def inputs(self, m: int, group: str) -> MonthInputs:
        """The MonthInputs the store loader would build for month m: Jan..m of the year."""
        last = self.month(m)

        def upto(frame: pd.DataFrame) -> pd.DataFrame:
            sorted_ends = self._month_ends(frame)
            if sorted_ends is not None:  # sorted by month (the unit sheet, events): the first k rows, not a copy
                labels, ends = sorted_ends
                i = bisect.bisect_right(labels, last)
                return frame.iloc[:ends[i - 1] if i else 0]
            keep = (frame["month"] <= last).to_numpy(dtype=bool)
            return frame[keep].reset_index(drop=True)

        return MonthInputs(
            month=last,
            group=group,
            units=self.units(group, m),
            unit_monthly=upto(self.unit_monthly[group]),
            county_monthly=upto(self.county_monthly),
            events=upto(self.events),
            registers={k: upto(v) for k, v in self.registers.items()},
        )


def county_register(extra_departments: int = 0) -> UnitRegister:
    """The real register (9 towns, 33 departments) plus `extra_departments` synthetic ones."""
    real = load_units()
    extra = [
        Unit(f"syn{i:05d}", f"合成部门{i:05d}", "部门", "部门") for i in range(extra_departments)
    ]
    return UnitRegister([*real.units, *extra])


def register_with_departments(n_departments: int) -> UnitRegister:
    """A register whose 部门 group has exactly `n_departments` units, the real ones included."""
    real = load_units()
    n_real = len(real.active("2000-01", "部门"))
    return county_register(max(0, n_departments - n_real))


def make_year(
    register: UnitRegister,
    seed: int = 0,
    knobs: Knobs = Knobs(),
    year: int = 2022,
    months: int = 12,
    groups: tuple[str, ...] = ("镇街", "部门"),
) -> SyntheticYear:
    """Random but reproducible data for `months` months of `year`, for the groups' active units."""
    rng = np.random.default_rng(seed)
    month_names = [f"{year}-{m:02d}" for m in range(1, months + 1)]
    unit_monthly = {
        g: _unit_frame(rng, knobs, [u.id for u in register.active(month_names[0], g)], g, month_names)
        for g in groups
    }
    all_ids = {g: [u.id for u in register.active(month_names[0], g)] for g in ("镇街", "部门")}
    return SyntheticYear(
        year=year,
        register=register,
        unit_monthly=unit_monthly,
        county_monthly=_county_frame(rng, knobs, month_names),
        events=_events_frame(rng, knobs, all_ids, groups, month_names),
        registers={
            SHEET_SCENARIOS: _register_frame(rng, knobs, all_ids, groups, month_names, "信用应用", SCENARIO_NAMES),
            SHEET_SUPERVISION: _register_frame(rng, knobs, all_ids, groups, month_names, "监管领域", FIELD_NAMES),
        },
    )


def _unit_frame(rng, knobs: Knobs, ids: list[str], group: str, months: list[str]) -> pd.DataFrame:
    sheet = SHEETS[GROUP_SHEET[group]]
    n_u, n_m = len(ids), len(months)
    present = rng.random((n_m, n_u)) < knobs.p_row
    mi, ui = np.nonzero(present)
    n = len(mi)
    data: dict[str, object] = {
        "month": np.asarray(months, dtype=object)[mi],
        "unit_id": np.asarray(ids, dtype=object)[ui],
    }
    for col in sheet.columns:
        if col.kind not in ("flow", "stock"):
            continue
        if col.header in _LARGE:
            top = max(0, int(round(_LARGE[col.header] * knobs.scale_large)))
            vals = rng.integers(0, top + 1, n).astype(float)
            if "金额" in col.header:
                vals = vals + rng.integers(0, 100, n) / 100.0
        else:
            vals = rng.integers(0, knobs.max_count + 1, n).astype(float)
        if col.kind == "stock":
            vals[rng.random(n) < knobs.p_blank_stock] = np.nan
        else:
            vals[rng.random(n) < knobs.p_blank_flow] = np.nan
        data[col.header] = vals
    return pd.DataFrame(data)


def _county_frame(rng, knobs: Knobs, months: list[str]) -> pd.DataFrame:
    n_m = len(months)
    nd = knobs.n_districts
    cols: dict[str, np.ndarray] = {
        "全县信易贷平台注册企业数": 269 + np.cumsum(rng.integers(0, 400, n_m)).astype(float),
        "信易贷注册企业数全市位次": rng.integers(1, nd + 2, n_m).astype(float),
        "信易贷融资需求金额全市位次": rng.integers(1, nd + 1, n_m).astype(float),
        "信易贷授信成功金额全市位次": rng.integers(1, nd + 1, n_m).astype(float),
        "全市区县数": np.full(n_m, float(nd)),
        "A级纳税人数": rng.integers(0, 300, n_m).astype(float),
        "海关高级认证企业数": rng.integers(0, 5, n_m).astype(float),
        "法人企业数": rng.integers(0, 6000, n_m).astype(float),
        "全市守信企业平均比例": rng.choice([0.0, 0.02, 0.05, 0.08], n_m),
        "本月信用核查和联合奖惩系统应用次数": rng.integers(0, 500, n_m).astype(float),
        "市场主体数量": rng.integers(0, 40000, n_m).astype(float),
        "全市信用核查应用比例平均值": rng.choice([0.0, 0.005, 0.01, 0.05], n_m),
        "全县信用监测全市排名": rng.integers(1, nd + 1, n_m).astype(float),
    }
    for k, v in cols.items():
        v[rng.random(n_m) < knobs.p_county_missing] = np.nan
        cols[k] = v
    return pd.DataFrame({"month": months, **cols})


def _events_frame(rng, knobs: Knobs, all_ids: dict[str, list[str]], groups, months) -> pd.DataFrame:
    own = [uid for g in groups for uid in all_ids[g]]
    other = [uid for g in all_ids if g not in groups for uid in all_ids[g]] or own
    n = int(rng.poisson(knobs.events_per_unit_month * len(own) * len(months)))
    if n == 0 or not own:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
    foreign = rng.random(n) < knobs.p_foreign_event
    units = np.where(foreign, rng.choice(np.asarray(other, dtype=object), n),
                     rng.choice(np.asarray(own, dtype=object), n))
    mi = rng.integers(0, len(months), n)
    kinds = rng.choice(np.asarray(EVENT_TYPES, dtype=object), n)
    others = np.asarray([h for h in HANDLINGS if h != HANDLINGS[0]] + [""], dtype=object)
    handling = np.where(rng.random(n) < knobs.p_proactive, HANDLINGS[0], rng.choice(others, n))
    days = rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 5.0], n)
    days[kinds != "异议信息"] = np.nan
    qty = rng.integers(1, knobs.max_quantity + 1, n)
    month_arr = np.asarray(months, dtype=object)[mi]
    frame = pd.DataFrame({
        "month": month_arr,
        "row": np.arange(n) + 2,
        "unit_id": units,
        "事项类型": kinds,
        "发生日期": [f"{m}-{d:02d}" for m, d in zip(month_arr, rng.integers(1, 29, n))],
        "事项说明": [f"事项{i}" for i in range(n)],
        "处理情况": handling,
        EV_DAYS: days,
        "数量": qty,
    })
    return frame.sort_values("month", kind="stable").reset_index(drop=True)[EVENT_COLUMNS]


def _register_frame(rng, knobs: Knobs, all_ids, groups, months, key: str, names) -> pd.DataFrame:
    own = [uid for g in groups for uid in all_ids[g]]
    n = int(rng.poisson(knobs.register_per_unit * len(own))) if own else 0
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ("month", "row", "unit_id", key)})
    return pd.DataFrame({
        "month": np.asarray(months, dtype=object)[rng.integers(0, len(months), n)],
        "row": np.arange(n) + 2,
        "unit_id": rng.choice(np.asarray(own, dtype=object), n),
        key: rng.choice(np.asarray(names, dtype=object), n),
    })


def build_inputs(
    month: str,
    group: str,
    units: list[Unit],
    unit_rows: list[dict] | None = None,
    county_rows: list[dict] | None = None,
    events: list[dict] | None = None,
    registers: dict[str, list[dict]] | None = None,
) -> MonthInputs:
    """Hand-built MonthInputs for small tests: rows as dicts; missing columns are blank.

    Events default to 数量 1 and no handling, as the importer leaves them.
    """
    sheet = SHEETS[GROUP_SHEET[group]]
    um = pd.DataFrame(unit_rows or [], columns=["month", "unit_id", *sheet.numeric_fields])
    um[list(sheet.numeric_fields)] = um[list(sheet.numeric_fields)].astype(float)
    county_fields = list(SHEETS[SHEET_COUNTY].numeric_fields)
    cm = pd.DataFrame(county_rows or [], columns=["month", *county_fields])
    cm[county_fields] = cm[county_fields].astype(float)
    ev_rows = []
    for i, e in enumerate(events or []):
        row = {"row": i + 2, "发生日期": f"{e['month']}-01", "事项说明": "", "处理情况": "",
               EV_DAYS: np.nan, "数量": 1, **e}
        ev_rows.append(row)
    ev = pd.DataFrame(ev_rows, columns=EVENT_COLUMNS)
    regs = {}
    for sheet_name, rows in (registers or {}).items():
        key = "信用应用" if sheet_name == SHEET_SCENARIOS else "监管领域"
        regs[sheet_name] = pd.DataFrame(rows, columns=["month", "row", "unit_id", key])
    return MonthInputs(month, group, list(units), um, cm, ev, regs)
