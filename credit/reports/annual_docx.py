"""The 年度通报 as a Word file, in the monthly 通报's official form (credit.reports.docx): the same
page, styles, red 版头 with 文号 and 签发人, tables, 落款 and 版记 — only the body differs (the
year's result, the ranks month by month and their chart)."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from credit.common.labels import group_label
from credit.reports.annual import YearView, short_month
from credit.reports.annual_bulletin import AnnualBulletin
from credit.reports.bulletin import IssueInfo
from credit.reports.chart import cjk_font_path, rank_lines_chart
from credit.reports.docx import (
    SAN_HAO,
    _caption,
    _num,
    _Numbering,
    add_table,
    colophon,
    correction_opening,
    date_text,
    open_notice,
    para,
    saved,
)

CHART_UNITS = 20  # more lines than this are a tangle on an A4 page: the table has them all


@dataclass
class _Head:
    """What the monthly masthead and 版记 read (title, issuer, issue, issued date, 文号 placeholder)."""

    title: str
    issuer: str
    issue: IssueInfo
    issued: object
    month: str
    issue_no: str


def _head(data: AnnualBulletin) -> _Head:
    issue = data.issue if data.issue.number else replace(data.issue, number=f"（草稿，文号待定）{data.year}年度")
    return _Head(data.title, data.issuer, issue, data.issued, f"{data.year}-12", "年度")


def _annual_table(doc, view: YearView) -> None:
    rows = [[_num(r["年度排名"], "{}"), str(r["单位"]), _num(r["年度得分率"]), str(r["等次"]), _num(r["计入月数"], "{}")]
            for r in view.annual.table.to_dict("records")]
    add_table(doc, ["年度排名", "单位", "年度得分率", "等次", "计入月数"], rows, [10, 30, 14, 10, 10], left={1})


def _rank_table(doc, view: YearView) -> None:
    table = view.rank_table()
    months = [short_month(m) for m in view.months]
    header = ["单位＼月份", *[m.removesuffix("月") for m in months], "前三", "后三"]
    rows = [[str(r["单位"]), *[_num(r[m], "{}") for m in months], str(r["前三名月数"]), str(r["后三名月数"])]
            for r in table.to_dict("records")]
    add_table(doc, header, rows, [22, *[6] * len(months), 7, 7], left={0})


def _chart(doc, view: YearView, figure: str) -> None:
    if cjk_font_path() is None:
        para(doc, "（本机缺少中文字体或绘图组件，图表未生成。）", "说明")
        return
    ranks = view.grid.ranks.rename(columns=short_month)
    ranks.index = view.grid.names.reindex(ranks.index).astype(str)
    shown = ranks if len(ranks) <= CHART_UNITS else ranks.iloc[list(range(10)) + list(range(-10, 0))]
    png = rank_lines_chart(shown, f"{view.year}年{group_label(view.group)}各月排名")
    p = doc.add_paragraph(style="表格文字")
    p.add_run().add_picture(io.BytesIO(png), width=Mm(150))
    note = "" if len(ranks) <= CHART_UNITS else "（单位较多，图中为最新月份前 10 名和后 10 名）"
    para(doc, f"{figure}  {group_label(view.group)}各月排名{note}", "表格文字")


def render_annual_docx(data: AnnualBulletin) -> bytes:
    opening = (correction_opening(data.title, data.issue.corrects) if data.issue.corrects
               else f"现将{data.year}年度全县社会信用体系建设考核情况通报如下：")
    head = _head(data)
    doc = open_notice(head, data.title, data.issuer, data.issue, opening)
    num = _Numbering()
    para(doc, f"{num.heading()}总体情况", "一级标题")
    for sentence in data.sentences:
        para(doc, sentence)
    para(doc, f"{num.heading()}年度结果", "一级标题")
    for view in data.views.values():
        if view.annual.table.empty:
            continue
        _caption(doc, f"{num.caption()}  {data.year}年度{group_label(view.group)}考核结果（{view.annual.status}）")
        _annual_table(doc, view)
        para(doc, view.annual.basis, "说明")
    para(doc, f"{num.heading()}各月排名", "一级标题")
    figures = 0
    for view in data.views.values():
        if view.empty:
            continue
        _caption(doc, f"{num.caption()}  {data.year}年{group_label(view.group)}各月排名")
        _rank_table(doc, view)
        figures += 1
        _chart(doc, view, f"图{figures}")
    para(doc, "说明：", "说明")
    para(doc, "1. 已签发月份取签发时冻结的结果；未签发月份为临时结果，签发后以签发结果为准。", "说明")
    para(doc, "2. “前三”“后三”为当月名列前三名、后三名的月数；“—”为当月未参加排名。", "说明")
    para(doc, f"附件：{data.year}年度考核结果明细（Excel）")
    for text in ("", "", data.issuer, date_text(data.issued)):
        p = para(doc, text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = SAN_HAO * 4
    colophon(doc, head)
    return saved(doc)
