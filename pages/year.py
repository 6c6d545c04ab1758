"""年度：the year read from its monthly rankings — ranks month by month, who rose and fell, the annual
result the office's framework defines, and the last twelve months across a year boundary."""

import streamlit as st

from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label
from credit.model.accounts import is_unit
from credit.reports.annual import SIGNED
from ui import year as yr
from ui.auth import current_actor
from ui.context import current_month
from ui.router import ensure_router
from ui.widgets import blank_missing, downloads, score_columns, signed

ensure_router()

st.title("年度分析")
available = yr.years()
if not available:
    st.info("数据库中还没有任何月份的数据，年度分析无从汇总。请信用办先到“数据上传”导入月报表。")
    st.stop()

actor = current_actor()
unit_account = is_unit(actor)
own = actor.unit_id if unit_account and actor is not None else None
month = current_month()
c1, c2 = st.columns([1, 2])
default_year = int(month[:4]) if month else available[0]
year = c1.selectbox("年度", available, index=available.index(default_year) if default_year in available else 0,
                    key="year_year", format_func=lambda y: f"{y}年")
if unit_account:
    group = next((g for g in GROUPS if own in yr.year_view(year, g).grid.names.index), GROUPS[0])
    c2.caption(f"分组：{group_label(group)}（本单位所在分组）")
else:
    group = c2.radio("分组", list(GROUPS), horizontal=True, key="year_group", format_func=group_label)

view = yr.year_view(year, group)
if view.empty:
    st.info(f"{year}年还没有任何月份的数据：导入 {year}年1月的月报表后，这里显示全年各月排名和年度结果。")
    st.stop()


def open_unit(table, picked, at: str) -> None:
    """A row picked in `table` opens that unit's page for month `at`."""
    rows = picked.selection.rows
    if not rows:
        return
    unit_id = table["unit_id"].iloc[rows[0]]
    if unit_account and unit_id != own:
        st.info("被考核单位账户只能打开本单位的详情。")
        return
    st.switch_page("pages/unit.py", query_params={"month": at, "group": group, "unit": unit_id})


def highlight(table, shown):
    """A unit account's own row stands out; everyone else sees the table as it is."""
    if own is None or own not in set(table["unit_id"]):
        return shown
    mine = (table["unit_id"] == own).to_numpy()
    return shown.style.apply(lambda _: ["background-color: #fff3b0; font-weight: bold" if m else "" for m in mine],
                             axis=0)


st.caption(f"{group_label(group)} · {year}年已有 {len(view.months)} 个月的数据：{view.states_line()}。"
           "已签发月份取签发时冻结的结果，临时月份为当前计算结果。")
# Lazy tabs (as on Home): only the chosen part is drawn, so opening the page draws one table, and a
# chart's script is loaded only when its tab is chosen (a tab switch reruns).
TAB_KEY = "year_tab"
annual_tab, ranks_tab, heat_tab, moves_tab, rolling_tab = st.tabs(
    ["年度结果", "各月排名", "得分率热力图", "进退与一级指标", "近12个月"], key=TAB_KEY, on_change="rerun")

if annual_tab.open is not False:
    with annual_tab:
        res = view.annual
        st.subheader(f"年度结果（{res.status}）")
        st.caption(f"{res.rule.describe()}{res.basis}")
        shown = res.table[["年度排名", "单位", "年度得分率", "等次", "计入月数", "计算过程"]]
        picked = st.dataframe(highlight(res.table, shown), hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key="year-annual",
                              column_config=score_columns(shown, ["年度得分率"]))
        st.caption("点击表中一行（行首的选择框），打开该单位在本年最新月份的单位详情。")
        open_unit(res.table, picked, view.latest)
        downloads(shown, f"{group}年度结果_{year}", key="year-annual-dl")
        if view.grid.states[view.latest] == SIGNED and view.latest.endswith("-12"):
            st.success("12 月已签发：年度结果为最终结果。")
        if not unit_account:  # a 被考核单位 reads the rankings, not the 通报 (as with the monthly one)
            st.divider()
            flash = st.session_state.pop("year_flash", None)
            if flash:
                st.success(flash)
            yr.bulletin_section(year, actor)

