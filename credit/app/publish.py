"""Issuing a month's 通报 (and its 更正通报): the checks, the frozen result, the files.

`publish_month` is the one use case behind the CLI's `publish` and the bulletin page's 签发 form:
it checks the input (number shape and uniqueness, a date after the month ends, 报送进度 complete
unless 仍然发布 with a reason, a 更正说明 for a month already issued), scores the month from one
snapshot, renders the exact files and hands everything to `store.publishing.publish`, which writes
it in one transaction. `correction_diff` shows who moves, and by how much, between the published
result and what the current data (the correction candidate) gives.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from credit.common.labels import GROUPS
from credit.common.months import month_bounds, read_date
from credit.common.text import LINE, NAME, NOTE, NUMBER, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.reports.bulletin import (
    EDITABLE,
    TEXT_PARTS,
    BulletinData,
    IssueInfo,
    TextEdits,
    build_bulletin_data,
    file_stem,
    to_xlsx,
)
from credit.reports.candidate import record_vs_candidate
from credit.reports.correction import Correction, changes, input_changes, issued_tables
from credit.reports.exports import render_docx as to_docx  # python-docx imported on first use
from credit.reports.pdf import signed_files
from credit.reports.scored import GroupMonth, record_parts, score
from credit.reports.status import month_status
from credit.scoring.not_reported import reported_mask
from credit.store.facade import Store
from credit.store.publishing import PublicationRecord

NUMBER_RE = re.compile(r"^\S+〔(\d{4})〕(\d+)号$")
POLICY = "rescale"


@dataclass(frozen=True)
class Published:
    publication_id: int
    number: str
    kind: str
    files: dict[str, str]  # format -> sha256


def check_issue_texts(*, number: object = "", signer: object = "", force_reason: object = "",
                      correction_reason: object = "", cc: object = "") -> None:
    """The text policy for what 签发 types (文号, 签发人, reasons, 抄送): before any document is drawn,
    so a control character can no longer make a month impossible to issue."""
    check_text(number, "文号", limit=NUMBER)
    check_text(signer, "签发人", limit=NAME)
    check_text(force_reason, "强制签发原因", limit=NOTE, multiline=True)
    check_text(correction_reason, "更正说明", limit=NOTE, multiline=True)
    check_text(cc, "抄送", limit=LINE)


def check_number(number: str) -> int:
    """'平信用办〔2022〕11号' → 2022; anything else is refused with the expected shape."""
    m = NUMBER_RE.match((number or "").strip())
    if not m:
        raise CreditError(f"文号「{number}」格式有误，应为 机关代字〔年份〕序号号，例如 平信用办〔2022〕11号")
    return int(m.group(1))


def month_end(month: str) -> date:
    return month_bounds(month)[1]


@dataclass(frozen=True)
class IssueForm:
    """What the 签发 form says, read and checked: the same for a month's and a year's 通报."""

    number: str
    number_year: int
    issued: date
    signer: str


def read_issue_form(number: object, issued: date | str, signer: object, **texts: object) -> IssueForm:
    """文号, 成文日期 and 签发人 as typed, refused in Chinese before anything is scored or drawn;
    `texts` are the form's other fields for the text policy (force_reason, correction_reason, cc)."""
    check_issue_texts(number=number, signer=signer, **texts)
    number = str(number or "").strip()
    number_year = check_number(number)
    day = read_date(issued, "成文日期")  # the page's text box, "2022-11-05" or "2022年11月5日"
    signer = str(signer or "").strip()
    if not signer:
        raise CreditError("请填写签发人。")
    return IssueForm(number, number_year, day, signer)


def check_issued_after(form: IssueForm, last_month: str, what: str) -> None:
    """The 成文日期 falls after the last month the document covers, in the year of its 文号."""
    if form.issued <= month_end(last_month):
        raise CreditError(f"成文日期 {form.issued:%Y-%m-%d} 早于或等于 {last_month} 的月末"
                          f"（{month_end(last_month):%Y-%m-%d}），{what}")
    if form.number_year != form.issued.year:
        raise CreditError(f"文号年份〔{form.number_year}〕与成文日期 {form.issued:%Y-%m-%d} 的年份不一致。")


