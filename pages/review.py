"""报送审核 (信用办): units' pending submissions — what adopting each would change (figures before →
after, rows added and removed, tenfold rises), adopted only after a second, explicit confirmation,
or returned with a reason — open 申诉 (采纳: withdraw the event, or make it 主动处理; or 不予采纳 with
a reason), and the history of decided submissions and objections."""

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.common.months import month_label
from credit.common.rounding import figure_text
from credit.model.accounts import Action
from credit.store.unitdesk import OBJECTION_ACTIONS, outcome_message
from ui import actions
from ui.auth import require
from ui.context import store
from ui.router import ensure_router
from ui.safe import md

ensure_router()

st.title("报送审核")
actor = require(Action.REVIEW)
if actor is None:
    st.stop()
desk = store().unit_desk
month = desk.collecting_month()
if month is None:
    st.info("数据库中还没有数据。")
    st.stop()
names = {u.id: u.name_at(month) for u in store().units.register()}
actions.show("review")
CONFIRM = "review_confirm"  # the submission whose 采纳 waits for the second click


def _act(fn, what: str) -> None:
    """Run a decision; tell only what happened (versions made or none)."""
    def call():
        created = fn()
        st.session_state.pop(CONFIRM, None)
        return created

    actions.run("review", call, rerun=True, now=True,
                done=lambda created: outcome_message(what, created) if created is not None else what + "。")


st.subheader(f"待审核的单位报送（{month_label(month)}）")
pending = sorted(desk.pending_submissions(month), key=lambda s: s["id"])
if not pending:
    st.info("没有待审核的单位报送。")
for s in pending:
    unit_name = names.get(s["unit_id"], s["unit_id"])
    with st.expander(f"#{s['id']} {md(unit_name)}：{md(s['filename'])}"
                     f"（{'、'.join(s['sheets'])}；{md(beijing(s['submitted_at']))} 由 {md(s['submitted_by'])} 提交）",
                     expanded=True):
        st.download_button("下载报送文件", data=lambda sid=s["id"]: desk.submission_bytes(actor, sid)[1],
                           file_name=s["filename"], on_click="ignore", key=f"sub-dl-{s['id']}")
        read = actions.run("review", lambda sid=s["id"]: desk.submission_changes(actor, sid), now=True,
                           refused="这份报送已无法按当前名册读取：")
        changes = read.value if read else None
        if changes is not None:
            st.markdown("**采纳后的变化**")
            if changes.nothing:
                st.info("与当前数据相同：采纳后不会改变任何数值或事项。")
            if not changes.figures.empty:
                shown = changes.figures.copy()
                for col in ("当前值", "新值", "上月值"):  # as typed: 2871.5 stays 2,871.5
                    shown[col] = shown[col].map(figure_text)
                st.dataframe(shown, hide_index=True, width="stretch")
            if not changes.records.empty:
                st.dataframe(changes.records, hide_index=True, width="stretch")
            if changes.kept_office:
                st.caption(f"信用办录入的本单位 {changes.kept_office} 条记录（如异议信息）不受这份报送影响。")
        surges = changes.surges if changes is not None else pd.DataFrame()
        checked = False
        if not surges.empty:
            st.warning(f"有 {len(surges)} 项数值比上月增长超过 10 倍，可能是多打了位数或单位填错（元/万元），请逐项核对后再采纳。")
            st.dataframe(surges, hide_index=True, width="stretch",
                         column_config={c: st.column_config.NumberColumn(format="localized") for c in ("上月值", "新值")})
            checked = st.checkbox(f"我已逐项核对这 {len(surges)} 项数值，确认无误", key=f"sub-surges-{s['id']}")
        c1, c2 = st.columns(2)
        blocked = changes is None or (not surges.empty and not checked)
        if st.session_state.get(CONFIRM) == s["id"]:
            c1.warning(f"确认将上表的变化并入{month_label(month)}的数据？")
            if c1.button("确认采纳", key=f"sub-yes-{s['id']}", type="primary", disabled=blocked):
                _act(lambda sid=s["id"], ok=checked: desk.accept_submission(actor, sid, surges_confirmed=ok),
                     f"已采纳报送 #{s['id']}（{unit_name}）")
            if c1.button("取消", key=f"sub-no-{s['id']}"):
                st.session_state.pop(CONFIRM, None)
                st.rerun()
        elif c1.button("采纳并入本月数据…", key=f"sub-ok-{s['id']}", type="primary", disabled=blocked):
            st.session_state[CONFIRM] = s["id"]
            st.rerun()
        reason = c2.text_input("退回原因", key=f"sub-reason-{s['id']}")
        if c2.button("退回", key=f"sub-back-{s['id']}"):
            _act(lambda sid=s["id"], r=reason: desk.return_submission(actor, sid, r), f"已退回报送 #{s['id']}")

st.subheader("待处理的申诉")
opened = sorted(desk.objections(actor, month, status="open"), key=lambda o: o["id"])  # oldest first
if not opened:
    st.info("没有待处理的申诉。")
