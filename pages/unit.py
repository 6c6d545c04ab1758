"""单位详情：one unit's breakdown, rank history, gaps, and the drill-down into every lost point."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from credit.app.service import unit_detail
from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label
from credit.common.search import NameIndex, count_note
from credit.model.accounts import PermissionDenied, is_unit
from credit.scoring.explain import describe_items, explain_row, num
from credit.scoring.not_reported import NOT_REPORTED, reported_mask
from credit.scoring.unit_view import (
    attainment_vs_median,
    level1_subtotals,
    lost_points,
    monthly_inputs,
    overtake_gap,
)
from ui import loaders
from ui.auth import current_actor
from ui.charts import bar, chart
from ui.context import current_month, data_version, db_path, store
from ui.links import arrived, keep
from ui.router import ensure_router
from ui.safe import md, show_error
from ui.widgets import blank_missing, cell_text, downloads, month_ticks, style_fig

ensure_router()

PAGE_ROWS = 50  # heat-map rows per page: a heat map of thousands of rows is megabytes of cells nobody can read
PICK_LIMIT = 50  # units listed in the picker; a larger group is searched (a 5,000-option box hangs the tab)


@st.cache_resource(show_spinner=False, max_entries=16)
def _name_index(db: str, version: int, month: str, group: str) -> NameIndex:
    """The group's units in ranking order, searchable by name and 拼音 (built once per data version)."""
    summary = loaders.group_month(month, group).summary
    return NameIndex.build(zip(summary["unit_id"].tolist(), summary["unit"].tolist()))


@st.cache_resource(show_spinner=False, max_entries=64)
def _heat_figure(db: str, version: int, month: str, group: str, view: str, page_no: int) -> go.Figure:
    """One page of the group's heat map: the same for every unit picked, so built once (plotly's
    figure building was the largest part of a unit page rerun). Read-only."""
    bd = loaders.board(month, group)
    fw = loaders.group_month(month, group).scores.framework
    short = {i.code: i.label for i in fw.indicators}
    heat = (bd.level1_heat if view == "按一级指标汇总"
            else bd.code_heat[[i.code for i in fw.indicators if i.level1 == view]].rename(columns=short))
    shown = heat.iloc[(page_no - 1) * PAGE_ROWS: page_no * PAGE_ROWS]
    fig = px.imshow(shown, color_continuous_scale="RdYlGn", zmin=0, zmax=100, aspect="auto",
                    labels=dict(x="指标", y="单位", color="完成度%"), text_auto=".0f")
    fig.update_yaxes(dtick=1)  # every unit's name, also where a phone's rotated column labels take height
    return style_fig(fig, 160 + 28 * len(shown))


def _take_best_match(month: str, group: str) -> None:
    """Typing a search shows its best match at once (Enter on "孝直" opens 孝直镇)."""
    found = _name_index(db_path(), data_version(), month, group).find(st.session_state.get("unit_query", ""), 1)
    if found:
        st.session_state["unit_id"] = found[0]


month = current_month()
st.title("单位详情")
if month is None:
    st.info("数据库中还没有数据。")
    st.stop()

linked_group, linked_unit = arrived("group"), arrived("unit")
if linked_group in GROUPS:
    st.session_state["unit_group"] = linked_group
elif linked_unit is not None:  # a link without its group: open the group the unit is in
    home = next((g for g in GROUPS if _name_index(db_path(), data_version(), month, g).has(linked_unit)), None)
    if home is not None:
        st.session_state["unit_group"] = home
actor = current_actor()
unit_account = is_unit(actor)
wanted = st.query_params.get("unit")  # deep link /unit?unit=<id>
if unit_account:
    # A 被考核单位 account sees only its own unit; the domain refuses any other (also by URL).
    try:
        mine_detail = unit_detail(store(), actor, month, wanted or actor.unit_id)
    except PermissionDenied as exc:
        show_error(exc, icon="🔒")
        st.stop()
    group = mine_detail.group
    gm = loaders.group_month(month, group)
    summary = gm.summary
    labels = dict(zip(summary["unit_id"].tolist(), summary["unit"].tolist()))
    unit_id = actor.unit_id
    st.subheader(md(labels[unit_id]))
