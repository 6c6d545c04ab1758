"""操作日志 (admin): the append-only audit log, filterable and downloadable."""

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.model.accounts import Action
from credit.reports.audit_view import action_name, describe
from ui.auth import require
from ui.context import store
from ui.router import ensure_router
from ui.widgets import downloads

ensure_router()

st.title("操作日志")
if require(Action.ACCOUNTS) is None:
    st.stop()
rows = store().audit_log(limit=None)
log = pd.DataFrame([{
    "时间（北京时间）": beijing(r["at"]), "操作人": r["who"], "操作": action_name(r["action"]),
    "详情": describe(r["detail"]),
} for r in rows])
if log.empty:
    st.info("暂无记录。")
    st.stop()
c1, c2 = st.columns(2)
who = c1.multiselect("操作人", sorted(log["操作人"].unique()), placeholder="全部操作人")
what = c2.multiselect("操作", sorted(log["操作"].unique()), placeholder="全部操作")
view = log
if who:
    view = view[view["操作人"].isin(who)]
if what:
    view = view[view["操作"].isin(what)]
st.dataframe(view, hide_index=True, width="stretch")
downloads(view, "操作日志", key="dl-audit")