for o in opened:
    with st.expander(f"申诉 #{o['id']} {md(names.get(o['unit_id'], o['unit_id']))}：{md(o['summary'])}", expanded=True):
        st.text(f"申诉理由：{o['reason']}")  # the unit's own words: never rendered as Markdown
        if o["target"] == "figure":
            st.markdown(f"**单位认为正确的数值**：{o['proposed']:,g}")
        if o["att_name"]:
            st.download_button(f"下载附件：{md(o['att_name'])}",
                               data=lambda oid=o["id"]: desk.objection_attachment(actor, oid)[1],
                               file_name=o["att_name"], on_click="ignore", key=f"obj-dl-{o['id']}")
        c1, c2 = st.columns(2)
        note = c1.text_input("采纳说明（可选）", key=f"obj-note-{o['id']}")
        what = f"已采纳申诉 #{o['id']}"
        if o["target"] == "event":
            for action, label in OBJECTION_ACTIONS.items():
                if c1.button(label, key=f"obj-{action}-{o['id']}", type="primary" if action == "withdraw" else "secondary"):
                    _act(lambda oid=o["id"], n=note, a=action: desk.accept_objection(actor, oid, n, remedy=a), what)
        elif c1.button("采纳并更正", key=f"obj-ok-{o['id']}", type="primary"):
            _act(lambda oid=o["id"], n=note: desk.accept_objection(actor, oid, n), what)
        why = c2.text_input("不予采纳的理由", key=f"obj-reason-{o['id']}")
        if c2.button("不予采纳", key=f"obj-no-{o['id']}"):
            _act(lambda oid=o["id"], r=why: desk.reject_objection(actor, oid, r), f"申诉 #{o['id']} 已不予采纳")

def _adopt_file(ev_id: int) -> None:
    """采纳 a unit's file: it becomes the entry's 证明材料 (no data version is made, so none is claimed)."""
    desk.accept_evidence(actor, ev_id)


st.subheader("待采纳的证明材料")
waiting_files = sorted(desk.unit_evidence(actor, status="pending"), key=lambda e: e["id"])
if not waiting_files:
    st.info("没有待采纳的单位证明材料。")
for e in waiting_files:
    with st.expander(f"证明材料 #{e['id']} {names.get(e['unit_id'], e['unit_id'])}：{e['year']} 年{e['sheet']}"
                     f"「{e['entry_name']}」（{beijing(e['submitted_at'])} 由 {e['submitted_by']} 提交）", expanded=True):
        st.download_button(f"下载：{e['filename']}", data=lambda eid=e["id"]: desk.unit_evidence_bytes(actor, eid)[1],
                           file_name=e["filename"], on_click="ignore", key=f"ev-dl-{e['id']}")
        c1, c2 = st.columns(2)
        if c1.button("采纳为该条目的证明材料", key=f"ev-ok-{e['id']}", type="primary"):
            _act(lambda eid=e["id"]: _adopt_file(eid), f"已采纳证明材料 #{e['id']}，已计入该条目")
        why = c2.text_input("材料退回原因", key=f"ev-reason-{e['id']}")
        if c2.button("退回材料", key=f"ev-back-{e['id']}"):
            _act(lambda eid=e["id"], r=why: desk.return_evidence(actor, eid, r), f"已退回证明材料 #{e['id']}")

decided = [s for s in desk.submissions(actor, month) if s["status"] in ("accepted", "returned")]
if decided:
    st.subheader("已处理的报送")
    st.dataframe(pd.DataFrame([{
        "编号": s["id"], "单位": names.get(s["unit_id"], s["unit_id"]), "文件": s["filename"],
        "结果": s["status_name"], "退回原因": s["reason"] or "", "处理人": s["decided_by"],
        "处理时间": beijing(s["decided_at"]),
        "生成版本": "、".join(f"{sh} 第 {v} 版" for sh, v in (s["versions"] or [])),
    } for s in decided]), hide_index=True, width="stretch")
files_done = [e for e in desk.unit_evidence(actor) if e["status"] != "pending"][:50]
if files_done:
    st.subheader("已处理的证明材料")
    st.dataframe(pd.DataFrame([{
        "编号": e["id"], "单位": names.get(e["unit_id"], e["unit_id"]), "登记表": e["sheet"], "条目": e["entry_name"],
        "文件": e["filename"], "结果": e["status_name"], "退回原因": e["reason"] or "", "处理人": e["decided_by"],
        "处理时间": beijing(e["decided_at"])} for e in files_done]), hide_index=True, width="stretch")
done = [o for o in desk.objections(actor, month) if o["status"] != "open"]
if done:
    st.subheader("已处理的申诉")
    st.dataframe(pd.DataFrame([{"编号": o["id"], "单位": names.get(o["unit_id"], o["unit_id"]), "申诉事项": o["summary"],
                                "结果": o["status_name"], "说明": o["decision"], "处理人": o["decided_by"],
                                "处理时间": beijing(o["decided_at"])} for o in done]),
                 hide_index=True, width="stretch")
