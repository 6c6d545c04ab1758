"""数据版本: which sheets each month has, every version with its file, download, and restore.

扣分事项 and the two registers may have no new entries in a month: the office marks them 本月无新增
here (or uploads the sheet with headers only), and the grid, 报送进度 and the CLI count them reported.

Restoring makes an old version current again as a NEW version (nothing is deleted), so a restore
can itself be undone the same way; the original files stay downloadable byte for byte.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.common.months import month_label
from credit.model.accounts import Action
from credit.model.contract import NO_NEW, OPTIONAL_SHEETS, SHEETS
from credit.reports.status import NOT_IMPORTED, sheet_state
from ui import actions
from ui.auth import can, require
from ui.context import current_month, months, store
from ui.router import ensure_router

ensure_router()

ACTION = {"import": "上传导入", "restore": "恢复旧版本"}


def coverage_grid(all_months: list[str]) -> pd.DataFrame:
    """Months × sheets: the current version number, 本月无新增, or 未导入."""
    rows = []
    for month in all_months:
        status, empty = store().datasets.sheets_status(month), store().datasets.reported_empty(month)
        row = {"月份": month_label(month), **{s: sheet_state(info, empty.get(s)) for s, info in status.items()}}
        row["未导入"] = sum(1 for s in SHEETS if row[s] == NOT_IMPORTED)
        rows.append(row)
    return pd.DataFrame(rows, columns=["月份", *SHEETS, "未导入"])


def _set_empty(month: str, sheet: str, empty: bool) -> None:
    """The mark/unmark buttons' callback: the domain checks role, rows and a published month."""
    actor = require(Action.IMPORT)
    reason = st.session_state.get("empty_reason", "")
    mark = store().datasets.mark_empty if empty else store().datasets.unmark_empty
    done = f"已将{month_label(month)}「{sheet}」标记为“{NO_NEW}”" if empty else \
        f"已撤销{month_label(month)}「{sheet}」的“{NO_NEW}”，该表恢复为未导入"
    if actions.run("versions-empty", lambda: mark(month, sheet, actor, reason), done=done + "（已记入操作日志）。"):
        st.session_state["empty_reason"] = ""


def empty_section(all_months: list[str]) -> None:
    """本月无新增 for 扣分事项 and the registers: mark, or undo, per month (信用办/管理员)."""
    st.subheader(f"{NO_NEW}")
    st.caption(f"扣分事项、信易+场景、分级分类监管当月没有新记录时，请标记“{NO_NEW}”，报送进度即按已报送计；"
               "上传只有表头、没有数据行的该表也记为本月无新增。标记和撤销都记入操作日志。")
    default = current_month() or all_months[0]
    month = st.selectbox("标记月份", all_months, index=all_months.index(default) if default in all_months else 0,
                         format_func=month_label, key="empty_month")
    status, empty = store().datasets.sheets_status(month), store().datasets.reported_empty(month)
    if store().publishing.current_publication(month) is not None:
        st.text_input("更正说明（该月通报已签发，标记或撤销须填写）", key="empty_reason")
    for sheet in OPTIONAL_SHEETS:
        state = sheet_state(status[sheet], empty.get(sheet))
        c1, c2, c3 = st.columns([2, 3, 3], vertical_alignment="center")
        c1.markdown(f"**{sheet}**")
        if state == NO_NEW:
            how = "上传了只有表头的空表" if empty[sheet]["source"] == "upload" else "已标记"
            c2.markdown(f"{NO_NEW}（{empty[sheet]['created_by']} {how}，{beijing(empty[sheet]['created_at'], seconds=False)}）")
            c3.button(f"撤销“{sheet}”本月无新增", key=f"empty_unmark_{OPTIONAL_SHEETS.index(sheet)}",
                      on_click=_set_empty, args=(month, sheet, False), icon=":material/undo:")
        elif state == NOT_IMPORTED:
            c2.markdown(":red[未导入]")
            c3.button(f"标记“{sheet}”本月无新增", key=f"empty_mark_{OPTIONAL_SHEETS.index(sheet)}",
                      on_click=_set_empty, args=(month, sheet, True), icon=":material/done_all:")
        else:
            c2.markdown(f"已导入 {status[sheet]['row_count']} 条（{state}）")
    actions.show("versions-empty")


def month_range(have: list[str]) -> list[str]:
    """Every month from January of the first year with data to the latest month (newest first)."""
    if not have:
        return []
    first_year, last = int(have[0][:4]), have[-1]
    out = [f"{y:04d}-{m:02d}" for y in range(first_year, int(last[:4]) + 1) for m in range(1, 13)]
    return list(reversed([m for m in out if m <= last]))


def version_table(rows: list[dict]) -> pd.DataFrame:
    uploads = store().datasets.uploads_info([r["upload_id"] for r in rows])
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
st.caption(f"表中为各表当前版本号；“{NO_NEW}”表示该月已报送但没有新记录；“未导入”表示该月尚无此表。"
           "扣分事项、信易+场景、分级分类监管三张表当月无记录时标记“本月无新增”即可，其余各表每月都应导入。")
all_months = month_range(have)
grid = coverage_grid(all_months)
st.dataframe(grid.style.map(lambda v: "color: #c62828" if v == NOT_IMPORTED else ("color: #2e7d32" if v == NO_NEW else "")),
             hide_index=True, width="stretch", key="grid")
latest = grid.iloc[0]
missing = [s for s in SHEETS if latest[s] == NOT_IMPORTED]
if missing:
    hint = f"（当月确无新记录的，请在下方标记“{NO_NEW}”）" if set(missing) & set(OPTIONAL_SHEETS) else ""
    st.warning(f"{latest['月份']}尚未导入：{'、'.join(missing)}{hint}")
if can(Action.IMPORT):
    empty_section(all_months)

st.subheader("版本明细")
default = current_month() or have[-1]
options = list(reversed(have))
c1, c2 = st.columns(2)
month = c1.selectbox("月份", options, index=options.index(default) if default in options else 0,
                     format_func=month_label, key="versions_month")
sheet_filter = c2.selectbox("工作表", ["全部", *SHEETS], key="versions_sheet")
rows = store().datasets.versions(month, None if sheet_filter == "全部" else sheet_filter)
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
            "下载该版本的原始文件", data=lambda: store().datasets.upload_bytes(upload_id)[1],
            file_name=info["filename"] or f"upload-{upload_id}.xlsx", on_click="ignore", icon=":material/download:",
            mime="application/octet-stream", key="versions_download",
        )
        st.caption("与上传时逐字节相同（可用 sha256 核对）。")
with c2:
    if info["is_current"]:
        st.caption("该版本已是当前版本。")
    elif can(Action.RESTORE):
        if st.button("恢复为当前版本", type="primary", key="versions_restore"):
            actor = require(Action.RESTORE)
            actions.run("versions", lambda: store().datasets.restore_version(int(chosen), actor), rerun=True, now=True,
                        done=lambda new: f"已将{labels[chosen]}恢复为当前版本（新建第 {new['version']} 版，原有版本全部保留）。")
    else:
        require(Action.RESTORE)
actions.show("versions")