if ranks_tab.open is not False:
    with ranks_tab:
        st.plotly_chart(yr.rank_figure(view, own), width="stretch", key="year-rank-chart")
        if len(view.grid.scores) > yr.CHART_UNITS:
            st.caption(f"单位较多，图中只画出最新月份排名前 {yr.CHART_UNITS // 2} 和后 {yr.CHART_UNITS // 2} 的单位；"
                       "全部单位见下表。")
        ranks = view.rank_table()
        shown_ranks = blank_missing(ranks.drop(columns=["unit_id"]), blank="—")
        picked = st.dataframe(highlight(ranks, shown_ranks), hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key="year-ranks")
        st.caption("点击表中一行（行首的选择框），打开该单位在本年最新月份的单位详情。“—”为当月未参加排名。"
                   "后三名指当月参加排名单位中名次在最后三位。")
        open_unit(ranks, picked, view.latest)
        downloads(lambda: blank_missing(ranks.drop(columns=["unit_id"])), f"{group}各月排名_{year}",
                  key="year-ranks-dl")
        if len(view.city_rank):
            st.plotly_chart(yr.city_figure(view), width="stretch", key="year-city")
        else:
            st.caption("本年“全县”表未报送全县信用监测全市排名。")

if heat_tab.open is not False:
    with heat_tab:
        pages = max(1, -(-len(view.grid.scores) // yr.HEAT_ROWS))
        page_no = st.number_input(f"页码（共 {pages} 页，每页 {yr.HEAT_ROWS} 个单位）", 1, pages, 1,
                                  key="year-heat-page") if pages > 1 else 1
        st.plotly_chart(yr.heat_figure(view, int(page_no)), width="stretch", key="year-heat")

if moves_tab.open is not False:
    with moves_tab:
        moves = view.movers()
        if moves.empty:
            st.caption("本年只有一个月的数据，暂不比较升降。")
        else:
            first, last = month_label(view.months[0]), month_label(view.months[-1])
            st.subheader(f"进退情况（{first} → {last}）")
            g, f = st.columns(2)
            for col, title, rows in ((g, "进步最大", moves.head(3)), (f, "退步最大", moves.tail(3).iloc[::-1])):
                with col:
                    st.markdown(f"**{title}**")
                    st.markdown("\n\n".join(
                        f"{u}：{a:.2f} → {b:.2f}（{signed(d)}），第 {int(r0)} 名 → 第 {int(r1)} 名"
                        for u, a, b, d, r0, r1 in zip(rows["单位"], rows["起始得分率"], rows["最新得分率"],
                                                     rows["得分率变化"], rows["起始排名"], rows["最新排名"],
                                                     strict=True)))
        st.subheader(f"一级指标得分（1月至{month_label(view.latest)}累计）")
        subtotals = view.subtotals()
        sub_shown = subtotals.drop(columns=["unit_id"])
        st.dataframe(highlight(subtotals, sub_shown), hide_index=True, width="stretch",
                     column_config=score_columns(sub_shown, [*view.subtotal_names, "得分率"]))

if rolling_tab.open is not False:
    with rolling_tab:
        end = month or view.latest
        rolling = yr.rolling_view(end, group)
        st.caption(f"截至 {month_label(end)} 的近 12 个月（可跨年度，按各月自己的排名）：{rolling.states_line()}。"
                   "月份随左侧“考核月份”变化。")
        table = rolling.table()
        score_cols = [c for c in table.columns if c.endswith("得分率")]
        shown_rolling = blank_missing(table.drop(columns=["unit_id"]), blank="—", digits=dict.fromkeys(score_cols, 2))
        picked = st.dataframe(highlight(table, shown_rolling), hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key="year-rolling",
                              column_config=score_columns(shown_rolling, score_cols))
        open_unit(table, picked, end)
        downloads(lambda: blank_missing(table.drop(columns=["unit_id"])), f"{group}近12个月_{end}",
                  key="year-rolling-dl")
