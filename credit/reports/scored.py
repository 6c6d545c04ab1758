"""A month's scores read from the store — the one read every report, page and CLI command starts from.

`score` takes one snapshot of the store (an import committing meanwhile cannot hand it one sheet
from before and another from after), parses the framework in force that month (cached per
version and register), scores the month and last month, and returns both with the rank changes.
It lives here, above the store and below the bulletin, so reports need nothing from `credit.app`.

一月一实: for a signed month `score` returns that month's RECORD — the whole scored month stored at
signing (`record_parts` builds it, `signed_record` reads it back): ranks, per-unit per-indicator
inputs and points, the deduction items and the inputs behind them — never a recomputation from
today's data. Today's data of a signed month is its 更正候选, returned only when asked for
(`published=False`) and labelled so (`GroupMonth.label`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd

from credit.common.months import previous_month
from credit.model.framework import Framework, parse_framework
from credit.model.units import Unit, UnitRegister
from credit.scoring.engine import MonthScores, Policy, add_changes, score_month
from credit.scoring.inputs import MonthInputs, load_month_inputs
from credit.scoring.not_reported import rank_reported, reported_mask, silent_ids
from credit.store.facade import Store
from credit.store.results import SCORER, StoredResult

_FRAMEWORKS: dict[tuple, Framework] = {}


_REGISTER_KEYS: dict[int, tuple[UnitRegister, tuple]] = {}


def _register_key(register: UnitRegister) -> tuple:
    """What of the register a parsed framework depends on, made once per register object: at
    5,000 units building it took 20 ms, and a page asks for four frameworks (two groups, this
    month and last) of the one register `_register` keeps per data version."""
    hit = _REGISTER_KEYS.get(id(register))
    if hit is None or hit[0] is not register or len(hit[1]) != len(register):
        if len(_REGISTER_KEYS) > 16:
            _REGISTER_KEYS.clear()
        hit = _REGISTER_KEYS[id(register)] = (register, tuple((u.id, u.group, u.kind) for u in register))
    return hit[1]


def framework_for(store: Store, group: str, month: str, register: UnitRegister | None = None) -> Framework:
    """The official framework in force for `month`, parsed once per (version, register)."""
    register = register or store.units.register()
    fid, text, effective = store.frameworks.framework_for(group, month)
    key = (fid, hash(text), _register_key(register))
    fw = _FRAMEWORKS.get(key)
    if fw is None:
        source = f"指标体系版本 #{fid}（{group}，{effective} 起）"
        fw = parse_framework(text, source, register, expected_group=group)
        fw = replace(fw, version_id=fid, effective_month=effective)
        _FRAMEWORKS[key] = fw
    return fw


def framework_version(store: Store, framework_id: int, group: str, register: UnitRegister | None = None) -> Framework:
    """One stored framework version by id (a signed month's record names the one it was scored with)."""
    register = register or store.units.register()
    fid, text, effective = store.frameworks.framework_by_id(framework_id)
    key = (fid, hash(text), _register_key(register))
    fw = _FRAMEWORKS.get(key)
    if fw is None:
        fw = parse_framework(text, f"指标体系版本 #{fid}（{group}，{effective} 起）", register, expected_group=group)
        fw = _FRAMEWORKS[key] = replace(fw, version_id=fid, effective_month=effective)
    return fw


SIGNED, CANDIDATE = "已签发", "更正候选"

CHANGE_COLUMNS = ["prev_score", "prev_rank", "d_score", "d_rank"]
# Stored results carry this; change it whenever scoring changes what it computes for the same data
# (a rule, rounding, a detail column), so results computed by an older engine are not reused.
ENGINE_VERSION = "2026-12-07"  # 未报送 units not ranked (credit.scoring.not_reported)


class GroupMonth:
    """A month's scores for a group together with the inputs they came from.

    Read from stored results the inputs are loaded only when asked for (a page showing one
    unit's monthly figures), from their own connection: scores alone need no facts at all.
    """

    def __init__(self, scores: MonthScores, inputs: MonthInputs | Callable[[], MonthInputs], summary: pd.DataFrame,
                 unreported: list[Unit] | None = None, published: dict | None = None):
        self.scores = scores
        self.published = published  # the publication whose frozen result `summary` shows, if any
        self.summary = summary  # scores.summary with prev_score / prev_rank / d_score / d_rank
        self._inputs = inputs
        self._unreported = unreported
        # "" for a month not signed; SIGNED when these figures are the month's record; CANDIDATE
        # when they are today's data of a signed month (what a correction would publish).
        self.label = ""

    @property
    def inputs(self) -> MonthInputs:
        if callable(self._inputs):
            self._inputs = self._inputs()
        return self._inputs

    @property
    def ranked_detail(self) -> pd.DataFrame:
        """The detail rows of the units ranked this month: a unit that sent nothing (未报送,
        `credit.scoring.not_reported`) is left out of a what-if ranking as it is out of the official one."""
        mask = reported_mask(self.summary)
        if mask.all():
            return self.scores.detail
        d = self.scores.detail
        return d[d["unit_id"].isin(set(self.summary.loc[mask, "unit_id"]))].reset_index(drop=True)

    @property
    def unreported(self) -> list[Unit]:
        """Active units left out of the ranking (no report this year)."""
        return self.inputs.unreported if self._unreported is None else self._unreported


def score(
    store: Store,
    month: str,
    group: str,
    policy: Policy = "rescale",
    framework: Framework | None = None,
    with_previous: bool = True,
    published: bool = True,
) -> GroupMonth:
    """A month's scores for a group, with the change against the previous month.

    For a month whose 通报 is issued this is the month's record (`signed_record`): every figure
    as signed, labelled SIGNED — unless `published=False` (signing and the correction comparison
    need today's data: the 更正候选, labelled CANDIDATE) or a what-if framework/policy is asked
    for. A publication made before month records existed gives its frozen summary rows over
    today's detail, as before. The previous month's figures come from its publication too, so
    "rank change" compares records. Other results are read from the stored results when still
    valid for this data version, otherwise computed and stored.
    """
    official = published and framework is None and policy == "rescale"
    if official:
        record = signed_record(store, month, group)
        if record is not None:
            return record
    stored = framework is None and with_previous  # a what-if framework's scores are not kept
    cache_policy = policy if official else f"{policy}:live"
    # One snapshot for every read: an import committing meanwhile must not hand us one sheet of
    # the month from before it and another from after it.
    with store.snapshot():
        version = store.data_version()
        register = _register(store, version)
        fw = framework or framework_for(store, group, month, register)
        key = (month, group, cache_policy, version, fw.version_id or 0, ENGINE_VERSION)
        hit = store.results.get(*key) if stored else None
        signed = store.publishing.current_publication(month) is not None
        if hit is not None:
            gm = _from_stored(store.path, month, group, policy, fw, register, hit)
            gm.published = store.publishing.current_publication(month) if official else None
            gm.label = _label(signed, official, framework is None and policy == "rescale")
            return gm
        inp = load_month_inputs(store, month, group, register)
        pm = previous_month(month)
        pinp = None
        if with_previous and pm in store.datasets.months_with_data():
            pinp = load_month_inputs(store, pm, group, register)
            pfw = framework_for(store, group, pm, register)
        pub, frozen = _frozen(store, month, group) if official else (None, None)
        _, pfrozen = _frozen(store, pm, group) if official and pinp is not None else (None, None)
    ms = score_month(inp, fw, policy)
    prev = None if pinp is None else (pfrozen if pfrozen is not None
                                      else rank_reported(score_month(pinp, pfw, policy).summary, silent_ids(pinp)))
    current = ms.summary if frozen is None else _with_frozen(ms.summary, frozen)
    # a unit that sent nothing this month is 未报送, not ranked on carried-over figures (not_reported)
    summary = add_changes(current, prev)
    if frozen is None:
        summary = rank_reported(summary, silent_ids(inp))
        ms.summary = summary.drop(columns=CHANGE_COLUMNS)  # as a stored result reads back (`_from_stored`)
    gm = GroupMonth(ms, inp, summary, published=pub)
    gm.label = _label(signed, official, framework is None and policy == "rescale")
    if stored:
        store.results.put(*key, StoredResult(gm.summary, ms.detail, ms.items, [u.id for u in inp.unreported]),
                          by=SCORER)
    return gm


def _label(signed: bool, official: bool, plain: bool) -> str:
    """SIGNED for a signed month's official figures, CANDIDATE for its figures from today's data
    under the official framework and policy (what a correction would sign), else ""."""
    if not signed:
        return ""
    return SIGNED if official else CANDIDATE if plain else ""


_REGISTERS: dict[tuple[str, int], UnitRegister] = {}


def current_register(store: Store) -> UnitRegister:
    """The register at the store's data version, read once per (database, version) as scoring
    reads it (`_register`): a month's state and its scores on one page share one read."""
    return _register(store, store.data_version())


def _register(store: Store, version: int) -> UnitRegister:
    """The register as of `version`, read once per (database, data version): every unit change
    is a real write, so the version pins it (at 5,000 units reading it costs a stored hit ~0.2 s)."""
    key = (str(store.path), version)
    reg = _REGISTERS.get(key)
    if reg is None:
        if len(_REGISTERS) > 16:
            _REGISTERS.clear()
        reg = _REGISTERS[key] = store.units.register()
    return reg


def _from_stored(path: Path, month: str, group: str, policy: str, fw: Framework, register: UnitRegister,
                 hit: StoredResult) -> GroupMonth:
    def load() -> MonthInputs:
        with Store(path) as own:  # whichever thread asks: sqlite connections stay on their thread
            return load_month_inputs(own, month, group, own.units.register())

    ms = MonthScores(month, group, policy, fw, hit.detail, hit.items, hit.summary.drop(columns=CHANGE_COLUMNS))
    return GroupMonth(ms, load, hit.summary, [register.by_id[u] for u in hit.unreported if u in register.by_id])


def _frozen(store: Store, month: str, group: str) -> tuple[dict | None, pd.DataFrame | None]:
    """(publication in force, its frozen rows of `group`) — (None, None) while 采集中."""
    pub = store.publishing.current_publication(month)
    if pub is None:
        return None, None
    rows = store.publishing.published_scores(pub["id"], group)
    frame = pd.DataFrame([{"unit_id": r["unit_id"], "rank": r["rank"], "score": r["score"], "earned": r["earned"],
                           "possible": r["possible"], **r["subtotals"]} for r in rows])
    return pub, frame


def _with_frozen(live: pd.DataFrame, frozen: pd.DataFrame) -> pd.DataFrame:
    """The live summary's shape with the published numbers and order (units in both)."""
    f = frozen.set_index("unit_id")
    out = live[live["unit_id"].isin(f.index)].copy()
    for col in [c for c in f.columns if c in out.columns]:
        values = out["unit_id"].map(f[col])
        out[col] = values.astype(out[col].dtype) if col in ("rank",) else values.astype(float)
    order = out.assign(_r=out["rank"].astype(int)).sort_values("_r", kind="stable").index
    return out.loc[order].reset_index(drop=True)


# -- the month record --------------------------------------------------------------------------

_FRAMES = ("summary", "detail", "items", "unit_monthly", "county_monthly", "events")
_RECORDS: dict[tuple, GroupMonth] = {}


def record_parts(gm: GroupMonth) -> dict[tuple[str, str], Any]:
    """One group's scored month as the parts signing stores: (group, part) -> frame or JSON value.

    `gm` is what is being signed (today's data, scored once); reading the parts back with
    `signed_record` gives the same summary, detail, items and inputs."""
    g, inp = gm.scores.group, gm.inputs
    frames = {"summary": gm.summary, "detail": gm.scores.detail, "items": gm.scores.items,
              "unit_monthly": inp.unit_monthly, "county_monthly": inp.county_monthly, "events": inp.events}
    parts: dict[tuple[str, str], Any] = {(g, k): v.reset_index(drop=True) for k, v in frames.items()}
    parts.update({(g, f"register:{sheet}"): f.reset_index(drop=True) for sheet, f in inp.registers.items()
                  if f is not None})
    parts[(g, "units")] = [asdict(u) for u in inp.units]
    parts[(g, "unreported")] = [asdict(u) for u in gm.unreported]
    return parts


def _unit(raw: dict) -> Unit:
    return Unit(**{**raw, "names": [tuple(n) for n in raw.get("names", [])]})


def signed_record(store: Store, month: str, group: str) -> GroupMonth | None:
    """The record of a signed month (the publication in force), None while the month is not
    signed or was signed before month records existed. Records are insert-only, so one read per
    (database, publication) is kept."""
    pub = store.publishing.current_publication(month)
    if pub is None:
        return None
    key = (str(store.path), pub["id"], pub["number"], pub["published_at"], group)
    gm = _RECORDS.get(key)
    if gm is None:
        parts = store.publishing.record_parts(pub["id"], group)
        if "summary" not in parts:
            return None
        if len(_RECORDS) > 64:
            _RECORDS.clear()
        fw = framework_version(store, int(pub["frameworks"][group]), group)
        units, unreported = [_unit(u) for u in parts["units"]], [_unit(u) for u in parts["unreported"]]
        registers = {k.split(":", 1)[1]: v for k, v in parts.items() if k.startswith("register:")}
        inp = MonthInputs(month=month, group=group, units=units, unit_monthly=parts["unit_monthly"],
                          county_monthly=parts["county_monthly"], events=parts["events"], registers=registers,
                          unreported=unreported)
        summary = parts["summary"]
        ms = MonthScores(month, group, pub["policy"], fw, parts["detail"], parts["items"],
                         summary.drop(columns=[c for c in CHANGE_COLUMNS if c in summary]))
        gm = _RECORDS[key] = GroupMonth(ms, inp, summary, unreported, published=pub)
        gm.label = SIGNED
    return gm


def month_figures(store: Store, month: str, group: str) -> tuple[GroupMonth, str]:
    """The figures of `month` and its state: the record when signed (state 已签发), else today's
    candidate (state 采集中). The one call for a reader that needs "the month's figures" (the year
    page's 得分率 and ranks of signed months come from here)."""
    gm = score(store, month, group)
    return gm, store.publishing.month_state(month)
