"""The monthly bulletin (每月通报): what the leadership group publishes on the units' work.

`build_bulletin_data` gathers everything a bulletin says — generated sentences, both groups'
ranking tables with first-level subtotals and rank changes, the year's deduction items, red and
yellow warnings, 信易贷 progress — into one `BulletinData`, so the Word file, the Excel file and the
page preview all say the same thing. `to_xlsx` renders the Excel file here; the Word file is
`credit.reports.docx`, and `credit.reports.exports` picks the format and records the export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from credit.common.clock import today
from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label, month_parts, previous_month
from credit.common.text import PROSE, check_text
from credit.errors import CreditError
from credit.model.contract import EVENT_SERIOUS, GROUP_SHEET, SHEETS
from credit.model.framework import Framework, Indicator, field_sheet
from credit.reports.correction import Correction
from credit.reports.scored import GroupMonth, score
from credit.scoring.compare import indicator_deltas, movers
from credit.scoring.explain import describe_items, new_this_month
from credit.scoring.inputs import load_month_inputs
from credit.scoring.not_reported import NOT_REPORTED, reported_mask, state_labels
from credit.scoring.rules import RULES
from credit.scoring.xyd import Progress, county_series, progress, town_table
from credit.store.facade import Store
from credit.workbook.export import to_excel_bytes

ISSUER = "平阴县社会信用体系建设领导小组办公室"
RED, YELLOW = "红色", "黄色"
# Nothing sent / a cell left blank in a row that has figures / a reported zero: never one word for two
NOT_SENT, UNFILLED, ZERO = "未报送", "未填写", "为 0"
RANK_FALL_RED = 3  # a fall of this many places or more is a red warning
ALERT_RULES = {
    RED: f"出现严重失信事件扣分，或排名下降 {RANK_FALL_RED} 位及以上",
    YELLOW: "按月报送的指标本月无报送，或“信易贷”新增注册落后于序时任务",
}
# Excel number formats by column name; the rank change keeps its number but shows an arrow.
XLSX_FORMATS = {
    "排名变化": '"↑"0;"↓"0;"—"',
    "达成率": "0.0%",
    "注册占比": "0.00%",
    "完成率": "0.0%",
    "全年任务数": "#,##0",
    "序时任务数": "#,##0",
    "序时进度差": "+#,##0;-#,##0;0",
    "信易贷注册企业数": "#,##0",
    "辖区注册企业总数": "#,##0",
    "本年新增": "#,##0",
    "分值": "0.##",
    "扣分": "0.0#",
    "原得分": "0.00",
    "更正后得分": "0.00",
    "原得分率": "0.00",
    "更正后得分率": "0.00",
}
XLSX_WRAP = ("内容", "事项", "原因", "扣分事项")


@dataclass(frozen=True)
class Alert:
    """One warning of the bulletin: 红色 (serious) or 黄色 (needs attention)."""

    level: str
    group: str
    unit: str
    reason: str


@dataclass
class GroupBulletin:
    """One peer group's part: the ranking table and the unit × indicator breakdown."""

    group: str
    label: str
    level1: list[tuple[str, float]]  # first-level names and their points, in order
    table: pd.DataFrame  # 排名, 单位, <first levels>, 得分, 适用满分, 得分率, 上月排名, 排名变化
    breakdown: pd.DataFrame  # one row per applicable unit × indicator, with the deduction items


TEXT_PARTS = {"overall": "总体情况", "problems": "存在问题", "requirements": "下步要求"}
DEFAULT_RECIPIENTS = "各镇（街道）、开发区，县直各部门（单位）"
DEFAULT_CC = "县委办公室，县人大常委会办公室，县政府办公室，县政协办公室，县社会信用体系建设领导小组成员单位"


