"""Cached reads and figures of the 年度 page: the year's view built once per data version, each
month read through the same cache the monthly pages use (so a month scored for Home is not scored
again here), and the rank chart / heat map built once per view."""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit.app.annual_publish import publish_year
from credit.app.service import open_store
from credit.common.clock import today
from credit.model.accounts import Action, Actor
from credit.reports import annual
from credit.reports.annual import PROVISIONAL, RollingView, YearView
from credit.reports.annual_bulletin import FORMAT_NAMES, annual_stem
from credit.reports.annual_files import draft_file
from credit.reports.exports import MIME
from credit.reports.pdf import serve_warm
from ui import actions, loaders
from ui.charts import chart
from ui.context import data_version, db_path, store

CHART_UNITS = 20  # lines on the rank chart: more than this is a tangle nobody can follow
HEAT_ROWS = 50  # heat-map rows per page, as on 单位详情


def _read(db: str, version: int, group: str):
    return lambda month: loaders._group_month(db, version, month, group, "rescale").summary


@st.cache_resource(show_spinner="正在汇总全年各月结果…", max_entries=32)
def _year(db: str, version: int, year: int, group: str) -> YearView:
    return annual.year_view(store(), year, group, _read(db, version, group))


def year_view(year: int, group: str) -> YearView:
    return _year(db_path(), data_version(), int(year), group)


@st.cache_resource(show_spinner="正在汇总近12个月结果…", max_entries=32)
def _rolling(db: str, version: int, end: str, group: str) -> RollingView:
    return annual.rolling_view(store(), end, group, _read(db, version, group))


def rolling_view(end: str, group: str) -> RollingView:
    return _rolling(db_path(), data_version(), end, group)


def years() -> list[int]:
    return annual.years(store())


def chart_units(view: YearView, own: str | None) -> list[str]:
    """The units drawn on the rank chart: all of a county group, else the top and bottom ten of the
    latest month (and the account's own unit)."""
    ids = list(view.grid.scores.index)
    if len(ids) <= CHART_UNITS:
        return ids
    half = CHART_UNITS // 2
    chosen = ids[:half] + ids[-half:]
    if own in ids and own not in chosen:
        chosen.append(own)
    return chosen


def month_axis(grid) -> list[str]:
    """"3月" for a signed month, "3月（临时）" for one still 采集中."""
    return [f"{annual.short_month(m)}{'（临时）' if grid.states[m] == PROVISIONAL else ''}" for m in grid.months]


@st.cache_resource(show_spinner=False, max_entries=32)
def _rank_figure(db: str, version: int, year: int, group: str, own: str | None) -> go.Figure:
    view = _year(db, version, year, group)
    x = month_axis(view.grid)
    traces = []
    for uid in chart_units(view, own):
        ranks = view.grid.ranks.loc[uid].astype("float64")
        mine = uid == own
        traces.append({"type": "scatter", "mode": "lines+markers", "x": x,
                       "y": [None if pd.isna(r) else r for r in ranks], "name": str(view.grid.names[uid]),
                       "line": {"width": 5 if mine else 2}, "hovertemplate": "%{x} 第 %{y} 名"})
    n = int(view.grid.ranks.max().max()) if view.grid.ranks.notna().any().any() else 1
    return chart(traces, height=460, title="各月排名（线条交叉即名次互换）",
                 yaxis={"autorange": "reversed", "title": {"text": "排名"}, "dtick": 1 if n <= 30 else None},
                 xaxis={"title": {"text": "月份"}}, legend={"orientation": "v"})


def rank_figure(view: YearView, own: str | None) -> go.Figure:
    return _rank_figure(db_path(), data_version(), view.year, view.group, own)


@st.cache_resource(show_spinner=False, max_entries=64)
def _heat_figure(db: str, version: int, year: int, group: str, page_no: int) -> go.Figure:
    view = _year(db, version, year, group)
    scores = view.grid.scores.iloc[(page_no - 1) * HEAT_ROWS: page_no * HEAT_ROWS]
    names = [str(n) for n in view.grid.names.reindex(scores.index)]
    z = [[None if pd.isna(v) else round(float(v), 2) for v in row] for row in scores.to_numpy()]
    heat = {"type": "heatmap", "z": z, "x": month_axis(view.grid), "y": names, "zmin": 0, "zmax": 100,
            "colorscale": "RdYlGn", "texttemplate": "%{z:.1f}", "hovertemplate": "%{y} %{x}：%{z:.2f}",
            "colorbar": {"title": {"text": "得分率"}}}
    return chart([heat], height=160 + 28 * len(names), title="各月得分率",
                 yaxis={"autorange": "reversed", "dtick": 1}, xaxis={"side": "top"})


