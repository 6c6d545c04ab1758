"""证明材料: the 信易+ (Attachment 3) and 信用分级分类监管 (Attachment 4) registers with their evidence files.

Entries from uploaded sheets and entries typed here are one register: one table, one duplicate
rule, and the per-unit counts shown are the very numbers T5, D8 and D12 score
(`MonthInputs.register_counts`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.common.filetypes import EVIDENCE_TYPES
from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label, month_parts
from credit.model.accounts import Action, PermissionDenied
from credit.model.contract import INDUSTRIES, UNIT_COL
from credit.workbook.registers import (
    EVIDENCE_MIME,
    INDUSTRY_COL,
    KEY_COLUMN,
    REGISTER_TITLES,
    SOURCE_FORM,
    entry_key,
    headers,
    sniff_evidence,
    unit_counts,
)
from ui import actions, loaders
from ui.auth import can, current_actor, require
from ui.context import current_month, store
from ui.router import ensure_router
from ui.safe import md
from ui.uploads import refuse_wrong_types

ensure_router()

def scored_by(sheet: str) -> str:
    """The indicators this month's frameworks count the register in, by name and group (no codes)."""
    names = [f"{group_label(g)}：{ind.name}" for g in GROUPS
             for ind in loaders.group_month(month, g).scores.framework.indicators
             if ind.inputs.get("register") == sheet]
    return "；".join(names) or "无"


st.title("证明材料登记")
month = current_month()
if month is None:
    st.info("数据库中还没有数据，请先到“数据上传”导入月报表。")
    st.stop()
year, upto = month_parts(month)
register = store().units.register()
st.caption(f"{year} 年 1 月至 {month_label(month)}的登记情况。上传表格中的条目与本页录入的条目合并统计；"
           "同一单位在同一年内登记相同的信用应用（监管领域）只计一次，重复条目会被标出。")


def filtered(table: pd.DataFrame, key: str) -> pd.DataFrame:
    c1, c2, c3, c4 = st.columns([2, 1, 2, 1])
    names = sorted(set(table[UNIT_COL].dropna()))
    units = c1.multiselect("单位", names, key=f"{key}-units", placeholder="全部单位")
    source = c2.selectbox("来源", ["全部", "上传表格", SOURCE_FORM], key=f"{key}-source")
    text = c3.text_input("关键词", key=f"{key}-text", placeholder="按应用、领域、文件名称搜索")
    only_dup = c4.checkbox("只看重复", key=f"{key}-dup")
    out = table
    if units:
        out = out[out[UNIT_COL].isin(units)]
    if source != "全部":
        out = out[out["来源"] == source]
    if text.strip():
        hay = out.astype(str).agg(" ".join, axis=1)
        out = out[hay.str.contains(text.strip(), regex=False)]
    if only_dup:
        out = out[out["重复"]]
    return out


def show_evidence(sheet: str, table: pd.DataFrame, key: str) -> None:
    """Pick a counted entry: list and download its files; add files when allowed."""
    counted = table[~table["重复"]]
    if counted.empty:
        return
    st.markdown("**证明材料文件**")
    entries = {i: f"{r[UNIT_COL]} · {r[KEY_COLUMN[sheet]]}（{month_label(r['month'])}，{r['来源']}）"
               for i, r in counted.iterrows()}
    pick = st.selectbox("选择条目", list(entries), format_func=entries.get, key=f"{key}-entry")
    entry = counted.loc[pick]
    name = str(entry[KEY_COLUMN[sheet]])
    actor = current_actor()
    try:  # not public: who may read which unit's files is decided in the domain (`Registers.evidence_files`)
        files = [f for f in store().registers.evidence_files(year, sheet, entry["unit_id"], by=actor)
                 if f["entry_key"] == entry_key(name)]
    except PermissionDenied as exc:
        st.caption(md(str(exc)))
        return
    if not files:
        st.caption("该条目还没有上传证明材料。")
    for f in files:
        c1, c2 = st.columns([3, 1])
        c1.caption(f"{f['filename']}　{f['size'] / 1024:,.0f} KB　sha256 {f['sha256'][:16]}…　"
                   f"{f['uploaded_by']} 于 {beijing(f['uploaded_at'], seconds=False)} 上传")
        c2.download_button("下载", data=lambda fid=f["id"]: store().registers.evidence_bytes(fid, by=actor)[1], file_name=f["filename"],
                           mime=EVIDENCE_MIME[f["kind"]], on_click="ignore", key=f"{key}-dl-{f['id']}")
    if not can(Action.REGISTERS):
        return
    uploads = st.file_uploader("为该条目上传证明材料（PDF、DOC、DOCX，单个不超过 10 MB）",
                               accept_multiple_files=True, key=f"{key}-files-{pick}")
    if refuse_wrong_types(uploads, EVIDENCE_TYPES, "未保存"):
        return
    if uploads and st.button("保存证明材料", key=f"{key}-save-files"):

        def save() -> None:
            for up in uploads:
                sniff_evidence(up.getvalue(), up.name)  # every file checked before the first is saved
            for up in uploads:
                store().registers.add_evidence(sheet, year, entry["unit_id"], name, up.name, up.getvalue(), actor)

        actions.run(key, save, done=f"已保存 {len(uploads)} 份证明材料", rerun=True, now=True)