@dataclass(frozen=True)
class BulletinText:
    """The prose of the 通报 that leaders rewrite: 总体情况, 存在问题, 下步要求.

    Drafted from the month's figures (`draft_text`), then edited by the office and saved per
    month; the tables, chart and warnings are never edited by hand (they are the engine's). Each
    part is plain text, one paragraph per line, so it round-trips through a text area and JSON.
    """

    overall: str
    problems: str
    requirements: str

    def paragraphs(self, part: str) -> list[str]:
        """The non-blank lines of one part (keys of TEXT_PARTS)."""
        return [line.strip() for line in getattr(self, part).splitlines() if line.strip()]

    def to_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in TEXT_PARTS}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> BulletinText:
        """From saved JSON or a form; a part left empty is refused (a 通报 without it reads broken)."""
        empty = [TEXT_PARTS[k] for k in TEXT_PARTS if not str(d.get(k) or "").strip()]
        if empty:
            raise CreditError(f"通报的“{'”“'.join(empty)}”不能为空，请填写或恢复系统生成的草稿。")
        for k, name in TEXT_PARTS.items():  # the one text policy, naming the part as the form does
            check_text(d[k], f"通报的“{name}”", limit=PROSE, multiline=True)
        return cls(**{k: str(d[k]).strip() for k in TEXT_PARTS})


EDITABLE = ("overall", "problems")  # the parts with generated figures: the office adds its own paragraphs


@dataclass(frozen=True)
class TextEdits:
    """What the office wrote, kept apart from what is generated (issue 23, observation 2).

    总体情况 and 存在问题 are generated from the figures every time the notice is shown or signed;
    the office's own paragraphs (`overall`, `problems`) follow them, and 下步要求 is the office's
    (`requirements`, blank: the standard text). `basis` is the generated 总体情况 / 存在问题 as they
    were when the office saved: if the figures have changed since, its own paragraphs may no longer
    fit them, so the page says so and shows what changed, and signing waits for a new save.
    """

    overall: str = ""
    problems: str = ""
    requirements: str = ""
    basis: dict[str, str] | None = None  # None: saved in the old format (a copy of generated figures)

    def to_saved(self) -> dict[str, str]:
        """Flat strings for `store.publishing.save_text` (format 2)."""
        out = {"format": "2", **{k: getattr(self, k).strip() for k in TEXT_PARTS}}
        out.update({f"basis_{k}": v for k, v in (self.basis or {}).items()})
        return out

    @classmethod
    def from_saved(cls, d: dict[str, object]) -> TextEdits:
        """A saved text; an old-format one (full copies of the generated parts) keeps only 下步要求."""
        if str(d.get("format")) == "2":
            return cls(*(str(d.get(k) or "") for k in TEXT_PARTS), {k: str(d.get(f"basis_{k}") or "") for k in EDITABLE})
        return cls(requirements=str(d.get("requirements") or ""))

    def compose(self, generated: BulletinText) -> BulletinText:
        """The notice's prose: the generated paragraphs, then the office's own."""
        parts = {k: "\n".join(x for x in (getattr(generated, k), getattr(self, k).strip()) if x) for k in EDITABLE}
        return BulletinText(parts["overall"], parts["problems"], self.requirements.strip() or generated.requirements)

    def stale(self, generated: BulletinText) -> list[str]:
        """What changed in the generated text since the office saved ([] while it still fits)."""
        if self.basis is None:
            return ["文稿是按旧方式保存的（其中数字为保存时的副本），现已改为按当前数据生成，请核对后重新保存。"]
        out = []
        for k in EDITABLE:
            old, new = self.basis.get(k, "").splitlines(), generated.paragraphs(k)
            out += [f"{TEXT_PARTS[k]}　原：{line}" for line in old if line.strip() and line.strip() not in new]
            out += [f"{TEXT_PARTS[k]}　现：{line}" for line in new if line not in [x.strip() for x in old]]
        return out


@dataclass(frozen=True)
class IssueInfo:
    """What goes into the red head and the 版记: number, date, signer, 主送 and 抄送.

    A draft has no number yet (the 文号 line says so); `corrects` names the 通报 a 更正通报
    corrects. The date is the one chosen by the office (成文日期), never "today" once issued.
    """

    number: str = ""  # 文号, e.g. 平信用办〔2022〕11号
    issued: date | None = None
    signer: str = ""  # 签发人
    recipients: str = DEFAULT_RECIPIENTS  # 主送
    cc: str = DEFAULT_CC  # 抄送
    printer: str = ISSUER  # 印发机关
    corrects: str = ""  # the original number, for a 更正通报

    @property
    def draft(self) -> bool:
        return not self.number


