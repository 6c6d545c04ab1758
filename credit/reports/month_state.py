"""A month's state, the same for every reader (issue 23, observation 4).

采集中: units are still reporting (N of M have, and who has not); 待签发: everyone has reported and
the 通报 is not signed yet; 已签发: the 通报 (or its latest 更正通报) is in force, with its 文号 and
date; 更正中: signed, and the data have changed since (a 更正候选 waits for a 更正通报).

Until a month is signed its figures are provisional (临时结果): readers land on the latest signed
month, and a unit that has not reported this month is shown as 未报送 rather than ranked on the
figures carried over from earlier months — one rule for every reader, `credit.scoring.not_reported`,
applied where a month is scored (`credit.reports.scored.score`). Pages only draw this.
"""

from __future__ import annotations

from dataclasses import dataclass

from credit.common.labels import some_names
from credit.common.months import month_label
from credit.reports.scored import current_register
from credit.reports.status import SubmissionStatus, month_reporting, reporting_of

COLLECTING, PENDING, SIGNED, CORRECTING = "采集中", "待签发", "已签发", "更正中"
PROVISIONAL = "临时结果"
NOT_REPORTED = "未报送"


@dataclass(frozen=True)
class MonthState:
    month: str
    state: str
    expected: int  # units expected to report their group's sheet
    reported: int
    silent: tuple[str, ...]  # units that sent nothing this month (no row, or a row of blanks)
    number: str = ""  # the 文号 in force (已签发 / 更正中)
    issued: str = ""
    correction: bool = False  # the one in force is a 更正通报

    @property
    def provisional(self) -> bool:
        """Not (or no longer exactly) the signed record: a 临时结果."""
        return self.state != SIGNED

    def line(self) -> str:
        """One Chinese sentence for every reader."""
        head = f"{month_label(self.month)}状态：{self.state}"
        what = "更正通报" if self.correction else "通报"
        if self.state == SIGNED:
            return f"{head}（{what} {self.number}，成文日期 {self.issued}）。"
        if self.state == CORRECTING:
            return (f"{head}（已签发{what} {self.number}，成文日期 {self.issued}；数据有更正，"
                    "更正通报签发前以已签发结果为准）。")
        who = some_names(self.silent, 8, "个单位")
        if self.state == PENDING:
            return f"{head}（{self.expected} 个单位均已报送，通报尚未签发，当前为{PROVISIONAL}）。"
        return (f"{head}（{self.expected} 个单位中已报送 {self.reported} 个"
                + (f"，未报送：{who}" if who else "") + f"；当前为{PROVISIONAL}）。")


def month_state(store, month: str, status: SubmissionStatus | None = None) -> MonthState:
    """The state of `month` from the store: publications, data versions and 报送进度 (`status`
    when the caller has it, else only the counts the state needs: `month_reporting`)."""
    if status is not None:
        rep = reporting_of(status)
    else:
        with store.snapshot():  # the register and the counts of one state of the database
            rep = month_reporting(store, month, current_register(store))
    silent, expected = rep.silent, rep.expected
    pub = store.publishing.current_publication(month)
    if pub is None:
        state = PENDING if rep.complete else COLLECTING
        return MonthState(month, state, expected, expected - len(silent), tuple(silent))
    now = {s: v["id"] for s, v in store.datasets.sheets_status(month).items() if v is not None}
    signed = {s: int(v) for s, v in pub["data_versions"].items()}
    state = SIGNED if now == signed else CORRECTING
    return MonthState(month, state, expected, expected - len(silent), tuple(silent), pub["number"], pub["issued"],
                      pub["kind"] == "correction")


def landing_month(months: list[str], signed: list[str]) -> str | None:
    """Where a reader lands: the latest signed month, else the latest month with data."""
    done = [m for m in months if m in set(signed)]
    return (done or months or [None])[-1]