else:
    c1, c2 = st.columns([1, 2])
    group = c1.radio("分组", list(GROUPS), horizontal=True, key="unit_group", format_func=group_label)
    gm = loaders.group_month(month, group)
    summary = gm.summary
    ids = list(summary["unit_id"])
    labels = dict(zip(summary["unit_id"].tolist(), summary["unit"].tolist()))
    by_name = {name: uid for uid, name in labels.items()}
    if linked_unit is not None:  # a link names the unit by id or by its name that month
        linked_id = linked_unit if linked_unit in labels else by_name.get(linked_unit)
        if linked_id is not None:
            st.session_state["unit_id"] = linked_id
        else:
            st.warning(f"链接中的单位「{md(linked_unit)}」不在{month_label(month)}的本组名单中，已显示第一个单位。")
    if st.session_state.get("unit_id") not in labels:
        st.session_state["unit_id"] = ids[0]
    if len(ids) <= PICK_LIMIT:  # a county group: every unit in the box, as always
        options = ids
    else:  # thousands of units: search on the server, send a short list
        s1, s2 = c2.columns([2, 3])
        query = s1.text_input("查找单位", key="unit_query", placeholder="名称、部分名称或拼音首字母",
                              on_change=_take_best_match, args=(month, group))
        index = _name_index(db_path(), data_version(), month, group)
        matches = index.find(query) if query.strip() else None
        options = index.options(matches, st.session_state["unit_id"], PICK_LIMIT)
        c2.caption(count_note(len(index), matches, query, PICK_LIMIT))
        c2 = s2
    unit_id = c2.selectbox("单位", options, key="unit_id", format_func=lambda u: labels[u])
keep("group", group)
keep("unit", unit_id)
row = summary.set_index("unit_id").loc[unit_id]
fw = gm.scores.framework
bd = loaders.board(month, group)
own = bd.unit_detail(unit_id)  # this unit's rows only: the page never filters the whole group

m1, m2, m3, m4 = st.columns(4)
ranked = int(reported_mask(summary).sum())  # a 未报送 unit is not ranked (credit.scoring.not_reported)
silent = pd.isna(row["rank"])
if silent:  # the same as Home and the 通报: not ranked on figures carried over from earlier months
    st.warning(f"本单位{month_label(month)}{NOT_REPORTED}：不参加本月排名，得分率、排名、得分留空（与月度排名、通报一致）。"
               "下方各指标为按此前报送的数据推算，仅供核对，报送后按本月数据计分排名。")
    m1.metric("得分率", NOT_REPORTED)
    m2.metric("排名", NOT_REPORTED, f"本组已报送 {ranked} 个单位", delta_color="off", delta_arrow="off")
    m3.metric("得分 / 适用满分", NOT_REPORTED)
else:
    m1.metric("得分率", f"{row['score']:.2f}", None if pd.isna(row["d_score"]) else f"{row['d_score']:+.2f} 较上月")
    moved = None if pd.isna(row["d_rank"]) else int(row["d_rank"])
    small = len(summary) <= PICK_LIMIT  # "第 4104 名 / 4991" does not fit a quarter of the row
    m2.metric("排名" if small else f"排名（共 {ranked:,} 个单位）",
              f"第 {int(row['rank'])} 名 / {ranked}" if small else f"第 {int(row['rank']):,} 名",
              None if moved is None else (f"{moved:+d} 位" if moved else "与上月持平"),
              delta_arrow="auto" if moved else "off", delta_color="normal" if moved else "off")
    m3.metric("得分 / 适用满分", f"{num(row['earned'])} / {num(row['possible'])}")
gap = None if silent else overtake_gap(summary, unit_id)
if silent:
    m4.metric("超过上一名还需", "—")