@dataclass
class BulletinData:
    month: str
    title: str
    issuer: str
    issued: date
    sentences: list[str]
    groups: list[GroupBulletin]
    deductions: pd.DataFrame  # 组别, 单位, 指标, 事项, 月份, 扣分, 本月新增
    alerts: list[Alert]
    xyd: Progress | None = None
    xyd_series: pd.DataFrame | None = None  # county month by month (for the chart)
    xyd_towns: pd.DataFrame | None = None  # credit.scoring.xyd.town_table
    notes: list[str] = field(default_factory=list)
    text: BulletinText | None = None  # None → the generated draft (set by build_bulletin_data)
    issue: IssueInfo = field(default_factory=IssueInfo)
    generated: BulletinText | None = None  # the prose generated from these figures (before the office's)
    stale: list[str] = field(default_factory=list)  # the office's text is older than the figures: what changed
    correction: Correction | None = None  # a 更正通报's 更正说明 and its table of changes

    @property
    def issue_no(self) -> int:
        return month_parts(self.month)[1]

    @property
    def new_deductions(self) -> pd.DataFrame:
        """This month's new deduction items: the only ones the Word file lists (the year's are in Excel)."""
        return self.deductions[self.deductions["本月新增"] == "是"].reset_index(drop=True)

    @property
    def month_text(self) -> str:
        return month_label(self.month)

    def alerts_of(self, level: str) -> list[Alert]:
        return [a for a in self.alerts if a.level == level]


def bulletin_title(month: str) -> str:
    return f"平阴县社会信用体系建设工作{month_label(month)}通报"


def file_stem(month: str) -> str:
    return f"信用体系建设月度通报_{month}"


# -- tables -----------------------------------------------------------------------------------