def frozen_rows(gm: GroupMonth) -> list[dict]:
    """The published result of one group as rows: rank, score, earned, possible, subtotals — of the
    ranked units only: a unit signed as 未报送 (仍然发布) has no rank (it is in the month record)."""
    s, d = gm.summary[reported_mask(gm.summary)], gm.scores.detail
    applies = set(map(tuple, d.loc[d["applies"], ["unit_id", "level1"]].to_numpy()))
    return [{
        "group_name": gm.scores.group, "unit_id": r["unit_id"], "unit": str(r["unit"]), "rank": int(r["rank"]),
        "score": float(r["score"]), "earned": float(r["earned"]), "possible": float(r["possible"]),
        "subtotals": {lv: (float(r[lv]) if (r["unit_id"], lv) in applies else None)
                      for lv in gm.scores.level1_names},
    } for r in s.to_dict("records")]


def bulletin_text(store: Store, month: str) -> TextEdits | None:
    """The office's own paragraphs for `month` (composed after the generated ones), None when never saved."""
    saved = store.publishing.saved_text(month)
    return TextEdits.from_saved(saved["text"]) if saved else None


def candidate_data(store: Store, month: str, text: TextEdits | None | bool = True) -> BulletinData:
    """The notice as it would be signed now: today's figures (for a signed month, its 更正候选), the
    text generated from them and the office's saved paragraphs (`text=True`) — what 签发 checks."""
    with store.snapshot():
        scored = {g: score(store, month, g, policy=POLICY, published=False) for g in GROUPS}
        edits = bulletin_text(store, month) if text is True else text
        return build_bulletin_data(store, month, scored=scored, text=edits or None)


def save_bulletin_text(store: Store, month: str, values: dict[str, str], by: Actor) -> bool:
    """Save the office's paragraphs with the generated text they were written against (its basis:
    when the figures change later, the page says the text is out of date). False: nothing changed."""
    authorize(by, Action.BULLETIN)
    generated = candidate_data(store, month, text=None).generated
    edits = TextEdits(*(str(values.get(k) or "").strip() for k in TEXT_PARTS),
                      {k: "\n".join(generated.paragraphs(k)) for k in EDITABLE})
    return store.publishing.save_text(month, edits.to_saved(), by)


def correction_of(store: Store, current: dict, reason: str, data: BulletinData) -> Correction:
    """The 更正说明 and what changed: the notice in force as issued (its Excel file) vs `data`."""
    _, xlsx, _ = store.publishing.publication_file(current["id"], "xlsx")
    frames = [changes(gb.group, issued_tables(xlsx, gb.group), gb.table, gb.breakdown) for gb in data.groups]
    inputs = input_changes(store, current["month"], {s: int(v) for s, v in current["data_versions"].items()})
    return Correction(current["number"], reason.strip(), pd.concat(frames, ignore_index=True), inputs)


