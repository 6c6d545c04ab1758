"""The bulletin as a Word file laid out like a county government notice (党政机关公文格式, GB/T 9704).

A4, 公文 margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm). 版头: the red 发文机关标志
(小标宋), the 文号 (and 签发人) in 仿宋 三号 and the red separator rule; 主体: title in 小标宋 二号,
主送, 正文 in 仿宋_GB2312 三号 on a fixed 28-point line (headings 黑体 / 楷体), 附件说明, 落款
and 成文日期; 版记: the 抄送 and 印发 lines between black rules. Tables in 宋体 小五, page numbers
"— 1 —" at the foot. The Word file keeps to the main text: only this month's new deductions are
listed (the year's full list is the Excel annex).

Fonts: every style sets w:eastAsia as well as w:ascii/w:hAnsi and drops the theme-font attributes
(which would otherwise win over the named fonts), and the font table names a fallback (w:altName)
for the 公文 fonts a PC may lack: Word and WPS then substitute 宋体/仿宋 instead of a Latin font.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from xml.sax.saxutils import escape

import pandas as pd
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from credit.common.months import month_parts
from credit.reports.bulletin import ALERT_RULES, RED, YELLOW, BulletinData, GroupBulletin, IssueInfo, draft_text
from credit.reports.chart import bulletin_chart
from credit.scoring.not_reported import NOT_REPORTED

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
HEAD_SUFFIX = "文件"  # 发文机关标志 = 发文机关全称 + “文件”
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
    _paragraph_style(doc, "版头", TITLE_FONT, Pt(24), align=WD_ALIGN_PARAGRAPH.DISTRIBUTE)
    _paragraph_style(doc, "版记", BODY_FONT, SI_HAO, line=Pt(22))
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


def _rules(paragraph, color: str = "FF0000", **sizes: int) -> None:
    """Horizontal rules above/below a paragraph; size in eighths of a point (8 ≈ 0.35 mm)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        if side in sizes:
            el = OxmlElement(f"w:{side}")
            for k, v in (("w:val", "single"), ("w:sz", str(sizes[side])), ("w:space", "4"), ("w:color", color)):
                el.set(qn(k), v)
            borders.append(el)
    ppr.append(borders)


def _right_tab(paragraph, indent_chars: float = 1) -> None:
    """A right-aligned tab stop one character in from the right margin (文号 | 签发人, 印发 date)."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - SAN_HAO * indent_chars,
                                                      WD_TAB_ALIGNMENT.RIGHT)


# -- paragraphs -------------------------------------------------------------------------------


def para(doc, text: str = "", style: str = "Normal", *, bold: bool = False, color: RGBColor | None = None):
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        if color is not None:
            run.font.color.rgb = color
    return p


def issue_number_text(data: BulletinData) -> str:
    """The 文号 line: the number, or a visible placeholder on an unnumbered draft."""
    return data.issue.number or f"（草稿，文号待定）{data.month[:4]}年第{data.issue_no}期"


def date_text(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def masthead(doc, data: BulletinData) -> None:
    """版头: red 发文机关标志, then 文号 (left) and 签发人 (right), then the red separator rule."""
    head = data.issuer + HEAD_SUFFIX
    p = para(doc, head, "版头", color=RED_COLOR)
    # As large as fits on one line (GB/T 9704: no wider than the text block), at most 小初 (36 pt).
    p.runs[0].font.size = Pt(min(36, int(Mm(TEXT_WIDTH_MM).pt / len(head) * 0.97)))
    p.paragraph_format.space_before = Pt(10)
    p.paragraph_format.space_after = Pt(28)
    p = para(doc, issue_number_text(data), "Normal")
    p.paragraph_format.first_line_indent = SAN_HAO if data.issue.signer else Pt(0)
    if data.issue.signer:
        _right_tab(p)
        p.add_run("\t签发人：")
        run = p.add_run(data.issue.signer)
        set_fonts(run._r.get_or_add_rPr(), SUBHEADING_FONT)
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _rules(p, bottom=18)
    p = doc.add_paragraph(style="通报标题")
    p.paragraph_format.space_before = Pt(28)
    p.paragraph_format.space_after = Pt(16)
    title = data.title
    if data.issue.corrects:
        title = f"关于更正《{data.title}》（{data.issue.corrects}）的通报"
    head, _, tail = title.partition("工作")
    p.add_run(head + "工作")
    p.add_run().add_break()
    p.add_run(tail)


# -- tables -----------------------------------------------------------------------------------


def _widths(weights: list[float]) -> list[Mm]:
    total = sum(weights)
    return [Mm(TEXT_WIDTH_MM * w / total) for w in weights]


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TR_PROPS = {True: "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>", False: "<w:trPr><w:cantSplit/></w:trPr>"}


def _run_xml(text: str) -> str:
    """One run's content: text, with a tab or line break where python-docx's add_run would put one."""
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return "".join(parts)


def _cell_xml(text: str, width: int, style_id: str, *, bold: bool, left: bool, red: bool, keep: bool) -> str:
    """One table cell, written as the XML python-docx's cell API would leave (without its per-call cost)."""
    ppr = f'<w:pStyle w:val="{style_id}"/>' + ("<w:keepNext/>" if keep else "") + ('<w:jc w:val="left"/>' if left else "")
    rpr = ("<w:b/>" if bold else "") + (f'<w:color w:val="{RED_COLOR}"/>' if red else "")
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f"<w:p><w:pPr>{ppr}</w:pPr><w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{_run_xml(text)}</w:r></w:p></w:tc>")