def ranking_table(gm: GroupMonth) -> pd.DataFrame:
    """The ranking with first-level subtotals; 排名变化 > 0 means the unit moved up.

    A first-level subtotal is left blank (not 0.00) for a unit none of whose indicators of that
    level apply to it, so a reader does not take "not assessed" for "scored nothing". In a month
    where a unit sent nothing a 状态 column says 未报送 for it: its row is last and blank, not ranked
    (`credit.scoring.not_reported`, the same rows as Home and the signed record).
    """
    s = gm.summary
    d = gm.scores.detail
    applicable = d[d["applies"]].groupby(["unit_id", "level1"]).size()
    table = pd.DataFrame({"排名": s["rank"].astype("Int64"), "单位": s["unit"].astype(object)})
    for lv in gm.scores.level1_names:
        has = [(uid, lv) in applicable.index for uid in s["unit_id"]]
        table[lv] = s[lv].astype(float).round(2).where(has)  # blank where nothing of the level applies
    table["得分"] = s["earned"].astype(float).round(2)
    table["适用满分"] = s["possible"].astype(float).round(2)
    table["得分率"] = s["score"].astype(float).round(2)
    table["上月排名"] = s["prev_rank"].astype("Int64")
    table["排名变化"] = s["d_rank"].astype("Int64")
    states = state_labels(s)
    if states is not None:
        table["状态"] = states
    return table.reset_index(drop=True).copy()  # consolidated now: its pickle (a rendered file's key) stays put


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ranking table that are ranked (a 未报送 unit has no 排名)."""
    return table[table["排名"].notna()]


def _item_text(row) -> str:
    text = str(row.description or "").strip() or "（未填写说明）"
    handling = row.handling if isinstance(row.handling, str) and row.handling else ""
    return f"{text}（{handling}）" if handling else text


def _indicator_label(fw: Framework, code: str) -> str:
    return fw.indicator(code).name


def deduction_items(gm: GroupMonth, before: GroupMonth | None = None) -> pd.DataFrame:
    """Every item of the year to date that cost points, newest month first within a unit.

    本月新增 is "是" only for what is new this month (`new_this_month`): a stock carried over from
    an earlier report is not, which needs last month's scores (`before`).
    """
    ms = gm.scores
    items = describe_items(ms.items[ms.items["deduction"] > 0], ms.framework)
    new = new_this_month(items, None if before is None else before.scores.items, ms.month, ms.framework)
    names = dict(zip(gm.summary["unit_id"], gm.summary["unit"]))
    order = {uid: i for i, uid in enumerate(gm.summary["unit_id"])}
    out = pd.DataFrame({
        "组别": group_label(ms.group),
        "单位": [names.get(u, u) for u in items["unit_id"]],
        "指标": [_indicator_label(ms.framework, c) for c in items["code"]],
        "事项": [_item_text(r) for r in items.itertuples()],
        "月份": items["month"].astype(str).to_numpy(),
        "扣分": items["deduction"].astype(float).round(4).to_numpy(),
        "本月新增": ["是" if n else "" for n in new],
        "_order": [order.get(u, len(order)) for u in items["unit_id"]],
    })
    out = out.sort_values(["_order", "月份", "指标"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def breakdown_table(gm: GroupMonth) -> pd.DataFrame:
    """Unit × indicator: points, attainment, earned, lost, and the deduction items behind them."""
    ms = gm.scores
    shown = set(gm.summary.loc[reported_mask(gm.summary), "unit_id"])  # a 未报送 unit's figures are not this month's
    d = ms.detail[ms.detail["applies"] & ms.detail["unit_id"].isin(shown)]
    items = describe_items(ms.items[ms.items["deduction"] > 0], ms.framework)
    trail: dict[tuple[str, str], list[str]] = {}
    for r in items.itertuples():
        text = _item_text(r)
        when = "" if text.startswith((str(r.month), "截至")) else f"{r.month} "
        trail.setdefault((r.unit_id, r.code), []).append(f"{when}{text}（扣{r.deduction:g}分）")
    order = {uid: i for i, uid in enumerate(gm.summary["unit_id"])}
    rank = dict(zip(gm.summary["unit_id"], gm.summary["rank"]))
    out = pd.DataFrame({
        "排名": [int(rank[u]) for u in d["unit_id"]],
        "单位": d["unit"].astype(object).to_numpy(),
        "代码": d["code"].to_numpy(),
        "一级指标": d["level1"].to_numpy(),
        "二级指标": d["indicator"].to_numpy(),
        "分值": d["points"].astype(float).to_numpy(),
        "达成率": d["attainment"].astype(float).to_numpy(),
        "得分": d["earned"].astype(float).round(2).to_numpy(),
        "失分": (d["points"] - d["earned"]).astype(float).round(2).to_numpy(),
        "扣分事项": ["；".join(trail.get((u, c), [])) for u, c in zip(d["unit_id"], d["code"])],
        "_order": [order[u] for u in d["unit_id"]],
    })
    out = out.sort_values("_order", kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


# -- warnings ---------------------------------------------------------------------------------


def _serious_codes(fw: Framework) -> set[str]:
    return {i.code for i in fw.indicators if i.inputs.get("event") == EVENT_SERIOUS}


def _monthly_flows(ind: Indicator, group: str) -> list[str]:
    """The flow inputs of `ind` that a unit is expected to report something for every month.

    Which inputs those are is the rule's to say (`Rule.monthly_flows`: a target of 12 or more a
    year, a peer comparison on a flow); here only those on the group's sheet that are flows count.
    """
    headers = RULES[ind.rule].monthly_flows(ind)
    if not headers:
        return []
    sheet = SHEETS[GROUP_SHEET[group]]
    return [h for h in headers if field_sheet(group, h) == sheet.name and sheet.column(h).kind == "flow"]


def flow_alerts(gm: GroupMonth) -> list[Alert]:
    """黄色: a unit that sent nothing this month for an indicator that expects monthly reports."""
    ms, inp = gm.scores, gm.inputs
    label = group_label(ms.group)
    rows = inp.unit_monthly[inp.unit_monthly["month"] == ms.month].set_index("unit_id")
    expected = [(ind, h) for ind in ms.framework.indicators for h in _monthly_flows(ind, ms.group)]
    sheet = GROUP_SHEET[ms.group]
    fields = [f for f in SHEETS[sheet].numeric_fields if f in rows.columns]
    alerts = []
    for unit in inp.units:
        name = unit.name_at(ms.month)
        if unit.id not in rows.index:
            alerts.append(Alert(YELLOW, label, name, f"本月“{sheet}”表中没有该单位的数据（{NOT_SENT}）"))
            continue
        if rows.loc[[unit.id], fields].isna().all(axis=None):
            alerts.append(Alert(YELLOW, label, name, f"本月“{sheet}”表中该单位的行各项均为空白（{NOT_SENT}）"))
            continue
        missing = []
        for ind, h in expected:
            value = float(rows.at[unit.id, h]) if h in rows else math.nan
            if ind.applies_to.covers(unit) and not value > 0:
                # a blank cell is not a reported 0 (observation 5 of issue 23): say which it is
                missing.append(f"{h}{UNFILLED if math.isnan(value) else ZERO}（{ind.label}）")
        if missing:
            alerts.append(Alert(YELLOW, label, name, "、".join(missing)))
    return alerts


def not_sent(alert: Alert) -> bool:
    """A warning about a unit that sent nothing this month (no row, or a row of blanks)."""
    return alert.level == YELLOW and alert.reason.endswith(f"（{NOT_SENT}）")


def red_alerts(gm: GroupMonth) -> list[Alert]:
    """红色: this month's deduction for a serious dishonesty event, or a fall of 3 places or more."""
    ms = gm.scores
    label = group_label(ms.group)
    names = dict(zip(gm.summary["unit_id"], gm.summary["unit"]))
    alerts = []
    items = ms.items
    serious = items[items["code"].isin(_serious_codes(ms.framework)) & (items["deduction"] > 0)
                    & (items["month"] == ms.month)]
    for r in serious.itertuples():
        alerts.append(Alert(RED, label, names.get(r.unit_id, r.unit_id),
                            f"本月出现严重失信事件：{_item_text(r)}，扣 {r.deduction:g} 分"))
    for r in gm.summary.itertuples():
        if pd.notna(r.d_rank) and int(r.d_rank) <= -RANK_FALL_RED:
            alerts.append(Alert(RED, label, r.unit,
                                f"排名下降 {-int(r.d_rank)} 位（由第 {int(r.prev_rank)} 名降至第 {int(r.rank)} 名）"))
    return alerts


