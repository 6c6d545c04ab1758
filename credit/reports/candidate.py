"""A signed month's record against its 更正候选 (today's data): the ONE comparison of the two.

Every place that shows what a correction would change reads it from here — the upload page after a
correction import, the 月度通报 page's difference table, the CLI — so they cannot disagree. The
record side is the month record as signed (`score`'s official figures); the candidate side is the
same month scored from today's data (`published=False`). Scores are compared at the two decimals
they are published and ranked with, so "79.48 → 79.48" cannot hide a real change and a change
below the published precision does not show as one.
"""

from __future__ import annotations

import pandas as pd

from credit.common.labels import GROUPS, some_names
from credit.common.months import month_label
from credit.errors import CreditError
from credit.reports.scored import score
from credit.store.facade import Store

COLUMNS = ["单位", "已发布排名", "更正后排名", "排名变化", "已发布得分率", "更正后得分率", "得分率变化"]


def compare(record: pd.DataFrame, candidate: pd.DataFrame) -> pd.DataFrame:
    """Two summaries (unit_id, unit, rank, score) → who moves and by how much, candidate rank order.

    A unit in one side only (added or retired since signing) has <NA> on the other."""
    merged = record[["unit_id", "unit", "rank", "score"]].merge(
        candidate[["unit_id", "unit", "rank", "score"]], on="unit_id", how="outer", suffixes=("_pub", "_new"))
    out = pd.DataFrame({
        "单位": merged["unit_pub"].fillna(merged["unit_new"]).fillna(merged["unit_id"]).astype(object),
        "已发布排名": merged["rank_pub"].astype("Int64"),
        "更正后排名": merged["rank_new"].astype("Int64"),
        "已发布得分率": merged["score_pub"].astype(float).round(2),
        "更正后得分率": merged["score_new"].astype(float).round(2),
    })
    out["排名变化"] = (out["已发布排名"] - out["更正后排名"]).astype("Int64")
    out["得分率变化"] = (out["更正后得分率"] - out["已发布得分率"]).round(2)
    out = out.sort_values(["更正后排名", "已发布排名"], kind="stable", na_position="last").reset_index(drop=True)
    return out[COLUMNS]


def changed(diff: pd.DataFrame) -> pd.DataFrame:
    """The rows of `compare` whose rank or published score differs (or that exist on one side only)."""
    moved = (diff["得分率变化"].fillna(1) != 0) | (diff["排名变化"].fillna(1) != 0)
    return diff[moved.to_numpy(dtype=bool)].reset_index(drop=True)


def record_vs_candidate(store: Store, month: str, group: str) -> pd.DataFrame:
    """The month's record against its 更正候选 for one group (see `compare`)."""
    record = score(store, month, group, with_previous=False)
    if not record.published:
        raise CreditError(f"{month} 尚未签发通报，没有可比较的已发布结果。")
    candidate = score(store, month, group, with_previous=False, published=False)
    return compare(record.summary, candidate.summary)


def later_signed_differences(store: Store, month: str) -> list[tuple[str, int]]:
    """Signed months after `month` whose 更正候选 now differs from their record, with how many units
    differ: correcting one month changes later months' year-to-date figures, and each of those
    needs its own 更正通报 — the page and the CLI list them."""
    out = []
    for later in store.publishing.published_months():
        if later <= month:
            continue
        with store.snapshot():
            n = sum(len(changed(record_vs_candidate(store, later, g))) for g in GROUPS)
        if n:
            out.append((later, n))
    return out


def later_months_note(store: Store, month: str) -> str:
    """One sentence naming the later signed months that now differ ('' when none)."""
    later = later_signed_differences(store, month)
    if not later:
        return ""
    months = "、".join(f"{month_label(m)}（{n} 个单位）" for m, n in later)
    return (f"更正{month_label(month)}后，以下已签发月份按现有数据计算的结果与其已签发记录不同：{months}。"
            "这些月份的通报未改变，如需更正须分别签发更正通报。")


def month_changes_note(store: Store, month: str) -> str:
    """'' unless `month` is signed and its 更正候选 differs from the record; then who moves."""
    if store.publishing.current_publication(month) is None:
        return ""
    with store.snapshot():
        moved = [r for g in GROUPS for r in changed(record_vs_candidate(store, month, g)).to_dict("records")]
    if not moved:
        return f"{month_label(month)}已签发；按现有数据计算的结果与已签发记录一致。"
    shown = some_names([f"{r['单位']} {_num(r['已发布得分率'])}→{_num(r['更正后得分率'])}" for r in moved], 10, "个单位")
    return (f"{month_label(month)}已签发；按现有数据计算的更正候选与已签发记录不同：{shown}。"
            "已签发的通报未改变，须签发更正通报。")


def _num(v: object) -> str:
    return "—" if pd.isna(v) else f"{float(v):.2f}"
