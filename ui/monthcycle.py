"""月度闭环 on the pages: 报送进度, the 通报 text editor, the 签发 form, 更正 diff and 发布记录.

Shared by 数据上传, Home (月度排名) and 月度通报. Every check and write lives in credit/
(`credit.app.publish`, `store.publishing`); these functions only draw and hand the input over.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from credit.app.publish import (
    bulletin_text,
    candidate_data,
    month_end,
    publish_month,
    save_bulletin_text,
)
from credit.app.service import open_store
from credit.common.clock import beijing, today
from credit.common.labels import GROUPS
from credit.common.months import month_label
from credit.model.accounts import Actor
from credit.model.contract import OPTIONAL_SHEETS
from credit.reports.bulletin import EDITABLE, TEXT_PARTS
from credit.reports.candidate import changed, later_months_note, month_changes_note, record_vs_candidate
from credit.reports.exports import MIME
from credit.reports.pdf import serve_warm
from credit.reports.status import EMPTY, MISSING, REPORTED, chase_xlsx, expected_view, month_status
from credit.store.publishing import PUBLISHED
from ui import actions
from ui.context import db_path, store
from ui.monthstate import state_banner
from ui.safe import md
from ui.widgets import arrow

SLOT = "monthcycle"  # where the bulletin page shows what the last 签发/保存 did (ui.actions)
XLSX_MIME = MIME["xlsx"]
FORMAT_LABELS = {"docx": "Word", "pdf": "PDF", "xlsx": "Excel 附件"}


def flash() -> None:
    """Show (once) what the last 签发/保存 did, after its rerun."""
    actions.show(SLOT)


def month_state_line(month: str) -> None:
    """The month's state for every role (kept for callers; drawn by ui.monthstate)."""
    state_banner(month)


def status_section(month: str, key: str, expanded: bool = False) -> None:
    """报送进度: counts, the unit × sheet grid and the 催报清单 download."""
    status = month_status(store(), month)
    st.subheader(f"{month_label(month)}报送进度")
    c1, c2, c3 = st.columns(3)
    c1.metric("已报送", f"{status.count(REPORTED)} 项")
    c2.metric("报送为空", f"{status.count(EMPTY)} 项", help="单位的行各项均为空白（填 0 算已填），建议电话核实")
    c3.metric("未报送", f"{status.count(MISSING)} 项")
    optional = "；".join(f"{s}：{status.sheets[s]}" for s in OPTIONAL_SHEETS)
    st.caption(f"按需报送的表（有新记录时才需报送，不计入未报送）——{optional}。")
    if status.complete:
        st.caption("各单位应报的工作表均已报送。")
    else:
        st.warning(f"未报送：{md(status.missing_text())}。", icon=":material/schedule:")
    with st.expander("各单位报送明细", expanded=expanded):
        st.dataframe(expected_view(status), hide_index=True, width="stretch", key=f"{key}-status")
    st.download_button("下载催报清单（Excel）", data=lambda: chase_xlsx(status), file_name=f"催报清单_{month}.xlsx",
                       mime=XLSX_MIME, on_click="ignore", icon=":material/notification_important:",
                       key=f"{key}-chase")


def text_editor(month: str, actor: Actor) -> None:
    """The office's own paragraphs of the 通报, after the ones generated from the figures (shown, not edited)."""
    st.subheader("通报文稿")
    saved = store().publishing.saved_text(month)
    data = candidate_data(store(), month)
    st.caption((f"已保存：{md(saved['saved_by'])} 于 {beijing(saved['saved_at'], seconds=False)}。" if saved else "")
               + "“总体情况”“存在问题”中的数字按当前数据自动生成、不在此编辑；下面填写的是信用办补充的段落。")
    if data.stale:
        st.warning("**文稿已过期**：保存文稿后数据有变化，系统生成的部分已按当前数据更新。请核对补充段落是否仍然适用，"
                   "重新保存后才能签发。变化如下：", icon=":material/update:")
        st.text("\n".join(data.stale))
    edits = bulletin_text(store(), month)
    own = {k: getattr(edits, k) if edits else "" for k in TEXT_PARTS}
    if not own["requirements"]:
        own["requirements"] = data.generated.requirements
    with st.form(f"text-{month}"):
        values = {}
        for k, name in TEXT_PARTS.items():
            if k in EDITABLE:
                with st.expander(f"{name}（系统生成）", expanded=False):
                    st.text("\n".join(data.generated.paragraphs(k)))
                values[k] = st.text_area(f"{name}（信用办补充段落，可留空）", value=own[k], height=110,
                                         key=f"text-{month}-{k}")
            else:
                values[k] = st.text_area(name, value=own[k], height=160, key=f"text-{month}-{k}")
        if st.form_submit_button("保存文稿", icon=":material/save:"):
            actions.run(SLOT, lambda: save_bulletin_text(store(), month, values, actor),
                        done=lambda changed: "文稿已保存。" if changed else "文稿没有变化。", rerun=True, now=True)