def xyd_alerts(towns: pd.DataFrame | None) -> list[Alert]:
    """黄色: a town whose new 信易贷 registrations are behind its fair share of the target to date."""
    if towns is None or towns.empty:
        return []
    behind = towns[towns["序时进度差"] < 0]
    return [
        Alert(YELLOW, group_label("镇街"), r["单位"],
              f"信易贷本年新增 {r['本年新增']:,.0f} 家，序时任务 {r['序时任务数']:,.0f} 家，落后 {-r['序时进度差']:,.0f} 家")
        for r in behind.to_dict("records")
    ]


# -- sentences --------------------------------------------------------------------------------


def _names(units: list[str]) -> str:
    return "、".join(units)


def _some(units: list[str], limit: int = 8) -> str:
    """'甲、乙等 12' — the first names and the count (the caller adds 个单位)."""
    return f"{_names(units[:limit])}{'等' if len(units) > limit else ''} {len(units)}"


def overall_sentence(gb: GroupBulletin) -> str:
    """Average, top three and lowest of the group — among the units ranked: a 未报送 unit is named
    as such and counts in no figure."""
    t = ranked(gb.table)
    silent = [str(u) for u in gb.table.loc[gb.table["排名"].isna(), "单位"]]
    if t.empty:
        return f"{len(gb.table)}个{gb.label}本月均{NOT_REPORTED}，暂不排名。"
    top = t[t["排名"] <= 3]
    worst = t[t["排名"] == t["排名"].max()]
    best = _names([f"{r['单位']}（{r['得分率']:.2f}）" for r in top.to_dict("records")])
    low = _names([f"{r['单位']}（{r['得分率']:.2f}）" for r in worst.to_dict("records")])
    who = f"{len(gb.table)}个{gb.label}中已报送 {len(t)} 个、" if silent else f"{len(t)}个{gb.label}"
    rest = f"，{_some(silent)} 个单位{NOT_REPORTED}、不参加排名" if silent else ""
    return (f"{who}平均得分率 {t['得分率'].mean():.2f}，{best}位列前{'三' if len(top) >= 3 else '列'}，"
            f"{low}得分率最低{rest}。")


