"""Saved weight scenarios on the 权重模拟 page: save, delete (own private ones), list, load, compare.

Split out of `pages/whatif.py`, which draws the page from these parts.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.common.filetypes import XLSX_MIME
from credit.common.months import month_label
from credit.model.accounts import Action
from credit.model.framework import Framework
from credit.model.scenarios import Scenario
from credit.scoring import whatif
from credit.scoring.scenarios import comparison, comparison_excel, fit
from ui import actions
from ui.auth import current_actor, require
from ui.context import store
from ui.whatif_results import _score_format
from ui.whatif_state import _load
from ui.widgets import arrow


def _save(prefix: str, month: str, group: str, private: bool) -> None:
    """The save button's callback (actions run in callbacks: the values are read from the state)."""
    actor = current_actor()
    name = st.session_state.get("wi_save_name", "")
    what = "我的私有方案" if private else "方案"
    if actions.run("wi_save", lambda: store().scenarios.save_scenario(
            name, group, month, st.session_state[prefix], st.session_state.get("wi_save_note", ""), actor,
            private=private), done=f"已保存{what}「{name.strip()}」"):
        st.session_state["wi_save_name"] = st.session_state["wi_save_note"] = ""


def _delete(scenarios: dict[int, Scenario]) -> None:
    """The delete button's callback: the store deletes only the account's own private scenario."""
    sc = scenarios.get(st.session_state.get("wi_delete_pick"))
    if sc is None:
        return
    if actions.run("wi_delete", lambda: store().scenarios.delete_scenario(int(sc.id), current_actor()),
                   done=f"已删除我的私有方案「{sc.name}」"):
        for key in ("wi_compare", "wi_load", "wi_delete_pick"):  # a deleted id must not stay selected
            st.session_state.pop(key, None)


def save_form(prefix: str, month: str, group: str) -> None:
    actor = current_actor()
    private = actor is not None and actor.can(Action.PRIVATE_SCENARIOS)
    if not private and require(Action.SCENARIOS) is None:
        return
    if private:
        st.caption("领导可把当前权重保存为自己的私有方案：只有你本人能看到和删除，信用办看不到，也不会成为官方权重。")
    with st.form("wi_save"):
        st.text_input("方案名称", max_chars=40, placeholder="例如：营商环境降至60分", key="wi_save_name")
        st.text_area("备注", placeholder="调整思路、讨论背景等", height=80, key="wi_save_note")
        st.form_submit_button("保存为我的私有方案" if private else "保存当前方案", type="primary", on_click=_save,
                              args=(prefix, month, group, private))
    actions.show("wi_save")


def delete_form(scenarios: dict[int, Scenario]) -> None:
    """领导: delete one of its own private scenarios (shared ones stay the office's)."""
    mine = {i: sc for i, sc in scenarios.items() if sc.private}
    if not mine:
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox("删除我的私有方案", list(mine), key="wi_delete_pick", format_func=lambda i: mine[i].label)
    c2.button("删除", key="wi_delete_btn", on_click=_delete, args=(mine,), width="stretch",
              icon=":material/delete:")


def scenario_list(scenarios: list[Scenario], fw: Framework) -> None:
    rows = []
    for sc in scenarios:
        pts, _ = fit(fw, sc.points)
        levels = whatif.level1_totals(fw, pts)
        rows.append({"方案": sc.name, "类型": "我的私有方案" if sc.private else "共享方案",
                     "月份": month_label(sc.month), "保存人": sc.created_by,
                     "保存时间": beijing(sc.created_at, seconds=False), "备注": sc.note,
                     **{k: round(v, 2) for k, v in levels.items()}})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def compare_section(scenarios: dict[int, Scenario], gm_detail: pd.DataFrame, fw: Framework,
                    month: str, group: str) -> None:
    chosen = st.multiselect("选择一至两个方案，与官方排名对比", list(scenarios), max_selections=2,
                            key="wi_compare", format_func=lambda i: scenarios[i].label, placeholder="请选择方案")
    if not chosen:
        return
    picked = [scenarios[i] for i in chosen]
    ranks, weights = comparison(gm_detail, fw, picked)
    shown = ranks.assign(**{c: [arrow(d) for d in ranks[c]] for c in ranks.columns if c.endswith("排名变化")})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=_score_format(shown))
    with st.expander("各方案分值对比"):
        st.dataframe(weights, hide_index=True, width="stretch")
    st.download_button("下载对比表（Excel）", data=lambda: comparison_excel(gm_detail, fw, picked),
                       file_name=f"权重方案对比_{group}_{month}.xlsx", mime=XLSX_MIME, key="wi_compare_xlsx",
                       on_click="ignore")


def scenarios_section(prefix: str, month: str, group: str, fw: Framework, detail: pd.DataFrame) -> None:
    actor = current_actor()
    st.markdown("**保存为我的私有方案**" if actor is not None and actor.can(Action.PRIVATE_SCENARIOS) else "**保存当前方案**")
    save_form(prefix, month, group)
    scenarios = {sc.id: sc for sc in store().scenarios.scenarios(group, by=current_actor())}
    st.markdown("**已保存的方案**")
    actions.show("wi_delete")
    if not scenarios:
        st.caption("还没有保存的方案。")
        return
    scenario_list(list(scenarios.values()), fw)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox("载入方案到模拟", list(scenarios), key="wi_load", format_func=lambda i: scenarios[i].label)
    c2.button("载入", key="wi_load_btn", on_click=_load, args=(prefix, fw, scenarios), width="stretch")
    delete_form(scenarios)
    st.markdown("**方案对比**")
    compare_section(scenarios, detail, fw, month, group)