def add_form(sheet: str, key: str) -> None:
    """The form: one entry (with optional evidence files), refused when it repeats one of the year."""
    actor = require(Action.REGISTERS)
    if actor is None:
        return
    units = register.active(month)
    ids = [u.id for u in units]
    with st.form(f"{key}-add", clear_on_submit=True):
        c1, c2 = st.columns(2)
        unit_id = c1.selectbox("单位", ids, format_func=lambda u: register.by_id[u].name_at(month), key=f"{key}-unit")
        months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
        when = c2.selectbox("登记月份（从该月起计分）", months, index=upto - 1, format_func=month_label,
                            key=f"{key}-month")
        data = {}
        for header in headers(sheet):
            if header == UNIT_COL:
                continue
            if header == INDUSTRY_COL:
                data[header] = st.selectbox(header, INDUSTRIES, index=None, placeholder="请选择门类", key=f"{key}-{header}")
            else:
                required = "（必填）" if header == KEY_COLUMN[sheet] else ""
                data[header] = st.text_input(header + required, key=f"{key}-{header}")
        files = st.file_uploader("证明材料（可选；PDF、DOC、DOCX）",
                                 accept_multiple_files=True, key=f"{key}-form-files")
        if not st.form_submit_button("添加登记", type="primary"):
            return
    def add() -> int:
        for f in files or []:
            sniff_evidence(f.getvalue(), f.name)  # check every file before anything is written
        entry_id = store().registers.add_register_entry(sheet, when, unit_id, data, actor)
        for f in files or []:
            store().registers.add_evidence(sheet, year, unit_id, data[KEY_COLUMN[sheet]], f.name, f.getvalue(), actor)
        return entry_id

    actions.run(key, add, rerun=True, now=True,
                done=lambda entry_id: f"已添加登记条目 #{entry_id}" + (f"，附 {len(files)} 份证明材料" if files else ""))


def withdraw_form(sheet: str, table: pd.DataFrame, key: str) -> None:
    typed = table[table["来源"] == SOURCE_FORM]
    if typed.empty or not can(Action.REGISTERS):
        return
    with st.container(border=True):  # not an expander: a rerun from its own select box must not fold it away
        st.markdown("**撤回本页录入的条目**")
        labels = {int(r["条目编号"]): f"#{int(r['条目编号'])} {r[UNIT_COL]} · {r[KEY_COLUMN[sheet]]}" for _, r in typed.iterrows()}
        pick = st.selectbox("条目", list(labels), format_func=labels.get, key=f"{key}-withdraw")
        reason = st.text_input("撤回原因", key=f"{key}-reason")
        if st.button("撤回", key=f"{key}-withdraw-btn"):
            actions.run(key, lambda: store().registers.withdraw_register_entry(pick, current_actor(), reason), rerun=True,
                        now=True, done=f"已撤回条目 #{pick}（记录保留，不再计分）")


for i, (tab, sheet) in enumerate(zip(st.tabs(list(REGISTER_TITLES.values())), REGISTER_TITLES)):
    key = f"reg{i}"
    with tab:
        actions.show(key)
        view = store().registers.register_view(year, upto, sheet)
        table = view.table
        st.caption(f"计分指标——{scored_by(sheet)}。有 1 条（去重后）即得满分。")
        counts = unit_counts(register, month, table,
                             {g: loaders.inputs(month, g).register_counts(sheet) for g in GROUPS})
        m1, m2, m3 = st.columns(3)
        m1.metric("登记条目", f"{len(table)} 条")
        m2.metric("其中重复（只计一次）", f"{int(table['重复'].sum())} 条")
        m3.metric("尚无登记的单位", f"{int((counts['计分条目数'] == 0).sum())} 个")
        with st.expander("各单位计分条目数", expanded=False):
            st.dataframe(counts, hide_index=True, width="stretch", key=f"{key}-counts")
        shown = filtered(table, key)
        cols = ["month", *headers(sheet), "出处", "重复说明", "证明材料"]
        st.dataframe(shown[cols].assign(month=shown["month"].map(month_label)).rename(columns={"month": "月份"}),
                     hide_index=True, width="stretch",
                     key=f"{key}-table")
        show_evidence(sheet, table, key)
        st.markdown("**新增登记**")
        add_form(sheet, key)
        withdraw_form(sheet, table, key)
