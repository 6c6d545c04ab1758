"""Who moved between two months, and which indicators moved them."""

from __future__ import annotations

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
    d = deltas[(deltas["unit_id"] == unit_id) & (deltas["delta"].abs() > 0.005)]
    d = d.reindex(d["delta"].abs().sort_values(ascending=False).index).head(top)
    return "、".join(f"{r.indicator}（{r.delta:+.2f}）" for r in d.itertuples())


def movers(summary: pd.DataFrame, deltas: pd.DataFrame, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The top gainers and fallers by score change, each with the indicators behind it."""
    s = summary.dropna(subset=["d_score"])
    cols = ["unit", "score", "d_score", "rank", "d_rank"]
    gain = s[s["d_score"] > 0.005].nlargest(n, "d_score")[cols + ["unit_id"]]
    fall = s[s["d_score"] < -0.005].nsmallest(n, "d_score")[cols + ["unit_id"]]
    for frame in (gain, fall):
        frame["原因"] = [reasons(deltas, uid) for uid in frame["unit_id"]]
    return gain.drop(columns="unit_id"), fall.drop(columns="unit_id")
