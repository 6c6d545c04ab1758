"""Official weights on the 权重模拟 page: the version history and adopting new weights.

Split out of `pages/whatif.py`, which draws the page from these parts.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.app.service import adopt_weights, framework_version_rows
from credit.common.labels import group_label
from credit.common.months import month_label
from credit.model.accounts import Action
from credit.model.framework import Framework
from credit.model.scenarios import Scenario
from credit.scoring import whatif
from credit.scoring.scenarios import fit
from ui import actions
from ui.auth import require
from ui.context import months, store
from ui.safe import md
from ui.whatif_state import PAGE_SLOT


def version_history(group: str, fw: Framework) -> None:
    st.dataframe(pd.DataFrame(framework_version_rows(store(), group, fw.version_id)), hide_index=True,
                 width="stretch")
    for change in store().scenarios.weight_changes(group)[:10]:
        st.caption(md(whatif.weight_change_text(change)))


def _adopt(fw: Framework, group: str, points: dict[str, float], scenario_id: int | None) -> None:
    """The adopt button's callback: checks the confirmation, then writes the new version."""
    eff = st.session_state["wi_adopt_month"]
    if not st.session_state.get("wi_adopt_sure"):
        actions.keep("wi_adopt", "请先勾选确认。", "error")
        return
    if not actions.run("wi_adopt", lambda: adopt_weights(
            store(), fw, eff, points, require(Action.WEIGHTS), st.session_state.get("wi_adopt_reason", ""), scenario_id,
            correction=st.session_state.get("wi_adopt_correction", ""))):
        return
    st.session_state["wi_adopt_reason"], st.session_state["wi_adopt_sure"] = "", False
    st.session_state["wi_adopt_correction"] = ""
    actions.keep(PAGE_SLOT, f"已发布新的官方权重：{group_label(group)}，自{month_label(eff)}起执行。")


def adopt_form(month: str, group: str, fw: Framework, points: dict[str, float],
               scenarios: dict[int, Scenario]) -> None:
    if require(Action.WEIGHTS) is None:
        return
    sources = ["current", *scenarios]
    src = st.selectbox("采用哪套权重", sources, key="wi_adopt_src",
                       format_func=lambda s: "当前模拟权重" if s == "current" else f"方案：{scenarios[s].label}")
    new_points = points if src == "current" else fit(fw, scenarios[src].points)[0]
    options = whatif.effective_months(months(), month)
    eff = st.selectbox("自哪个月起执行", options, index=options.index(month), key="wi_adopt_month",
                       format_func=month_label, help="此前各月仍按当时执行的权重计分，不受影响")
    old, new = whatif.level1_totals(fw, whatif.official_points(fw)), whatif.level1_totals(fw, new_points)
    st.dataframe(pd.DataFrame({"一级指标": list(old), "现行分值": list(old.values()), "新分值": list(new.values())}),
                 hide_index=True)
    with st.form("wi_adopt"):
        st.text_area("调整原因（必填，记入操作日志）", placeholder="例如：经县社会信用体系建设领导小组会议研究决定",
                     key="wi_adopt_reason")
        st.text_input("更正说明（执行月份已签发通报时必填：已签发月份将显示更正候选，须签发更正通报）",
                      key="wi_adopt_correction")
        st.checkbox(f"我确认自{month_label(eff)}起以上述权重作为「{group_label(group)}」的官方权重",
                    key="wi_adopt_sure")
        st.form_submit_button("发布为官方权重", type="primary", on_click=_adopt,
                              args=(fw, group, new_points, None if src == "current" else int(src)))
    actions.show("wi_adopt")
