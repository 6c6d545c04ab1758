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

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit.app.service import adopt_weights, framework_version_rows
from credit.common.clock import beijing
from credit.common.filetypes import XLSX_MIME
from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label
from credit.model.framework import Framework
from credit.model.scenario import Scenario
from credit.scoring import stability, whatif
from credit.scoring.scenarios import comparison, comparison_excel, fit
from credit.store.facade import SEED_MONTH
from ui import actions, loaders
from ui.auth import current_actor, require
from ui.charts import chart, hline
from ui.context import current_month, data_version, db_path, months, store
from ui.links import arrived, decode_points, encode_points, keep
from ui.router import ensure_router
from ui.widgets import arrow, downloads, style_fig

ensure_router()

MODES = {"budget": "预算模式（合计保持不变）", "free": "自由模式（合计随调整变化）"}
UP, DOWN, SAME = "#2e7d32", "#c62828", "#9e9e9e"
NOTICE = "wi_notice"
PAGE_ROWS = 50  # rows per page of a large group's tables and charts (a county group is one page)


# -- the what-if state -----------------------------------------------------------------------------


def _l1_key(prefix: str, i: int) -> str:
    return f"{prefix}:L1:{i}"


def _l2_key(prefix: str, code: str) -> str:
    return f"{prefix}:L2:{code}"


def _sync(prefix: str, fw: Framework, points: dict[str, float]) -> None:
    """Make `points` the state, and mirror it into every number input of this prefix."""
    st.session_state[prefix] = dict(points)
    totals = whatif.level1_totals(fw, points)
    for i, lv in enumerate(fw.level1):
        st.session_state[_l1_key(prefix, i)] = float(totals[lv.name])
    for code, value in points.items():
        st.session_state[_l2_key(prefix, code)] = float(value)


def _ensure(prefix: str, fw: Framework) -> dict[str, float]:
    """Start from the official points; restore inputs Streamlit dropped while on another page."""
    if prefix not in st.session_state:
        _sync(prefix, fw, whatif.official_points(fw))
    keys = [_l1_key(prefix, i) for i in range(len(fw.level1))] + [_l2_key(prefix, c) for c in fw.codes]
    if any(k not in st.session_state for k in keys):
        _sync(prefix, fw, st.session_state[prefix])
    return st.session_state[prefix]


def _budget(fw: Framework) -> float | None:
    return fw.total_points if st.session_state.get("wi_mode", "budget") == "budget" else None


def _on_level1(prefix: str, fw: Framework, level: str, key: str) -> None:
    _sync(prefix, fw, whatif.set_level1(fw, st.session_state[prefix], level, st.session_state[key], _budget(fw)))


def _on_indicator(prefix: str, fw: Framework, code: str, key: str) -> None:
    _sync(prefix, fw, whatif.set_indicator(fw, st.session_state[prefix], code, st.session_state[key], _budget(fw)))


def _on_mode(prefix: str, fw: Framework) -> None:
    if st.session_state["wi_mode"] == "budget":
        _sync(prefix, fw, whatif.normalise(fw, st.session_state[prefix], fw.total_points))


def _reset(prefix: str, fw: Framework) -> None:
    _sync(prefix, fw, whatif.official_points(fw))


def _load(prefix: str, fw: Framework, scenarios: dict[int, Scenario]) -> None:
    sc = scenarios.get(st.session_state.get("wi_load"))
    if sc is None:
        return
    points, dropped = fit(fw, sc.points)
    _sync(prefix, fw, points)
    extra = f"（当前指标体系已无 {'、'.join(dropped)}，这些分值未载入）" if dropped else ""
    st.session_state[NOTICE] = f"已载入方案「{sc.name}」{extra}"


# -- the weight inputs -----------------------------------------------------------------------------


def weight_inputs(prefix: str, fw: Framework, lazy: bool = False) -> None:
    """The first-level inputs, and each level's second-level inputs in an expander. `lazy` (a large
    group, where every part of a rerun counts): a closed expander draws no inputs — nineteen number
    boxes, a quarter of the page's DOM, were re-rendered on every weight change. The points
    live in `st.session_state[prefix]`, so inputs not drawn lose nothing (`_ensure` re-mirrors)."""
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


# -- results ---------------------------------------------------------------------------------------


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


def _highlight(row: pd.Series) -> list[str]:
    return ["background-color: #fff3cd" if row["跨越名次线"] else ""] * len(row)