elif gap:
    m4.metric("超过上一名还需", f"{gap['points']:.2f} 分", f"{gap['unit']}（第 {gap['rank']} 名）", delta_color="off", delta_arrow="off")
else:
    m4.metric("超过上一名还需", "已居首位")

mine = own[own["applies"]]
left, right = st.columns(2)
with left:
    lv = level1_subtotals(own, unit_id)
    levels = lv["level1"].tolist()
    st.plotly_chart(chart([bar(levels, lv["possible"].tolist(), "适用满分", "#d9d9d9"),
                           bar(levels, lv["earned"].tolist(), "得分", "#2e75b6")],
                          300, "一级指标得分", barmode="overlay", xaxis={"title": {"text": "分"}},
                          yaxis={"autorange": "reversed"}), width="stretch")
with right:
    hist = loaders.year_history(month, group)
    h = hist[hist["unit_id"] == unit_id].sort_values("month")
    n = len(summary)  # the whole 1…N range, first place on top, whole places only
    if n <= PICK_LIMIT:
        rank_axis = {"range": [n + 0.5, 0.5], "tickmode": "linear", "tick0": 1, "dtick": 1 if n <= 15 else 5,
                     "tickformat": "d"}
    else:  # thousands of places: the unit's own span, a few ticks (one per 5 places drew ~1,000 labels)
        lo, hi = (int(h["rank"].min()), int(h["rank"].max())) if len(h) else (1, n)
        pad = max(2, (hi - lo) // 5)
        rank_axis = {"range": [min(n, hi + pad) + 0.5, max(1, lo - pad) - 0.5], "nticks": 6, "tickformat": "d"}
    trend = {"type": "scatter", "x": month_ticks(h["month"]), "y": h["rank"].tolist(), "mode": "lines+markers",
             "name": "", "showlegend": False, "hovertemplate": "月份=%{x}<br>排名=%{y}<extra></extra>"}
    st.plotly_chart(chart([trend], 300, "本年排名走势", xaxis={"title": {"text": "月份"}},
                          yaxis={**rank_axis, "title": {"text": "排名"}}), width="stretch")

short = {i.code: i.label for i in fw.indicators}
names = mine["code"].map(short).tolist()  # horizontal: the short names stay level and apart on a 390 px phone too
custom = mine[["code", "indicator"]].to_numpy().tolist()
st.plotly_chart(chart([{**bar(names, mine[col].tolist(), name, colour), "customdata": custom,
                        "hovertemplate": "%{customdata[1]}（%{customdata[0]}）<br>" + name + " %{x:.2f}<extra></extra>"}
                       for col, name, colour in (("points", "满分", "#d9d9d9"), ("earned", "得分", "#2e75b6"))],
                      110 + 26 * len(mine), "二级指标得分", barmode="overlay", xaxis={"title": {"text": "分"}},
                      yaxis={"autorange": "reversed"}),  # the framework's order, top down
                width="stretch")

att = attainment_vs_median(own, unit_id, bd.median)
theta = [short[c] for c in att["code"]]
theta += theta[:1]
hover = att["indicator"].tolist()
hover += hover[:1]
spokes = []
for values, name, line in ((att["attainment"], labels[unit_id], {}), (att["median"], "同组中位数", {"dash": "dash"})):
    r = (values * 100).tolist()
    spokes.append({"type": "scatterpolar", "r": r + r[:1], "theta": theta, "name": name, "line": line,
                   **({} if line else {"fill": "toself"}), "customdata": hover,
                   "hovertemplate": "%{customdata}<br>%{r:.0f}%<extra>" + name + "</extra>"})
# The scale sits between two spokes (not on the first one) and the margins leave room for every label.
st.plotly_chart(chart(spokes, 460, "指标完成度（%）与同组中位数", margin={"l": 10, "r": 10, "t": 90, "b": 60},
                      polar={"radialaxis": {"range": [0, 100], "angle": 90 + 180 / max(len(att), 1), "tickfont": {"size": 10}},
                             "angularaxis": {"direction": "clockwise", "rotation": 90, "tickfont": {"size": 12}},
                             "domain": {"x": [0.2, 0.8]}}),  # a share of the width: room for labels on a phone too
                width="stretch")

if unit_account:
    st.subheader("本年满分还需")
    st.caption("按现行指标体系和本年截至本月的数据推算：完成下列事项，对应指标即可在年底得满分。")
    # a static table wraps the long 满分还需 sentences (a data grid cuts them off); names, not codes
    todo = mine_detail.todo.drop(columns=["code"])
    st.table(todo.assign(**{c: todo[c].map(cell_text) for c in ("分值", "得分", "失分")}), hide_index=True)
    ev = mine_detail.events
    if not ev.empty:
        st.subheader("本年扣分事项")
        shown = ev.drop(columns=["unit_id", "row"]).rename(columns={"month": "月份"})
        shown["月份"] = shown["月份"].map(month_label)
        st.dataframe(shown.dropna(axis=1, how="all"), hide_index=True, width="stretch")

st.subheader("失分明细")
lost = lost_points(own, unit_id)
if lost.empty:
    st.success("本单位各适用指标均得满分。")
lazy = len(summary) > PICK_LIMIT  # a large group: a closed expander's tables are neither built nor sent
for r in lost.to_dict("records"):
    ind = fw.indicator(r["code"])
    box = st.expander(f"{r['indicator']}：失 {r['lost']:.2f} 分（得 {r['earned']:.2f} / {r['possible']:.2f}）",
                      key=f"lost_{r['code']}" if lazy else None, on_change="rerun" if lazy else "ignore")
    if box.open is False:
        continue
    with box:
        st.markdown(explain_row(r, ind))
        monthly = monthly_inputs(gm.inputs, ind, unit_id)
        if not monthly.empty:
            st.caption("逐月数据（空白表示当月未报送）")
            # every month shown, the current one last: "auto" stops at ten rows and hid October
            st.dataframe(blank_missing(monthly), hide_index=True, width="stretch", height="content")
        its = describe_items(bd.unit_items(unit_id, r["code"]), fw)
        if not its.empty:
            st.caption("扣分事项")
            show = pd.DataFrame({
                "月份": its["month"], "日期": its["date"], "来源": its["source"], "说明": its["description"],
                "数量": its["quantity"], "处理情况": its["handling"], "处理用时（工作日）": its["days"],
                "扣分": its["deduction"].round(2),
            }).dropna(axis=1, how="all")
            st.dataframe(blank_missing(show), hide_index=True, width="stretch")

if unit_account:
    st.caption(f"数据月份：{month_label(month)}。如对某项扣分有异议，请在结果发布前到“填报与申诉”提出申诉。")
    st.stop()

st.subheader("全组指标完成度热力图")
levels = gm.scores.level1_names
view = st.selectbox("显示", ["按一级指标汇总", *levels], key="heat_level",
                    help="汇总：一级指标得分 ÷ 适用分值；选一个一级指标可下钻到它的二级指标")
n_pages = max(1, -(-len(bd.level1_heat) // PAGE_ROWS))
page_no = 1
if n_pages > 1:
    page_no = int(st.number_input(f"页码（共 {n_pages} 页，每页 {PAGE_ROWS} 个单位，按排名）", 1, n_pages, 1,
                                  key="heat_page"))
st.plotly_chart(_heat_figure(db_path(), data_version(), month, group, view, page_no), width="stretch")
downloads(lambda: bd.code_heat.round(1).reset_index().rename(columns={"unit": "单位"}), f"{group}指标完成度_{month}",
          key="dl-heat")
st.caption(f"数据月份：{month_label(month)}；完成度 = 得分 ÷ 该指标分值（一级指标为得分 ÷ 适用分值）；"
           "空白表示该指标不适用于该单位；下载的表格含全部单位的二级指标。")