def heat_figure(view: YearView, page_no: int) -> go.Figure:
    return _heat_figure(db_path(), data_version(), view.year, view.group, page_no)


def city_figure(view: YearView) -> go.Figure:
    s = view.city_rank
    return chart([{"type": "scatter", "mode": "lines+markers+text", "x": [annual.short_month(m) for m in s.index],
                   "y": s.tolist(), "text": [f"第{int(v)}位" for v in s], "textposition": "top center",
                   "name": "全市排名"}], height=300, title="全县信用监测全市排名",
                 yaxis={"autorange": "reversed", "dtick": 1, "title": {"text": "名次"}})


def _draft_file(db: str, year: int, fmt: str) -> bytes:
    """The 年度通报 draft as `fmt`, built when its button is clicked (own connection: any thread)."""
    with open_store(db) as own:
        return draft_file(own, year, fmt)


def _signed_file(db: str, publication_id: int, fmt: str) -> bytes:
    with open_store(db) as own:
        return own.annual_publishing.file(publication_id, fmt)[1]


def bulletin_section(year: int, actor: Actor | None) -> None:
    """年度通报: the one in force (exact files issued) or the draft, and the office's 签发 / 更正 form."""
    db = db_path()
    pub = store().annual_publishing.current(year)
    st.subheader("年度通报")
    row = st.container(horizontal=True)
    if pub is None:
        st.caption("尚未签发：下载的是按当前数据生成的草稿（文号待定）。")
        for fmt, label in (("docx", "下载 Word 草稿"), ("xlsx", "下载 Excel 明细"), ("pdf", "下载 PDF 草稿")):
            row.download_button(label, data=partial(_draft_file, db, year, fmt), file_name=f"{annual_stem(year)}_草稿.{fmt}",
                                mime=MIME[fmt], key=f"year-draft-{fmt}", on_click="ignore")
    else:
        kind = "年度更正通报" if pub["kind"] == "correction" else "年度通报"
        st.caption(f"已签发{kind}：{pub['number']}　成文日期 {pub['issued']}　签发人 {pub['signer']}"
                   f"{'' if pub['final'] else '（签发时 12 月尚未签发，为临时结果）'}")
        for f in pub["files"]:
            row.download_button(f"下载已签发的 {FORMAT_NAMES[f['format']]}", data=partial(_signed_file, db, pub["id"], f["format"]),
                                file_name=f["filename"], mime=MIME[f["format"]], key=f"year-signed-{f['format']}",
                                on_click="ignore")
    if actor is None or not actor.can(Action.PUBLISH):
        return
    serve_warm(prestart=True)  # the PDF converter starts while the office fills the form
    label = "签发年度更正通报" if pub else "签发年度通报"
    with st.form(f"year-publish-{year}"):
        c1, c2, c3 = st.columns([2, 1, 1])
        number = c1.text_input("文号", placeholder=f"平信用办〔{year + 1}〕1号", key=f"year-number-{year}")
        issued = c2.text_input("成文日期", value=f"{max(today(), date(year + 1, 1, 1)):%Y-%m-%d}",
                               key=f"year-date-{year}", placeholder="例如 2023-01-10 或 2023年1月10日")
        signer = c3.text_input("签发人", key=f"year-signer-{year}")
        reason = st.text_area("更正说明（必填：为什么更正、更正了什么）", key=f"year-reason-{year}") if pub else ""
        if st.form_submit_button(label, type="primary", icon=":material/approval:"):
            with st.spinner("正在生成并签发年度通报（Word、Excel、PDF）…"):
                signed = actions.run("year", lambda: publish_year(store(), year, number, issued, signer, actor,
                                                                   correction_reason=reason), now=True)
            if signed:
                done = signed.value
                st.session_state["year_flash"] = f"已签发{'年度更正通报' if done.kind == 'correction' else '年度通报'} {done.number}。"
                st.rerun()
