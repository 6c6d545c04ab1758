"""The use cases the CLI, the pages and the bulletin share: open a store, score a month, export.

Nothing here knows about Streamlit; pages call these and cache the results per data version.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from credit.model.accounts import Actor, authorize
from credit.model.framework import Framework, default_framework_texts, parse_framework
from credit.model.scenario import check_reason
from credit.model.units import UnitRegister, load_units
from credit.scoring.engine import MonthScores, Policy, add_changes, score_month
from credit.scoring.inputs import MonthInputs, load_month_inputs, previous_month
from credit.scoring.scenarios import adoptable
from credit.store.facade import Store

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "credit.db"
GROUPS = ("镇街", "部门")


def default_db_path() -> Path:
    return Path(os.environ.get("CREDIT_DB") or DEFAULT_DB)


def open_store(path: str | Path | None = None) -> Store:
    """Open (creating and seeding with the default framework and register when new)."""
    path = Path(path) if path else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path)
    if store.seed_gaps():
        store.seed_defaults(load_units(), default_framework_texts())
    return store


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


def adopt_weights(store: Store, official: Framework, effective_month: str, points: Mapping[str, float],
                  by: Actor, reason: str, scenario_id: int | None = None) -> int:
    """Make `points` the official weights of `official.group` from `effective_month` on.

    `official` is the framework in force in that month (the one the points were made against).
    The new framework is validated here as a file would be (that needs the scoring layer, which
    the store must not import), then saved by the store as a new version with its audit entry;
    returns the new framework id. Permission and reason are checked first, before any work.
    """
    authorize(by, "weights")
    check_reason(reason)
    fw, text = adoptable(official, points, store.register(), effective_month)
    return store.weights.adopt(fw.group, effective_month, text, by, reason,
                               based_on=(official.version_id, official.effective_month), scenario_id=scenario_id)


@dataclass
class GroupMonth:
    """A month's scores for a group together with the inputs they came from."""

    scores: MonthScores
    inputs: MonthInputs
    summary: pd.DataFrame  # scores.summary with prev_score / prev_rank / d_score / d_rank


def score(
    store: Store,
    month: str,
    group: str,
    policy: Policy = "rescale",
    framework: Framework | None = None,
    with_previous: bool = True,
) -> GroupMonth:
    # One snapshot for every read: an import committing meanwhile must not hand us one sheet of
    # the month from before it and another from after it.
    with store.snapshot():
        register = store.register()
        fw = framework or framework_for(store, group, month, register)
        inp = load_month_inputs(store, month, group, register)
        pm = previous_month(month)
        pinp = None
        if with_previous and pm in store.months_with_data():
            pinp = load_month_inputs(store, pm, group, register)
            pfw = framework_for(store, group, pm, register)
    ms = score_month(inp, fw, policy)
    prev = None if pinp is None else score_month(pinp, pfw, policy).summary
    return GroupMonth(ms, inp, add_changes(ms.summary, prev))


def _r(v: float) -> float:
    return round(float(v), 6)


def scores_payload(gm: GroupMonth) -> dict:
    """The JSON shape of `python -m credit scores --format json` (kept exact: others test it)."""
    ms = gm.scores
    levels = ms.level1_names
    detail = ms.detail[ms.detail["applies"]]
    per_unit = {uid: grp for uid, grp in detail.groupby("unit_id", sort=False)}
    units = []
    for row in gm.summary.to_dict("records"):
        d = per_unit.get(row["unit_id"])
        indicators = {} if d is None else {c: _r(e) for c, e in zip(d["code"], d["earned"])}
        units.append({
            "unit": row["unit"],
            "unit_id": row["unit_id"],
            "rank": int(row["rank"]),
            "score": _r(row["score"]),
            "earned": _r(row["earned"]),
            "possible": _r(row["possible"]),
            "subtotals": {lv: _r(row[lv]) for lv in levels},
            "indicators": indicators,
        })
    return {"month": ms.month, "group": ms.group, "units": units}


def scores_table(gm: GroupMonth) -> pd.DataFrame:
    """The ranking as a Chinese-labelled table (CSV export, CLI table, pages)."""
    ms = gm.scores
    s = gm.summary
    table = pd.DataFrame({
        "排名": s["rank"],
        "单位": s["unit"],
        "得分率": s["score"].round(2),
        "得分": s["earned"].round(2),
        "适用满分": s["possible"].round(2),
    })
    for lv in ms.level1_names:
        table[lv] = s[lv].round(2)
    wide = ms.detail[ms.detail["applies"]].pivot_table(
        index="unit_id", columns="code", values="earned", aggfunc="sum", sort=False
    ).reindex(columns=ms.framework.codes)
    for code in ms.framework.codes:
        table[code] = s["unit_id"].map(wide[code]).round(2).to_numpy()
    table["上月排名"] = s["prev_rank"]
    table["排名变化"] = s["d_rank"]
    return table
