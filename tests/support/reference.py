"""A plain reference implementation of the scoring rules, written from the spec.

`shared/spec/indicators.md` ("Rule types", "Totals") is the source; `credit/scoring/engine.py` and
`credit/scoring/rules/` were deliberately not followed. Dicts and for-loops, one unit at a time, no NumPy:
slow on purpose, so it is easy to check by eye and independent of the vectorised engine.

Where the spec is silent the reference takes the reading written in the framework TOML `interp`
texts or the workbook contract, and says so at the spot (marked "[interp]").

What-if (spec, "Totals"): an indicator's attainment is computed under the official points and
re-weighted, `new_pts × attainment`; pass `new_points` for that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from credit.model.contract import GROUP_SHEET, HANDLING_PROACTIVE, SHEET_COUNTY, SHEET_SCENARIOS, SHEETS
from credit.model.framework import Framework, Indicator
from credit.scoring.inputs import MonthInputs

DAYS = "异议处理用时（工作日）"


def blank(v: object) -> bool:
    """None, NaN and pandas' NA all mean "no value"."""
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN is the only value unequal to itself
    except TypeError:  # pd.NA
        return True


@dataclass
class RefUnit:
    unit_id: str
    kind: str
    earned: float = 0.0
    possible: float = 0.0
    not_applicable: float = 0.0
    level1: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    rank: int = 0


@dataclass
class RefResult:
    attainment: dict[tuple[str, str], float]  # (unit_id, code) -> 0..1, applicable pairs only
    earned: dict[tuple[str, str], float]  # (unit_id, code) -> points; 0 where not applicable
    applies: dict[tuple[str, str], bool]
    units: dict[str, RefUnit]


# ---------------------------------------------------------------- year to date, by hand


def year_to_date(rows: list[dict], key: str | None, flows: list[str], stocks: list[str]) -> dict:
    """Flows: the sum from January to m (blank = 0). Stocks: the latest non-blank value, or None."""
    out: dict = {}
    for row in sorted(rows, key=lambda r: r["month"]):  # sorted() is stable
        k = row[key] if key else None
        acc = out.setdefault(k, {**{f: 0.0 for f in flows}, **{s: None for s in stocks}})
        for f in flows:
            v = row.get(f)
            if not blank(v):
                acc[f] += float(v)
        for s in stocks:
            v = row.get(s)
            if not blank(v):
                acc[s] = float(v)
    return out


def _kinds(sheet_name: str) -> tuple[list[str], list[str]]:
    sheet = SHEETS[sheet_name]
    return ([c.header for c in sheet.columns if c.kind == "flow"],
            [c.header for c in sheet.columns if c.kind == "stock"])


# ---------------------------------------------------------------- the rules, one unit at a time


def att_target_count(x: float, annual: float, month: int, prorate: bool) -> float:
    target = annual * month / 12 if prorate else annual
    if target <= 0:  # [interp] a target of nothing is met
        return 1.0
    return min(1.0, max(0.0, x / target))


def att_two_targets(sub: float, ado: float, ts: float, ta: float, month: int, prorate: bool) -> float:
    return (att_target_count(sub, ts, month, prorate) + att_target_count(ado, ta, month, prorate)) / 2


def att_share_of_best(values: dict[str, float]) -> dict[str, float]:
    best = max(values.values(), default=0.0)
    out = {}
    for uid, v in values.items():
        out[uid] = 0.0 if best <= 0 else min(1.0, max(0.0, v / best))
    return out


def att_min_max(values: dict[str, float]) -> dict[str, float]:
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    out = {}
    for uid, v in values.items():
        if hi == lo:
            out[uid] = 1.0 if hi > 0 else 0.0
        else:
            out[uid] = (v - lo) / (hi - lo)
    return out


def att_deduct(n: float, pts: float, step: float, cap: float) -> float:
    """`pts − min(cap, step × n)`, never below 0, as a share of pts."""
    cap = min(cap, pts)
    deduction = min(cap, step * n)
    if pts <= 0:
        return 0.0 if deduction > 0 else 1.0
    return max(0.0, pts - deduction) / pts


def att_rank_in_city(rank, n) -> float:
    if blank(rank) or blank(n) or n <= 0:  # [interp] not reported → 0
        return 0.0
    return min(1.0, max(0.0, (n - rank + 1) / n))


def att_ratio_vs_benchmark(ratio, bench) -> float:
    if blank(ratio) or blank(bench):  # [interp] either missing → 0 ("未报送")
        return 0.0
    if bench <= 0:  # [interp] a benchmark of nothing is met
        return 1.0
    return min(1.0, max(0.0, ratio / bench))