def publish_month(
    store: Store,
    month: str,
    number: str,
    issued: date | str,
    signer: str,
    by: Actor,
    *,
    force_reason: str = "",
    correction_reason: str = "",
    objections_confirmed: bool = False,
    cc: str | None = None,
    with_pdf: bool = True,
) -> Published:
    """Issue the month's 通报, or — when it is already issued — its 更正通报 (needs a reason)."""
    authorize(by, Action.PUBLISH)
    form = read_issue_form(number, issued, signer, force_reason=force_reason, correction_reason=correction_reason,
                           cc=cc)
    number, year, issued, signer = form.number, form.number_year, form.issued, form.signer
    if month not in store.datasets.months_with_data():
        raise CreditError(f"{month} 没有导入任何数据，不能签发通报。")
    check_issued_after(form, month, "通报须在月份结束后签发。")
    current = store.publishing.current_publication(month)
    kind = "correction" if current else "original"
    if current and not correction_reason.strip():
        raise CreditError(f"{month} 已于 {current['issued']} 签发通报（{current['number']}），"
                          "再次签发即为更正通报，须填写更正说明。")
    status = month_status(store, month)
    missing = [f"{r['单位']}（{r['工作表']}）" for r in status.missing.to_dict("records")]
    if missing and not force_reason.strip():
        raise CreditError(f"报送进度显示仍有 {len(missing)} 项未报送：{status.missing_text()}。"
                          "如确需发布，请选择“仍然发布”并填写原因。")
    store.publishing.check_number_free(number)  # refused before anything is scored or rendered
    pending = store.unit_desk.open_objections(month)
    if pending and not objections_confirmed:
        units = "、".join(sorted({str(o.get("unit") or o.get("unit_id")) for o in pending}))
        raise CreditError(f"{month} 仍有 {len(pending)} 项申诉未处理（{units}）。请先在“报送审核”中处理，"
                          "或确认“申诉未处理仍然签发”后再签发。")
    with store.snapshot():
        seen = store.data_version()  # re-checked inside the write: nothing may commit in between
        scored = {g: score(store, month, g, policy=POLICY, published=False) for g in GROUPS}
        versions = {s: v["id"] for s, v in store.datasets.sheets_status(month).items() if v is not None}
        text = bulletin_text(store, month)
        issue = IssueInfo(number, issued, signer, corrects=current["number"] if current else "",
                          **({"cc": cc} if cc else {}))
        data = build_bulletin_data(store, month, scored=scored, text=text, issue=issue)
        if data.stale:
            raise CreditError("通报文稿保存后数据已有变化，文稿中系统生成的部分已按当前数据更新："
                              f"{'；'.join(data.stale[:3])}{'等' if len(data.stale) > 3 else ''}。"
                              "请在“通报文稿”中核对本单位补充的段落，重新保存后再签发。")
        if current:
            data.correction = correction_of(store, current, correction_reason, data)
        parts = {k: v for gm in scored.values() for k, v in record_parts(gm).items()}
    parts[("", "warnings")] = [asdict(a) for a in data.alerts]
    parts[("", "sentences")] = list(data.sentences)
    stem = f"{file_stem(month)}_{number}"
    files = signed_files(stem, to_docx(data), lambda: to_xlsx(data), pdf_stem=file_stem(month), with_pdf=with_pdf)
    record = PublicationRecord(
        month=month, kind=kind, number=number, year=year, issued=issued.isoformat(), signer=signer,
        data_versions=versions, frameworks={g: int(gm.scores.framework.version_id or 0) for g, gm in scored.items()},
        policy=POLICY, text=data.text.to_dict(), scores=[r for gm in scored.values() for r in frozen_rows(gm)],
        files=files, corrects=current["id"] if current else None, reason=correction_reason.strip(),
        override=force_reason.strip() if missing else "", missing=missing, parts=parts, data_version=seen,
    )
    pub_id = store.publishing.publish(record, by, expect_current=current["id"] if current else None)
    return Published(pub_id, number, kind, {f: hashlib.sha256(b).hexdigest() for f, (_, b) in files.items()})


def published_frame(store: Store, month: str, group: str) -> pd.DataFrame | None:
    """The result in force for a published month (rank order), None while the month is 采集中."""
    current = store.publishing.current_publication(month)
    if current is None:
        return None
    rows = store.publishing.published_scores(current["id"], group)
    return pd.DataFrame([{"unit_id": r["unit_id"], "unit": r["unit"], "rank": r["rank"], "score": r["score"],
                          "earned": r["earned"], "possible": r["possible"], **r["subtotals"]} for r in rows])


def correction_diff(store: Store, month: str, group: str) -> pd.DataFrame:
    """Published record vs the current data (the correction candidate): who moves, by how much.
    Kept for callers of the old name: the one comparison is `credit.reports.candidate`."""
    return record_vs_candidate(store, month, group)