def slope_chart(table: pd.DataFrame, boundary: int, n_total: int | None = None) -> go.Figure:
    """Official rank (left) to what-if rank (right); crossings drawn thick.

    One trace per kind of move (lines separated by gaps), not one per unit: a city-wide register
    of hundreds of units then still draws in a blink. With `n_total` the table is one page of a
    larger group: the axis spans that page's ranks only."""
    n = len(table) if n_total is None else n_total
    traces = []
    kinds = (("上升", table["d_rank"] > 0, UP), ("下降", table["d_rank"] < 0, DOWN), ("不变", table["d_rank"] == 0, SAME))
    for label, sel, color in kinds:
        for thick in (False, True):
            part = table[sel & ((table["crossing"] != "") == thick)]
            if part.empty:
                continue
            xs, ys, texts, pos, hover = [], [], [], [], []
            for unit, r_off, r_wi in zip(part["unit"].tolist(), part["rank_official"].tolist(),
                                         part["rank_whatif"].tolist(), strict=True):
                xs += [0, 1, None]
                ys += [r_off, r_wi, None]
                texts += [f"{unit} {r_off}", f"{r_wi} {unit}", None]
                pos += ["middle left", "middle right", "middle left"]
                hover += [f"{unit}<br>官方第{r_off}名 → 模拟第{r_wi}名"] * 2 + [None]
            width = 4 if thick else (2 if label != "不变" else 1)
            traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers+text", "text": texts,
                           "textposition": pos, "hovertext": hover, "hoverinfo": "text", "showlegend": False,
                           "connectgaps": False, "line": {"color": color, "width": width},
                           "marker": {"color": color, "size": 7},
                           "textfont": {"size": 12, "color": color if label != "不变" else "#555"}})
    ranks = pd.concat([table["rank_official"], table["rank_whatif"]])
    low, high = (1, n) if n_total is None or table.empty else (int(ranks.min()), int(ranks.max()))
    lines = [hline(y, color="#f0ad4e", dash="dash", width=1)
             for y in sorted({boundary + 0.5, n - boundary + 0.5}) if max(1, low) < y < min(n, high)]
    return chart(traces, max(420, 24 * len(table) + 80), f"名次变化（虚线为前{boundary}名、后{boundary}名分界）",
                 shapes=lines, xaxis={"range": [-0.9, 1.9], "tickvals": [0, 1], "ticktext": ["官方排名", "模拟排名"],
                                      "side": "top"},
                 yaxis={"range": [high + 0.7, low - 0.7], "visible": False})


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
    st.dataframe(shown.style.apply(_highlight, axis=1) if crossing else shown, hide_index=True, width="stretch",
                 column_order=[c for c in shown.columns if c != "原因"],  # reasons are listed below the chart
                 column_config=_score_format(shown))
    if large:
        downloads(lambda: side_by_side(sim.explained()), f"权重模拟_{group}_{month}", key="dl-wi")
    st.plotly_chart(slope_chart(rows, boundary, base.n_units if large else None), width="stretch", key="wi_slope")
    st.markdown("**名次变化说明**")
    if not n_moved:
        st.caption("按当前权重，各单位名次与官方排名相同。")
    lines = whatif.move_notes(moved_here)
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    if n_moved > len(moved_here):
        st.caption(f"以上为本页 {len(moved_here)} 个单位；名次变化的单位共 {n_moved:,} 个，全部说明见下载表格。")


@st.cache_resource(show_spinner="正在准备模拟…", max_entries=16)
def _baseline(db: str, version: int, month: str, group: str) -> whatif.Baseline:
    """What no weight change alters (official ranking, attainment arrays), once per data version."""
    gm = loaders.group_month(month, group)
    return whatif.baseline(gm.scores.detail, gm.scores.framework)


# -- rank stability --------------------------------------------------------------------------------


@st.cache_data(show_spinner="正在模拟…", max_entries=32)
def _stability(db: str, version: int, month: str, group: str, pct: float, runs: int, seed: int,
               points: tuple[tuple[str, float], ...]) -> pd.DataFrame:
    gm = loaders.group_month(month, group)
    return stability.stability(gm.scores.detail, gm.scores.framework, pct, runs, seed, points=dict(points))


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
    for line in stability.notes(rows, boundary):
        st.markdown(f"- {line}")
    st.dataframe(stability.table(rows), hide_index=True, width="stretch")
    if len(rows) < len(stab):
        downloads(lambda: stability.table(stab), f"排名稳定性_{group}_{month}", key="dl-wi-stab")


# -- scenarios -------------------------------------------------------------------------------------


def _save(prefix: str, month: str, group: str, private: bool) -> None:
    """The save button's callback (actions run in callbacks: the values are read from the state)."""
    actor = current_actor()
    name = st.session_state.get("wi_save_name", "")
    what = "我的私有方案" if private else "方案"
    if actions.run("wi_save", lambda: store().weights.save_scenario(
            name, group, month, st.session_state[prefix], st.session_state.get("wi_save_note", ""), actor,
            private=private), done=f"已保存{what}「{name.strip()}」"):
        st.session_state["wi_save_name"] = st.session_state["wi_save_note"] = ""


