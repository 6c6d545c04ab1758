"""信易贷进度：county registrations against the year's target, the pace needed, and each town's share."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit.common.months import month_label
from credit.model.accounts import Action
from credit.scoring.xyd import FAIR_SHARE_RULE, county_series, progress, town_table
from ui import actions, loaders
from ui.auth import can, current_actor
from ui.context import current_month, store
from ui.router import ensure_router
from ui.widgets import downloads, month_ticks, style_fig

ensure_router()

month = current_month()
st.title("“信易贷”推广进度")
if month is None:
    st.info("数据库中还没有数据。")
    st.stop()
year, m = int(month[:4]), int(month[5:])
target = store().xyd_target(year)
carried = target is not None and store().frameworks.xyd_target(year) is None
if carried:
    st.info(f"{year} 年尚未设定年初注册数和新增目标：年初注册数暂取 {year - 1} 年最后报送的全县注册数 "
            f"{target[0]:,.0f} 家（12 月数），新增目标暂沿用 {year - 1} 年的 {target[1]:,.0f} 家"
            + ("，可在页面下方修改。" if can(Action.SETTINGS) else "，以信用办设定为准。"))
if not target:
    st.warning(f"{year} 年尚未设定年初注册数和新增目标。"
               + ("请在页面下方设定。" if can(Action.SETTINGS) else "请信用办设定后查看进度。"))
else:
    opening, goal = target
    inp = loaders.inputs(month, "镇街")
    p = progress(inp.county_monthly, month, opening, goal)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("本年新增注册", "未报送" if pd.isna(p.new) else f"{p.new:,.0f} 家",
              None if pd.isna(p.share) else f"完成全年目标 {p.share:.1%}", delta_color="off", delta_arrow="off")
    c2.metric("序时目标", f"{p.expected:,.0f} 家",
              None if pd.isna(p.new) else f"{p.new - p.expected:+,.0f} 家", delta_color="normal")
    c3.metric("每月还需新增", "已完成" if p.new >= goal else ("—" if pd.isna(p.pace_needed) else f"{p.pace_needed:,.0f} 家"),
              None if pd.isna(p.pace_now) else f"目前月均 {p.pace_now:,.0f} 家", delta_color="off", delta_arrow="off")
    c4.metric("按当前速度达标月份", f"{p.projected_month} 月" if p.projected_month else "年内难以完成")

    series = county_series(inp.county_monthly, year, opening, goal)
    series["月份"] = month_ticks(series["month"])
    upto = series.iloc[:m]
    fig = go.Figure()
    fig.add_scatter(x=upto["月份"], y=upto["new"], mode="lines+markers", name="实际累计新增")
    fig.add_scatter(x=series["月份"], y=series["target_path"], mode="lines", name="序时目标（直线）",
                    line=dict(dash="dash", color="#999"))
    if pd.notna(p.pace_now) and m < 12:
        proj_x = series["月份"].iloc[m - 1:]
        proj_y = [p.new + p.pace_now * k for k in range(0, 13 - m)]
        fig.add_scatter(x=proj_x, y=proj_y, mode="lines", name="按当前速度预测", line=dict(dash="dot", color="#e67e22"))
    fig.add_hline(y=goal, line_color="#c00000", annotation_text=f"全年目标 {goal:,.0f}")
    fig.update_layout(title=f"{year} 年全县信易贷新增注册企业（年初 {opening:,.0f} 家）",
                      xaxis_title="月份", yaxis_title="家", yaxis_tickformat=",")
    style_fig(fig, 460).update_layout(  # legend under the axis: on a phone three entries wrap over the title
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    st.plotly_chart(fig, width="stretch")

    st.subheader("各镇（街道）、开发区")
    prev_dec = loaders.inputs(f"{year - 1}-12", "镇街").unit_monthly if f"{year - 1}-12" in store().datasets.months_with_data() else None
    if prev_dec is not None:
        prev_dec = prev_dec[prev_dec["month"] == f"{year - 1}-12"]
    towns = town_table(inp, prev_dec, goal)
    show = towns.drop(columns="unit_id")
    st.dataframe(show, hide_index=True, width="stretch", column_config={
        "注册占比": st.column_config.NumberColumn(format="percent"),
        "完成率": st.column_config.NumberColumn(format="percent"),
        "信易贷注册企业数": st.column_config.NumberColumn(format="localized"),
        "辖区注册企业总数": st.column_config.NumberColumn(format="localized"),
        "融资需求金额（万元）": st.column_config.NumberColumn(format="localized"),
        "授信成功金额（万元）": st.column_config.NumberColumn(format="localized"),
        "本年新增": st.column_config.NumberColumn(format="localized"),
        "全年任务数": st.column_config.NumberColumn(format="%.0f"),
        "序时任务数": st.column_config.NumberColumn(format="%.0f"),
        "序时进度差": st.column_config.NumberColumn(format="%+.0f"),
    })
    st.caption("任务分配规则：" + FAIR_SHARE_RULE)
    downloads(show, f"信易贷进度_{month}", key="dl-xyd")
    fig = go.Figure()
    fig.add_bar(x=towns["单位"], y=towns["全年任务数"], name="全年任务数", marker_color="#d9d9d9")
    fig.add_bar(x=towns["单位"], y=towns["本年新增"], name="本年新增", marker_color="#2e75b6")
    fig.update_layout(barmode="overlay", title="各单位新增注册与任务数", yaxis_title="家")
    st.plotly_chart(style_fig(fig, 360), width="stretch")



def target_form(default_year: int) -> None:
    """Each year's opening figure and target: only for roles that may change settings (audited)."""
    actor = current_actor()
    if actor is None or not actor.can(Action.SETTINGS):
        return
    with st.expander("设定各年度年初注册数和新增目标", expanded=not target):
        have = store().frameworks.xyd_targets()
        if have:
            st.dataframe(pd.DataFrame({"年度": [f"{y} 年" for y in have], "年初已注册企业数（家）": [o for o, _ in have.values()],
                                       "本年新增注册目标（家）": [t for _, t in have.values()]}),
                         hide_index=True, column_config={c: st.column_config.NumberColumn(format="localized")
                                                         for c in ("年初已注册企业数（家）", "本年新增注册目标（家）")})
        years = sorted({*have, default_year, default_year + 1}, reverse=True)
        y = st.selectbox("年度", years, index=years.index(default_year), format_func=lambda v: f"{v} 年",
                         key="xyd_target_year")
        cur = have.get(y) or store().xyd_carried(int(y)) or (0.0, 0.0)  # a new year starts from the year before
        with st.form(f"xyd-target-{y}"):
            o = st.number_input("年初已注册企业数（家）", min_value=0.0, value=float(cur[0]), step=1.0, format="%.0f")
            t = st.number_input("本年新增注册目标（家）", min_value=0.0, value=float(cur[1]), step=100.0, format="%.0f")
            if st.form_submit_button("保存", type="primary"):
                actions.run("xyd", lambda: store().frameworks.set_xyd_target(int(y), float(o), float(t), actor), rerun=True,
                            now=True, done=f"已保存 {int(y)} 年：年初 {o:,.0f} 家，新增目标 {t:,.0f} 家。")


actions.show("xyd")
target_form(year)
st.caption(f"数据月份：{month_label(month)}；全县注册数取“全县”表“全县信易贷平台注册企业数”，未报送的月份沿用上月数值。")
