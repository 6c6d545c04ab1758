"""月度通报：preview what the month's bulletin says (sentences, warnings, tables) and download it."""

from datetime import date

import pandas as pd
import streamlit as st

from credit.app.publish import bulletin_text
from credit.common.labels import GROUPS
from credit.common.months import month_label
from credit.model.accounts import Action
from credit.reports.bulletin import ALERT_RULES, RED, YELLOW, BulletinData, IssueInfo, alerts_frame, build_bulletin_data
from ui import loaders, monthcycle
from ui.auth import current_actor
from ui.bulletin import bulletin_downloads
from ui.context import current_month, data_version, db_path, store
from ui.router import ensure_router
from ui.safe import md
from ui.widgets import arrow, blank_missing

ensure_router()


@st.cache_data(show_spinner="正在生成通报…", max_entries=16)
def _bulletin(db: str, version: int, month: str) -> BulletinData:
    """The preview: the saved prose (else the draft), numbered as issued once the month is published."""
    scored = {g: loaders.group_month(month, g) for g in GROUPS}
    pub = store().publishing.current_publication(month)
    issue = IssueInfo(pub["number"], date.fromisoformat(pub["issued"]), pub["signer"]) if pub else None
    return build_bulletin_data(store(), month, scored=scored, text=bulletin_text(store(), month), issue=issue)


month = current_month()
st.title("月度通报")
if month is None:
    st.info("数据库中还没有数据。请信用办先到“数据上传”页面导入月报表。")
    st.stop()
data = _bulletin(db_path(), data_version(), month)
st.caption(f"考核月份：{month_label(month)}　·　通报以 Word（公文格式）、PDF 和 Excel 附件下载，内容与下方预览一致。")
monthcycle.flash()
monthcycle.month_state_line(month)
bulletin_downloads(month, key="bulletin-page", data=data)
actor = current_actor()
office = actor is not None and actor.can(Action.PUBLISH)

st.subheader(md(data.title))
st.caption(md(f"{data.issuer}　{data.issue.number or f'{data.month[:4]}年第{data.issue_no}期（草稿）'}"))
for line in data.text.paragraphs("overall"):
    st.markdown(md(line))  # the office's edited prose: shown as typed

st.subheader("预警提示")
red, yellow = data.alerts_of(RED), data.alerts_of(YELLOW)
c1, c2 = st.columns(2)
c1.metric("红色预警", f"{len(red)} 个", help=ALERT_RULES[RED])
c2.metric("黄色预警", f"{len(yellow)} 个", help=ALERT_RULES[YELLOW])
for a in red:
    st.error(f"**{md(a.unit)}**（{a.group}）：{md(a.reason)}", icon="🚨")
if yellow:
    with st.expander(f"黄色预警 {len(yellow)} 个", expanded=not red):
        st.table(alerts_frame(yellow).drop(columns="预警等级"), hide_index=True)  # the reason wraps, not cut off
if not data.alerts:
    st.success("本月各单位均无预警。")

tabs = st.tabs([f"{gb.label}排名" for gb in data.groups] + ["扣分事项"])
for tab, gb in zip(tabs, data.groups):
    with tab:
        ranked = gb.table.assign(排名变化=gb.table["排名变化"].map(arrow))  # ↑2 / ↓1 / —, as the caption says
        table = blank_missing(ranked, "—", digits={c: 2 for c in ranked.select_dtypes("float").columns})
        st.dataframe(table, hide_index=True, width="stretch", column_config={  # 9.00 and 8.75 alike
            c: st.column_config.NumberColumn(format="%.2f") for c in table.select_dtypes("float").columns})
with tabs[-1]:
    ded = data.deductions
    if ded.empty:
        st.caption("本年度至今没有扣分事项。")
    else:
        new = ded[ded["本月新增"] == "是"]
        st.caption(f"本年累计 {len(ded)} 项，其中本月新增 {len(new)} 项（“本月新增”列为“是”）。")
        st.dataframe(ded, hide_index=True, width="stretch",
                     column_config={"扣分": st.column_config.NumberColumn(format="%.2f")})
for note in data.notes:
    st.caption(md(note))
if pd.isna(getattr(data.xyd, "new", float("nan"))):
    st.caption("信易贷：本年尚未设定目标或全县注册数未报送，通报中相应部分从略。")

if office:
    st.divider()
    monthcycle.status_section(month, key="bulletin")
    st.divider()
    monthcycle.text_editor(month, actor)
    st.divider()
    monthcycle.publish_form(month, actor)
st.divider()
monthcycle.publications_section()