def tier_of(days, tiers, pts: float) -> float:
    """≤ the first limit the days meet → that tier's points; longer (or unknown) → 0."""
    if blank(days):
        return 0.0
    for limit, tier_pts in sorted(tiers, key=lambda t: t[0]):
        if days <= limit:
            return min(float(tier_pts), pts)
    return 0.0


def att_tiered_days(objections: list[tuple[float, float]], tiers, pts: float) -> float:
    """Mean tier over the year's objections, weighted by 数量; none → full."""
    total_w = 0.0
    total_p = 0.0
    for days, qty in objections:
        total_w += qty
        total_p += qty * tier_of(days, tiers, pts)
    if total_w <= 0 or pts <= 0:
        return 1.0
    return min(1.0, max(0.0, total_p / total_w / pts))


def _applies(ind: Indicator, unit) -> bool:
    spec = ind.applies_to
    if spec.units:
        return unit.id in spec.units
    if spec.kinds:
        return unit.kind in spec.kinds
    return True


def _param(ind: Indicator, key: str, default):
    return ind.params[key] if key in ind.params else default


@dataclass
class RefMonth:
    """The month's inputs as plain dicts: year-to-date values per unit, county, events, registers."""

    month_no: int
    flows: list[str]
    stocks: list[str]
    ytd: dict
    county: dict
    events_by_unit: dict[str, list[dict]]
    register_names: dict[str, dict[str, set[str]]]
    empty: dict = field(default_factory=dict)  # a unit without any report: flows 0, stocks blank

    def value(self, uid: str, header: str):
        if header in self.flows or header in self.stocks:
            return self.ytd.get(uid, self.empty)[header]
        return self.county[header]

    def num0(self, uid: str, header: str) -> float:
        v = self.value(uid, header)
        return 0.0 if blank(v) else float(v)

    def events(self, uid: str, kind: str) -> list[dict]:
        return [ev for ev in self.events_by_unit.get(uid, []) if ev["事项类型"] == kind]


def ref_month(inp: MonthInputs) -> RefMonth:
    flows, stocks = _kinds(GROUP_SHEET[inp.group])
    ytd = year_to_date(inp.unit_monthly.to_dict("records"), "unit_id", flows, stocks)
    c_flows, c_stocks = _kinds(SHEET_COUNTY)
    county = year_to_date(inp.county_monthly.to_dict("records"), None, c_flows, c_stocks).get(
        None, {**{f: 0.0 for f in c_flows}, **{s: None for s in c_stocks}}
    )
    events_by_unit: dict[str, list[dict]] = {}
    for ev in inp.events.to_dict("records"):
        events_by_unit.setdefault(ev["unit_id"], []).append(ev)
    register_names: dict[str, dict[str, set[str]]] = {}
    for sheet_name, frame in inp.registers.items():
        key = "信用应用" if sheet_name == SHEET_SCENARIOS else "监管领域"
        per_unit: dict[str, set[str]] = {}
        for row in frame.to_dict("records"):
            # [interp] (T5 interp) the same entry repeated, spaces aside, counts once
            per_unit.setdefault(row["unit_id"], set()).add(re.sub(r"\s+", "", str(row[key])))
        register_names[sheet_name] = per_unit
    empty = {**{f: 0.0 for f in flows}, **{s: None for s in stocks}}
    return RefMonth(int(inp.month.split("-")[1]), flows, stocks, ytd, county, events_by_unit, register_names, empty)


# ---------------------------------------------------------------- one rule: (indicator, peers, month) → {unit: attainment}


