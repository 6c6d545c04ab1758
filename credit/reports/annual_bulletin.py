"""The 年度通报: the year's result as an official document, in the monthly 通报's form.

The content is a dataclass (`AnnualBulletin`) built from the year's views (`credit.reports.annual`),
one per group; the generated text is made from the same tables the document prints, so the prose
and the tables cannot disagree. Word is rendered by `credit.reports.annual_docx` (on the monthly
通报's 版头, styles and 版记), PDF from that Word file by the same LibreOffice helper, Excel here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from credit.common.clock import today
from credit.common.labels import GROUPS, group_label
from credit.reports.annual import YearView, short_month, year_view
from credit.reports.bulletin import ISSUER, IssueInfo
from credit.store.facade import Store
from credit.workbook.export import to_excel_bytes

FORMATS = {"docx", "xlsx", "pdf"}
FORMAT_NAMES = {"docx": "Word 文件", "xlsx": "Excel 明细", "pdf": "PDF 文件"}


def annual_title(year: int) -> str:
    return f"平阴县社会信用体系建设工作{year}年度通报"


def annual_stem(year: int) -> str:
    return f"信用体系建设年度通报_{year}"


@dataclass
class AnnualBulletin:
    """What the 年度通报 says: the year's views by group, the generated text, the red head's data."""

    year: int
    views: dict[str, YearView]
    issued: date
    issue: IssueInfo = field(default_factory=IssueInfo)
    issuer: str = ISSUER

    @property
    def title(self) -> str:
        return annual_title(self.year)

    @property
    def final(self) -> bool:
        return all(v.annual.final for v in self.views.values())

    @property
    def sentences(self) -> list[str]:
        return annual_sentences(self)


def grade_counts(view: YearView) -> dict[str, int]:
    """How many units earned each grade, best first (grades nobody earned included, as 0)."""
    names = [name for name, _ in view.annual.rule.grades] + ["较差"]
    counts = view.annual.table["等次"].value_counts()
    return {name: int(counts.get(name, 0)) for name in names}


def annual_sentences(data: AnnualBulletin) -> list[str]:
    """The 总体情况 paragraph, one sentence per fact, each taken from a table the document prints."""
    out: list[str] = []
    first = next(iter(data.views.values()))
    if first.empty:
        return [f"{data.year}年尚无任何月份的考核数据。"]
    out.append(f"{data.year}年已汇总 {len(first.months)} 个月的月度考核结果（{first.states_line()}）。")
    out.append(f"{first.annual.rule.describe()}本通报所列年度结果为{first.annual.status}。")
    for group, view in data.views.items():
        t = view.annual.table
        if t.empty:
            out.append(f"{group_label(group)}本年暂无年度结果。")
            continue
        top = t[t["年度排名"] == 1]["单位"].tolist()
        grades = "、".join(f"{name} {n} 个" for name, n in grade_counts(view).items())
        text = (f"{group_label(group)}共 {len(t)} 个单位参加年度排名，{'、'.join(top)}以 {t['年度得分率'].iloc[0]:.2f} "
                f"位列第一；等次分布：{grades}。")
        moves = view.movers()
        if not moves.empty:
            up, down = moves.iloc[0], moves.iloc[-1]
            span = f"{short_month(view.months[0])}至{short_month(view.months[-1])}"
            least = "下降最多" if down["得分率变化"] < 0 else "提高最少"
            text += (f"{span}，得分率提高最多的是{up['单位']}（{up['得分率变化']:+.2f}），"
                     f"{least}的是{down['单位']}（{down['得分率变化']:+.2f}）。")
        out.append(text)
    city = first.city_rank
    if len(city):
        out.append(f"全县信用监测全市排名：{short_month(city.index[0])}第 {int(city.iloc[0])} 位，"
                   f"{short_month(city.index[-1])}第 {int(city.iloc[-1])} 位。")
    return out


def build_annual_bulletin(store: Store, year: int, issued: date | None = None, issue: IssueInfo | None = None,
                          views: dict[str, YearView] | None = None) -> AnnualBulletin:
    """The year's 通报 for both groups (a draft unless `issue` carries a number)."""
    views = views or {g: year_view(store, year, g) for g in GROUPS}
    issue = issue or IssueInfo()
    return AnnualBulletin(int(year), views, issued or issue.issued or today(), issue)


def annual_sheets(data: AnnualBulletin) -> dict[str, pd.DataFrame]:
    """The Excel annex: per group the annual result, ranks and 得分率 month by month; a 说明 sheet."""
    sheets: dict[str, pd.DataFrame] = {"说明": pd.DataFrame({"说明": [data.title, *data.sentences]})}
    for group, view in data.views.items():
        sheets[f"{group}年度结果"] = view.annual.table.drop(columns=["unit_id"])
        sheets[f"{group}各月排名"] = view.rank_table().drop(columns=["unit_id"])
        sheets[f"{group}各月得分率"] = view.score_table().drop(columns=["unit_id"])
    return sheets


def to_xlsx(data: AnnualBulletin) -> bytes:
    return to_excel_bytes(annual_sheets(data))
