"""The bulletin as a Word file laid out like a county government notice (党政机关公文格式, GB/T 9704).

A4, 公文 margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), a red issuing-body banner and
rule, the title in 小标宋 二号, body in 仿宋_GB2312 三号 on a fixed 28-point line, headings in 黑体,
tables in 宋体 小五, page numbers "— 1 —" at the foot.

Fonts: every style sets w:eastAsia as well as w:ascii/w:hAnsi and drops the theme-font attributes
(which would otherwise win over the named fonts), and the font table names a fallback (w:altName)
for the 公文 fonts a PC may lack: Word and WPS then substitute 宋体/仿宋 instead of a Latin font.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from credit.common.months import month_parts
from credit.reports.bulletin import ALERT_RULES, RED, YELLOW, BulletinData, GroupBulletin
from credit.reports.chart import bulletin_chart

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Fallbacks Word/WPS use when the 公文 font is not installed (font table w:altName).
ALT_NAMES = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体", HEADING_FONT: "SimHei", TABLE_FONT: "SimSun"}

ER_HAO, SAN_HAO, SI_HAO, XIAO_SI, WU_HAO, XIAO_WU = Pt(22), Pt(16), Pt(14), Pt(12), Pt(10.5), Pt(9)
BODY_LINE = Pt(28)
TEXT_WIDTH_MM = 210 - 28 - 26
RED_COLOR = RGBColor(0xFF, 0x00, 0x00)
CN_NUMBERS = "一二三四五六七八九十"
KEEP_TOGETHER_ROWS = 12  # a table this short stays on one page; a longer one keeps its first rows with the caption
KEEP_FIRST_ROWS = 3


# -- fonts and styles -------------------------------------------------------------------------


def set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts explicitly for every script, and drop theme fonts that would override them."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        rfonts.set(qn(attr), value)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _paragraph_style(doc, name: str, font: str, size, *, bold: bool = False, align=None, indent: bool = False,
                     line=None, keep: bool = False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    style.font.size = size
    style.font.bold = bold
    set_fonts(style.element.get_or_add_rPr(), font)
    pf = style.paragraph_format
    pf.alignment = align
    pf.first_line_indent = size * 2 if indent else Pt(0)
    pf.space_before = pf.space_after = Pt(0)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, line
    pf.widow_control = False
    pf.keep_with_next = keep
    return style


def setup_styles(doc) -> None:
    _paragraph_style(doc, "Normal", BODY_FONT, SAN_HAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, line=BODY_LINE)
    _paragraph_style(doc, "版头", TITLE_FONT, Pt(24), align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, "通报标题", TITLE_FONT, ER_HAO, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    _paragraph_style(doc, "一级标题", HEADING_FONT, SAN_HAO, indent=True, line=BODY_LINE, keep=True)
    _paragraph_style(doc, "二级标题", SUBHEADING_FONT, SAN_HAO, indent=True, line=BODY_LINE, keep=True)
    _paragraph_style(doc, "表题", HEADING_FONT, SI_HAO, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(24), keep=True)
    _paragraph_style(doc, "表格文字", TABLE_FONT, XIAO_WU, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, "说明", BODY_FONT, SI_HAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, line=Pt(22))
    _paragraph_style(doc, "页码", TABLE_FONT, SI_HAO, align=WD_ALIGN_PARAGRAPH.CENTER)


def add_font_fallbacks(doc) -> None:
    """Declare the 公文 fonts in the font table with a GB2312 charset and an installed alternative."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in ALT_NAMES.items():
        if name in known:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)  # a generic Part


# -- page -------------------------------------------------------------------------------------