def _delete(scenarios: dict[int, Scenario]) -> None:
    """The delete button's callback: the store deletes only the account's own private scenario."""
    sc = scenarios.get(st.session_state.get("wi_delete_pick"))
    if sc is None:
        return
    if actions.run("wi_delete", lambda: store().weights.delete_scenario(int(sc.id), current_actor()),
                   done=f"已删除我的私有方案「{sc.name}」"):
        for key in ("wi_compare", "wi_load", "wi_delete_pick"):  # a deleted id must not stay selected
            st.session_state.pop(key, None)


def save_form(prefix: str, month: str, group: str) -> None:
    actor = current_actor()
    private = actor is not None and actor.can("private_scenarios")
    if not private and require("scenarios") is None:
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
    st.markdown("**保存为我的私有方案**" if actor is not None and actor.can("private_scenarios") else "**保存当前方案**")
    save_form(prefix, month, group)
    scenarios = {sc.id: sc for sc in store().scenarios(group, current_actor())}
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


# -- official weights ------------------------------------------------------------------------------


def version_history(group: str, fw: Framework) -> None:
    st.dataframe(pd.DataFrame(framework_version_rows(store(), group, fw.version_id)), hide_index=True,
                 width="stretch")
    for change in store().weight_changes(group)[:10]:
        st.caption(whatif.weight_change_text(change))


def _adopt(fw: Framework, group: str, points: dict[str, float], scenario_id: int | None) -> None:
    """The adopt button's callback: checks the confirmation, then writes the new version."""
    eff = st.session_state["wi_adopt_month"]
    if not st.session_state.get("wi_adopt_sure"):
        actions.keep("wi_adopt", "请先勾选确认。", "error")
        return
    if not actions.run("wi_adopt", lambda: adopt_weights(
            store(), fw, eff, points, require("weights"), st.session_state.get("wi_adopt_reason", ""), scenario_id)):
        return
    st.session_state["wi_adopt_reason"], st.session_state["wi_adopt_sure"] = "", False
    st.session_state[NOTICE] = f"已发布新的官方权重：{group_label(group)}，自{month_label(eff)}起执行。"


def adopt_form(month: str, group: str, fw: Framework, points: dict[str, float],
               scenarios: dict[int, Scenario]) -> None:
    if require("weights") is None:
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
        st.checkbox(f"我确认自{month_label(eff)}起以上述权重作为「{group_label(group)}」的官方权重",
                    key="wi_adopt_sure")
        st.form_submit_button("发布为官方权重", type="primary", on_click=_adopt,
                              args=(fw, group, new_points, None if src == "current" else int(src)))
    actions.show("wi_adopt")


# -- the page --------------------------------------------------------------------------------------

month = current_month()
st.title("权重模拟")
st.caption("调整指标分值，立即看到排名如何变化。模拟不会改变官方考核结果；只有信用办“发布为官方权重”后才生效。")
if month is None:
    st.info("数据库中还没有数据。请信用办先到“数据上传”页面导入月报表。")
    st.stop()
if NOTICE in st.session_state:
    st.success(st.session_state.pop(NOTICE))

linked_group = arrived("group")
if linked_group in GROUPS:
    st.session_state["wi_group"] = linked_group
c1, c2, c3 = st.columns([2, 3, 1])
group = c1.radio("考核分组", list(GROUPS), horizontal=True, key="wi_group", format_func=group_label)
gm = loaders.group_month(month, group)
fw, detail = gm.scores.framework, gm.scores.detail
prefix = f"wi:{group}:{fw.version_id}"
points = _ensure(prefix, fw)
linked_weights = arrived("w")
if linked_weights is not None:
    shared = decode_points(linked_weights, whatif.official_points(fw))
    if shared is None:
        st.warning("链接中的权重参数无法识别，已按当前权重显示。")
    else:
        _sync(prefix, fw, shared)
        points = st.session_state[prefix]
keep("group", group)
keep("w", encode_points(whatif.official_points(fw), points))
c2.radio("调整方式", list(MODES), horizontal=True, key="wi_mode", format_func=MODES.get,
         on_change=_on_mode, args=(prefix, fw))
boundary = int(c3.number_input("前/后名次线", min_value=1, max_value=10, value=3, key="wi_boundary"))
version = "初始版本" if fw.effective_month == SEED_MONTH else f"{month_label(fw.effective_month)}起执行的版本"
st.caption(f"考核月份：{month_label(month)}　·　本月执行的指标体系：{version}")

base = _baseline(db_path(), data_version(), month, group)
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
            adopt_form(month, group, fw, sim_points, {sc.id: sc for sc in store().scenarios(group)})
