"""首页：月度排名 — who leads, who moved and why, and the month's headline figures."""

import pandas as pd
import streamlit as st

from credit.common.labels import GROUPS, group_label, some_names
from credit.common.months import month_label
from credit.model.accounts import Action
from ui import loaders
from ui.auth import current_actor
from ui.bulletin import bulletin_downloads
from ui.context import current_month
from ui.monthstate import state_banner
from ui.router import ensure_router
from ui.safe import md
from ui.widgets import downloads, mover_panel

ensure_router()

GROUP_TAB_KEY = "home_group"  # session_state: the label of the group tab shown
HIT_NAMES = 30  # 本月新增扣分单位: the names shown under the card (the card says how many in all)
month = current_month()
st.title("平阴县社会信用体系建设月度排名")
if loaders.is_demo():
    st.warning("当前为**演示数据库**：数据为模拟生成，仅供试用和培训，不代表真实考核结果。", icon="⚠️")
if month is None:
    st.info("数据库中还没有数据。请信用办先到“数据上传”页面导入月报表。")
    st.stop()
_actor = current_actor()
_office = _actor is not None and _actor.can(Action.PUBLISH)
state_banner(month)  # 采集中 / 待签发 / 已签发 / 更正中, for every role
if _office:
    # 月度闭环 (publishing, its files and diffs) is the office's: a reader's Home does not import it
    # (a sixth of a second of a new server's first page)
    from ui import monthcycle
st.caption(f"考核月份：{month_label(month)}　·　得分率 = 得分 ÷ 适用指标满分 × 100，按得分率（保留两位小数）排名")

view = loaders.home(month)  # computed once per data version; a rerun only draws

# ---- headline cards ----
cards = st.container(horizontal=True)  # one block: four columns cost a rerun five elements
c1 = c2 = c4 = cards
p = view.progress
if p is not None and pd.notna(p.new):
    c1.metric("信易贷本年新增注册", f"{p.new:,.0f} 家", f"目标 {p.target:,.0f} 家，完成 {p.share:.1%}",
              delta_color="off", delta_arrow="off")
    need = "已完成" if p.new >= p.target else (f"{p.pace_needed:,.0f} 家/月" if pd.notna(p.pace_needed) else "—")
    c2.metric("完成目标每月还需", need, f"当前月均 {p.pace_now:,.0f} 家", delta_color="off", delta_arrow="off")
elif view.target:
    c1.metric("信易贷本年新增注册", "未报送", f"目标 {view.target[1]:,.0f} 家", delta_color="off", delta_arrow="off")
else:
    c1.metric("信易贷本年新增注册", "未设定目标")
c3 = cards.container() if view.hit else cards  # the card and its list of units, one above the other
c3.metric("本月新增扣分单位", f"{len(view.hit)} 个")
if view.hit:
    c3.caption(md(some_names(view.hit, HIT_NAMES)))
city_rank = view.city_rank
c4.metric("全县信用监测全市排名", f"第 {city_rank:.0f} 位" if pd.notna(city_rank) else "未报送")

# Lazy tabs: only the chosen group's table, downloads and movers are drawn (a tab switch reruns).
# Every element costs a rerun time and the browser layout; every group drawn at once was most of
# Home's elements though only one is seen at a time.
tabs = st.tabs([group_label(g) for g in GROUPS], key=GROUP_TAB_KEY, on_change="rerun")
for tab, (group, hg) in zip(tabs, view.groups.items(), strict=True):
    if tab.open is False:
        continue
    with tab:
        table = hg.table
        picked = st.dataframe(hg.arrow, hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key=f"ranking-{group}",
                              column_config=hg.columns)
        st.caption("点击表中一行（行首的选择框），打开该单位的单位详情。")
        if picked.selection.rows:
            by_name = dict(zip(hg.gm.summary["unit"], hg.gm.summary["unit_id"]))  # the table may be reordered
            unit_id = by_name[table["单位"].iloc[picked.selection.rows[0]]]
            st.switch_page("pages/unit.py", query_params={"month": month, "group": group, "unit": unit_id})
        downloads(table, f"{group}排名_{month}", key=f"dl-{group}")
        if hg.gm.unreported:
            missing = "、".join(u.name_at(month) for u in hg.gm.unreported)
            st.caption(f"以下单位本年尚无任何报送记录，未参加排名：{md(missing)}")
        if hg.gain is None:
            st.caption("上月无数据，暂不比较排名变化。")
            continue
        if hg.waiting and hg.waiting == len(hg.gm.summary):
            st.caption("本组单位本月均未报送，报送后再比较得分变化。")
            continue
        if hg.waiting:
            st.caption(f"本组尚有 {hg.waiting} 个单位未报送：进步、下降只在已报送的单位中比较，排名变化待报送齐全后再比较。")
        # two panels side by side, one markdown each (its heading and its lines): each element costs
        # every rerun and the browser's layout (a subheader and a list in each column were seven)
        panels = (("进步最大", "green", hg.gain, "上升"), ("下降最多", "red", hg.fall, "下降"))
        for col, (title, colour, lines, verb) in zip(st.columns(2, gap="large"), panels, strict=True):
            col.markdown(mover_panel(title, colour, lines, verb))

st.subheader("下载本月通报", divider="gray")  # its own rule: a separate st.divider is one more element
st.caption("月度通报（Word 公文格式 / PDF / Excel 明细），内容见“月度通报”页面。")
bulletin_downloads(month, key="home-bulletin")
if _office:
    st.divider()
    monthcycle.status_section(month, key="home")