def setup_page(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["页码"]
    footer.add_run("— ")
    _page_field(footer)
    footer.add_run(" —")


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _bottom_rule(paragraph, color: str = "FF0000", size: int = 12) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


# -- paragraphs -------------------------------------------------------------------------------


def para(doc, text: str = "", style: str = "Normal", *, bold: bool = False, color: RGBColor | None = None):
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        if color is not None:
            run.font.color.rgb = color
    return p


def masthead(doc, data: BulletinData) -> None:
    p = para(doc, data.issuer, "版头", color=RED_COLOR)
    p.paragraph_format.space_before = Pt(6)
    p = para(doc, f"{month_parts(data.month)[0]}年第{data.issue_no}期", "表格文字")
    p.runs[0].font.size = SAN_HAO
    set_fonts(p.runs[0]._r.get_or_add_rPr(), BODY_FONT)
    p.paragraph_format.space_before = Pt(10)
    _bottom_rule(p)
    p = doc.add_paragraph(style="通报标题")
    p.paragraph_format.space_before = Pt(24)
    p.paragraph_format.space_after = Pt(16)
    head, _, tail = data.title.partition("工作")
    p.add_run(head + "工作")
    p.add_run().add_break()
    p.add_run(tail)


# -- tables -----------------------------------------------------------------------------------


def _widths(weights: list[float]) -> list[Mm]:
    total = sum(weights)
    return [Mm(TEXT_WIDTH_MM * w / total) for w in weights]


def _row_props(row, header: bool) -> None:
    """No row split across pages; the header row repeats at the top of every page."""
    trpr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        trpr.append(el)


def _cell(cell, style_id: str, text: str, *, bold: bool = False, align=None, color: RGBColor | None = None) -> None:
    p = cell.paragraphs[0]
    p._p.style = style_id  # by id: python-docx's lookup by name scans every style, for every cell
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def add_table(doc, header: list[str], rows: list[list[str]], weights: list[float],
              left: set[int] = frozenset(), bold_rows: set[int] = frozenset(), red_rows: set[int] = frozenset()):
    """A bordered table filling the text width; the header repeats on every page, and a short table
    stays on one page with its caption (a long one may break, but never right after its caption)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(weights)
    keep = len(rows) <= KEEP_TOGETHER_ROWS
    style_id = doc.styles["表格文字"].style_id
    for i, w in enumerate(widths):
        table.columns[i].width = w
    for r, values in enumerate([header, *rows]):
        row = table.rows[r]
        _row_props(row, header=(r == 0))
        for c, text in enumerate(values):
            cell = row.cells[c]
            cell.width = widths[c]
            align = WD_ALIGN_PARAGRAPH.LEFT if (r > 0 and c in left) else None
            _cell(cell, style_id, text, bold=(r == 0 or (r - 1) in bold_rows), align=align,
                  color=RED_COLOR if (r - 1) in red_rows else None)
            cell.paragraphs[0].paragraph_format.keep_with_next = (keep or r < KEEP_FIRST_ROWS) and r < len(rows)
    return table


def _num(v: object, fmt: str = "{:.2f}") -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return fmt.format(v)


def rank_change(d: object) -> str:
    if d is None or d is pd.NA or (isinstance(d, float) and math.isnan(d)):
        return "—"
    d = int(d)
    return f"↑{d}" if d > 0 else (f"↓{-d}" if d < 0 else "—")


def ranking_rows(gb: GroupBulletin) -> tuple[list[str], list[list[str]], list[float]]:
    levels = [name for name, _ in gb.level1]
    header = ["排名", "单位", *[f"{name}（{pts:g}分）" for name, pts in gb.level1], "得分", "得分率", "上月排名", "排名变化"]
    rows = []
    for r in gb.table.to_dict("records"):
        rows.append([
            _num(r["排名"], "{}"), str(r["单位"]), *[_num(r[lv]) for lv in levels],
            _num(r["得分"]), _num(r["得分率"]), _num(r["上月排名"], "{}"), rank_change(r["排名变化"]),
        ])
    weights = [7, 24, *[14] * len(levels), 11, 11, 9, 9]
    return header, rows, weights


def deduction_rows(data: BulletinData) -> tuple[list[str], list[list[str]], set[int]]:
    rows, new = [], set()
    for i, r in enumerate(data.deductions.to_dict("records")):
        mark = "★" if r["本月新增"] else ""
        if mark:
            new.add(i)
        month = f"{month_parts(str(r['月份']))[1]}月"
        rows.append([str(i + 1), str(r["单位"]), str(r["指标"]), str(r["事项"]), month + mark, f"{r['扣分']:g}"])
    return ["序号", "单位", "指标", "事项", "月份", "扣分"], rows, new


def xyd_rows(towns: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = ["单位", "信易贷注册企业数", "本年新增", "全年任务数", "序时任务数", "序时进度差", "完成率"]
    rows = [[str(r["单位"]), _num(r["信易贷注册企业数"], "{:,.0f}"), _num(r["本年新增"], "{:,.0f}"),
             _num(r["全年任务数"], "{:,.0f}"), _num(r["序时任务数"], "{:,.0f}"), _num(r["序时进度差"], "{:+,.0f}"),
             _num(r["完成率"], "{:.1%}")] for r in towns.to_dict("records")]
    return header, rows


# -- sections ---------------------------------------------------------------------------------


class _Numbering:
    def __init__(self) -> None:
        self.section = 0
        self.table = 0

    def heading(self) -> str:
        self.section += 1
        return CN_NUMBERS[self.section - 1] + "、"

    def caption(self) -> str:
        self.table += 1
        return f"表{self.table}"


def _caption(doc, text: str) -> None:
    p = para(doc, text, "表题")
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(4)


def overview(doc, data: BulletinData, num: _Numbering) -> None:
    para(doc, num.heading() + "总体情况", "一级标题")
    for sentence in data.sentences:
        para(doc, sentence)


def rankings(doc, data: BulletinData, num: _Numbering) -> None:
    for gb in data.groups:
        para(doc, f"{num.heading()}{gb.label}排名情况", "一级标题")
        _caption(doc, f"{num.caption()}  {data.month_text}{gb.label}社会信用体系建设工作排名")
        header, rows, weights = ranking_rows(gb)
        add_table(doc, header, rows, weights, left={1})


def xyd_section(doc, data: BulletinData, num: _Numbering) -> None:
    para(doc, f"{num.heading()}“信易贷”推广情况", "一级标题")
    if data.xyd is None:
        para(doc, f"{month_parts(data.month)[0]}年尚未设定“信易贷”年初注册数和新增目标。")
        return
    chart = bulletin_chart(data)
    if chart is not None:
        png, caption = chart
        p = doc.add_paragraph(style="表格文字")
        p.add_run().add_picture(io.BytesIO(png), width=Mm(150))
        para(doc, caption, "表格文字")
    else:
        para(doc, "（本机缺少中文字体或绘图组件，图表未生成。）", "说明")
    if data.xyd_towns is not None and not data.xyd_towns.empty:
        _caption(doc, f"{num.caption()}  各镇（街道）、开发区“信易贷”新增注册进度")
        header, rows = xyd_rows(data.xyd_towns)
        add_table(doc, header, rows, [24, 16, 12, 12, 12, 12, 12], left={0})


def deductions_section(doc, data: BulletinData, num: _Numbering) -> None:
    para(doc, f"{num.heading()}扣分事项", "一级标题")
    if data.deductions.empty:
        para(doc, "本年度至今各单位没有扣分事项。")
        return
    para(doc, "本年1月至本月各单位扣分事项如下（标注“★”并加粗的为本月新增），请相关单位逐项核实、整改到位。")
    _caption(doc, f"{num.caption()}  {month_parts(data.month)[0]}年扣分事项明细")
    header, rows, new = deduction_rows(data)
    add_table(doc, header, rows, [7, 20, 30, 50, 14, 9], left={1, 2, 3}, bold_rows=new)


def alerts_section(doc, data: BulletinData, num: _Numbering) -> None:
    para(doc, f"{num.heading()}预警提示", "一级标题")
    red, yellow = data.alerts_of(RED), data.alerts_of(YELLOW)
    para(doc, f"本月红色预警 {len(red)} 个（{ALERT_RULES[RED]}），黄色预警 {len(yellow)} 个（{ALERT_RULES[YELLOW]}）。"
              + ("" if data.alerts else "各单位本月均无预警。"))
    if not data.alerts:
        return
    _caption(doc, f"{num.caption()}  {data.month_text}预警提示")
    rows = [[str(k), a.level, a.unit, a.reason] for k, a in enumerate(data.alerts, start=1)]
    add_table(doc, ["序号", "预警", "单位", "原因"], rows, [7, 9, 26, 88], left={2, 3},
              red_rows={k for k, a in enumerate(data.alerts) if a.level == RED})


def closing(doc, data: BulletinData) -> None:
    para(doc, "请各镇（街道）、开发区和县直各部门（单位）对照本通报，认真查找差距，落实整改措施，"
              "确保全年社会信用体系建设各项任务顺利完成。")
    para(doc, "说明：", "说明")
    for i, note in enumerate(data.notes, start=1):
        para(doc, f"{i}. {note}", "说明")
    for text in ("", data.issuer, f"{data.issued.year}年{data.issued.month}月{data.issued.day}日"):
        p = para(doc, text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(32)


def render_docx(data: BulletinData) -> bytes:
    doc = Document()
    setup_styles(doc)
    add_font_fallbacks(doc)
    setup_page(doc)
    doc.core_properties.title = data.title
    doc.core_properties.author = data.issuer
    masthead(doc, data)
    para(doc, "各镇（街道）、开发区，县直各部门（单位）：", "Normal").paragraph_format.first_line_indent = Pt(0)
    para(doc, f"现将{data.month_text}全县社会信用体系建设工作情况通报如下：")
    num = _Numbering()
    overview(doc, data, num)
    rankings(doc, data, num)
    xyd_section(doc, data, num)
    deductions_section(doc, data, num)
    alerts_section(doc, data, num)
    closing(doc, data)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