def _diff_section(month: str) -> None:
    st.markdown("**更正候选与已发布结果的差异**（当前数据 − 已发布）")
    moved = False
    for group in GROUPS:
        moved_rows = changed(record_vs_candidate(store(), month, group))  # the upload page's comparison too
        if moved_rows.empty:
            continue
        moved = True
        st.dataframe(moved_rows.assign(排名变化=[arrow(d) for d in moved_rows["排名变化"]]), hide_index=True,
                     width="stretch", key=f"diff-{group}")
    if not moved:
        st.caption("当前数据与已发布结果一致，没有需要更正的得分或排名。")
    for note in (month_changes_note(store(), month), later_months_note(store(), month)):
        if note:
            st.warning(note, icon=":material/history:")


def publish_form(month: str, actor: Actor) -> None:
    """签发 (or 更正) form; the refusals come from credit.app.publish in Chinese."""
    serve_warm(prestart=True)  # the PDF converter starts while the office fills the form
    pub = store().publishing.current_publication(month)
    status = month_status(store(), month)
    st.subheader("签发更正通报" if pub else "签发通报")
    if pub:
        _diff_section(month)
    with st.form(f"publish-{month}"):
        c1, c2, c3 = st.columns([2, 1, 1])
        number = c1.text_input("文号", placeholder="平信用办〔2022〕11号", key=f"pub-number-{month}")
        # A text box, not st.date_input: its calendar follows the browser's language (English month
        # and weekday names on an English browser); credit reads the text (read_date) in Chinese.
        first_day = max(today(), month_end(month) + timedelta(days=1))
        issued = c2.text_input("成文日期", value=f"{first_day:%Y-%m-%d}", key=f"pub-date-text-{month}",
                               placeholder="例如 2022-11-05 或 2022年11月5日")
        signer = c3.text_input("签发人", key=f"pub-signer-{month}")
        reason = st.text_area("更正说明（必填：为什么更正、更正了什么）", key=f"pub-reason-{month}") if pub else ""
        force, force_reason = False, ""
        if not status.complete:
            st.warning(f"报送进度仍有 {status.count(MISSING)} 项未报送：{md(status.missing_text())}。")
            force = st.checkbox("仍然发布", key=f"pub-force-{month}")
            force_reason = st.text_input("仍然发布的原因（将记入操作日志）", key=f"pub-force-reason-{month}")
        pending = store().unit_desk.open_objections(month)
        confirm_objections = False
        if pending:
            st.warning(f"仍有 {len(pending)} 项申诉未处理，签发后这些申诉将不影响本次通报。")
            confirm_objections = st.checkbox("申诉未处理仍然签发", key=f"pub-objections-{month}")
        label = "签发更正通报" if pub else "签发通报"
        if st.form_submit_button(label, type="primary", icon=":material/approval:"):
            with st.spinner("正在生成并签发通报（Word、Excel、PDF）…"):
                outcome = actions.run(SLOT, lambda: publish_month(
                    store(), month, number, issued, signer, actor, force_reason=force_reason if force else "",
                    correction_reason=reason, objections_confirmed=confirm_objections), now=True)
            if outcome:  # said after the rerun (a message drawn now would be wiped by it)
                done = outcome.value
                actions.keep(SLOT, md(f"已签发{'更正通报' if done.kind == 'correction' else '通报'} {done.number}。"))
                st.rerun()  # outside the spinner, which would otherwise stay drawn into the rerun


def publications_section(month: str | None = None) -> None:
    """发布记录: every issued 通报 / 更正通报 with downloads of the exact files issued."""
    pubs = store().publishing.publications(month)
    st.subheader("发布记录")
    if not pubs:
        st.caption("尚未签发任何通报。")
        return
    numbers = {p["id"]: p["number"] for p in store().publishing.publications()}
    db = db_path()
    for p in pubs:
        what = "更正通报" if p["kind"] == "correction" else "通报"
        head = f"{month_label(p['month'])}{what} {p['number']}　成文日期 {p['issued']}　签发人 {p['signer']}"
        with st.container(border=True):
            st.markdown(f"**{md(head)}**")
            notes = [f"签发操作：{p['published_by']}，{beijing(p['published_at'], seconds=False)}"]
            if p["corrects"]:
                notes.append(f"更正 {numbers.get(p['corrects'], '')}：{p['reason']}")
            if p["override"]:
                notes.append(f"仍然发布（{len(p['missing'])} 项未报送）：{p['override']}")
            st.caption(md("；".join(notes)))
            cols = st.columns(max(len(p["files"]), 1))
            for col, f in zip(cols, p["files"]):
                col.download_button(
                    f"下载{FORMAT_LABELS.get(f['format'], f['format'])}",
                    data=lambda pid=p["id"], fmt=f["format"]: _file(db, pid, fmt), file_name=f["filename"],
                    mime=MIME.get(f["format"], "application/octet-stream"), on_click="ignore",
                    key=f"pubfile-{p['id']}-{f['format']}", help=f"sha256：{f['sha256']}",
                )


def _file(db: str, pub_id: int, fmt: str) -> bytes:
    """The stored bytes, read on a fresh connection (downloads run outside the script thread)."""
    with open_store(db) as s:
        return s.publishing.publication_file(pub_id, fmt)[1]


def is_published(month: str) -> bool:
    return store().publishing.month_state(month) == PUBLISHED