def ref_target_count(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    return {uid: att_target_count(m.num0(uid, ind.inputs["x"]), ind.params["annual_target"], m.month_no,
                                  _param(ind, "prorate", True)) for uid in peers}


def ref_two_targets(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    return {uid: att_two_targets(m.num0(uid, ind.inputs["submitted"]), m.num0(uid, ind.inputs["adopted"]),
                                 ind.params["target_submitted"], ind.params["target_adopted"], m.month_no,
                                 _param(ind, "prorate", True)) for uid in peers}


def ref_share_of_best(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    vals = {}
    for uid in peers:
        x = m.value(uid, ind.inputs["x"])
        if "per" in ind.inputs:
            den = m.value(uid, ind.inputs["per"])
            # [interp] (T3 interp) denominator missing or 0 → ratio 0
            vals[uid] = 0.0 if blank(x) or blank(den) or den <= 0 else x / den
        else:
            vals[uid] = 0.0 if blank(x) else float(x)
    return att_share_of_best(vals)


def ref_min_max(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    return att_min_max({uid: m.num0(uid, ind.inputs["x"]) for uid in peers})


def ref_presence(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    required = _param(ind, "required", 1)
    names = m.register_names.get(ind.inputs["register"], {})
    return {uid: 1.0 if len(names.get(uid, set())) >= required else 0.0 for uid in peers}


def ref_deduct_per_item(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    exempt_proactive = _param(ind, "exempt_proactive", True)
    out = {}
    for uid in peers:
        if "x" in ind.inputs:
            n = m.num0(uid, ind.inputs["x"])
        else:
            n = sum(float(ev["数量"]) for ev in m.events(uid, ind.inputs["event"])
                    if not (exempt_proactive and ev["处理情况"] == HANDLING_PROACTIVE))
        out[uid] = att_deduct(n, ind.points, ind.params["step"], _param(ind, "cap", ind.points))
    return out


def ref_rank_in_city(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    return {uid: att_rank_in_city(m.value(uid, ind.inputs["rank"]), m.value(uid, ind.inputs["n"]))
            for uid in peers}


def ref_ratio_vs_benchmark(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    out = {}
    for uid in peers:
        present = [float(v) for v in (m.value(uid, h) for h in ind.inputs["num"]) if not blank(v)]
        # [interp] a blank part of the numerator counts 0 if another part is reported
        numerator = sum(present) if present else None
        den = m.value(uid, ind.inputs["den"])
        ratio = None if numerator is None or blank(den) or den <= 0 else numerator / den
        out[uid] = att_ratio_vs_benchmark(ratio, m.value(uid, ind.inputs["benchmark"]))
    return out


def ref_tiered_days(ind: Indicator, peers: list[str], m: RefMonth) -> dict[str, float]:
    return {uid: att_tiered_days([(ev[DAYS], float(ev["数量"])) for ev in m.events(uid, ind.inputs["event"])],
                                 ind.params["tiers"], ind.points) for uid in peers}


# rule name → its reference, found by name (`ref_<rule>` above): a new rule adds its function only.
REF_RULES = {name.removeprefix("ref_"): fn for name, fn in list(globals().items())
             if name.startswith("ref_") and name != "ref_month" and callable(fn)}


# ---------------------------------------------------------------- one month


def reference_month(
    inp: MonthInputs,
    fw: Framework,
    policy: str = "rescale",
    new_points: dict[str, float] | None = None,
) -> RefResult:
    m = ref_month(inp)
    att: dict[tuple[str, str], float] = {}
    applies: dict[tuple[str, str], bool] = {}
    for ind in fw.indicators:
        for u in inp.units:
            applies[(u.id, ind.code)] = _applies(ind, u)
        peers = [u.id for u in inp.units if applies[(u.id, ind.code)]]
        for uid, a in REF_RULES[ind.rule](ind, peers, m).items():
            att[(uid, ind.code)] = a
    pts = {ind.code: (new_points or {}).get(ind.code, ind.points) for ind in fw.indicators}
    earned, units = _totals(inp, fw, policy, pts, att, applies)
    return RefResult(att, earned, applies, units)


def _totals(inp: MonthInputs, fw: Framework, policy: str, pts: dict[str, float],
            att: dict[tuple[str, str], float], applies: dict[tuple[str, str], bool]):
    """Earned points per pair, and per unit the totals, first-level subtotals, score and rank."""
    total_points = sum(pts.values())
    earned: dict[tuple[str, str], float] = {}
    units: dict[str, RefUnit] = {}
    for u in inp.units:
        ru = RefUnit(u.id, u.kind, level1={lv.name: 0.0 for lv in fw.level1})
        for ind in fw.indicators:
            key = (u.id, ind.code)
            if applies[key]:
                e = pts[ind.code] * att[key]
                earned[key] = e
                ru.earned += e
                ru.possible += pts[ind.code]
                ru.level1[ind.level1] += e
            else:
                earned[key] = 0.0
                ru.not_applicable += pts[ind.code]
                if policy == "na_full":
                    ru.level1[ind.level1] += pts[ind.code]
        if policy == "na_full":
            ru.score = 100 * (ru.earned + ru.not_applicable) / total_points if total_points else 0.0
        else:
            ru.score = 100 * ru.earned / ru.possible if ru.possible else 0.0
        units[u.id] = ru
    for uid, rank in competition_ranks({uid: ru.score for uid, ru in units.items()}).items():
        units[uid].rank = rank
    return earned, units


def competition_ranks(scores: dict[str, float]) -> dict[str, int]:
    """1, 2, 2, 4 on scores rounded to 2 decimals as they are shown (`round`, like f"{s:.2f}")."""
    keys = {uid: round(s, 2) for uid, s in scores.items()}
    return {uid: 1 + sum(1 for other in keys.values() if other > mine) for uid, mine in keys.items()}


def near_rounding_edge(score: float, eps: float = 1e-9) -> bool:
    """True when float noise of `eps` could flip the 2-decimal rounding (a score at x.xx5)."""
    return round(score + eps, 2) != round(score - eps, 2)
