"""权重模拟：what-if weights, saved scenarios, official weight versions and how stable the ranks are.

Moving a weight re-weights the cached attainment table (credit.scoring.whatif) — no database round trip and
no change to any official score. Saving a scenario needs permission "scenarios"; making one the
official weights needs "weights" (credit office) and becomes a new framework version. A 领导 saves
private scenarios ("private_scenarios"): listed only for itself, deletable by it, never adoptable.
A group of more than `PAGE_ROWS` units (a city register) is shown a page at a time — table, slope
chart, reasons and stability — with the whole table as a download built on click, and only the
open tab and the open 二级指标 expanders run; a county group shows everything at once, as it always did.

State: the what-if points of a (group, framework version) live in session_state under `prefix`
as a plain dict (the source of truth, which survives a visit to another page) and are mirrored
into the number inputs' keys; the inputs' callbacks run the budget arithmetic and re-mirror.
"""

from __future__ import annotations

import streamlit as st

from credit.common.labels import GROUPS, group_label, some_names
from credit.common.months import month_label
from credit.scoring import whatif
from credit.scoring.not_reported import not_reported_names
from credit.store.facade import SEED_MONTH
from ui import actions, loaders
from ui.auth import current_actor
from ui.context import current_month, data_version, db_path, store
from ui.links import arrived, decode_points, encode_points, keep
from ui.router import ensure_router
from ui.safe import md
from ui.whatif_official import adopt_form, version_history
from ui.whatif_results import baseline, results
from ui.whatif_scenarios import scenarios_section
from ui.whatif_stability import stability_section
from ui.whatif_state import MODES, PAGE_ROWS, PAGE_SLOT, ensure_points, on_mode, sync_inputs, weight_inputs

ensure_router()


# -- the page --------------------------------------------------------------------------------------

month = current_month()
st.title("权重模拟")
st.caption("调整指标分值，立即看到排名如何变化。模拟不会改变官方考核结果；只有信用办“发布为官方权重”后才生效。")
if month is None:
    st.info("数据库中还没有数据。请信用办先到“数据上传”页面导入月报表。")
    st.stop()
actions.show(PAGE_SLOT)

linked_group = arrived("group")
if linked_group in GROUPS:
    st.session_state["wi_group"] = linked_group
c1, c2, c3 = st.columns([2, 3, 1])
group = c1.radio("考核分组", list(GROUPS), horizontal=True, key="wi_group", format_func=group_label)
gm = loaders.today_month(month, group)
fw, detail = gm.scores.framework, gm.ranked_detail  # a unit that sent nothing this month is not simulated
silent = not_reported_names(gm.summary)
if silent and detail.empty:
    st.info(f"{month_label(month)}本组单位均未报送，报送后才能模拟排名。")
    st.stop()
if silent:
    st.caption(md(f"{month_label(month)}尚有 {len(silent)} 个单位未报送（{some_names(silent, 8)}），"
                  "不参加本月排名，也不参加模拟。"))
prefix = f"wi:{group}:{fw.version_id}"
points = ensure_points(prefix, fw)
linked_weights = arrived("w")
if linked_weights is not None:
    shared = decode_points(linked_weights, whatif.official_points(fw))
    if shared is None:
        st.warning("链接中的权重参数无法识别，已按当前权重显示。")
    else:
        sync_inputs(prefix, fw, shared)
        points = st.session_state[prefix]
keep("group", group)
keep("w", encode_points(whatif.official_points(fw), points))
c2.radio("调整方式", list(MODES), horizontal=True, key="wi_mode", format_func=MODES.get,
         on_change=on_mode, args=(prefix, fw))
boundary = int(c3.number_input("前/后名次线", min_value=1, max_value=10, value=3, key="wi_boundary"))
version = "初始版本" if fw.effective_month == SEED_MONTH else f"{month_label(fw.effective_month)}起执行的版本"
st.caption(f"考核月份：{month_label(month)}　·　本月执行的指标体系：{version}")

base = baseline(db_path(), data_version(), month, group)
left, right = st.columns([2, 5], gap="large")
with left:
    weight_inputs(prefix, fw, lazy=base.n_units > PAGE_ROWS)
with right:
    sim_points = whatif.settled_points(fw, points)
    labels = ["模拟结果", "排名稳定性", "方案保存与对比", "官方权重版本"]
    # Thousands of units: only the open tab runs (a hidden stability run would cost seconds per change).
    tabs = st.tabs(labels, key="wi_tabs", on_change="rerun") if base.n_units > PAGE_ROWS else st.tabs(labels)
    t_result, t_stab, t_scen, t_official = tabs
    if t_result.open is not False:
        with t_result:
            results(base, points, fw, boundary, group, month)
    if t_stab.open is not False:
        with t_stab:
            stability_section(month, group, fw, sim_points, boundary)
    if t_scen.open is not False:
        with t_scen:
            scenarios_section(prefix, month, group, fw, detail)
    if t_official.open is not False:
        with t_official:
            st.markdown("**官方权重版本历史**")
            version_history(group, fw)
            st.markdown("**发布新的官方权重**")
            adopt_form(month, group, fw, sim_points, {sc.id: sc for sc in store().scenarios.scenarios(group, by=current_actor())})
