"""Plotly figures built in one constructor call, styled as `ui.widgets.style_fig` styles them.

Why: a page rerun that redraws per-unit or per-weight charts spent most of its server time in
plotly's object model, not in the numbers — `px.line` with `update_yaxes` and `style_fig` cost
~80 ms for a three-point line, every `update_layout` walks and re-validates the property paths,
`add_bar` / `add_hline` re-validate the figure. The same figure from plain dicts, validated once
by `go.Figure(data=…, layout=…)`, costs ~1 ms. Used on the hot reruns (单位详情 on picking a
unit, 权重模拟 on moving a weight); other pages keep `style_fig`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from ui.widgets import CJK_FONT

STYLE: dict[str, Any] = {  # what style_fig sets (title placement is merged with each title)
    "font": {"family": CJK_FONT, "size": 14},
    "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    "separators": ".,",
}


def hline(y: float, **line: Any) -> dict[str, Any]:
    """A horizontal line across the plot at `y` (the shape `Figure.add_hline` adds)."""
    return {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y, "line": line}


def chart(traces: Sequence[Mapping[str, Any]], height: int = 380, title: str | None = None,
          **layout: Any) -> go.Figure:
    """A figure of `traces` (dicts with a "type") and `layout` over the house style, `height` px.

    `layout` keys replace the style's (pass a whole `margin` to change the margins)."""
    full: dict[str, Any] = {**STYLE, "height": height, "title": {"y": 0.97, "yanchor": "top"}, **layout}
    if title is not None:
        full["title"] = {**full["title"], "text": title}
    return go.Figure(data=list(traces), layout=full)


def bar(labels: Sequence[Any], values: Sequence[Any], name: str, colour: str) -> dict[str, Any]:
    """A horizontal bar trace: `values` along x for each of `labels` (categories on y)."""
    return {"type": "bar", "y": list(labels), "x": list(values), "orientation": "h", "name": name,
            "marker": {"color": colour}}
