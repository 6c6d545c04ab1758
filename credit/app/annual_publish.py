"""Signing the 年度通报: the checks a month's signing makes (文号, 成文日期, 签发人, 更正说明 — the same
helpers), the document rendered once, and the record stored by `store.annual_publishing`.

The year's figures come from `credit.reports.annual`, i.e. each month through the one loader of a
month: a signed month's record, a month still 采集中 as it stands (the document says which).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from credit.app.publish import Published, check_issued_after, read_issue_form
from credit.common.labels import GROUPS
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.reports.annual import YearView, year_view
from credit.reports.annual_bulletin import AnnualBulletin, annual_stem
from credit.reports.annual_files import render
from credit.reports.bulletin import IssueInfo
from credit.reports.pdf import signed_files
from credit.store.annual_publishing import AnnualRecord
from credit.store.facade import Store


@dataclass(frozen=True)
class SignedYear:
    """The 年度通报 in force for a year, as the page and the CLI show it."""

    number: str
    issued: str
    signer: str
    kind: str
    final: bool


def signed_year(store: Store, year: int) -> SignedYear | None:
    cur = store.annual_publishing.current(year)
    if cur is None:
        return None
    return SignedYear(cur["number"], cur["issued"], cur["signer"], cur["kind"], cur["final"])


def result_rows(view: YearView) -> list[dict]:
    return [{"group_name": view.group, "unit_id": r["unit_id"], "unit": str(r["单位"]), "rank": int(r["年度排名"]),
             "score": float(r["年度得分率"]), "grade": str(r["等次"]), "months": int(r["计入月数"]),
             "how": str(r["计算过程"])} for r in view.annual.table.to_dict("records")]


def publish_year(store: Store, year: int, number: str, issued: date | str, signer: str, by: Actor, *,
                 correction_reason: str = "", with_pdf: bool = True) -> Published:
    """Issue the year's 年度通报, or — when it is already issued — its 更正 (needs a reason)."""
    authorize(by, Action.PUBLISH)
    form = read_issue_form(number, issued, signer, correction_reason=correction_reason)
    number, issued, signer, correction_reason = form.number, form.issued, form.signer, correction_reason or ""
    store.publishing.check_number_free(number)  # monthly and annual numbers alike, before anything is drawn
    views = {g: year_view(store, int(year), g, signed=False) for g in GROUPS}
    latest = next(iter(views.values())).latest
    if latest is None:
        raise CreditError(f"{year}年没有导入任何数据，不能签发年度通报。")
    check_issued_after(form, latest, "年度通报须在所含最后一个月结束后签发。")
    current = store.annual_publishing.current(int(year))
    if current and not correction_reason.strip():
        raise CreditError(f"{year} 年度通报已于 {current['issued']} 签发（{current['number']}），"
                          "再次签发即为更正，须填写更正说明。")
    issue = IssueInfo(number, issued, signer, corrects=current["number"] if current else "")
    data = AnnualBulletin(int(year), views, issued, issue)
    stem = f"{annual_stem(int(year))}_{number}"
    files = signed_files(stem, render(data, "docx"), lambda: render(data, "xlsx"), pdf_stem=annual_stem(int(year)),
                         with_pdf=with_pdf)
    first = next(iter(views.values()))
    record = AnnualRecord(
        year=int(year), kind="correction" if current else "original", number=number, issued=issued.isoformat(),
        signer=signer, method=first.annual.rule.method, final=data.final, months=dict(first.grid.states),
        results=[r for v in views.values() for r in result_rows(v)], files=files,
        corrects=current["id"] if current else None, reason=correction_reason.strip())
    pub_id = store.annual_publishing.publish(record, by, expect_current=current["id"] if current else None)
    return Published(pub_id, number, record.kind, {f: hashlib.sha256(b).hexdigest() for f, (_, b) in files.items()})