def _move_phrase(r: dict, verb: str) -> str:
    d = r["d_rank"]
    # no rank change while a unit of the group has not reported (a rank among part of the group)
    place = "" if pd.isna(d) else "，排名不变" if int(d) == 0 else (
        f"，排名上升 {int(d)} 位" if int(d) > 0 else f"，排名下降 {-int(d)} 位")
    why = f"，主要是{r['原因']}" if r.get("原因") else ""
    return f"{r['unit']}{verb}（得分率 {r['d_score']:+.2f}{place}）{why}"


def movers_sentence(gm: GroupMonth, prev: GroupMonth) -> str:
    """Who gained and who lost most against last month, and through which indicators."""
    label = group_label(gm.scores.group)
    sent = reported_mask(gm.summary)
    if not sent.any():
        return f"{label}：本月均{NOT_REPORTED}，暂不与上月比较。"
    among = "" if sent.all() else f"在已报送的 {int(sent.sum())} 个单位中"  # a 未报送 unit's change is not this month's
    gain, fall = movers(gm.summary, indicator_deltas(gm.scores.detail, prev.scores.detail), n=1)
    parts = [_move_phrase(r, "进步最大") for r in gain.to_dict("records")]
    parts += [_move_phrase(r, "下降最多") for r in fall.to_dict("records")]
    if not parts:
        return f"{label}{among}：与上月相比各单位得分率没有变化。"
    return f"{label}中，{among}与上月相比，" + "；".join(parts) + "。"


def xyd_sentence(p: Progress | None, month: str, towns: pd.DataFrame | None) -> str:
    if p is None:
        return f"信易贷方面，{month_parts(month)[0]}年尚未设定年初注册数和新增目标。"
    if not math.isfinite(p.new):
        return "信易贷方面，本年全县信易贷平台注册企业数尚未报送。"
    m = month_parts(month)[1]
    gap = p.new - p.expected
    text = (f"信易贷方面，截至{m}月底全县信易贷平台注册企业 {p.registered:,.0f} 家，较年初（{p.opening:,.0f} 家）"
            f"新增 {p.new:,.0f} 家，完成全年新增目标 {p.target:,.0f} 家的 {p.share:.1%}，"
            f"{'超过' if gap >= 0 else '落后'}序时进度 {abs(gap):,.0f} 家。")
    if p.new >= p.target:
        text += "已提前完成全年目标。"
    elif m < 12:
        when = f"按当前速度预计{p.projected_month}月完成" if p.projected_month else "按当前速度年内难以完成"
        text += (f"完成全年目标，剩余 {12 - m} 个月平均每月需新增 {p.pace_needed:,.0f} 家，"
                 f"目前月均新增 {p.pace_now:,.0f} 家，{when}。")
    if towns is not None and not towns.empty:
        behind = towns[towns["序时进度差"] < 0]["单位"].tolist()
        text += (f"{_names(behind)}等 {len(behind)} 个单位新增注册落后于序时任务。" if behind
                 else "各镇（街道）、开发区均达到序时任务。")
    return text


def deductions_sentence(deductions: pd.DataFrame) -> str:
    if deductions.empty:
        return "本年度至今没有扣分事项。"
    new = int((deductions["本月新增"] == "是").sum())
    return (f"本年累计扣分事项 {len(deductions)} 项，涉及 {deductions['单位'].nunique()} 个单位，"
            f"其中本月新增 {new} 项（见第四部分，全年明细见附件）。")


def alerts_sentence(alerts: list[Alert]) -> str:
    red = sum(a.level == RED for a in alerts)
    yellow = sum(a.level == YELLOW for a in alerts)
    return f"本月发出红色预警 {red} 个、黄色预警 {yellow} 个（详见第五部分），请相关单位对照整改。"