def add_table(doc, header: list[str], rows: list[list[str]], weights: list[float],
              left: set[int] = frozenset(), bold_rows: set[int] = frozenset(), red_rows: set[int] = frozenset()):
    """A bordered table filling the text width; the header repeats on every page, and a short table
    stays on one page with its caption (a long one may break, but never right after its caption).

    No row is split across pages. The rows are written as XML in one parse: python-docx's cell API
    cost a third of a second per 通报 (issue 28), for the same document.
    """
    table = doc.add_table(rows=0, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(weights)
    for i, w in enumerate(widths):
        table.columns[i].width = w
    twips = [w.twips for w in widths]
    keep_all = len(rows) <= KEEP_TOGETHER_ROWS
    style_id = doc.styles["表格文字"].style_id
    body = []
    for r, values in enumerate([header, *rows]):
        keep = (keep_all or r < KEEP_FIRST_ROWS) and r < len(rows)
        cells = "".join(
            _cell_xml(text, twips[c], style_id, bold=(r == 0 or (r - 1) in bold_rows), left=(r > 0 and c in left),
                      red=(r - 1) in red_rows, keep=keep)
            for c, text in enumerate(values))
        body.append(f"<w:tr>{_TR_PROPS[r == 0]}{cells}</w:tr>")
    parsed = etree.fromstring(f'<w:tbl xmlns:w="{_W_NS}">{"".join(body)}</w:tbl>', parser=oxml_parser)
    table._tbl.extend(list(parsed))
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
        silent = r.get("状态") == NOT_REPORTED  # not ranked: "—" for its rank, 未报送 where its 得分率 would be
        rows.append([
            _num(r["排名"], "{}"), str(r["单位"]), *[_num(r[lv]) for lv in levels],
            _num(r["得分"]), NOT_REPORTED if silent else _num(r["得分率"]), _num(r["上月排名"], "{}"),
            rank_change(r["排名变化"]),
        ])
    weights = [7, 24, *[14] * len(levels), 11, 11, 9, 9]
    return header, rows, weights


def deduction_rows(data: BulletinData) -> tuple[list[str], list[list[str]]]:
    """This month's new deduction items only; the year's full list is the Excel annex."""
    rows = [[str(i + 1), str(r["单位"]), str(r["指标"]), str(r["事项"]), f"{r['扣分']:g}"]
            for i, r in enumerate(data.new_deductions.to_dict("records"))]
    return ["序号", "单位", "指标", "事项", "扣分"], rows


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


def text_part(doc, data: BulletinData, num: _Numbering, part: str, heading: str) -> None:
    """One editable part (总体情况, 存在问题, 下步要求): a heading and one paragraph per line."""
    para(doc, num.heading() + heading, "一级标题")
    for line in (data.text or draft_text(data)).paragraphs(part):
        para(doc, line)


def correction_section(doc, data: BulletinData, num: _Numbering) -> None:
    """更正说明 and the table of what changed against the corrected notice (its text is made from it)."""
    para(doc, f"{num.heading()}更正说明", "一级标题")
    for line in data.correction.sentences(data.month_text):
        para(doc, line)
    fixed = data.correction.inputs
    if not fixed.empty:
        _caption(doc, f"{num.caption()}  更正的报送数据")
        add_table(doc, list(fixed.columns), [[str(v) for v in r] for r in fixed.itertuples(index=False)],
                  [18, 10, 40, 16, 16], left={0, 1, 2})
    ch = data.correction.changes
    if ch.empty:
        return
    _caption(doc, f"{num.caption()}  更正前后对比")
    rows = [[str(r["单位"]), str(r["指标"]), _num(r["原得分"]), _num(r["更正后得分"]), _num(r["原得分率"]),
             _num(r["更正后得分率"]), _num(r["原排名"], "{}"), _num(r["更正后排名"], "{}")] for r in ch.to_dict("records")]
    add_table(doc, ["单位", "指标", "原得分", "更正后得分", "原得分率", "更正后得分率", "原排名", "更正后排名"], rows,
              [20, 40, 11, 11, 11, 11, 9, 9], left={0, 1})


def overview(doc, data: BulletinData, num: _Numbering) -> None:
    text_part(doc, data, num, "overall", "总体情况")


def rankings(doc, data: BulletinData, num: _Numbering) -> None:
    para(doc, f"{num.heading()}排名情况", "一级标题")
    for i, gb in enumerate(data.groups):
        para(doc, f"（{CN_NUMBERS[i]}）{gb.label}", "二级标题")
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


ANNEX = "附件：{year}年1—{m}月扣分事项及得分明细（Excel）"


def deductions_section(doc, data: BulletinData, num: _Numbering) -> None:
    para(doc, f"{num.heading()}本月新增扣分事项", "一级标题")
    total = f"本年累计 {len(data.deductions)} 项，全年明细见附件。" if not data.deductions.empty else ""
    new = data.new_deductions
    if new.empty:
        para(doc, f"本月各单位没有新增扣分事项。{total}")
        return
    para(doc, f"本月新增扣分事项 {len(new)} 项，请相关单位逐项核实、整改到位。{total}")
    _caption(doc, f"{num.caption()}  {data.month_text}新增扣分事项")
    header, rows = deduction_rows(data)
    add_table(doc, header, rows, [7, 20, 30, 60, 9], left={1, 2, 3})


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
    """说明, 附件说明, 落款 and 成文日期 (right, four characters in from the margin)."""
    para(doc, "说明：", "说明")
    for i, note in enumerate(data.notes, start=1):
        para(doc, f"{i}. {note}", "说明")
    para(doc)
    year, m = data.month[:4], int(data.month[5:])
    para(doc, ANNEX.format(year=year, m=m))
    for text in ("", "", data.issuer, date_text(data.issued)):
        p = para(doc, text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = SAN_HAO * 4


def colophon(doc, data: BulletinData) -> None:
    """版记: 抄送 between a thick and a thin rule, then 印发机关 and 印发日期 above a thick rule."""
    p = para(doc, f"抄送：{data.issue.cc}", "版记")
    p.paragraph_format.space_before = Pt(28)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = SI_HAO
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.hanging_indent = None
    _rules(p, "000000", top=8, bottom=6)
    p = para(doc, data.issue.printer, "版记")
    p.paragraph_format.left_indent = SI_HAO
    _right_tab(p)
    p.add_run(f"\t{date_text(data.issued)}印发")
    _rules(p, "000000", bottom=8)


@lru_cache(maxsize=1)
def _blank_document() -> bytes:
    """Styles, CJK font fallbacks and the page, set up once per process: a fifth of a 通报's time."""
    doc = Document()
    setup_styles(doc)
    add_font_fallbacks(doc)
    setup_page(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def new_document(title: str, issuer: str, issue: IssueInfo) -> Document:
    """A blank 通报 (monthly or annual): styles, CJK font fallbacks, the page, the file's properties."""
    doc = Document(io.BytesIO(_blank_document()))
    doc.core_properties.title = title
    doc.core_properties.author = issuer
    doc.core_properties.subject = issue.number
    doc.core_properties.keywords = f"签发人：{issue.signer}" if issue.signer else ""
    return doc


def open_notice(head, title: str, issuer: str, issue: IssueInfo, opening: str):
    """A new 通报 (monthly or annual) up to its body: the blank document, 版头 (`head`: what
    `masthead` reads), 主送 and the opening sentence."""
    doc = new_document(title, issuer, issue)
    masthead(doc, head)
    para(doc, f"{issue.recipients}：", "Normal").paragraph_format.first_line_indent = Pt(0)
    para(doc, opening)
    return doc


def correction_opening(title: str, corrects: str, why: str = "") -> str:
    """The first sentence of a 更正通报: which notice it corrects, and that the old one no longer holds."""
    return f"经核实，{why}现对《{title}》（{corrects}）予以更正，更正后的情况通报如下，原通报相应内容同时废止："


def saved(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_docx(data: BulletinData) -> bytes:
    opening = (correction_opening(data.title, data.issue.corrects, f"{data.month_text}部分单位报送的数据有误，")
               if data.issue.corrects else f"现将{data.month_text}全县社会信用体系建设工作情况通报如下：")
    doc = open_notice(data, data.title, data.issuer, data.issue, opening)
    num = _Numbering()
    if data.correction is not None:
        correction_section(doc, data, num)
    overview(doc, data, num)
    rankings(doc, data, num)
    xyd_section(doc, data, num)
    deductions_section(doc, data, num)
    alerts_section(doc, data, num)
    text_part(doc, data, num, "problems", "存在问题")
    text_part(doc, data, num, "requirements", "下步要求")
    closing(doc, data)
    colophon(doc, data)
    return saved(doc)
