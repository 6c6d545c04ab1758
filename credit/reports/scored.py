"""A month's scores read from the store — the one read every report, page and CLI command starts from.

`score` takes one snapshot of the store (an import committing meanwhile cannot hand it one sheet
from before and another from after), parses the framework in force that month (cached per
version and register), scores the month and last month, and returns both with the rank changes.
It lives here, above the store and below the bulletin, so reports need nothing from `credit.app`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from credit.common.months import previous_month
from credit.model.framework import Framework, parse_framework
from credit.model.units import Unit, UnitRegister
from credit.scoring.engine import MonthScores, Policy, add_changes, score_month
from credit.scoring.inputs import MonthInputs, load_month_inputs
from credit.store.facade import Store
from credit.store.results import SCORER, StoredResult

_FRAMEWORKS: dict[tuple, Framework] = {}


def framework_for(store: Store, group: str, month: str, register: UnitRegister | None = None) -> Framework:
    """The official framework in force for `month`, parsed once per (version, register)."""
    register = register or store.register()
    fid, text, effective = store.framework_for(group, month)
    key = (fid, hash(text), tuple((u.id, u.group, u.kind) for u in register))
    fw = _FRAMEWORKS.get(key)
    if fw is None:
        source = f"指标体系版本 #{fid}（{group}，{effective} 起）"
        fw = parse_framework(text, source, register, expected_group=group)
        fw = replace(fw, version_id=fid, effective_month=effective)
        _FRAMEWORKS[key] = fw
    return fw


CHANGE_COLUMNS = ["prev_score", "prev_rank", "d_score", "d_rank"]
# Stored results carry this; change it whenever scoring changes what it computes for the same data
# (a rule, rounding, a detail column), so results computed by an older engine are not reused.
ENGINE_VERSION = "2026-12-01"


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

    @property
    def inputs(self) -> MonthInputs:
        if callable(self._inputs):
            self._inputs = self._inputs()
        return self._inputs

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

    For a month whose 通报 is issued, `summary` shows the published result (the frozen rows of
    the publication in force) — the official record — unless `published=False` (publishing and
    the correction diff need the live result) or a what-if framework/policy is asked for. The
    previous month's figures come from its publication too, so "rank change" compares records.
    Results are read from the stored results when still valid for this data version (publishing
    is a write, so it invalidates them), otherwise computed and stored.
    """
    official = published and framework is None and policy == "rescale"
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
        if hit is not None:
            gm = _from_stored(store.path, month, group, policy, fw, register, hit)
            gm.published = store.publishing.current_publication(month) if official else None
            return gm
        inp = load_month_inputs(store, month, group, register)
        pm = previous_month(month)
        pinp = None
        if with_previous and pm in store.months_with_data():
            pinp = load_month_inputs(store, pm, group, register)
            pfw = framework_for(store, group, pm, register)
        pub, frozen = _frozen(store, month, group) if official else (None, None)
        _, pfrozen = _frozen(store, pm, group) if official and pinp is not None else (None, None)
    ms = score_month(inp, fw, policy)
    prev = None if pinp is None else (pfrozen if pfrozen is not None else score_month(pinp, pfw, policy).summary)
    current = ms.summary if frozen is None else _with_frozen(ms.summary, frozen)
    gm = GroupMonth(ms, inp, add_changes(current, prev), published=pub)
    if stored:
        store.results.put(*key, StoredResult(gm.summary, ms.detail, ms.items, [u.id for u in inp.unreported]),
                          by=SCORER)
    return gm


_REGISTERS: dict[tuple[str, int], UnitRegister] = {}


def _register(store: Store, version: int) -> UnitRegister:
    """The register as of `version`, read once per (database, data version): every unit change
    is a real write, so the version pins it (at 5,000 units reading it costs a stored hit ~0.2 s)."""
    key = (str(store.path), version)
    reg = _REGISTERS.get(key)
    if reg is None:
        if len(_REGISTERS) > 16:
            _REGISTERS.clear()
        reg = _REGISTERS[key] = store.register()
    return reg


def _from_stored(path: Path, month: str, group: str, policy: str, fw: Framework, register: UnitRegister,
                 hit: StoredResult) -> GroupMonth:
    def load() -> MonthInputs:
        with Store(path) as own:  # whichever thread asks: sqlite connections stay on their thread
            return load_month_inputs(own, month, group, own.register())

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
