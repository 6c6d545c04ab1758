"""The bulletin's one chart, as a PNG for the Word file.

Plotly's static export needs kaleido and a browser, neither of which an office intranet server
can be relied on to have; matplotlib renders headless with nothing but a font. The chart shows
信易贷 progress when the year has a target, else the towns' ranking. Without matplotlib or a CJK
font the chart is left out (`None`) rather than printed with empty boxes for every character.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd

from credit.common.months import month_parts

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "SimSun",
                "PingFang SC")
CJK_FILE_HINTS = ("NotoSansCJK", "NotoSerifCJK", "SourceHanSans", "wqy", "simhei", "msyh", "simsun")
WIDTH_IN, HEIGHT_IN, DPI = 6.2, 2.9, 200


@cache
def cjk_font_path() -> str | None:
    """A font file with Chinese glyphs: by family name first, else by a known file name."""
    try:
        from matplotlib import font_manager
    except ImportError:
        return None
    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_name:
            return by_name[family]
    for path in font_manager.findSystemFonts():
        if any(h.lower() in Path(path).name.lower() for h in CJK_FILE_HINTS):
            return path
    return None


@contextmanager
def _figure() -> Iterator[tuple[object, object]]:
    """A figure and axes drawn in the CJK font (rcParams scoped to this chart only)."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    path = cjk_font_path()
    font_manager.fontManager.addfont(path)
    family = font_manager.FontProperties(fname=path).get_name()
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 8,
                                "axes.unicode_minus": False}):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        yield fig, ax


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def xyd_chart(series: pd.DataFrame, month: str, target: float, opening: float) -> bytes:
    """Cumulative new registrations against the straight-line target path and the year's target."""
    year, m = month_parts(month)
    labels = [f"{month_parts(x)[1]}月" for x in series["month"]]
    upto = series.iloc[:m]
    with _figure() as (fig, ax):
        ax.plot(labels, series["target_path"], linestyle="--", color="#999999", label="序时目标（直线）")
        ax.plot(labels[:m], upto["new"], marker="o", color="#2e75b6", label="实际累计新增")
        ax.axhline(target, color="#c00000", linewidth=1)
        ax.text(len(labels) - 1, target, f"全年目标 {target:,.0f} 家", color="#c00000", va="bottom", ha="right")
        last = upto["new"].iloc[-1]
        if pd.notna(last):
            ax.annotate(f"{last:,.0f}", (labels[m - 1], last), textcoords="offset points", xytext=(0, 6),
                        ha="center")
        ax.set_title(f"{year}年全县信易贷平台新增注册企业（年初 {opening:,.0f} 家）", fontsize=10)
        ax.set_ylabel("家", rotation=0, labelpad=10)
        ax.set_ylim(0, max(target, float(series["target_path"].max())) * 1.12)
        ax.legend(loc="lower right", frameon=False)
        _style(ax)
        return _png(fig)


def ranking_chart(table: pd.DataFrame, title: str) -> bytes:
    """Horizontal bars of 得分率, best at the top (a 未报送 unit has none: it is not drawn)."""
    t = table[table["得分率"].notna()].iloc[::-1]
    with _figure() as (fig, ax):
        ax.barh(t["单位"].astype(str), t["得分率"], color="#2e75b6")
        for y, v in enumerate(t["得分率"]):
            ax.text(v, y, f" {v:.2f}", va="center", fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(0, 105)
        _style(ax, grid="x")
        return _png(fig)


def _style(ax, grid: str = "y") -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis=grid, color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)


_CHARTS_KEEP = 8
_charts: dict[str, tuple[bytes, str]] = {}
_charts_lock = threading.Lock()


def bulletin_chart(data) -> tuple[bytes, str] | None:
    """(png, caption) for the bulletin, or None when matplotlib or a CJK font is missing.

    Drawn once per content: the draft, the signed file and its PDF of one month show the same chart,
    and drawing it (matplotlib's savefig) is a third of a Word file's time; the key is a digest of
    exactly what the chart shows."""
    if cjk_font_path() is None:
        return None
    p = data.xyd
    if p is not None and data.xyd_series is not None and pd.notna(p.new):
        args: tuple = ("xyd", data.xyd_series, data.month, p.target, p.opening)
    else:
        towns = data.groups[0]
        args = ("rank", towns.table, f"{data.month_text}{towns.label}得分率", towns.label)
    key = hashlib.sha256(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    if key not in _charts:
        if args[0] == "xyd":
            drawn = xyd_chart(*args[1:]), "图1  全县信易贷新增注册企业进度"
        else:
            drawn = ranking_chart(args[1], args[2]), f"图1  {args[3]}得分率"
        with _charts_lock:
            while len(_charts) >= _CHARTS_KEEP:
                _charts.pop(next(iter(_charts)))
            _charts[key] = drawn
        return drawn
    return _charts[key]



def rank_lines_chart(ranks: pd.DataFrame, title: str) -> bytes:
    """One line per unit (rows) of its rank month by month (columns), rank 1 at the top: the lines
    cross where two units change places (the 年度通报's rank chart)."""
    with _figure() as (fig, ax):
        x = list(range(len(ranks.columns)))
        for name, row in ranks.iterrows():
            # a month the unit was not ranked in (未报送) is a gap in its line
            ax.plot(x, pd.to_numeric(row, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=float("nan")),
                    marker="o", markersize=2.5, linewidth=1, label=str(name))
        ax.set_xticks(x, [str(c) for c in ranks.columns])
        ax.invert_yaxis()
        ax.set_ylabel("排名")
        ax.set_title(title, fontsize=10)
        if len(ranks) <= 20:
            ax.legend(fontsize=5.5, ncol=1, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
        _style(ax)
        return _png(fig)
