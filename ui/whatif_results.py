"""The 权重模拟 results: side-by-side ranks, the slope chart, reasons, a page at a time for a
large group.

Split out of `pages/whatif.py`, which draws the page from these parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit.model.framework import Framework
from credit.scoring import whatif
from ui import loaders
from ui.charts import chart, hline
from ui.safe import md
from ui.whatif_state import PAGE_ROWS
from ui.widgets import arrow, downloads

UP, DOWN, SAME = "#2e7d32", "#c62828", "#9e9e9e"  # rank moved up / down / not
# session_state: a large group's slope chart is open. In a browser, redrawing a page of fifty units'
# chart was a third of a weight change's whole time (0.71 s against 0.48 s without it, measured side
# by side), so at that size it is drawn on request, as the second-level inputs are.
SLOPE_OPEN_KEY = "wi_slope_open"


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "单位": table["unit"],
        "官方排名": table["rank_official"],
        "官方得分率": table["score_official"].round(2),
        "模拟排名": table["rank_whatif"],
        "模拟得分率": table["score_whatif"].round(2),
        "排名变化": [arrow(d) for d in table["d_rank"]],
        "跨越名次线": table["crossing"],
        "原因": table["reason"],
    })


def _score_format(df: pd.DataFrame) -> dict:
    """Two decimals for every 得分率 column (Streamlit would show 92.5 and 88)."""
    return {c: st.column_config.NumberColumn(format="%.2f") for c in df.columns if str(c).endswith("得分率")}


HIGHLIGHT = "background-color: #fff3cd"  # a row whose unit crossed a 前/后N名 line


def _highlight(frame: pd.DataFrame) -> pd.DataFrame:
    """The CSS of every cell at once (`Styler.apply(axis=None)`): a row per call (`axis=1`) built
    fifty Series a rerun, a third of the Styler's cost."""
    hit = (frame["跨越名次线"] != "").to_numpy()
    css = np.where(hit, HIGHLIGHT, "").astype(object)
    return pd.DataFrame(np.repeat(css[:, None], frame.shape[1], axis=1), index=frame.index, columns=frame.columns)


def slope_chart(table: pd.DataFrame, boundary: int, n_total: int | None = None) -> go.Figure:
    """Official rank (left) to what-if rank (right); crossings drawn thick.

    One trace per kind of move (lines separated by gaps), not one per unit: a city-wide register
    of hundreds of units then still draws in a blink. With `n_total` the table is one page of a
    larger group: the axis spans that page's ranks only. The points go to plotly as numpy arrays
    (one validation pass per array, where lists are checked element by element: most of the
    chart's cost on each weight change)."""
    n = len(table) if n_total is None else n_total
    units = table["unit"].to_numpy(dtype=object)
    r_off = table["rank_official"].to_numpy(dtype=np.int64)
    r_wi = table["rank_whatif"].to_numpy(dtype=np.int64)
    d_rank = table["d_rank"].to_numpy()
    thick_rows = (table["crossing"] != "").to_numpy()
    traces = []
    kinds = (("上升", d_rank > 0, UP), ("下降", d_rank < 0, DOWN), ("不变", d_rank == 0, SAME))
    for label, sel, color in kinds:
        for thick in (False, True):
            rows = np.flatnonzero(sel & (thick_rows == thick))
            if not len(rows):
                continue
            traces.append(_slope_trace(units[rows].tolist(), r_off[rows].tolist(), r_wi[rows].tolist(), color,
                                       4 if thick else (2 if label != "不变" else 1),
                                       color if label != "不变" else "#555"))
    low, high = (1, n) if n_total is None or table.empty else (
        int(min(r_off.min(), r_wi.min())), int(max(r_off.max(), r_wi.max())))
    lines = [hline(y, color="#f0ad4e", dash="dash", width=1)
             for y in sorted({boundary + 0.5, n - boundary + 0.5}) if max(1, low) < y < min(n, high)]
    return chart(traces, max(420, 24 * len(table) + 80), f"名次变化（虚线为前{boundary}名、后{boundary}名分界）",
                 shapes=lines, xaxis={"range": [-0.9, 1.9], "tickvals": [0, 1], "ticktext": ["官方排名", "模拟排名"],
                                      "side": "top"},
                 yaxis={"range": [high + 0.7, low - 0.7], "visible": False})


_SLOPE_POS = np.array(["middle left", "middle right", "middle left"], dtype=object)


