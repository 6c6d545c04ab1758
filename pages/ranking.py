"""首页：月度排名 — who leads, who moved and why, and the month's headline figures."""

import pandas as pd
import streamlit as st

from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label, previous_month
from credit.scoring.compare import indicator_deltas, movers
from credit.scoring.xyd import progress
from ui import loaders
from ui.bulletin import bulletin_downloads
from ui.context import current_month, store
from ui.router import ensure_router
from ui.widgets import arrow, downloads, score_columns, signed

ensure_router()

month = current_month()
st.title("平阴县社会信用体系建设月度排名")
if loaders.is_demo():
    st.warning("当前为**演示数据库**：数据为模拟生成，仅供试用和培训，不代表真实考核结果。", icon="⚠️")
if month is None:
    st.info("数据库中还没有数据。请信用办先到“数据上传”页面导入月报表。")
    st.stop()
st.caption(f"考核月份：{month_label(month)}　·　得分率 = 得分 ÷ 适用指标满分 × 100，按得分率（保留两位小数）排名")

towns = loaders.group_month(month, "镇街")
depts = loaders.group_month(month, "部门")

# ---- headline cards ----
year = int(month[:4])
target = store().xyd_target(year)
c1, c2, c3, c4 = st.columns(4)
if target:
    p = progress(towns.inputs.county_monthly, month, *target)
    if pd.notna(p.new):
        c1.metric("信易贷本年新增注册", f"{p.new:,.0f} 家", f"目标 {p.target:,.0f} 家，完成 {p.share:.1%}",
                  delta_color="off", delta_arrow="off")
        need = "已完成" if p.new >= p.target else (f"{p.pace_needed:,.0f} 家/月" if pd.notna(p.pace_needed) else "—")
        c2.metric("完成目标每月还需", need, f"当前月均 {p.pace_now:,.0f} 家", delta_color="off", delta_arrow="off")
    else:
        c1.metric("信易贷本年新增注册", "未报送", f"目标 {target[1]:,.0f} 家", delta_color="off", delta_arrow="off")
else:
    c1.metric("信易贷本年新增注册", "未设定目标")
new_items = pd.concat([towns.scores.items, depts.scores.items])
new_items = new_items[(new_items["month"] == month) & (new_items["deduction"] > 0)]
names = {**dict(zip(towns.summary.unit_id, towns.summary.unit)), **dict(zip(depts.summary.unit_id, depts.summary.unit))}
hit = sorted({names.get(u, u) for u in new_items["unit_id"]})
c3.metric("本月新增扣分单位", f"{len(hit)} 个")
if hit:
    c3.caption("、".join(hit))
city_rank = towns.inputs.county.get("全县信用监测全市排名")
c4.metric("全县信用监测全市排名", f"第 {city_rank:.0f} 位" if pd.notna(city_rank) else "未报送")


def ranking_table(gm) -> pd.DataFrame:
    s = gm.summary
    levels = gm.scores.level1_names
    table = pd.DataFrame({
        "排名": s["rank"].astype("Int64"),
        "排名变化": [arrow(d) for d in s["d_rank"]],
        "单位": s["unit"],
        "得分率": s["score"].round(2),
        "较上月": [signed(d) for d in s["d_score"]],
    })
    for lv in levels:
        table[lv] = s[lv].round(2)
    table["得分"] = s["earned"].round(2)
    table["适用满分"] = s["possible"].round(2)
    return table


prev = previous_month(month)
for tab, group, gm in zip(st.tabs([group_label(g) for g in GROUPS]), GROUPS, (towns, depts)):
    with tab:
        table = ranking_table(gm)
        picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key=f"ranking-{group}",
                              column_config=score_columns(table, ["得分率", *gm.scores.level1_names, "得分", "适用满分"]))
        st.caption("点击表中一行（行首的选择框），打开该单位的单位详情。")
        if picked.selection.rows:
            unit_id = gm.summary["unit_id"].iloc[picked.selection.rows[0]]
            st.switch_page("pages/unit.py", query_params={"month": month, "group": group, "unit": unit_id})
        downloads(table, f"{group}排名_{month}", key=f"dl-{group}")
        if gm.inputs.unreported:
            missing = "、".join(u.name_at(month) for u in gm.inputs.unreported)
            st.caption(f"以下单位本年尚无任何报送记录，未参加排名：{missing}")
        if prev in store().months_with_data():
            prev_gm = loaders.group_month(prev, group)
            deltas = indicator_deltas(gm.scores.detail, prev_gm.scores.detail)
            gain, fall = movers(gm.summary, deltas)
            panels = (("进步最大", "green", gain, "上升"), ("下降最多", "red", fall, "下降"))
            for col, (title, colour, movers_df, verb) in zip(st.columns(2), panels, strict=True):
                with col:
                    st.subheader(title, divider=colour)
                    if movers_df.empty:
                        st.caption(f"本月没有得分{verb}的单位")
                    for r in movers_df.itertuples():
                        st.markdown(f"**{r.unit}**　{r.score:.2f} 分（{r.d_score:+.2f}），排名 {arrow(r.d_rank)}  \n{r.原因}")
        else:
            st.caption("上月无数据，暂不比较排名变化。")

st.divider()
st.subheader("下载本月通报")
st.caption("月度通报（Word 公文格式 / Excel 明细），内容见“月度通报”页面。")
bulletin_downloads(month, key="home-bulletin")
