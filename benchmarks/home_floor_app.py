"""Home's elements with the data already at hand: what Streamlit itself spends drawing Home.

The same elements as Home.py + pages/ranking.py (navigation with the anonymous reader's pages,
the sidebar's month picker, headline cards, the chosen group's ranking table (lazy tabs) with its downloads
and movers, the bulletin downloads) and none of the app's own work (store, login, loaders beyond a
cached view). `benchmarks.bench_rerun` prints its rerun next to Home's and the bare page's: the
part of Home's rerun that is Streamlit's per-element floor rather than the app's code.
"""

import functools
import os

import streamlit as st

from credit.common.labels import GROUPS, group_label
from ui.style import apply_style
from ui.widgets import mover_panel


def view():
    """The view, made once per session. (An `st.cache_resource` defined in this script would be made
    anew on every rerun, its source read to key it: a cost Home, whose caches live in imported
    modules, does not pay, and which made this floor look slower than Home.)"""
    if "floor_view" not in st.session_state:
        from ui import loaders

        st.session_state["floor_view"] = loaders.home(os.environ.get("FLOOR_MONTH", "2022-10"))
    return st.session_state["floor_view"]


def _download(col, label: str, key: str, icon: str | None = None) -> None:
    col.download_button(label, data=lambda: b"", file_name=f"{key}.bin", key=key, on_click="ignore", icon=icon)


def page() -> None:
    v = view()
    st.title("平阴县社会信用体系建设月度排名")
    st.warning("当前为**演示数据库**：数据为模拟生成，仅供试用和培训，不代表真实考核结果。", icon="⚠️")
    st.caption("考核月份：2022年10月　·　得分率 = 得分 ÷ 适用指标满分 × 100，按得分率（保留两位小数）排名")
    cards = st.container(horizontal=True)
    c1 = c2 = c4 = cards
    c1.metric("信易贷本年新增注册", "1,000 家", "目标 2,000 家，完成 50.0%", delta_color="off", delta_arrow="off")
    c2.metric("完成目标每月还需", "100 家/月", "当前月均 90 家", delta_color="off", delta_arrow="off")
    c3 = cards.container() if v.hit else cards
    c3.metric("本月新增扣分单位", f"{len(v.hit)} 个")
    if v.hit:
        c3.caption("、".join(v.hit))
    c4.metric("全县信用监测全市排名", "第 3 位")
    tabs = st.tabs([group_label(g) for g in GROUPS], key="home_group", on_change="rerun")  # lazy, as Home
    for tab, (group, hg) in zip(tabs, v.groups.items(), strict=True):
        if tab.open is False:
            continue
        with tab:
            cfg = hg.columns
            st.dataframe(hg.arrow, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"ranking-{group}", column_config=cfg)
            st.caption("点击表中一行（行首的选择框），打开该单位的单位详情。")
            row = st.container(horizontal=True)
            _download(row, "下载 CSV", f"dl-{group}-csv")
            _download(row, "下载 Excel", f"dl-{group}-xlsx")
            panels = (("进步最大", "green", hg.gain, "上升"), ("下降最多", "red", hg.fall, "下降"))
            for col, (title, colour, lines, verb) in zip(st.columns(2, gap="large"), panels, strict=True):
                col.markdown(mover_panel(title, colour, lines, verb))
    st.subheader("下载本月通报", divider="gray")
    st.caption("月度通报（Word 公文格式 / PDF / Excel 明细），内容见“月度通报”页面。")
    row = st.container(horizontal=True)
    for fmt in ("docx", "xlsx", "pdf"):
        _download(row, fmt, f"bulletin-{fmt}", icon=":material/description:")


st.set_page_config(page_title="平阴县信用体系建设监测分析平台", page_icon="📊", layout="wide")
apply_style()
titles = (("月度排名", "ranking"), ("单位详情", "unit"), ("信易贷进度", "xyd"), ("权重模拟", "whatif"),
          ("月度通报", "bulletin"), ("指标说明", "guide"), ("登录", "login"))
pages = [st.Page(functools.partial(page), title=t, url_path=u, default=(i == 0)) for i, (t, u) in enumerate(titles)]
nav = st.navigation({"看板": pages[:6], "账户": pages[6:]}, position="sidebar", expanded=True)
st.sidebar.caption("**平阴县信用体系建设监测分析平台**\n\n未登录：只读浏览。上传数据等操作请先登录。")
options = [f"2022-{m:02d}" for m in range(10, 0, -1)]
month = st.session_state.get("month", options[0])
# the month picker as a PC gets it: a popover button naming the month, its list inside (a phone's
# browser also gets a copy at the top of the page: not the benchmark's browser)
with st.sidebar.popover(f"考核月份：{month}", icon=":material/calendar_month:", width="stretch", key=f"month-picker-{month}"):
    st.radio("考核月份", options, key="month", label_visibility="collapsed")
nav.run()
