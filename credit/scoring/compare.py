"""Who moved between two months, and which indicators moved them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd


def indicator_deltas(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Points earned per unit × indicator now minus the previous month (applicable rows only)."""
    cols = ["unit_id", "code", "indicator", "earned"]
    cur = current.loc[current["applies"], cols]
    if previous is None or previous.empty:
        return cur.assign(prev=pd.NA, delta=pd.NA).iloc[0:0]
    prev = previous.loc[previous["applies"], ["unit_id", "code", "earned"]].rename(columns={"earned": "prev"})
    out = cur.merge(prev, on=["unit_id", "code"], how="left")
    out["delta"] = out["earned"] - out["prev"].fillna(0.0)
    return out


def reasons(deltas: pd.DataFrame, unit_id: str, top: int = 2) -> str:
    """'T3 +2.50、T9 −2.00': the indicators that moved a unit most, largest change first."""
    return reasons_for(deltas, [unit_id], top)[unit_id]


def reasons_for(deltas: pd.DataFrame, unit_ids: list[str], top: int = 2) -> dict[str, str]:
    """`reasons` for several units at once: the deltas frame is filtered once, not once per unit
    (at 5,000 units × 19 indicators that per-unit filter was most of a Home rerun)."""
    d = deltas[deltas["unit_id"].isin(unit_ids)]
    d = d[d["delta"].abs() > 0.005]
    d = d.iloc[np.argsort(-d["delta"].abs().to_numpy(dtype=float), kind="stable")]
    picked: dict[str, list[str]] = {u: [] for u in unit_ids}
    for uid, indicator, delta in zip(d["unit_id"], d["indicator"], d["delta"], strict=True):
        if len(picked[uid]) < top:
            picked[uid].append(f"{indicator}（{delta:+.2f}）")
    return {u: "、".join(texts) for u, texts in picked.items()}


def movers(summary: pd.DataFrame, deltas: pd.DataFrame, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The top gainers and fallers by score change, each with the indicators behind it."""
    s = summary.dropna(subset=["d_score"])
    cols = ["unit", "score", "d_score", "rank", "d_rank"]
    gain = s[s["d_score"] > 0.005].nlargest(n, "d_score")[cols + ["unit_id"]]
    fall = s[s["d_score"] < -0.005].nsmallest(n, "d_score")[cols + ["unit_id"]]
    why = reasons_for(deltas, [*gain["unit_id"], *fall["unit_id"]])
    for frame in (gain, fall):
        frame["原因"] = [why[uid] for uid in frame["unit_id"]]
    return gain.drop(columns="unit_id"), fall.drop(columns="unit_id")


def year_history(months: Sequence[str], month: str, summary_of: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """The rankings of every month of `month`'s year up to it that has data, oldest first (the
    rank history chart); `summary_of(m)` gives a month's ranking (the caller's cache decides how).
    Empty when no month qualifies."""
    year = month[:4]
    frames = [summary_of(m) for m in sorted(months) if m[:4] == year and m <= month]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
