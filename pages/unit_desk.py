"""填报与申诉 (被考核单位): the unit's own row for the collecting month, its one-unit workbook,
its submissions and their outcome, 申诉 on a deduction, and its own evidence files.

Every check is in `credit.store.unitdesk` (row-level rule, month open, importer validation);
this page only collects input and shows the domain's Chinese messages."""

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.common.filetypes import WORKBOOK_TYPES, XLSX_MIME
from credit.common.months import month_label
from credit.common.rounding import figure_text
from credit.errors import CreditError, WorkbookError
from credit.model.accounts import Action
from credit.model.contract import GROUP_SHEET, REGISTER_SHEETS, SHEETS
from credit.workbook.registers import KEY_COLUMN, headers
from credit.workbook.template import column_note, number_rule
from ui import actions
from ui.auth import require
from ui.context import store
from ui.router import ensure_router
from ui.safe import md, show_error
from ui.uploads import refuse_wrong_types
from ui.widgets import blank_missing

ensure_router()

st.title("填报与申诉")
actor = require(Action.SUBMIT)
if actor is None:
    st.stop()
desk = store().unit_desk
unit = store().units.register().get(actor.unit_id)
month = desk.collecting_month()
if month is None:
    st.info("信用办尚未开始收集任何月份的数据。")
    st.stop()
name = unit.name_at(month)
sheet = SHEETS[GROUP_SHEET[unit.group]]
is_open = not desk.published(month)
st.caption(f"本单位：{md(name)}　当前收集月份：{month_label(month)}"
           + ("" if is_open else "（结果已发布，不能再报送或申诉）"))
waiting = desk.pending_of(actor, month, unit.id)


def _refused(exc: CreditError) -> None:
    """A refusal: a file's problems one per line (sheet, row, column, fix), like the office's importer."""
    if isinstance(exc, WorkbookError):
        st.error(f"发现 {len(exc.errors)} 处问题，未提交。请按“修改建议”改正后重新提交：")
        st.dataframe(pd.DataFrame([e.as_dict() for e in exc.errors]), hide_index=True, width="stretch")
    else:
        show_error(exc)


def _replace_box(key: str, inside=st) -> bool:
    """When a submission still waits: say that this one replaces it, and ask."""
    if waiting is None:
        return True
    inside.warning(f"报送 #{waiting['id']}（{beijing(waiting['submitted_at'])} 提交）尚待信用办审核；"
                   "再次提交将替代它，信用办只审核最新的一份。")
    return inside.checkbox(f"用这次提交替代报送 #{waiting['id']}", key=key)

tab_form, tab_file, tab_subs, tab_obj, tab_evidence = st.tabs(
    ["在线填报", "上传填报文件", "我的报送", "申诉", "证明材料"])

with tab_form:
    current = next((r for r in store().datasets.current_sheet(month, sheet.name) if r["unit_id"] == unit.id), {})
    st.caption(f"与月报表「{sheet.name}」表本单位一行相同的各列；已有数值为当前数据。提交后须经信用办审核采纳才计入。")
    with st.form("unit-row"):
        values: dict[str, object] = {}
        for col in sheet.columns:
            if col.kind not in ("flow", "stock"):
                continue
            rule = number_rule(sheet, col.header)
            cur = current.get(col.header)
            if rule.integer:
                values[col.header] = st.number_input(
                    col.header, min_value=int(rule.minimum), step=1, format="%d",
                    value=None if cur is None else int(cur), help=column_note(sheet, col, month))
            else:
                values[col.header] = st.number_input(
                    col.header, min_value=float(rule.minimum), step=0.01, format="%.2f",
                    value=None if cur is None else float(cur), help=column_note(sheet, col, month))
        replace = _replace_box("replace-form")
        if st.form_submit_button("提交本月数据", type="primary", disabled=not is_open):
            actions.run("desk", lambda: desk.submit_form(actor, month, unit.id, values, replace_pending=replace),
                        done=lambda sid: f"已提交（报送 #{sid}），等待信用办审核。", rerun=True, on_refused=_refused)

with tab_file:
    st.caption("扣分事项、信易+场景、分级分类监管等请用本单位填报文件报送：下载、填写后上传。"
               "文件中只能有本单位的行。")
    st.download_button("下载本单位填报文件", data=lambda: desk.template(actor, month, unit.id),
                       file_name=f"{name}_{month}_填报.xlsx", on_click="ignore", key="dl-unit-template",
                       mime=XLSX_MIME)
    upload = st.file_uploader("上传填报文件（.xlsx / .xls）", key="unit-file")
    wrong = refuse_wrong_types(upload, WORKBOOK_TYPES, "未提交")
    replace = _replace_box("replace-file")
    if st.button("提交填报文件", disabled=upload is None or wrong or not is_open or not replace, type="primary"):
        actions.run("desk", lambda: desk.submit(actor, month, unit.id, upload.getvalue(), upload.name,
                                                replace_pending=replace),
                    done=lambda sid: f"已提交（报送 #{sid}），等待信用办审核。", rerun=True, on_refused=_refused)

actions.show("desk")

with tab_subs:
    subs = desk.submissions(actor)
    if not subs:
        st.info("尚无报送记录。")
    else:
        st.dataframe(pd.DataFrame([{
            "编号": s["id"], "月份": s["month"], "方式": "在线填报" if s["source"] == "form" else "上传文件",
            "文件": s["filename"], "状态": s["status_name"], "退回原因": s["reason"],
            "提交时间": beijing(s["submitted_at"]), "审核时间": beijing(s["decided_at"]) if s["decided_at"] else "",
        } for s in subs]), hide_index=True, width="stretch",
            column_config={"状态": st.column_config.TextColumn(width="small")})
        for s in subs[:6]:  # what each recent submission carried, as sent
            with st.expander(f"报送 #{s['id']} 的内容（{s['status_name']}）"):
                for sheet_name, table in desk.submission_content(actor, s["id"]).items():
                    st.markdown(f"**{sheet_name}**")
                    shown = table.copy()
                    for col in shown.columns:
                        shown[col] = shown[col].map(figure_text)
                    st.dataframe(shown, hide_index=True, width="stretch")