def problems_draft(data: BulletinData) -> str:
    """存在问题, drafted from the warnings and the laggards; one numbered point a line."""
    points: list[str] = []
    red = data.alerts_of(RED)
    if red:
        points.append(f"部分单位出现严重失信或排名明显下滑。{_names(sorted({a.unit for a in red}))}本月被红色预警，"
                      "须逐项说明原因并限期整改。")
    flows = [a for a in data.alerts_of(YELLOW) if not a.reason.startswith("信易贷")]
    silent = list(dict.fromkeys(a.unit for a in flows if not_sent(a)))
    zeros = list(dict.fromkeys(a.unit for a in flows if ZERO in a.reason and a.unit not in silent))
    if silent:
        points.append(f"按月报送不够及时。{_some(silent)} 个单位本月有按月报送的指标未报送。")
    if zeros:
        points.append(f"部分工作进展不足。{_some(zeros)} 个单位本月有按月报送的指标报送为 0。")
    blanks = list(dict.fromkeys(a.unit for a in flows if UNFILLED in a.reason and a.unit not in silent))
    if blanks:
        points.append(f"报表填写不完整。{_some(blanks)} 个单位本月有按月报送的指标未填写。")
    xyd = [a.unit for a in data.alerts_of(YELLOW) if a.reason.startswith("信易贷")]
    if xyd:
        points.append(f"“信易贷”推广进度不均衡。{_names(xyd)}新增注册企业数落后于序时任务。")
    new = data.new_deductions
    if not new.empty:
        points.append(f"扣分事项仍有发生。本月新增扣分事项 {len(new)} 项，涉及{_names(list(dict.fromkeys(new['单位'])))}。")
    for gb in data.groups:
        low = ranked(gb.table).sort_values("排名", kind="stable").tail(3)
        if len(ranked(gb.table)) > 3:
            names = _names([f"{r['单位']}（{r['得分率']:.2f}）" for r in low.to_dict("records")])
            points.append(f"{gb.label}中{names}排名靠后，与先进单位差距较大。")
    if not points:
        return "本月各单位工作总体平稳，未发现突出问题。"
    numbers = "一二三四五六七八九十"
    return "\n".join(f"{numbers[i]}是{p}" for i, p in enumerate(points[:10]))


REQUIREMENTS_DRAFT = "\n".join([
    "一是压实工作责任。各单位要对照本通报查找差距，主要负责同志亲自过问，分管负责同志具体抓，确保各项指标按时保质完成。",
    "二是按时准确报送。各单位须于每月 5 日前报送上月数据，做到不漏报、不迟报、不错报；被预警的单位须于 10 个工作日内书面报送整改情况。",
    "三是加快“信易贷”推广。落后于序时进度的镇（街道）、开发区要制定推进计划，确保完成全年新增注册任务。",
    "四是强化信用监管。对本月新增的扣分事项逐项核实、整改到位，防止同类问题再次发生。",
])


def draft_text(data: BulletinData) -> BulletinText:
    """The generated draft of the editable parts: the office starts from this."""
    return BulletinText("\n".join(data.sentences), problems_draft(data), REQUIREMENTS_DRAFT)


# -- assembling -------------------------------------------------------------------------------


def _xyd(store: Store, month: str, towns: GroupMonth | None = None
         ) -> tuple[Progress | None, pd.DataFrame | None, pd.DataFrame | None]:
    """信易贷 progress from the inputs of `towns` (the 镇街 figures shown: a signed month's record)
    and last December's figures (its record too when signed)."""
    year, _ = month_parts(month)
    target = store.xyd_target(year)
    if not target:
        return None, None, None
    opening, goal = target
    inp = towns.inputs if towns is not None else load_month_inputs(store, month, "镇街")
    dec = f"{year - 1}-12"
    prev_dec = None
    if dec in store.datasets.months_with_data():
        monthly = score(store, dec, "镇街", with_previous=False).inputs.unit_monthly
        prev_dec = monthly[monthly["month"] == dec]
    p = progress(inp.county_monthly, month, opening, goal)
    return p, county_series(inp.county_monthly, year, opening, goal), town_table(inp, prev_dec, goal)


def group_bulletin(gm: GroupMonth) -> GroupBulletin:
    fw = gm.scores.framework
    points = fw.level1_points()
    return GroupBulletin(gm.scores.group, group_label(gm.scores.group), [(lv.name, points[lv.name]) for lv in fw.level1],
                         ranking_table(gm), breakdown_table(gm))


NOTES = [
    "得分率 = 得分 ÷ 适用指标满分 × 100，按得分率（保留两位小数）排名；排名变化“↑”为上升、“↓”为下降。",
    "扣分事项为本年1月至本月累计；同一指标扣分合计超过该指标分值的，以指标分值为限。",
]


