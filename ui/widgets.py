"""Small reusable pieces of page: formatted tables with downloads, chart styling, arrows."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit.common.filetypes import XLSX_MIME
from credit.workbook.export import to_csv_bytes, to_excel_bytes

CJK_FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"


def style_fig(fig: go.Figure, height: int = 380) -> go.Figure:
    fig.update_layout(
        font=dict(family=CJK_FONT, size=14),
        height=height,
        margin=dict(l=10, r=10, t=70, b=10),
        title=dict(y=0.97, yanchor="top"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        separators=".,",
    )
    return fig


def month_ticks(months) -> list[str]:
    """'2022-03' → '3月' for chart axes (plotly would write 'Mar 2022')."""
    return [f"{int(str(m)[5:7])}月" for m in months]


def arrow(d: object) -> str:
    """Rank change as an arrow: ↑3 moved up three places, ↓1 down one, — unchanged or new."""
    if d is None or d is pd.NA or (isinstance(d, float) and math.isnan(d)):
        return "—"
    d = int(d)
    return f"↑{d}" if d > 0 else (f"↓{-d}" if d < 0 else "—")


def signed(d: object, digits: int = 2) -> str:
    if d is None or d is pd.NA or (isinstance(d, float) and math.isnan(d)):
        return "—"
    return f"{float(d):+.{digits}f}"


def cell_text(x: object, blank: str = "", digits: int | None = None) -> str:
    """One table cell as text: missing → `blank` (never None/nan/NaT); whole numbers without decimals."""
    if x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
        return blank
    if isinstance(x, bool):
        return "是" if x else "否"
    if isinstance(x, float | int) and not isinstance(x, bool):
        if digits is not None:
            return f"{float(x):,.{digits}f}"
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    return str(x)


def blank_missing(df: pd.DataFrame, blank: str = "", digits: dict[str, int] | None = None) -> pd.DataFrame:
    """The table with every column that has a missing value turned into text, missing shown as
    `blank`: Streamlit draws a missing cell as the English word "None". Columns without a gap
    stay numeric (sortable, formatted by column_config)."""
    out = df.copy()
    for col in out.columns:
        if out[col].isna().any():
            d = (digits or {}).get(col)
            out[col] = [cell_text(v, blank, d) for v in out[col]]
    return out


def mover_panel(title: str, colour: str, lines: list[str], verb: str) -> str:
    """One panel of Home's 进步最大 / 下降最多 as one markdown text: its heading in `colour`, then its
    lines (already markdown), or a grey line saying no unit's score went `verb`."""
    body = "\n\n".join(lines) if lines else f":gray[本月没有得分{verb}的单位]"
    return f"#### :{colour}[{title}]\n\n{body}"


def downloads(df: pd.DataFrame | Callable[[], pd.DataFrame], name: str, key: str) -> None:
    """CSV and Excel buttons for a table (files built only when clicked). `df` may be a function
    that builds the table: then even the table is made only on a click (a 5,000-unit what-if
    table with every reason takes a second or two)."""
    def table() -> pd.DataFrame:
        return df() if callable(df) else df

    row = st.container(horizontal=True)  # one block: three columns cost a rerun four (issue 18)
    row.download_button("下载 CSV", data=lambda: to_csv_bytes(table()), file_name=f"{name}.csv",
                       mime="text/csv", key=f"{key}-csv", on_click="ignore")
    row.download_button("下载 Excel", data=lambda: to_excel_bytes({name[:31]: table()}), file_name=f"{name}.xlsx",
                       mime=XLSX_MIME,
                       key=f"{key}-xlsx", on_click="ignore")


def score_columns(df: pd.DataFrame, two_dec: list[str] | None = None) -> dict:
    """Column config: two decimals for scores, thousands separators for amounts."""
    cfg = {}
    for col in df.columns:
        if two_dec and col in two_dec:
            cfg[col] = st.column_config.NumberColumn(col, format="%.2f")
    return cfg


# The ranking's first five columns in pixels, so that rank, unit, 得分率 and 较上月 fit a 390 px phone
# beside the row's select box; rank and unit stay pinned (on the left) while the subtotals are scrolled to.
RANKING_WIDTHS = {"排名": 40, "排名变化": 64, "单位": 108, "得分率": 56, "较上月": 56}


def ranking_columns(table: pd.DataFrame, two_dec: list[str]) -> dict:
    """`score_columns` for the Home ranking, with the phone-sized widths above, rank and unit pinned."""
    cfg = score_columns(table, two_dec)
    for col, px in RANKING_WIDTHS.items():
        if col in cfg:
            cfg[col] = st.column_config.NumberColumn(col, format="%.2f", width=px)
        elif col == "单位":
            cfg[col] = st.column_config.TextColumn(col, width=px, pinned=True)
        elif col == "排名" and pd.api.types.is_numeric_dtype(table[col]):
            cfg[col] = st.column_config.NumberColumn(col, format="%d", width=px, pinned=True)
        elif col == "排名":  # a collecting month: 未报送 in place of a rank
            cfg[col] = st.column_config.TextColumn(col, width=px, pinned=True)
        else:
            cfg[col] = st.column_config.TextColumn(col, width=px)
    return {col: lean(c) for col, c in cfg.items()}


def lean(config: dict) -> dict:
    """A column config without its unset (None) entries, which Streamlit drops anyway before sending
    it (`remove_none_values`): the same table, but `st.dataframe` deep-copies the config on every
    rerun, and a `NumberColumn` is mostly unset keys (Home's table: a tenth of a millisecond a rerun)."""
    return {k: lean(v) if isinstance(v, dict) else v for k, v in config.items() if v is not None}


def ranking_table(gm) -> pd.DataFrame:
    """A group's month ranking as shown on Home: rank, change arrows, score, subtotals (two decimals)."""
    s = gm.summary
    table = pd.DataFrame({
        "排名": s["rank"].astype("Int64"),
        "排名变化": [arrow(d) for d in s["d_rank"]],
        "单位": s["unit"],
        "得分率": s["score"].round(2),
        "较上月": [signed(d) for d in s["d_score"]],
    })
    for lv in gm.scores.level1_names:
        table[lv] = s[lv].round(2)
    table["得分"] = s["earned"].round(2)
    table["适用满分"] = s["possible"].round(2)
    return table