with tab_obj:
    options = desk.contestable(actor, month, unit.id)
    st.caption("结果发布前，可对本单位的一项扣分事项或一项报送数据提出申诉；附件须为 PDF、DOC 或 DOCX。")
    # Kept as typed when refused (a wrong attachment, a missing value); a fresh form after success.
    with st.form(f"objection-{st.session_state.get('obj_form', 0)}"):
        pick = st.selectbox("申诉事项", range(len(options)), format_func=lambda i: options[i]["summary"])
        reason = st.text_area("申诉理由（必填）")
        proposed = st.number_input("如申诉的是报送数据，请填写正确数值", min_value=0.0, value=None)
        att = st.file_uploader("附件（可选；PDF、DOC、DOCX）", key="obj-att")
        if st.form_submit_button("提交申诉", disabled=not options or not is_open):
            o = options[pick]
            def raise_it() -> int:
                oid = desk.raise_objection(
                    actor, month, unit.id, o["target"], reason, row=o["row"], event_month=o["month"],
                    field=o["field"], proposed=proposed,
                    attachment=(att.name, att.getvalue()) if att is not None else None)
                st.session_state["obj_form"] = st.session_state.get("obj_form", 0) + 1
                return oid

            actions.run("objection", raise_it, done=lambda oid: f"已提交申诉 #{oid}，等待信用办处理。", rerun=True,
                        now=True)
    actions.show("objection")
    mine = desk.objections(actor)
    if mine:
        st.dataframe(pd.DataFrame([{
            "编号": o["id"], "申诉事项": o["summary"], "理由": o["reason"], "附件": o["att_name"] or "",
            "状态": o["status_name"], "处理结果": o["decision"], "提交时间": beijing(o["raised_at"]),
        } for o in mine]), hide_index=True, width="stretch")



def _send_evidence(year: int, upto: int) -> None:
    """Send a 证明材料 file for one of the unit's own entries; it counts once the office adopts it."""
    entries = list(dict.fromkeys(  # each entry once, though the register may list it twice (重复)
        (reg, str(name)) for reg in REGISTER_SHEETS
        for name in store().registers.unit_register(actor, year, upto, reg, unit.id)[KEY_COLUMN[reg]].dropna()))
    st.markdown("**报送证明材料**")
    if not entries:
        st.caption("本单位本年尚无登记条目：请先在填报文件中报送信易+场景或分级分类监管条目，再上传其证明材料。")
    else:
        st.caption("为本单位的一个登记条目上传证明材料（PDF、DOC、DOCX），经信用办采纳后计入。")
        form_no = st.session_state.get("ev_form", 0)  # a fresh form (and file box) after each success
        with st.form(f"evidence-{form_no}"):
            pick = st.selectbox("登记条目", range(len(entries)), format_func=lambda i: "｜".join(entries[i]))
            doc = st.file_uploader("证明材料文件（PDF、DOC、DOCX）", key=f"ev-file-{form_no}")
            if st.form_submit_button("提交证明材料", type="primary"):
                def send() -> int:
                    if doc is None:
                        raise CreditError("请选择要上传的证明材料文件")
                    reg, entry = entries[pick]
                    eid = desk.submit_evidence(actor, reg, year, unit.id, entry, doc.name, doc.getvalue())
                    st.session_state["ev_form"] = st.session_state.get("ev_form", 0) + 1
                    return eid

                actions.run("evidence", send, done=lambda eid: f"已提交证明材料 #{eid}，等待信用办采纳。", rerun=True,
                            now=True)
    actions.show("evidence")
    sent = [e for e in desk.unit_evidence(actor) if e["year"] == year]
    if sent:
        st.dataframe(pd.DataFrame([{
            "编号": e["id"], "登记表": e["sheet"], "条目": e["entry_name"], "文件": e["filename"],
            "状态": e["status_name"], "退回原因": e["reason"] or "", "提交时间": beijing(e["submitted_at"]),
        } for e in sent]), hide_index=True, width="stretch")


with tab_evidence:
    year, upto = int(month[:4]), int(month[5:])
    for reg in REGISTER_SHEETS:
        own_rows = store().registers.unit_register(actor, year, upto, reg, unit.id)
        st.markdown(f"**{reg}**（本单位本年登记 {len(own_rows)} 项）")
        if not own_rows.empty:  # the columns the 证明材料 page shows, months as 2022年3月 (no internal ids)
            cols = ["month", *headers(reg), "出处", "重复说明", "证明材料"]
            shown = own_rows[cols].assign(month=own_rows["month"].map(month_label)).rename(columns={"month": "月份"})
            st.dataframe(blank_missing(shown), hide_index=True, width="stretch")
    _send_evidence(year, upto)
    files = store().registers.evidence_files(year, by=actor)
    if not files:
        st.info("本单位本年尚无已采纳的证明材料文件。")
    for f in files:
        st.download_button(f"{f['sheet']}｜{md(f['entry_name'])}｜{md(f['filename'])}",
                           data=lambda fid=f["id"]: store().registers.evidence_bytes(fid, by=actor)[1],
                           file_name=f["filename"], on_click="ignore", key=f"ev-{f['id']}")
