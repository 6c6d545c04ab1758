"""系统维护 (管理员): the database file, its backups, its integrity, and the machine's readiness.

Everything is computed in credit/ (`credit.app.doctor`, `credit.store.maintenance`), which checks the
administrator's permission again; this page only draws and hands over the clicks.
"""

from pathlib import Path

import pandas as pd
import streamlit as st

from credit.app.doctor import OK, database_checks, database_summary, run_checks
from credit.common.clock import beijing
from credit.model.accounts import Action
from credit.store.maintenance import backup_bytes
from ui import actions
from ui.auth import require
from ui.context import db_path, store
from ui.router import ensure_router

ensure_router()

BACKUP_KEY = "maintenance-backup"
LEVEL_ICONS = {"正常": "✅ 正常", "提示": "⚠️ 提示", "错误": "❌ 错误"}


def checks_table(checks) -> pd.DataFrame:
    return pd.DataFrame([{"检查项": c.name, "结果": LEVEL_ICONS[c.level], "情况": c.found,
                          "处理办法": c.fix if c.level != OK else ""} for c in checks])


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


st.title("系统维护")
actor = require(Action.MAINTENANCE)
if actor is None:
    st.stop()
path = Path(db_path())
summary = database_summary(path, actor)
c1, c2, c3 = st.columns(3)
c1.metric("数据库大小", size_text(summary.size))
c2.metric("结构版本", f"第 {summary.schema_steps} 步")
c3.metric("数据版本", f"{summary.data_version:,}")
st.caption("数据库文件：")
st.code(str(summary.path), language=None)
if summary.pending:
    st.warning(f"数据库结构待升级 {len(summary.pending)} 步。请停止服务后运行 python -m credit upgrade（会先自动备份）。")

st.subheader("备份")
last = store().backups.last()
if last is None:
    st.warning("还没有保存在服务器上的备份。请按 README“正式部署”开启每晚自动备份（deploy/credit-backup.timer）。")
else:
    st.write(f"最近一次服务器备份：{beijing(last['made_at'])}（北京时间），{size_text(last['size'])}")
    st.code(last["path"], language=None)
recent = store().backups.recent(10)
if recent:
    st.dataframe(pd.DataFrame([{
        "时间（北京时间）": beijing(r["made_at"]), "方式": "服务器备份" if r["path"] else "页面下载",
        "大小": size_text(r["size"]), "位置": r["path"] or "（已下载，不在服务器上）", "操作人": r["made_by"],
    } for r in recent]), hide_index=True, width="stretch")
if st.button("生成一份备份供下载", help="在线生成一致的副本并做完整性检查；文件含全部数据与账户口令哈希，请妥善保管"):
    made_now = actions.run("maintenance", lambda: backup_bytes(path, actor), now=True)
    if made_now:
        st.session_state[BACKUP_KEY] = made_now.value
made = st.session_state.get(BACKUP_KEY)
if made:
    name, content = made
    st.success(f"备份已生成并通过完整性检查：{name}（{size_text(len(content))}）")
    st.download_button("下载备份文件", content, file_name=name, mime="application/vnd.sqlite3",
                       on_click="ignore", type="primary")

st.subheader("检查")
left, right = st.columns(2)
if left.button("数据库完整性检查"):
    st.session_state["maintenance-checks"] = ("数据库完整性检查", database_checks(path, actor))
if right.button("运行环境检查（同 python -m credit doctor）"):
    st.session_state["maintenance-checks"] = ("运行环境检查", run_checks(path, Path.cwd() / ".streamlit" / "config.toml", actor))
shown = st.session_state.get("maintenance-checks")
if shown:
    title, checks = shown
    bad = sum(c.level == "错误" for c in checks)
    (st.error if bad else st.success)(f"{title}：{'有 ' + str(bad) + ' 项错误' if bad else '未发现错误'}")
    st.dataframe(checks_table(checks), hide_index=True, width="stretch")
