"""操作日志 (admin): the append-only audit log, filterable and downloadable."""

import json

import pandas as pd
import streamlit as st

from ui.auth import require
from ui.context import store
from ui.router import ensure_router
from ui.widgets import downloads

ensure_router()

ACTIONS = {
    "login": "登录", "login.failed": "登录失败", "logout": "退出登录", "logout.expired": "超时退出",
    "import": "导入数据", "restore": "恢复版本", "account.add": "新增账户", "account.password": "修改密码",
    "account.disable": "停用账户", "account.enable": "启用账户", "framework.save": "发布权重",
    "unit.add": "新增单位", "unit.rename": "单位更名", "unit.retire": "撤销单位", "xyd.set": "设定信易贷目标",
    "meta.set": "修改设置", "bulletin.export": "导出通报",
}

st.title("操作日志")
if require("accounts") is None:
    st.stop()
rows = store().audit_log(limit=None)
log = pd.DataFrame([{
    "时间": r["at"], "操作人": r["who"], "操作": ACTIONS.get(r["action"], r["action"]),
    "详情": json.dumps(r["detail"], ensure_ascii=False),
} for r in rows])
if log.empty:
    st.info("暂无记录。")
    st.stop()
c1, c2 = st.columns(2)
who = c1.multiselect("操作人", sorted(log["操作人"].unique()))
what = c2.multiselect("操作", sorted(log["操作"].unique()))
view = log
if who:
    view = view[view["操作人"].isin(who)]
if what:
    view = view[view["操作"].isin(what)]
st.dataframe(view, hide_index=True, width="stretch")
downloads(view, "操作日志", key="dl-audit")