def _slope_trace(units: list[str], r_off: list[int], r_wi: list[int], color: str, width: int,
                 text_color: str) -> dict:
    """One kind of move: a line per unit from (0, official rank) to (1, what-if rank), then a gap."""
    k = len(units)
    ys = np.full(3 * k, np.nan)
    ys[0::3], ys[1::3] = r_off, r_wi
    texts = np.full(3 * k, "", dtype=object)  # the gap's point is not drawn: its text is never seen
    texts[0::3] = [f"{u} {r}" for u, r in zip(units, r_off, strict=True)]
    texts[1::3] = [f"{r} {u}" for u, r in zip(units, r_wi, strict=True)]
    hover = np.full(3 * k, "", dtype=object)
    hover[0::3] = hover[1::3] = [f"{u}<br>官方第{a}名 → 模拟第{b}名" for u, a, b in zip(units, r_off, r_wi, strict=True)]
    return {"type": "scatter", "x": np.tile([0.0, 1.0, np.nan], k), "y": ys, "mode": "lines+markers+text",
            "text": texts, "textposition": np.tile(_SLOPE_POS, k), "hovertext": hover, "hoverinfo": "text",
            "showlegend": False, "connectgaps": False, "line": {"color": color, "width": width},
            "marker": {"color": color, "size": 7}, "textfont": {"size": 12, "color": text_color}}


def page_of(frame: pd.DataFrame, key: str, what: str) -> pd.DataFrame:
    """One page of a long table (`PAGE_ROWS` rows) with the page picker; the whole frame when short."""
    n_pages = -(-len(frame) // PAGE_ROWS)
    if n_pages <= 1:
        return frame
    st.caption(f"共 {len(frame):,} 个单位，每页 {PAGE_ROWS} 个{what}；完整表格请下载。")
    page_no = st.pagination(n_pages, key=key, max_visible_pages=9)
    return frame.iloc[(page_no - 1) * PAGE_ROWS: page_no * PAGE_ROWS]


def results(base: whatif.Baseline, points: dict[str, float], fw: Framework, boundary: int, group: str,
            month: str) -> None:
    large = base.n_units > PAGE_ROWS
    # a county group: every reason at once; thousands of units: the reasons of the rows on show
    sim = whatif.simulate_on(base, points, boundary, explain=() if large else None)
    table = sim.table
    n_moved = int((table["d_rank"] != 0).sum())
    c1, c2, c3 = st.columns(3)
    delta = sim.total - fw.total_points
    c1.metric("分值合计", f"{sim.total:.2f} 分", None if abs(delta) < 0.005 else f"{delta:+.2f} 较官方",
              delta_color="off")
    c2.metric("名次变化的单位", f"{n_moved} 个")
    c3.metric(f"跨越前/后{boundary}名线", f"{int((table['crossing'] != '').sum())} 个")
    rows = table
    if large:
        order = st.radio("列表顺序", ["official", "moved"], horizontal=True, key="wi_order",
                         format_func=lambda o: "按官方排名" if o == "official" else "名次变化最大的在前")
        ordered = table if order == "official" else table.iloc[
            np.lexsort((table["rank_official"].to_numpy(), -np.abs(table["d_rank"].to_numpy())))]
        picked = page_of(ordered, "wi_page", "（表格、名次变化图和说明都只含本页）")
        rows = sim.explained_rows(picked.index.to_numpy())  # the table's index is its row position
        moved_here = rows[rows["d_rank"] != 0].sort_values("rank_whatif", kind="stable")
    else:
        moved_here = table[table["d_rank"] != 0].sort_values("rank_whatif", kind="stable")
    shown = side_by_side(rows)
    # pandas' Styler costs tens of ms a rerun for 50 rows: only when a row on show is highlighted
    # (the grid shows a Styler's numbers as the plain frame's: the score columns carry their format)
    crossing = bool((shown["跨越名次线"] != "").any())
    st.dataframe(shown.style.apply(_highlight, axis=None) if crossing else shown, hide_index=True, width="stretch",
                 column_order=[c for c in shown.columns if c != "原因"],  # reasons are listed below
                 column_config=_score_format(shown))
    if large:
        downloads(lambda: side_by_side(sim.explained()), f"权重模拟_{group}_{month}", key="dl-wi")
        # thousands of units: the chart is drawn when opened (SLOPE_OPEN_KEY)
        box = st.expander(f"名次变化图（本页 {len(rows)} 个单位）", key=SLOPE_OPEN_KEY, on_change="rerun")
        if box.open is not False:
            with box:
                st.plotly_chart(slope_chart(rows, boundary, base.n_units), width="stretch", key="wi_slope")
    else:
        st.plotly_chart(slope_chart(rows, boundary), width="stretch", key="wi_slope")
    st.markdown("**名次变化说明**")
    if not n_moved:
        st.caption("按当前权重，各单位名次与官方排名相同。")
    lines = whatif.move_notes(moved_here.assign(unit=moved_here["unit"].map(md), reason=moved_here["reason"].map(md)))
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    if n_moved > len(moved_here):
        st.caption(f"以上为本页 {len(moved_here)} 个单位；名次变化的单位共 {n_moved:,} 个，全部说明见下载表格。")


@st.cache_resource(show_spinner="正在准备模拟…", max_entries=16)
def baseline(db: str, version: int, month: str, group: str) -> whatif.Baseline:
    """What no weight change alters (official ranking, attainment arrays), once per data version."""
    gm = loaders.today_month(month, group)
    return whatif.baseline(gm.ranked_detail, gm.scores.framework)  # 未报送 units are not ranked here either
