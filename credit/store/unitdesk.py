"""被考核单位 in the store: a unit's own submissions (填报) and objections (申诉), and the office's
decisions on them.

Why it looks like this:
- A unit never writes the month's dataset itself. What it sends is kept as a *submission*
  (the bytes, pending); the office accepts it — then its rows replace that unit's rows of the
  month's current sheets and the result goes through `Datasets.import_workbooks`, the same path as
  an office upload (archive, content hashes, a new version per changed sheet, audit) — or returns
  it with a reason. A typed-in form is first written as a one-unit workbook and parsed by the
  importer, so a form and a file meet exactly the same checks, help texts and bounds.
- An objection names one deduction (an event row of 扣分事项, or one figure of the unit's row).
  Accepting it writes the correction as a new data version through the same import path and
  links it to the objection; rejecting it needs a reason. Every step is one audited write.
- Row-level rule: every read and write about one unit calls `check_unit(by, unit_id)`, so a
  被考核单位 account calling the domain directly for another unit — or guessing a file id — is
  refused exactly as the page refuses it.
- Months: a unit may submit or object only for the collecting month (设置 `collect_month`, by
  default the latest month with data) and only while it is not published (`published`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from credit.common.months import month_label, previous_month
from credit.common.text import FILE_NAME, NOTE, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, PermissionDenied, authorize, check_unit, is_unit
from credit.model.contract import (
    EVENT_SERIOUS,
    GROUP_SHEET,
    HANDLING_PROACTIVE,
    REGISTER_SHEETS,
    SHEET_EVENTS,
    SHEETS,
    UNIT_COL,
)
from credit.model.parsed import ParsedSheet, ParsedWorkbook
from credit.store.core import Core
from credit.store.datasets import Datasets
from credit.store.registers import Registers
from credit.store.units import Units
from credit.store.util import check_month, dumps, now
from credit.workbook.registers import find_entry, sniff_evidence

# The workbook reader and template writer (openpyxl, calamine) are imported in the methods that
# build or read a file: every page opens a store, and those imports were most of a new server's
# first page while only 填报 uses them.

STATUS_NAMES = {"pending": "待审核", "accepted": "已采纳", "returned": "已退回", "replaced": "已替代",
                "open": "待处理", "rejected": "未采纳"}
_SUB_INFO = ("id, month, unit_id, source, filename, sha256, sheets, status, reason, submitted_by, submitted_at,"
             " decided_by, decided_at, upload_id, versions")
_OBJ_INFO = ("id, raised_for, month, unit_id, target, sheet, row_no, field, proposed, summary, reason, att_name, att_kind,"
             " status, decision, raised_by, raised_at, decided_by, decided_at, upload_id, versions")
_EV_INFO = ("id, sheet, year, unit_id, entry_name, filename, kind, status, reason, file_id, submitted_by, submitted_at,"
            " decided_by, decided_at")
MAX_REASON = 500
# How an upheld objection against an event is carried out (`accept_objection`), as the reviewer's buttons say it.
OBJECTION_ACTIONS = {"withdraw": "采纳：撤销该事项", "proactive": f"采纳：改为{HANDLING_PROACTIVE}"}


@dataclass
class SubmissionChanges:
    """What adopting one submission changes: `figures` (工作表, 指标, 当前值 → 新值, 上月值, 变化),
    `records` (工作表, 变化 新增/删除, 内容), `surges` (tenfold rises to confirm) and how many rows the
    office recorded for the unit stay untouched (`kept_office`)."""

    figures: pd.DataFrame
    records: pd.DataFrame
    kept_office: int = 0
    surges: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def nothing(self) -> bool:
        return self.figures.empty and self.records.empty


@dataclass(frozen=True)
class Notice:
    """One in-app notice: `key` (stable, to dismiss it), `level` (info / warning / success / error), one line of `text`."""

    key: str
    level: str
    text: str


_LEVEL_ORDER = {"error": 0, "warning": 1, "success": 2, "info": 3}
NOTICE_CLIP = 40  # characters of a reason or decision a one-line notice carries; 填报与申诉 shows it all


def _clip(text: str | None) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= NOTICE_CLIP else text[:NOTICE_CLIP] + "…"


def outcome_message(what: str, created: Sequence[tuple[str, int]]) -> str:
    """What the reviewer is told after a decision: `what` (e.g. "已采纳报送 #3") and only what happened —
    the versions made, or that the data already read so and no version was made."""
    if not created:
        return f"{what}；数据与当前版本相同，未生成新的数据版本。"
    made = "、".join(f"「{sheet}」第 {version} 版" for sheet, version in created)
    return f"{what}，已生成新的数据版本：{made}。"


def _record_text(spec: Any, rec: Mapping[str, object]) -> str:
    """One row of a records sheet in words (its filled columns but the unit, 、-joined)."""
    parts = []
    for col in spec.columns:
        value = rec.get(col.header)
        if col.header == UNIT_COL or value is None or value == "" or (isinstance(value, float) and value != value):
            continue
        parts.append(f"{value:g}" if isinstance(value, float) else str(value))
    return "、".join(parts)


def _reason(text: str, what: str) -> str:
    text = check_text(text, what, limit=NOTE, multiline=True).strip()
    if not text:
        raise CreditError(f"请填写{what}")
    if len(text) > MAX_REASON:
        raise CreditError(f"{what}不超过 {MAX_REASON} 字")
    return text


def _decode(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        for key in ("sheets", "versions"):
            if key in r and isinstance(r[key], str):
                r[key] = json.loads(r[key])
        r["status_name"] = STATUS_NAMES.get(r["status"], r["status"])
    return rows


class UnitDesk:
    """Submissions and objections of the assessed units; see the module docstring."""

    def __init__(self, core: Core, units: Units, datasets: Datasets, registers: Registers | None = None):
        self._core, self._units, self._datasets = core, units, datasets
        self._registers = registers  # where an adopted 证明材料 file goes (Store passes its part)

    # -- the month a unit may act on -----------------------------------------------------------

    def collecting_month(self) -> str | None:
        """The month units report for now: setting `collect_month`, else the latest month with data."""
        value = self._core.meta("collect_month")
        if value:
            return check_month(value)
        months = self._datasets.months_with_data()
        return months[-1] if months else None

    def published(self, month: str) -> bool:
        """Whether `month`'s result is issued (月度闭环 keeps it in `publications`; absent = not yet)."""
        if not self._core.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'publications'"):
            return False
        return bool(self._core.scalar("SELECT COUNT(*) FROM publications WHERE month = ?", (month,)))

    def _check_open(self, month: str, what: str) -> str:
        month = check_month(month)
        if self.published(month):
            raise CreditError(f"{month} 的结果已发布，不能再{what}；如有错误请联系信用办办理更正")
        if month != self.collecting_month():
            raise CreditError(f"{month} 不是当前收集月份（{self.collecting_month() or '未设定'}），不能{what}")
        return month

    # -- 填报 (submissions) ---------------------------------------------------------------------

    def template(self, by: Actor | None, month: str, unit_id: str) -> bytes:
        """The one-unit workbook for `unit_id` (its own template; a unit gets only its own)."""
        check_unit(by, unit_id, "填报模板")
        from credit.workbook.template import build_template

        return build_template(check_month(month), self._units.register(), unit_id)

    def _parse_own(self, month: str, unit_id: str, raw: bytes, filename: str) -> ParsedWorkbook:
        """Parse with the importer's checks for a unit's own file (`only_unit`): another unit's row,
        a sheet the unit does not report, a 严重失信事件 without 处理情况 — all listed at once with
        every other problem of the file (`WorkbookError`)."""
        from credit.workbook.importer import parse_workbook

        register = self._units.register()
        if register.by_id.get(unit_id) is None:
            raise CreditError(f"未找到单位编号「{unit_id}」")
        return parse_workbook(raw, filename, month, register, only_unit=unit_id)

    def pending_of(self, by: Actor | None, month: str, unit_id: str) -> dict[str, Any] | None:
        """The unit's submission for `month` still waiting for the office (at most one), or None."""
        rows = self.submissions(by, check_month(month), unit_id, "pending")
        return rows[0] if rows else None

    def submit(self, by: Actor, month: str, unit_id: str, raw: bytes, filename: str,
               source: str = "file", replace_pending: bool = True) -> int:
        """Keep a unit's one-unit workbook as a pending submission; a pending one before it is
        replaced — only when `replace_pending` (the page asks first: "替代报送 #n"), else refused."""
        who = authorize(by, Action.SUBMIT)
        check_unit(by, unit_id)
        check_text(filename, "文件名", limit=FILE_NAME, required=True)
        month = self._check_open(month, "报送数据")
        parsed = self._parse_own(month, unit_id, raw, filename)
        digest = hashlib.sha256(raw).hexdigest()
        with self._core.write():
            replaced = [r["id"] for r in self._core.all(
                "SELECT id FROM unit_submissions WHERE month = ? AND unit_id = ? AND status = 'pending'",
                (month, unit_id))]
            if replaced and not replace_pending:
                raise CreditError(f"报送 #{replaced[0]} 尚待信用办审核；确认用这次提交替代它后再提交（未提交）")
            self._core.db.execute(
                "UPDATE unit_submissions SET status = 'replaced', decided_by = ?, decided_at = ?"
                " WHERE month = ? AND unit_id = ? AND status = 'pending'", (who, now(), month, unit_id))
            sub_id = self._core.db["unit_submissions"].insert({
                "month": month, "unit_id": unit_id, "source": source, "filename": filename, "sha256": digest,
                "content": raw, "sheets": dumps(sorted(parsed.sheets)), "status": "pending",
                "submitted_by": who, "submitted_at": now(),
            }).last_pk
            self._core.changed(who, "submission.submit", {"submission_id": sub_id, "month": month,
                                                         "unit_id": unit_id, "filename": filename,
                                                         "sha256": digest, "replaced": replaced})
        return int(sub_id)

    def submit_form(self, by: Actor, month: str, unit_id: str, row: Mapping[str, object],
                    events: Sequence[Mapping[str, object]] = (), replace_pending: bool = True) -> int:
        """The 填报 form: the unit's row (and its events) as a one-unit workbook, then `submit`."""
        authorize(by, Action.SUBMIT)
        check_unit(by, unit_id)
        month = self._check_open(month, "报送数据")
        unit = self._units.register().get(unit_id)
        name = unit.name_at(month)
        fill = {GROUP_SHEET[unit.group]: [{**row, UNIT_COL: name}],
                SHEET_EVENTS: [{**e, UNIT_COL: name} for e in events]}
        from credit.workbook.template import build_template

        raw = build_template(month, self._units.register(), unit_id, fill)
        return self.submit(by, month, unit_id, raw, f"{name}_{month}_在线填报.xlsx", source="form",
                           replace_pending=replace_pending)

    def submissions(self, by: Actor | None, month: str | None = None, unit_id: str | None = None,
                    status: str | None = None) -> list[dict[str, Any]]:
        """Submissions (without bytes), newest first; a unit account sees only its own."""
        return self._list(by, "unit_submissions", _SUB_INFO, "报送记录",
                          {"month": month, "unit_id": unit_id, "status": status})

    def _list(self, by: Actor | None, table: str, info: str, what: str,
              filters: dict[str, str | None]) -> list[dict[str, Any]]:
        """Rows of `table` matching the given filters, newest first; a unit account only its own."""
        if by is not None and is_unit(by):
            filters["unit_id"] = filters["unit_id"] or by.unit_id
            check_unit(by, filters["unit_id"], what)
        sql, params = f"SELECT {info} FROM {table} WHERE 1 = 1", []
        for col, val in filters.items():
            if val is not None:
                sql += f" AND {col} = ?"
                params.append(val)
        return _decode(self._core.all(sql + " ORDER BY id DESC", params))

    def _row(self, by: Actor | None, table: str, row_id: int, label: str, what: str) -> dict[str, Any]:
        """One row by id, refused to a unit account when it is another unit's (guessing ids included)."""
        row = self._core.one(f"SELECT * FROM {table} WHERE id = ?", (int(row_id),))
        if row is None:
            raise CreditError(f"未找到编号为 {row_id} 的{label}")
        check_unit(by, row["unit_id"], what)
        return row

    def _submission(self, by: Actor | None, sub_id: int) -> dict[str, Any]:
        return self._row(by, "unit_submissions", sub_id, "报送", "报送记录")

    def submission_bytes(self, by: Actor | None, sub_id: int) -> tuple[str, bytes]:
        """The submitted file as sent (a unit gets only its own)."""
        row = self._submission(by, sub_id)
        return row["filename"], bytes(row["content"])

    def submission_content(self, by: Actor | None, sub_id: int) -> dict[str, pd.DataFrame]:
        """What a submission carried, sheet by sheet, as the unit sees it on 我的报送 (its own only):
        a figures sheet as (指标, 数值) rows, a records sheet as its rows without the unit column."""
        row = self._submission(by, sub_id)
        try:
            parsed = self._parse_own(row["month"], row["unit_id"], bytes(row["content"]), row["filename"])
        except CreditError:
            return {}
        out: dict[str, pd.DataFrame] = {}
        for name, psheet in parsed.sheets.items():
            spec = SHEETS[name]
            if spec.layout == "records":
                headers = [c.header for c in spec.columns if c.header != UNIT_COL]
                out[name] = pd.DataFrame([{h: r.get(h) for h in headers} for r in psheet.records], columns=headers)
            else:
                rec = psheet.records[0] if psheet.records else {}
                out[name] = pd.DataFrame([{"指标": h, "数值": rec.get(h)} for h in spec.numeric_fields])
        return out

    def pending_submissions(self, month: str) -> list[dict[str, Any]]:
        """What 报送进度 shows as 待审核 for `month`."""
        return self.submissions(None, check_month(month), status="pending")

    def return_submission(self, by: Actor, sub_id: int, reason: str) -> None:
        who = authorize(by, Action.REVIEW)
        reason = _reason(reason, "退回原因")
        with self._core.write():
            row = self._submission(by, sub_id)
            if row["status"] != "pending":
                raise CreditError(f"报送 #{sub_id} {STATUS_NAMES[row['status']]}，不能退回")
            self._core.db.execute(
                "UPDATE unit_submissions SET status = 'returned', reason = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ?", (reason, who, now(), int(sub_id)))
            self._core.changed(who, "submission.return", {"submission_id": int(sub_id), "month": row["month"],
                                                         "unit_id": row["unit_id"], "reason": reason})

    def submission_surges(self, by: Actor, sub_id: int) -> pd.DataFrame:
        """The submission's figures more than ten times the unit's last month (to check before adopting)."""
        authorize(by, Action.REVIEW)
        row = self._submission(by, sub_id)
        from credit.workbook.preview import batch_surges

        parsed = self._parse_own(row["month"], row["unit_id"], bytes(row["content"]), row["filename"])
        return batch_surges(self._datasets, row["month"], [parsed])

    def _reported(self, month: str, unit_id: str, sheet: str) -> list[dict[str, Any]]:
        """The rows of records sheet `sheet` the unit itself put into `month`: those of its latest
        adopted submission carrying that sheet (each adoption replaced the one before). Rows the
        office recorded for the unit (an 异议信息, say) are not among them, so no submission removes them."""
        for row in self._core.all(
                "SELECT filename, content FROM unit_submissions WHERE month = ? AND unit_id = ? AND status = 'accepted'"
                " ORDER BY id DESC", (month, unit_id)):
            try:
                parsed = self._parse_own(month, unit_id, bytes(row["content"]), row["filename"])
            except CreditError:
                continue  # the register changed since: that file no longer reads, it claims nothing
            if sheet in parsed.sheets:
                return list(parsed.sheets[sheet].records)
        return []

    def _plan(self, month: str, unit_id: str, parsed: ParsedWorkbook) -> tuple[dict[str, ParsedSheet], SubmissionChanges]:
        """What adopting `parsed` writes (the merged sheets) and what changes, row by row.

        The one place deciding which rows a submission may replace: the unit's own row of its
        group sheet, and in 扣分事项 and the registers only the rows the unit itself reported
        before (`_reported`); every other row — other units', and the office's rows about this
        unit — is carried over unchanged. Preview and adoption both come from here.
        """
        from credit.workbook.preview import CHANGE_COLUMNS, diff_records, diff_values, long_values, record_signature

        merged: dict[str, ParsedSheet] = {}
        figures, records, kept_office = [], [], 0
        for name, psheet in parsed.sheets.items():
            spec = SHEETS[name]
            current = self._datasets.current_sheet(month, name)
            if spec.layout == "records":
                claim = Counter(record_signature(r) for r in self._reported(month, unit_id, name))
                keep = []
                removed = []
                for r in current:
                    sig = record_signature(r)
                    if r.get("unit_id") == unit_id and claim[sig] > 0:
                        claim[sig] -= 1
                        removed.append(r)
                    else:
                        kept_office += r.get("unit_id") == unit_id
                        keep.append(r)
                diff, _same = diff_records(spec, psheet.records, removed)
                for rec in diff.to_dict("records"):
                    records.append({"工作表": name, "变化": rec["变化"], "内容": _record_text(spec, rec)})
            else:
                keep = [r for r in current if r.get("unit_id") != unit_id]
                own_now = [r for r in current if r.get("unit_id") == unit_id]
                last = self._datasets.current_sheet(previous_month(month), name)
                diff, _same = diff_values(long_values(spec, psheet.records), long_values(spec, own_now),
                                          long_values(spec, [r for r in last if r.get("unit_id") == unit_id]))
                figures.extend({"工作表": name, **{c: rec[c] for c in CHANGE_COLUMNS if c != "单位"}}
                               for rec in diff.to_dict("records"))
            top = max((int(r.get("row") or 0) for r in keep), default=0)
            merged[name] = ParsedSheet(name, [*keep, *({**r, "row": top + i} for i, r in enumerate(psheet.records, 1))])
        return merged, SubmissionChanges(
            pd.DataFrame(figures, columns=["工作表", "指标", "当前值", "新值", "上月值", "变化"]),
            pd.DataFrame(records, columns=["工作表", "变化", "内容"]), kept_office)

    def submission_changes(self, by: Actor, sub_id: int) -> SubmissionChanges:
        """What adopting submission `sub_id` would change (figures before → after, rows added and
        removed, tenfold rises): the reviewer sees this before 采纳."""
        authorize(by, Action.REVIEW)
        row = self._submission(by, sub_id)
        parsed = self._parse_own(row["month"], row["unit_id"], bytes(row["content"]), row["filename"])
        changes = self._plan(row["month"], row["unit_id"], parsed)[1]
        from credit.workbook.preview import batch_surges

        changes.surges = batch_surges(self._datasets, row["month"], [parsed])
        return changes

    def accept_submission(self, by: Actor, sub_id: int, surges_confirmed: bool = False) -> list[tuple[str, int]]:
        """Merge the unit's rows into the month's current sheets as new versions; returns them.

        Like an office upload, a figure ten times last month's is refused (`SurgeNotConfirmed`)
        unless the reviewer said it was checked (`surges_confirmed`). Only the rows `_plan` lets
        the unit replace are replaced.
        """
        who = authorize(by, Action.REVIEW)
        with self._core.write():
            row = self._submission(by, sub_id)
            if row["status"] != "pending":
                raise CreditError(f"报送 #{sub_id} {STATUS_NAMES[row['status']]}，不能采纳")
            month, unit_id, raw = row["month"], row["unit_id"], bytes(row["content"])
            if self.published(month):
                raise CreditError(f"{month_label(month)}的结果已发布，报送不能再并入；请退回并按更正流程办理")
            parsed = self._parse_own(month, unit_id, raw, row["filename"])
            if not surges_confirmed:
                from credit.workbook.preview import refuse_surges

                refuse_surges(self._datasets, month, [parsed], "勾选“我已逐项核对”再采纳")
            merged = self._plan(month, unit_id, parsed)[0]
            result = self._datasets.import_workbook(ParsedWorkbook(month, merged), raw, row["filename"], by)
            self._core.db.execute(
                "UPDATE unit_submissions SET status = 'accepted', decided_by = ?, decided_at = ?, upload_id = ?,"
                " versions = ? WHERE id = ?", (who, now(), result.upload_id, dumps(result.created), int(sub_id)))
            self._core.changed(who, "submission.accept", {"submission_id": int(sub_id), "month": month,
                                                         "unit_id": unit_id, "upload_id": result.upload_id,
                                                         "created": result.created})
        return result.created

    def _merged(self, month: str, sheet: str, unit_id: str, own: Sequence[Mapping[str, object]]) -> ParsedSheet:
        """The month's current sheet with `unit_id`'s rows replaced by `own` (others untouched).

        Kept for callers of the old API; adoption goes through `_plan`, which spares office rows."""
        keep = [r for r in self._datasets.current_sheet(month, sheet) if r.get("unit_id") != unit_id]
        last = max((int(r.get("row") or 0) for r in keep), default=0)
        added = [{**r, "row": last + i} for i, r in enumerate(own, start=1)]
        return ParsedSheet(sheet, [*keep, *added])

    # -- 申诉 (objections) ----------------------------------------------------------------------

    def contestable(self, by: Actor | None, month: str, unit_id: str) -> list[dict[str, Any]]:
        """What the unit may contest while `month` is collected: its events of the year so far
        (in months not yet published) and its figures of `month`. Each has target, month, row,
        field and a summary in words."""
        check_unit(by, unit_id, "扣分")
        month = check_month(month)
        out: list[dict[str, Any]] = []
        year = int(month[:4])
        events = self._datasets.year_data(year, int(month[5:]), SHEET_EVENTS)
        for m in sorted(events):
            if self.published(m) and m != month:
                continue
            for rec in events[m]:
                if rec.get("unit_id") == unit_id:
                    out.append({"target": "event", "month": m, "row": rec["row"], "field": "",
                                "summary": self._event_summary(m, rec)})
        unit = self._units.register().get(unit_id)
        sheet = GROUP_SHEET[unit.group]
        for rec in self._datasets.current_sheet(month, sheet):
            if rec.get("unit_id") == unit_id:
                for header in SHEETS[sheet].numeric_fields:
                    value = rec.get(header)
                    shown = "未报送" if value is None else f"{value:g}"
                    out.append({"target": "figure", "month": month, "row": None, "field": header,
                                "summary": f"{month}「{sheet}」表「{header}」：{shown}", "value": value})
        return out

    @staticmethod
    def _event_summary(month: str, rec: Mapping[str, object]) -> str:
        text = f"{month} 扣分事项第 {rec.get('row')} 行 {rec.get('事项类型')}（{rec.get('发生日期')}）"
        if rec.get("事项说明"):
            text += f"：{rec['事项说明']}"
        if rec.get("处理情况"):
            text += f"，{rec['处理情况']}"
        return text

    def raise_objection(self, by: Actor, month: str, unit_id: str, target: str, reason: str, *,
                        row: int | None = None, event_month: str | None = None, field: str = "",
                        proposed: float | None = None, attachment: tuple[str, bytes] | None = None) -> int:
        """A unit contests one event (its month and row in 扣分事项) or one figure of its row of
        `month` (giving the right value), while `month` is being collected."""
        who = authorize(by, Action.OBJECT)
        check_unit(by, unit_id, "扣分")
        month = self._check_open(month, "提出申诉")
        data_month = check_month(event_month) if target == "event" and event_month else month
        reason = _reason(reason, "申诉理由")
        att_name = att_kind = att_content = None
        if attachment is not None:
            att_name, att_content = attachment
            check_text(att_name, "附件文件名", limit=FILE_NAME, required=True)
            att_kind = sniff_evidence(att_content, att_name)
        options = self.contestable(by, month, unit_id)
        if target == "event":
            match = [o for o in options if o["target"] == "event" and o["row"] == row and o["month"] == data_month]
            sheet = SHEET_EVENTS
        elif target == "figure":
            match = [o for o in options if o["target"] == "figure" and o["field"] == field]
            sheet = GROUP_SHEET[self._units.register().get(unit_id).group]
            if proposed is None:
                raise CreditError("请填写您认为正确的数值（不小于 0）")
            from credit.workbook.importer import read_number
            from credit.workbook.template import number_rule

            try:  # the contract's bounds, exactly as a workbook cell of that column (NaN, inf, 1e300 refused)
                rule = number_rule(SHEETS[sheet], field)
            except KeyError:
                raise CreditError("申诉对象应为本单位报表中的一项指标数据") from None
            proposed = read_number(proposed, rule, f"申诉数值「{field}」")
        else:
            raise CreditError("申诉对象应为扣分事项或指标数据")
        if not match:
            raise CreditError("本单位本月没有这一项数据，无法申诉（请刷新页面后重选）")
        with self._core.write():
            dup = self._core.scalar(
                "SELECT id FROM objections WHERE month = ? AND unit_id = ? AND target = ? AND status = 'open'"
                " AND COALESCE(row_no, -1) = COALESCE(?, -1) AND field = ?", (data_month, unit_id, target, row, field))
            if dup:
                raise CreditError(f"这一项已有待处理的申诉（#{dup}），请等待信用办处理")
            obj_id = self._core.db["objections"].insert({
                "raised_for": month, "month": data_month, "unit_id": unit_id, "target": target, "sheet": sheet,
                "row_no": row,
                "field": field, "proposed": proposed, "summary": match[0]["summary"], "reason": reason,
                "att_name": att_name, "att_kind": att_kind, "att_content": att_content, "status": "open",
                "raised_by": who, "raised_at": now(),
            }).last_pk
            self._core.changed(who, "objection.raise", {"objection_id": obj_id, "month": month, "unit_id": unit_id,
                                                       "summary": match[0]["summary"], "reason": reason})
        return int(obj_id)

    def objections(self, by: Actor | None, month: str | None = None, unit_id: str | None = None,
                   status: str | None = None) -> list[dict[str, Any]]:
        """Objections raised while `month` was collected (without attachment bytes), newest first;
        a unit account sees only its own."""
        return self._list(by, "objections", _OBJ_INFO, "申诉",
                          {"raised_for": month, "unit_id": unit_id, "status": status})

    def open_objections(self, month: str) -> list[dict[str, Any]]:
        """Objections still open that `month`'s result depends on (raised while it was collected, or
        correcting it): publishing with any asks for explicit confirmation."""
        month = check_month(month)
        return _decode(self._core.all(
            f"SELECT {_OBJ_INFO} FROM objections WHERE status = 'open' AND (raised_for = ? OR month = ?)"
            " ORDER BY id", (month, month)))

    def _objection(self, by: Actor | None, obj_id: int) -> dict[str, Any]:
        return self._row(by, "objections", obj_id, "申诉", "申诉")

    def objection_attachment(self, by: Actor | None, obj_id: int) -> tuple[str, bytes]:
        row = self._objection(by, obj_id)
        if row["att_content"] is None:
            raise CreditError(f"申诉 #{obj_id} 没有附件")
        return row["att_name"], bytes(row["att_content"])

    def reject_objection(self, by: Actor, obj_id: int, reason: str) -> None:
        who = authorize(by, Action.REVIEW)
        reason = _reason(reason, "不予采纳的理由")
        with self._core.write():
            row = self._open_objection(by, obj_id)
            self._core.db.execute(
                "UPDATE objections SET status = 'rejected', decision = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                (reason, who, now(), int(obj_id)))
            self._core.changed(who, "objection.reject", {"objection_id": int(obj_id), "month": row["month"],
                                                        "unit_id": row["unit_id"], "reason": reason})

    def _open_objection(self, by: Actor, obj_id: int) -> dict[str, Any]:
        row = self._objection(by, obj_id)
        if row["status"] != "open":
            raise CreditError(f"申诉 #{obj_id} {STATUS_NAMES[row['status']]}，不能再处理")
        if self.published(row["month"]):
            raise CreditError(f"{row['month']} 的结果已发布，申诉须按更正流程办理")
        return row

    def accept_objection(self, by: Actor, obj_id: int, note: str = "", remedy: str | None = None) -> list[tuple[str, int]]:
        """Record the correction as a new data version linked to the objection; returns the versions
        made ([] when the data already read so: then nothing new was written but the decision).

        An event: `remedy` "proactive" sets its 处理情况 to 主动处理 (no deduction, the row stays),
        "withdraw" removes it from the month's 扣分事项; without `remedy` a 严重失信事件 becomes
        主动处理 and any other event is withdrawn. A figure: the unit's value replaces the reported one.
        """
        who = authorize(by, Action.REVIEW)
        if remedy not in (None, *OBJECTION_ACTIONS):
            raise CreditError("处理方式应为“撤销该事项”或“改为主动处理”")
        with self._core.write():
            row = self._open_objection(by, obj_id)
            month, unit_id, sheet = row["month"], row["unit_id"], row["sheet"]
            records = self._datasets.current_sheet(month, sheet)
            if row["target"] == "event":
                hit = [r for r in records if r.get("unit_id") == unit_id and r.get("row") == row["row_no"]]
                if not hit:
                    raise CreditError(f"申诉 #{obj_id} 所指的扣分事项已不在当前数据中，请不予采纳并说明")
                remedy = remedy or ("proactive" if hit[0].get("事项类型") == EVENT_SERIOUS else "withdraw")
                if remedy == "proactive":
                    records = [{**r, "处理情况": HANDLING_PROACTIVE} if r is hit[0] else r for r in records]
                    done = f"已将该事项的处理情况更正为「{HANDLING_PROACTIVE}」"
                else:
                    records = [r for r in records if r is not hit[0]]
                    done = f"已从{month_label(month)}扣分事项中撤销该事项"
            else:
                if remedy is not None:
                    raise CreditError("对报送数据的申诉只能按单位提出的数值更正")
                hit = [r for r in records if r.get("unit_id") == unit_id]
                if not hit:
                    raise CreditError(f"申诉 #{obj_id} 所指单位的数据已不在当前数据中，请不予采纳并说明")
                records = [{**r, row["field"]: float(row["proposed"])} if r is hit[0] else r for r in records]
                done = f"已将「{row['field']}」更正为 {row['proposed']:g}"
            note = check_text(note, "采纳说明", limit=NOTE, multiline=True)
            decision = done + (f"；{note.strip()}" if note.strip() else "")
            raw = json.dumps({"申诉编号": int(obj_id), "数据月份": month, "单位编号": unit_id, "申诉事项": row["summary"],
                              "申诉理由": row["reason"], "更正": decision, "采纳人": who, "采纳时间": now()},
                             ensure_ascii=False, indent=1).encode("utf-8")
            result = self._datasets.import_workbook(ParsedWorkbook(month, {sheet: ParsedSheet(sheet, records)}),
                                                    raw, f"申诉第{int(obj_id)}号更正.json", by)
            self._core.db.execute(
                "UPDATE objections SET status = 'accepted', decision = ?, decided_by = ?, decided_at = ?,"
                " upload_id = ?, versions = ? WHERE id = ?",
                (decision, who, now(), result.upload_id, dumps(result.created), int(obj_id)))
            self._core.changed(who, "objection.accept", {"objection_id": int(obj_id), "month": month,
                                                        "unit_id": unit_id, "note": decision,
                                                        "upload_id": result.upload_id, "created": result.created})
        return result.created

    # -- 证明材料 a unit sends (pending the office's 采纳) ---------------------------------------------

    def submit_evidence(self, by: Actor, sheet: str, year: int, unit_id: str, entry_name: str,
                        filename: str, content: bytes) -> int:
        """A unit sends a 证明材料 file for one of its own entries of `sheet` in `year`; it waits for
        the office (`accept_evidence`). Refused: another unit, a register sheet that is not one, an
        entry the unit does not have, a file that is not PDF/DOC/DOCX (by its bytes)."""
        who = authorize(by, Action.SUBMIT)
        check_unit(by, unit_id, "证明材料")
        if sheet not in REGISTER_SHEETS:
            raise CreditError(f"证明材料只能对应{'、'.join(REGISTER_SHEETS)}登记表")
        check_text(filename, "文件名", limit=FILE_NAME, required=True)
        kind = sniff_evidence(content, filename)
        entry_name = str(entry_name or "").strip()
        assert self._registers is not None
        if find_entry(self._registers.register_view(int(year), 12, sheet), unit_id, entry_name) is None:
            raise CreditError(f"{int(year)} 年「{sheet}」登记表中没有本单位的「{entry_name}」条目，请先报送该条目")
        with self._core.write():
            ev_id = self._core.db["unit_evidence"].insert({
                "sheet": sheet, "year": int(year), "unit_id": unit_id, "entry_name": entry_name, "filename": filename,
                "kind": kind, "sha256": hashlib.sha256(content).hexdigest(), "content": content, "status": "pending",
                "submitted_by": who, "submitted_at": now()}).last_pk
            self._core.changed(who, "evidence.submit", {"evidence_id": ev_id, "sheet": sheet, "year": int(year),
                                                       "unit_id": unit_id, "entry": entry_name, "filename": filename})
        return int(ev_id)

    def unit_evidence(self, by: Actor | None, status: str | None = None, unit_id: str | None = None) -> list[dict[str, Any]]:
        """Files units sent (without bytes), newest first; a unit account sees only its own."""
        return self._list(by, "unit_evidence", _EV_INFO, "证明材料", {"unit_id": unit_id, "status": status})

    def unit_evidence_bytes(self, by: Actor | None, ev_id: int) -> tuple[str, bytes]:
        row = self._row(by, "unit_evidence", ev_id, "证明材料", "证明材料")
        return row["filename"], bytes(row["content"])

    def accept_evidence(self, by: Actor, ev_id: int) -> int:
        """采纳: the file becomes the entry's 证明材料 (`evidence_files`), as if the office had uploaded it."""
        who = authorize(by, Action.REVIEW)
        with self._core.write():
            row = self._pending_evidence(by, ev_id)
            assert self._registers is not None
            file_id = self._registers.add_evidence(row["sheet"], row["year"], row["unit_id"], row["entry_name"],
                                                   row["filename"], bytes(row["content"]), by)
            self._core.db.execute(
                "UPDATE unit_evidence SET status = 'accepted', file_id = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                (file_id, who, now(), int(ev_id)))
            self._core.changed(who, "evidence.accept", {"evidence_id": int(ev_id), "file_id": file_id,
                                                       "unit_id": row["unit_id"]})
        return file_id

    def return_evidence(self, by: Actor, ev_id: int, reason: str) -> None:
        who = authorize(by, Action.REVIEW)
        reason = _reason(reason, "退回原因")
        with self._core.write():
            row = self._pending_evidence(by, ev_id)
            self._core.db.execute(
                "UPDATE unit_evidence SET status = 'returned', reason = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                (reason, who, now(), int(ev_id)))
            self._core.changed(who, "evidence.return", {"evidence_id": int(ev_id), "unit_id": row["unit_id"],
                                                       "reason": reason})

    def _pending_evidence(self, by: Actor, ev_id: int) -> dict[str, Any]:
        row = self._row(by, "unit_evidence", ev_id, "证明材料", "证明材料")
        if row["status"] != "pending":
            raise CreditError(f"证明材料 #{ev_id} {STATUS_NAMES[row['status']]}，不能再处理")
        return row

    # -- notices -------------------------------------------------------------------------------

    def notice_items(self, by: Actor | None) -> list[Notice]:
        """In-app notices not dismissed by `by`, one short line each, with a stable key to dismiss them.

        The office: submissions waiting and objections open (the key carries the count, so a new one
        shows again). A unit: its month not yet reported, its latest submission returned, waiting or
        adopted, and each decided objection of the month."""
        month = self.collecting_month()
        if month is None:
            return []
        out = self._unit_notices(by, month) if is_unit(by) else self._office_notices(month)
        if by is None or not out:
            return sorted(out, key=lambda n: _LEVEL_ORDER[n.level])
        gone = {r["notice_key"] for r in self._core.all(
            "SELECT notice_key FROM notice_dismissals WHERE username = ?", (by.username,))}
        return sorted((n for n in out if n.key not in gone), key=lambda n: _LEVEL_ORDER[n.level])  # returned first

    def _office_notices(self, month: str) -> list[Notice]:
        label, out = month_label(month), []
        pend = len(self.pending_submissions(month))
        opened = len(self.open_objections(month))
        if pend:
            out.append(Notice(f"pending:{month}:{pend}", "warning", f"{label}：{pend} 份单位报送待审核"))
        if opened:
            out.append(Notice(f"objections:{month}:{opened}", "warning", f"{label}：{opened} 件申诉待处理"))
        files = len(self.unit_evidence(None, status="pending"))
        if files:
            out.append(Notice(f"evidence:{files}", "warning", f"{files} 份单位证明材料待采纳"))
        return out

    def _unit_notices(self, by: Actor | None, month: str) -> list[Notice]:
        assert isinstance(by, Actor)
        if not by.unit_id:
            raise PermissionDenied(f"账户「{by.label}」未绑定被考核单位")
        out = []
        subs = self.submissions(by, month)
        if not self.published(month) and not any(s["status"] in ("pending", "accepted") for s in subs):
            out.append(Notice(f"todo:{month}", "info", f"本月待报送：{month_label(month)}尚未报送本单位数据"))
        latest = subs[0] if subs else None
        if latest and latest["status"] == "returned":
            out.append(Notice(f"returned:{latest['id']}", "error",
                              f"报送 #{latest['id']} 已退回：{_clip(latest['reason'])}，请修改后重新报送"))
        if latest and latest["status"] == "pending":
            out.append(Notice(f"pending:{latest['id']}", "info", f"报送 #{latest['id']} 待信用办审核"))
        if latest and latest["status"] == "accepted":
            out.append(Notice(f"accepted:{latest['id']}", "success", f"报送 #{latest['id']} 已采纳，已计入本月数据"))
        for e in self.unit_evidence(by):
            if e["status"] == "returned":
                out.append(Notice(f"evidence:{e['id']}", "error",
                                  f"证明材料 #{e['id']}（{_clip(e['filename'])}）已退回：{_clip(e['reason'])}"))
        for o in self.objections(by, month):
            if o["status"] in ("accepted", "rejected"):
                out.append(Notice(f"objection:{o['id']}", "success" if o["status"] == "accepted" else "warning",
                                  f"申诉 #{o['id']} {o['status_name']}：{_clip(o['decision'])}"))
        return out

    def notices(self, by: Actor | None) -> list[tuple[str, str]]:
        """In-app notices as (level, text): level is info / warning / success / error."""
        return [(n.level, n.text) for n in self.notice_items(by)]

    def dismiss_notice(self, by: Actor, key: str) -> None:
        """`by` closes one notice (知道了): it is not shown to that account again. Not audited: it
        changes nothing anyone else sees."""
        if by is None or not (by.can(Action.REVIEW) or by.can(Action.SUBMIT)):
            raise PermissionDenied("只有信用办和被考核单位的账户有提醒")
        key = str(key)
        if not any(n.key == key for n in self.notice_items(by)):
            return  # already closed, or no longer shown: nothing to do
        with self._core.write():
            self._core.db.execute(
                "INSERT OR IGNORE INTO notice_dismissals (username, notice_key, dismissed_at) VALUES (?, ?, ?)",
                (by.username, key, now()))
