"""数据上传: the credit office's monthly import — template, upload, check, preview, confirm, rank changes.

Nothing is stored until 确认导入. The same batch of files is imported at most once per session
(a token of the files' sha256 in session_state), and the store itself turns an identical
re-import into a no-op, so a double click or a refresh never imports twice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.app import service
from credit.common.clock import beijing, this_month
from credit.common.filetypes import XLSX_MIME
from credit.common.labels import GROUPS
from credit.common.months import month_label
from credit.common.rounding import figure_text
from credit.errors import MonthMismatch
from credit.model.accounts import Action
from credit.model.contract import SHEETS
from credit.reports.candidate import later_months_note, month_changes_note, record_vs_candidate
from credit.workbook.error_list import error_list, error_workbook
from credit.workbook.preview import (
    FileCheck,
    UploadPreview,
    batch_token,
    build_preview,
    candidate_months,
    check_file,
    rank_changes,
    warning_table,
    without_empty,
)
from credit.workbook.template import build_template
from ui import actions, monthcycle
from ui.auth import require
from ui.context import data_version, db_path, months, store
from ui.preload import PREVIEW, preload
from ui.router import ensure_router
from ui.safe import md
from ui.widgets import arrow, blank_missing, cell_text

ensure_router()

IMPORTED_KEY = "upload_imported"  # tokens of batches imported in this session
RESULT_KEY = "upload_result"  # what the last import did, shown after the rerun
NONCE_KEY = "upload_nonce"  # part of the uploader's key: a new key empties the widget
STATUS_BADGE = {
    "new": ":material/fiber_new: 新增", "changed": ":material/edit: 有变化",
    "same": ":material/check_circle: 无变化", "superseded": ":material/skip_next: 不导入",
}

st.title("数据上传")
actor = require(Action.IMPORT)
if actor is None:
    st.caption("登录信用办或管理员账户后，可在此下载模板、上传月报表并预览、确认导入。")
    st.stop()


@st.cache_data(show_spinner="正在检查文件…", max_entries=32)
def _check(raw: bytes, filename: str, month: str, db: str, version: int) -> FileCheck:
    """Validation of one file, cached per (bytes, month, database version)."""
    return check_file(raw, filename, month, store().units.register())


@st.cache_resource(show_spinner=False, max_entries=16)
def _preview(db: str, version: int, month: str, files: tuple[tuple[str, str], ...],
             _checks: tuple[FileCheck, ...]) -> UploadPreview:
    """The import preview, once per (files by name and sha256, month, database version): the reruns
    of this page while the files stay chosen (ticking the surge check, typing the correction note,
    another session choosing the same files) draw it without recomputing. Read-only once made."""
    return build_preview(store(), month, list(_checks), store().units.register())


def _fmt_value(x: object) -> str:
    """A figure as typed (2871.5 → "2,871.5", never rounded); blank as （空白）."""
    if isinstance(x, float | int) and not isinstance(x, bool):
        return figure_text(x, "（空白）")
    return cell_text(x, "（空白）")


def _show_table(df: pd.DataFrame, value_cols: tuple[str, ...] = ()) -> None:
    text = {col: [_fmt_value(v) for v in df[col].tolist()] for col in value_cols if col in df}
    st.dataframe(blank_missing(df.assign(**text)), hide_index=True, width="stretch")


def _show_result(result: dict) -> None:
    created = "、".join(f"「{s}」第 {v} 版" for s, v in result["created"]) or "无"
    st.success(f"已导入 {month_label(result['month'])}：新建版本 {created}。"
               + (f"内容未变化的工作表：{'、'.join(result['unchanged'])}。" if result["unchanged"] else "")
               + (f"记为“本月无新增”（上传的表只有表头）：{'、'.join(result['empty'])}。" if result.get("empty") else ""))
    st.subheader(f"{month_label(result['month'])}排名变化")
    if result.get("signed"):
        _show_candidate(result)
    else:
        _show_before_after(result)
    for note in result.get("notes", []):  # what now differs from signed records (this month, later months)
        st.warning(note, icon=":material/history:")
    if st.button("完成，继续上传其他文件"):
        st.session_state.pop(RESULT_KEY, None)
        st.rerun()


def _show_before_after(result: dict) -> None:
    """A month not signed: its ranking before and after the import."""
    st.caption("导入会同时影响本年以后各月的累计得分；此处列出所选月份导入前后的排名。")
    for tab, (group, table) in zip(st.tabs(list(result["ranks"])), result["ranks"].items()):
        with tab:
            first = table["导入前排名"].isna()
            before = [c for c in table.columns if c.startswith("导入前")]  # blank before: first import
            shown = table.assign(排名变化=[arrow(d) for d in table["排名变化"]])
            shown[before] = blank_missing(shown[before], "首次导入", digits={"导入前得分率": 2})
            shown = blank_missing(shown, "—", digits={"导入后得分率": 2})  # blank after: 未报送 (状态 column)
            if first.all():
                st.caption("该月此前没有数据：本次为首次导入，没有导入前的排名。")
            # A column turned into text ("首次导入") is not a number column: no error corners on it.
            st.dataframe(shown, hide_index=True, width="stretch", key=f"rank-{group}",
                         column_config={c: st.column_config.NumberColumn(format="%.2f")
                                        for c in ("导入前得分率", "导入后得分率")
                                        if pd.api.types.is_numeric_dtype(shown[c])})


def _show_candidate(result: dict) -> None:
    """A signed month: the record against its 更正候选 — the same comparison as the 月度通报 page."""
    st.caption("本月通报已签发：下表比较已签发记录与按现有数据计算的更正候选（与“月度通报”页的差异表相同）。"
               "已签发的通报不变，须签发更正通报。")
    for tab, (group, table) in zip(st.tabs(list(result["ranks"])), result["ranks"].items()):
        with tab:
            st.dataframe(table.assign(排名变化=[arrow(d) for d in table["排名变化"]]), hide_index=True,
                         width="stretch", key=f"rank-{group}",
                         column_config={c: st.column_config.NumberColumn(format="%.2f")
                                        for c in ("已发布得分率", "更正后得分率", "得分率变化")})


def _summaries(month: str) -> dict[str, pd.DataFrame | None]:
    if month not in store().datasets.months_with_data():
        return dict.fromkeys(GROUPS)
    return {g: service.score(store(), month, g, with_previous=False).summary for g in GROUPS}


def _import(month: str, files: list[tuple[FileCheck, bytes]], preview: UploadPreview, reason: str = "",
            surges_confirmed: bool = False) -> None:
    """The one write: import the batch unless this session already did; then show rank changes."""
    imported: set[str] = st.session_state.setdefault(IMPORTED_KEY, set())
    if preview.token in imported:
        st.info("这批文件已在本次导入过，不会重复导入。")
        return
    before = _summaries(month)
    outcome = actions.run("upload", lambda: service.import_batch(
        store(), month, [(c.filename, raw) for c, raw in files], actor, checks=[c for c, _ in files], reason=reason,
        surges_confirmed=surges_confirmed), now=True, refused="导入失败，未写入任何数据：")
    if not outcome:
        return
    batch = outcome.value
    if not batch.ok:  # the page stops before the button on any error; kept for safety
        st.error(f"发现 {batch.error_count} 处问题，未导入任何数据。")
        return
    results = batch.results
    imported.add(preview.token)
    signed = store().publishing.current_publication(month) is not None
    if signed:  # the one record-vs-candidate comparison (credit.reports.candidate)
        ranks = {g: record_vs_candidate(store(), month, g) for g in GROUPS}
    else:
        after = _summaries(month)
        ranks = {g: rank_changes(before[g], after[g]) for g in GROUPS if after[g] is not None}
    st.session_state[RESULT_KEY] = {
        "month": month,
        "created": [c for r in results for c in r.created],
        "unchanged": sorted({u for r in results for u in r.unchanged}),
        "empty": sorted({e for r in results for e in r.empty}),
        "ranks": ranks,
        "signed": signed,
        "notes": [n for n in (month_changes_note(store(), month) if signed else "",
                              later_months_note(store(), month)) if n],
    }
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    st.rerun()


def _show_preview(preview: UploadPreview) -> None:
    for note in preview.files:
        if note.twin_of:
            st.info(f"「{md(note.filename)}」与本次的「{md(note.twin_of)}」是同一个文件。")
        elif note.archived:
            a = note.archived
            st.info(f"「{md(note.filename)}」与 {md(beijing(a['uploaded_at'], seconds=False))} 由 {md(a['uploaded_by'])} "
                    f"上传的「{md(a['filename'])}」完全相同（sha256 一致），此前已存档。")
    flags = sum(len(s.flags) for s in preview.sheets)
    if flags:
        st.warning(f"有 {flags} 处需要核对（数值明显偏离以往水平，或登记条目与此前重复）。这不是错误，核对无误可照常导入。")
    for s in preview.sheets:
        title = f"{STATUS_BADGE[s.status]}　工作表「{s.sheet}」（{s.filename}，{s.rows} 行）"
        with st.expander(title, expanded=s.status in ("new", "changed")):
            st.caption(s.note)
            if s.status in ("same", "superseded"):
                continue
            if s.changes.empty:
                st.caption("与当前版本相比没有新增或修改的数值。")
            else:
                if SHEETS[s.sheet].layout == "records":
                    st.markdown(f"**新增或删除 {len(s.changes)} 行**（与当前版本相同 {s.unchanged} 行）")
                else:
                    st.markdown(f"**新增或修改 {len(s.changes)} 项**（未变化 {s.unchanged} 项；“上月值”供对照）")
                _show_table(s.changes, ("当前值", "新值", "上月值"))
            if s.missing:
                st.warning(f"本表未包含以下单位（其本月数据将视为未报送）：{md('、'.join(s.missing))}")
            if not s.surges.empty:
                st.markdown("**比上月增长超过 10 倍**")
                _show_table(s.surges, ("上月值", "新值"))
            if not s.flags.empty:
                st.markdown("**需要核对**")
                _show_table(s.flags.loc[:, (s.flags != "").any()], ("新值",))  # drop columns a duplicate leaves empty


# ---- the page ------------------------------------------------------------------------------------

result_box = st.container()  # the last import's outcome, above the form, until a new file is chosen

options, default = candidate_months(months(), this_month())
have = set(months())
if st.session_state.get("upload_month") not in options:
    st.session_state["upload_month"] = default
c1, c2 = st.columns([1, 1])
# The labels must not depend on which months have data: the browser resets a select box to its
# first option when its labels change, which is what an import does to the month just imported.
month = c1.selectbox("① 选择数据所属月份", options, key="upload_month", format_func=month_label)
c1.caption("该月已有数据，再次上传将生成新版本（原版本保留）。" if month in have else "该月尚无数据（新月份）。")
with c2:
    st.markdown("② 下载本月填报模板（已预填单位名称）")
    st.download_button("下载模板", data=lambda: build_template(month, store().units.register()),
                       file_name=f"信用监测月报表_{month}.xlsx", mime=XLSX_MIME, on_click="ignore",
                       icon=":material/download:", key="template")

if month in have:
    monthcycle.status_section(month, key="upload")
published = monthcycle.is_published(month)
if published:
    pub = store().publishing.current_publication(month)
    st.warning(f"{month_label(month)}的通报已签发（{md(pub['number'])}）。再次导入的数据将作为**更正候选**："
               "已发布的结果保持不变，信用办可在“月度通报”页面比较差异后签发更正通报。须填写更正说明。",
               icon=":material/edit_note:")

nonce = st.session_state.get(NONCE_KEY, 0)
uploaded = st.file_uploader(
    "③ 上传填好的月报表（.xlsx 或 .xls，可一次选择多个文件，例如镇街和部门分开填报）",
    accept_multiple_files=True, key=f"upload-files-{nonce}",
    help="单个文件不超过 20 MB。上传后系统先逐项检查并预览变化，点击“确认导入”后才会保存。",
)
if uploaded:
    st.session_state.pop(RESULT_KEY, None)  # a new file: the previous import's panel is done
elif st.session_state.get(RESULT_KEY):
    with result_box:
        _show_result(st.session_state[RESULT_KEY])
        st.divider()
if not uploaded:
    st.caption("上传后将在此显示检查结果和导入预览。")
    preload(PREVIEW, "upload")  # the preview's element code, loaded before the file is chosen
    st.stop()

files = [(_check(f.getvalue(), f.name, month, db_path(), data_version()), f.getvalue()) for f in uploaded]
checks = [c for c, _ in files]
n_errors = sum(len(c.errors) for c in checks)  # the tables are built only when there is something to show
if n_errors:
    bad = [c.filename for c in checks if not c.ok]
    st.error(f"发现 {n_errors} 处问题（文件：{md('、'.join(bad))}），未导入任何数据。请按“修改建议”改正后重新上传。")
    listed = error_list(checks, {f.name: f.getvalue() for f in uploaded})
    st.download_button("下载错误清单（Excel）", data=lambda: error_workbook(listed), key="errors_xlsx",
                       file_name=f"数据问题清单_{month}.xlsx", mime=XLSX_MIME, on_click="ignore",
                       icon=":material/download:", help="第一张表为全部问题，其后每个单位一张表，可分发各单位改正")
    other = sorted({e.found for c in checks for e in c.errors if isinstance(e, MonthMismatch) and e.found in options})
    for found in other:  # the file is for another month: one click to check it as that month's
        st.button(f"改为按{month_label(found)}检查", key=f"switch-month-{found}", type="primary",
                  on_click=lambda m=found: st.session_state.update(upload_month=m))
    # A static table: long 修改建议 wrap instead of being cut off; one file needs no 文件 column.
    shown = listed if len(uploaded) > 1 else listed.drop(columns="文件")
    st.table(shown, hide_index=True)
    st.stop()
if any(c.warnings for c in checks):
    warnings = warning_table(checks)
    with st.expander(f"提示 {len(warnings)} 条（不影响导入）"):
        st.dataframe(warnings, hide_index=True, width="stretch")

empties = [n for n in SHEETS if any(c.parsed and n in c.parsed.empty for c in checks)]  # contract order
if empties:  # said plainly, each one can be unticked (a header-only sheet is not always "nothing new")
    st.info(f"{'、'.join(f'「{e}」' for e in empties)}只有表头、没有数据行：导入时记为“本月无新增”（本月确无记录）。"
            "如并非本月无新增，请取消勾选，该表本次不导入。", icon=":material/info:")
    unticked = [e for e in empties if not st.checkbox(f"「{e}」记为本月无新增", value=True, key=f"no-new-{e}")]
    if unticked:
        checks = [without_empty(c, unticked) for c in checks]
        files = [(c, raw) for c, (_old, raw) in zip(checks, files, strict=True)]

st.subheader(f"④ 导入预览：{month_label(month)}")
preview = _preview(db_path(), data_version(), month, tuple((c.filename, c.sha256) for c in checks), tuple(checks))
_show_preview(preview)

if batch_token(month, [c.sha256 for c in checks]) in st.session_state.get(IMPORTED_KEY, set()):
    st.info("这批文件已在本次导入过，不会重复导入。")
elif not (preview.will_change or preview.new_files):
    st.info("上传的内容与数据库中的当前版本完全相同，无需导入。")
else:
    acknowledged = True
    if preview.surges:
        st.warning(f"有 {preview.surges} 项数值比上月增长超过 10 倍（见上方各表“比上月增长超过 10 倍”），"
                   "可能是多打了位数或单位填错（元/万元）。请逐项核对后再导入。")
        acknowledged = st.checkbox(f"我已逐项核对这 {preview.surges} 项数值，确认无误", key=f"surges-ok-{preview.token}")
    reason = st.text_input("更正说明（必填）", key="upload-reason") if published else ""
    if st.button("确认导入", type="primary", key="confirm", disabled=not acknowledged):
        if published and not reason.strip():
            st.error("该月通报已签发，请先填写更正说明（为什么更正、更正了什么），未写入任何数据。")
        else:
            _import(month, files, preview, reason, surges_confirmed=bool(preview.surges) and acknowledged)