def build_bulletin_data(
    store: Store,
    month: str,
    scored: dict[str, GroupMonth] | None = None,
    issued: date | None = None,
    text: BulletinText | TextEdits | None = None,
    issue: IssueInfo | None = None,
    correction: Correction | None = None,
) -> BulletinData:
    """Everything the month's bulletin says; `scored` reuses already computed `score()` results.

    `text`: the office's own paragraphs (`TextEdits`, composed after the generated ones, which are
    made from these figures now), a complete `BulletinText` used as it is, or None (generated only);
    `issue` the number, date, signer and 抄送 (None: an unnumbered draft dated `issued` or today);
    `correction` the 更正说明 and changes of a 更正通报.
    """
    if month not in store.datasets.months_with_data():
        raise CreditError(f"{month} 没有导入任何数据，无法生成通报。")
    pm = previous_month(month)
    has_prev = pm in store.datasets.months_with_data()
    gms = [(scored or {}).get(g) or score(store, month, g) for g in GROUPS]
    prevs = [score(store, pm, g, with_previous=False) if has_prev else None for g in GROUPS]
    groups = [group_bulletin(gm) for gm in gms]
    p, series, towns = _xyd(store, month, next((gm for gm in gms if gm.scores.group == "镇街"), None))
    alerts = [a for gm in gms for a in red_alerts(gm) + flow_alerts(gm)] + xyd_alerts(towns)
    alerts.sort(key=lambda a: a.level != RED)  # stable: red first, each in group order
    ded = pd.concat([deduction_items(gm, before) for gm, before in zip(gms, prevs)], ignore_index=True)
    movers_text = (
        [movers_sentence(gm, before) for gm, before in zip(gms, prevs) if before is not None]
        if has_prev else [f"上月（{pm}）无数据，本月暂不比较排名变化。"]
    )
    sentences = [
        f"{month_label(month)}，全县" + "；".join(overall_sentence(gb).rstrip("。") for gb in groups) + "。",
        *movers_text,
        xyd_sentence(p, month, towns),
        deductions_sentence(ded),
        alerts_sentence(alerts),
    ]
    issue = issue or IssueInfo(issued=issued)
    when = issue.issued or issued or today()
    data = BulletinData(month, bulletin_title(month), ISSUER, when, sentences, groups, ded,
                        alerts, p, series, towns, list(NOTES), None, issue, correction=correction)
    data.generated = draft_text(data)
    if isinstance(text, TextEdits):
        data.text, data.stale = text.compose(data.generated), text.stale(data.generated)
    else:
        data.text = text or data.generated
    return data


# -- rendering --------------------------------------------------------------------------------


def alerts_frame(alerts: list[Alert]) -> pd.DataFrame:
    return pd.DataFrame({
        "预警等级": [a.level for a in alerts],
        "组别": [a.group for a in alerts],
        "单位": [a.unit for a in alerts],
        "原因": [a.reason for a in alerts],
    })


def xlsx_sheets(data: BulletinData) -> dict[str, pd.DataFrame]:
    """The Excel file's sheets, in order."""
    text = data.text or draft_text(data)
    head = [data.title, data.issuer] + ([data.issue.number] if data.issue.number else [])
    body = [f"{name}：{line}" for part, name in TEXT_PARTS.items() for line in text.paragraphs(part)]
    fixes = data.correction.sentences(data.month_text) if data.correction else []
    sheets: dict[str, pd.DataFrame] = {"总体情况": pd.DataFrame({"内容": [*head, *fixes, *body, *data.notes]})}
    if data.correction is not None:
        sheets["更正说明"] = data.correction.changes
        if not data.correction.inputs.empty:
            sheets["更正的报送数据"] = data.correction.inputs
    for gb in data.groups:
        sheets[f"{gb.group}排名"] = gb.table
    sheets["扣分事项"] = data.deductions
    sheets["预警提示"] = alerts_frame(data.alerts)
    if data.xyd_towns is not None:
        sheets["信易贷进度"] = data.xyd_towns.drop(columns="unit_id")
    for gb in data.groups:
        sheets[f"{gb.group}明细"] = gb.breakdown
    return sheets


def to_xlsx(data: BulletinData) -> bytes:
    return to_excel_bytes(xlsx_sheets(data), XLSX_FORMATS, wrap_columns=XLSX_WRAP)
