"""The what-if points of a (group, framework version) in session_state, mirrored into the
number inputs' keys, and the inputs themselves (budget or free mode): the 权重模拟 page's state.

Split out of `pages/whatif.py`, which draws the page from these parts.
"""

from __future__ import annotations

import streamlit as st

from credit.model.framework import Framework
from credit.model.scenarios import Scenario
from credit.scoring import whatif
from credit.scoring.scenarios import fit
from ui import actions

MODES = {"budget": "预算模式（合计保持不变）", "free": "自由模式（合计随调整变化）"}
PAGE_SLOT = "whatif"  # the page-wide message (new official weights), ui.actions
PAGE_ROWS = 50  # rows per page of a large group's tables and charts (a county group is one page)


def _l1_key(prefix: str, i: int) -> str:
    return f"{prefix}:L1:{i}"


def _l2_key(prefix: str, code: str) -> str:
    return f"{prefix}:L2:{code}"


def sync_inputs(prefix: str, fw: Framework, points: dict[str, float]) -> None:
    """Make `points` the state, and mirror it into every number input of this prefix."""
    st.session_state[prefix] = dict(points)
    totals = whatif.level1_totals(fw, points)
    for i, lv in enumerate(fw.level1):
        st.session_state[_l1_key(prefix, i)] = float(totals[lv.name])
    for code, value in points.items():
        st.session_state[_l2_key(prefix, code)] = float(value)


def ensure_points(prefix: str, fw: Framework) -> dict[str, float]:
    """Start from the official points; restore inputs Streamlit dropped while on another page."""
    if prefix not in st.session_state:
        sync_inputs(prefix, fw, whatif.official_points(fw))
    keys = [_l1_key(prefix, i) for i in range(len(fw.level1))] + [_l2_key(prefix, c) for c in fw.codes]
    if any(k not in st.session_state for k in keys):
        sync_inputs(prefix, fw, st.session_state[prefix])
    return st.session_state[prefix]


def _budget(fw: Framework) -> float | None:
    return fw.total_points if st.session_state.get("wi_mode", "budget") == "budget" else None


def _on_level1(prefix: str, fw: Framework, level: str, key: str) -> None:
    sync_inputs(prefix, fw, whatif.set_level1(fw, st.session_state[prefix], level, st.session_state[key], _budget(fw)))


def _on_indicator(prefix: str, fw: Framework, code: str, key: str) -> None:
    sync_inputs(prefix, fw, whatif.set_indicator(fw, st.session_state[prefix], code, st.session_state[key], _budget(fw)))


def on_mode(prefix: str, fw: Framework) -> None:
    if st.session_state["wi_mode"] == "budget":
        sync_inputs(prefix, fw, whatif.normalise(fw, st.session_state[prefix], fw.total_points))


def _reset(prefix: str, fw: Framework) -> None:
    sync_inputs(prefix, fw, whatif.official_points(fw))


def _load(prefix: str, fw: Framework, scenarios: dict[int, Scenario]) -> None:
    sc = scenarios.get(st.session_state.get("wi_load"))
    if sc is None:
        return
    points, dropped = fit(fw, sc.points)
    sync_inputs(prefix, fw, points)
    extra = f"（当前指标体系已无 {'、'.join(dropped)}，这些分值未载入）" if dropped else ""
    actions.keep(PAGE_SLOT, f"已载入方案「{sc.name}」{extra}")


# -- the weight inputs -----------------------------------------------------------------------------


def weight_inputs(prefix: str, fw: Framework, lazy: bool = False) -> None:
    """The first-level inputs, and each level's second-level inputs in an expander. `lazy` (a large
    group, where every part of a rerun counts): a closed expander draws no inputs — nineteen number
    boxes, a quarter of the page's DOM, were re-rendered on every weight change. The points
    live in `st.session_state[prefix]`, so inputs not drawn lose nothing (`ensure_points` re-mirrors)."""
    budget = _budget(fw)
    st.subheader("调整分值")
    if budget is not None:
        st.caption(f"预算模式：一级指标合计保持 {budget:g} 分，调整一项时其余各项按原比例增减；"
                   "二级指标在所属一级指标内部调配。")
    else:
        st.caption("自由模式：每项单独调整，合计随之变化（得分率按适用分值折算，只有各项的相对大小影响排名）。")
    for i, lv in enumerate(fw.level1):
        key = _l1_key(prefix, i)
        st.number_input(f"{lv.name}（官方 {lv.points:g} 分）", min_value=0.0, step=1.0, format="%.2f",
                        key=key, on_change=_on_level1, args=(prefix, fw, lv.name, key))
    for i, lv in enumerate(fw.level1):
        box = st.expander(f"{lv.name} · 二级指标", key=f"{prefix}:open:{i}" if lazy else None,
                          on_change="rerun" if lazy else "ignore")
        if box.open is False:
            continue
        with box:
            for code in whatif.level_codes(fw, lv.name):
                ind = fw.indicator(code)
                key = _l2_key(prefix, code)
                st.number_input(f"{code} {ind.name}（官方 {ind.points:g} 分）", min_value=0.0, step=0.5,
                                format="%.2f", key=key, on_change=_on_indicator, args=(prefix, fw, code, key))
    st.button("恢复官方权重", key="wi_reset", on_click=_reset, args=(prefix, fw), width="stretch")
