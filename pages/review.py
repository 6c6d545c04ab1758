"""报送审核 (信用办): units' pending submissions (accept into the month's data, or return with a
reason) and open 申诉 (accept with a correction as a new data version, or reject with a reason)."""

import streamlit as st

from credit.common.clock import beijing
from credit.common.months import month_label
from ui import actions
from ui.auth import require
from ui.context import store
from ui.router import ensure_router

ensure_router()

st.title("报送审核")
actor = require("review")
if actor is None:
    st.stop()
desk = store().unitdesk
month = desk.collecting_month()
if month is None:
    st.info("数据库中还没有数据。")
    st.stop()
names = {u.id: u.name_at(month) for u in store().register()}
actions.show("review")


def _act(fn, done: str) -> None:
    actions.run("review", fn, done=done, rerun=True, now=True)


st.subheader(f"待审核的单位报送（{month_label(month)}）")
pending = sorted(desk.pending_submissions(month), key=lambda s: s["id"])
if not pending:
    st.info("没有待审核的单位报送。")
for s in pending:
    with st.expander(f"#{s['id']} {names.get(s['unit_id'], s['unit_id'])}：{s['filename']}"
                     f"（{'、'.join(s['sheets'])}；{beijing(s['submitted_at'])} 由 {s['submitted_by']} 提交）",
                     expanded=True):
        st.download_button("下载报送文件", data=lambda sid=s["id"]: desk.submission_bytes(actor, sid)[1],
                           file_name=s["filename"], on_click="ignore", key=f"sub-dl-{s['id']}")
        surges = desk.submission_surges(actor, s["id"])
        checked = False
        if not surges.empty:
            st.warning(f"有 {len(surges)} 项数值比上月增长超过 10 倍，可能是多打了位数或单位填错（元/万元），请逐项核对后再采纳。")
            st.dataframe(surges, hide_index=True, width="stretch",
                         column_config={c: st.column_config.NumberColumn(format="%.2f") for c in ("上月值", "新值")})
            checked = st.checkbox(f"我已逐项核对这 {len(surges)} 项数值，确认无误", key=f"sub-surges-{s['id']}")
        c1, c2 = st.columns(2)
        if c1.button("采纳并入本月数据", key=f"sub-ok-{s['id']}", type="primary", disabled=not surges.empty and not checked):
            _act(lambda sid=s["id"], ok=checked: desk.accept_submission(actor, sid, surges_confirmed=ok),
                 f"已采纳报送 #{s['id']}，已生成新的数据版本。")
        reason = c2.text_input("退回原因", key=f"sub-reason-{s['id']}")
        if c2.button("退回", key=f"sub-back-{s['id']}"):
            _act(lambda sid=s["id"], r=reason: desk.return_submission(actor, sid, r), f"已退回报送 #{s['id']}。")

st.subheader("待处理的申诉")
opened = sorted(desk.objections(actor, month, status="open"), key=lambda o: o["id"])  # oldest first
if not opened:
    st.info("没有待处理的申诉。")
for o in opened:
    with st.expander(f"申诉 #{o['id']} {names.get(o['unit_id'], o['unit_id'])}：{o['summary']}", expanded=True):
        st.markdown(f"**申诉理由**：{o['reason']}")
        if o["target"] == "figure":
            st.markdown(f"**单位认为正确的数值**：{o['proposed']:g}")
        if o["att_name"]:
            st.download_button(f"下载附件：{o['att_name']}",
                               data=lambda oid=o["id"]: desk.objection_attachment(actor, oid)[1],
                               file_name=o["att_name"], on_click="ignore", key=f"obj-dl-{o['id']}")
        c1, c2 = st.columns(2)
        note = c1.text_input("受理说明（可选）", key=f"obj-note-{o['id']}")
        if c1.button("受理并更正", key=f"obj-ok-{o['id']}", type="primary"):
            _act(lambda oid=o["id"], n=note: desk.accept_objection(actor, oid, n), f"已受理申诉 #{o['id']}，更正已生成新的数据版本。")
        why = c2.text_input("不予采纳的理由", key=f"obj-reason-{o['id']}")
        if c2.button("不予采纳", key=f"obj-no-{o['id']}"):
            _act(lambda oid=o["id"], r=why: desk.reject_objection(actor, oid, r), f"申诉 #{o['id']} 已不予采纳。")

done = [o for o in desk.objections(actor, month) if o["status"] != "open"]
if done:
    st.subheader("已处理的申诉")
    st.dataframe([{"编号": o["id"], "单位": names.get(o["unit_id"], o["unit_id"]), "申诉事项": o["summary"],
                   "结果": o["status_name"], "说明": o["decision"], "处理人": o["decided_by"],
                   "处理时间": beijing(o["decided_at"])} for o in done], hide_index=True, width="stretch")
