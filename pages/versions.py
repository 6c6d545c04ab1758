"""数据版本: which sheets each month has, every version with its file, download, and restore.

Restoring makes an old version current again as a NEW version (nothing is deleted), so a restore
can itself be undone the same way; the original files stay downloadable byte for byte.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.common.months import month_label
from credit.errors import CreditError
from credit.model.contract import SHEETS
from ui.auth import can, require
from ui.context import current_month, months, store
from ui.router import ensure_router

ensure_router()

ACTION = {"import": "上传导入", "restore": "恢复旧版本"}


def coverage_grid(all_months: list[str]) -> pd.DataFrame:
    """Months × sheets: the current version number, or 未导入."""
    rows = []
    for month in all_months:
        status = store().sheets_status(month)
        row = {"月份": month_label(month)}
        for sheet, info in status.items():
            row[sheet] = f"第 {info['version']} 版" if info else "未导入"
        row["未导入"] = sum(1 for info in status.values() if info is None)
        rows.append(row)
    return pd.DataFrame(rows, columns=["月份", *SHEETS, "未导入"])


def month_range(have: list[str]) -> list[str]:
    """Every month from January of the first year with data to the latest month (newest first)."""
    if not have:
        return []
    first_year, last = int(have[0][:4]), have[-1]
    out = [f"{y:04d}-{m:02d}" for y in range(first_year, int(last[:4]) + 1) for m in range(1, 13)]
    return list(reversed([m for m in out if m <= last]))


def version_table(rows: list[dict]) -> pd.DataFrame:
    uploads = store().uploads_info([r["upload_id"] for r in rows])
    by_id = {r["id"]: r for r in rows}
    out = []
    for r in rows:
        up = uploads.get(r["upload_id"], {})
        source = by_id.get(r["restored_from"])
        how = ACTION.get(r["action"], r["action"])
        if r["action"] == "restore" and source:
            how += f"（第 {source['version']} 版）"
        out.append({
            "工作表": r["sheet"], "版本": r["version"], "当前": "当前版本" if r["is_current"] else "",
            "方式": how, "文件": r["filename"] or "", "sha256": (up.get("sha256") or "")[:16],
            "行数": r["row_count"], "操作人": r["created_by"], "时间": beijing(r["created_at"]),
            "_id": r["id"], "_upload": r["upload_id"],
        })
    return pd.DataFrame(out)


st.title("数据版本")
have = months()
if not have:
    st.info("数据库中还没有任何数据，请先到“数据上传”导入月报表。")
    st.stop()

st.subheader("各月报送情况")
st.caption("表中为各表当前版本号；“未导入”表示该月尚无此表。扣分事项、信易+场景、分级分类监管三张表当月无记录时可以不报，"
           "其余各表每月都应导入。")
grid = coverage_grid(month_range(have))
st.dataframe(grid.style.map(lambda v: "color: #c62828" if v == "未导入" else ""), hide_index=True, width="stretch",
             key="grid")
latest = grid.iloc[0]
missing = [s for s in SHEETS if latest[s] == "未导入"]
if missing:
    st.warning(f"{latest['月份']}尚未导入：{'、'.join(missing)}")

st.subheader("版本明细")
default = current_month() or have[-1]
options = list(reversed(have))
c1, c2 = st.columns(2)
month = c1.selectbox("月份", options, index=options.index(default) if default in options else 0,
                     format_func=month_label, key="versions_month")
sheet_filter = c2.selectbox("工作表", ["全部", *SHEETS], key="versions_sheet")
rows = store().versions(month, None if sheet_filter == "全部" else sheet_filter)
if not rows:
    st.info("所选月份和工作表还没有任何版本。")
    st.stop()
table = version_table(rows)
st.dataframe(table.drop(columns=["_id", "_upload"]), hide_index=True, width="stretch", key="versions")

labels = {r["id"]: f"「{r['sheet']}」第 {r['version']} 版" + ("（当前）" if r["is_current"] else "") for r in rows}
chosen = st.selectbox("选择一个版本", list(labels), format_func=labels.get, key="versions_pick")
info = next(r for r in rows if r["id"] == chosen)
c1, c2 = st.columns(2)
with c1:
    if info["upload_id"] is not None:
        upload_id = int(info["upload_id"])
        st.download_button(
            "下载该版本的原始文件", data=lambda: store().upload_bytes(upload_id)[1],
            file_name=info["filename"] or f"upload-{upload_id}.xlsx", on_click="ignore", icon=":material/download:",
            mime="application/octet-stream", key="versions_download",
        )
        st.caption("与上传时逐字节相同（可用 sha256 核对）。")
with c2:
    if info["is_current"]:
        st.caption("该版本已是当前版本。")
    elif can("restore"):
        if st.button("恢复为当前版本", type="primary", key="versions_restore"):
            actor = require("restore")
            try:
                new = store().restore_version(int(chosen), actor)
                st.session_state["versions_notice"] = (
                    f"已将{labels[chosen]}恢复为当前版本（新建第 {new['version']} 版，原有版本全部保留）。")
                st.rerun()
            except CreditError as exc:
                st.error(str(exc))
    else:
        require("restore")
notice = st.session_state.pop("versions_notice", None)
if notice:
    st.success(notice)
