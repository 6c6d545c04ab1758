"""The 权重模拟 rank-stability section: random weights around the current ones, many runs.

Split out of `pages/whatif.py`, which draws the page from these parts.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit.model.framework import Framework
from credit.scoring import stability, whatif
from ui import loaders
from ui.context import data_version, db_path
from ui.safe import md
from ui.whatif_results import page_of
from ui.widgets import downloads, style_fig


@st.cache_data(show_spinner="正在模拟…", max_entries=32)
def _stability(db: str, version: int, month: str, group: str, pct: float, runs: int, seed: int,
               points: tuple[tuple[str, float], ...]) -> pd.DataFrame:
    gm = loaders.today_month(month, group)
    return stability.stability(gm.ranked_detail, gm.scores.framework, pct, runs, seed, points=dict(points))


def stability_chart(stab: pd.DataFrame, whole: bool = True) -> go.Figure:
    labels = [f"{r}. {u}" for r, u in zip(stab["rank"], stab["unit"])]
    fig = go.Figure()
    fig.add_scatter(x=stab["median"], y=labels, mode="markers", name="中位排名（5%–95%区间）",
                    marker=dict(size=9, color="#2e75b6"),
                    error_x=dict(type="data", symmetric=False, array=stab["p95"] - stab["median"],
                                 arrayminus=stab["median"] - stab["p05"], thickness=6, width=0, color="#9dc3e6"))
    fig.add_scatter(x=stab["rank"], y=labels, mode="markers", name="基准排名",
                    marker=dict(symbol="diamond-open", size=11, color="#c00000", line=dict(width=2)))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    if whole:  # the whole 1…N range
        fig.update_xaxes(title="名次", dtick=1 if len(stab) <= 15 else 5, range=[0.5, len(stab) + 0.5])
    else:  # one page of a large group: its ranks and intervals
        low = int(min(stab["p05"].min(), stab["rank"].min()))
        high = int(max(stab["p95"].max(), stab["rank"].max()))
        fig.update_xaxes(title="名次", range=[low - 0.5, high + 0.5])
    return style_fig(fig, max(380, 22 * len(stab) + 100))


def stability_section(month: str, group: str, fw: Framework, points: dict[str, float], boundary: int) -> None:
    st.caption("把每个二级指标的分值在 ±N% 范围内随机变动，重复多次计算排名，看名次是否稳健："
               "区间越窄，名次越不受权重细节影响；两个单位的区间重叠，说明它们的先后并不可靠。")
    c1, c2, c3, c4 = st.columns(4)
    pct = c1.number_input("随机扰动幅度（±%）", min_value=0, max_value=90, value=20, step=5, key="wi_pct")
    runs = c2.number_input("模拟次数", min_value=100, max_value=10000, value=1000, step=100, key="wi_runs")
    seed = c3.number_input("随机种子", min_value=0, value=1, step=1, key="wi_seed",
                           help="同一种子得到同样的结果，便于复核")
    base = c4.radio("基准权重", ["official", "whatif"], key="wi_stab_base",
                    format_func=lambda b: "官方权重" if b == "official" else "当前模拟权重")
    base_points = whatif.official_points(fw) if base == "official" else points
    stab = _stability(db_path(), data_version(), month, group, float(pct), int(runs), int(seed),
                      tuple(sorted(base_points.items())))
    rows = page_of(stab, "wi_stab_page", "（图、说明和表格都只含本页）")
    st.plotly_chart(stability_chart(rows, whole=len(rows) == len(stab)), width="stretch", key="wi_stab_chart")
    for line in stability.notes(rows.assign(unit=rows["unit"].map(md)), boundary):  # the notes' Markdown, names as typed
        st.markdown(f"- {line}")
    st.dataframe(stability.table(rows), hide_index=True, width="stretch")
    if len(rows) < len(stab):
        downloads(lambda: stability.table(stab), f"排名稳定性_{group}_{month}", key="dl-wi-stab")
