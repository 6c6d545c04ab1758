"""双公示预检 use cases shared by the page and the CLI: check a unit's records or code list, predict
the deduction with the framework in force, export the problem list, and — for 信用办 only — apply
the check's figures to the month's 部门 sheet.

The check reads the store (rules, framework, this year's figures) and writes nothing. "Apply" goes
through the normal import path: it builds the month's 部门 workbook from the real template (every
unit's current figures, this unit's three 双公示 figures replaced), validates it with the monthly
importer, shows the usual preview, and imports it as a new data version (archived and audited).

Unit scoping: every function takes the unit explicitly and `checkable_units` says which units an
account may check, so a 被考核单位 account (an actor carrying `unit_id`) sees only its own.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from credit.app.service import framework_for, import_batch
from credit.common.clock import beijing_now, today
from credit.common.filetypes import RULES_TYPES, check_type
from credit.common.months import month_label, month_parts
from credit.errors import CreditError, WorkbookError
from credit.model.accounts import Action, Actor, authorize, check_unit
from credit.model.contract import SHEET_DEPT, SHEET_EVENTS, SHEET_INSTRUCTIONS, UNIT_COL
from credit.model.framework import Framework
from credit.model.sgs_rules import SgsRules, load_sgs_rules, parse_sgs_rules, precheck_applies, short_indicator  # noqa: F401
from credit.model.units import Unit, UnitRegister
from credit.model.workdays import YearCalendar, year_calendar
from credit.scoring.sgs_checks import (
    PACKAGE_NOTE,  # noqa: F401  (the page's tooltip on 工作日来源)
    PROBLEM_COLUMNS,
    SOURCE_WEEKDAYS,
    CheckResult,
    CodeResult,
    Prediction,
    calendar_source,
    check_codes,
    check_records,
    predict,
)
from credit.store.facade import Store
from credit.workbook.export import to_excel_bytes
from credit.workbook.importer import fold
from credit.workbook.preview import FileCheck, UploadPreview, build_preview, check_file
from credit.workbook.sgs_reader import read_code_list, read_entity_list, read_records
from credit.workbook.template import FIRST_DATA_ROW, HEADER_ROW, build_template

RULES_META = "sgs_rules"
GROUP = "部门"
FIGURE_REPORTED = "本月双公示上报数据量"
FIGURE_ERRORS = "本月双公示错误数据条数"  # D2a's input in the default framework
FIGURE_LATE = "本月双公示迟报数据条数"  # D2b's input
FIGURE_CODES = "统一社会信用代码重错码条数"  # D5's input (stock)
RECORD_INDICATORS = ("D2a", "D2b", "D15a")


def beijing_today() -> date:
    """Today in Pingyin: "a decision in the future" is judged on Beijing's calendar."""
    return today()


# ---- rules ----------------------------------------------------------------------------------------


def current_rules(store: Store) -> SgsRules:
    """The office's saved version when there is one, else the shipped default."""
    text = store.settings.get(RULES_META)
    if not text:
        return load_sgs_rules()
    return load_sgs_rules(text, "信用办保存的双公示预检规则")


def save_rules(store: Store, text: str, actor: Actor) -> SgsRules:
    """Validate and save a new version of the rules (settings permission; audited with the text)."""
    rules = parse_sgs_rules(text, "上传的规则文件")
    store.settings.set(RULES_META, text, actor)
    return rules


def uploaded_rules(raw: bytes, filename: str) -> str:
    """The text of an uploaded rules file once its name is .toml and the rules parse; else a
    `CreditError` in Chinese (the page passes no `type=` to its uploader, see `credit.common.filetypes`)."""
    check_type(filename, RULES_TYPES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CreditError(f"「{filename}」不是 UTF-8 编码的文本文件，请用记事本另存为 UTF-8 后上传") from exc
    parse_sgs_rules(text, "上传的规则文件")
    return text


def reset_rules(store: Store, actor: Actor) -> SgsRules:
    """Back to the shipped default (saved as a version too, so the audit log shows it)."""
    rules = load_sgs_rules()
    store.settings.set(RULES_META, rules.text, actor)
    return rules


def rules_versions(store: Store) -> list[dict]:
    """Earlier saved versions, newest first, from the audit log (who, when, the full text)."""
    rows = [r for r in store.audit_log(limit=None, action="meta.set") if r["detail"].get("key") == RULES_META]
    return [{"at": r["at"], "who": r["who"], "text": r["detail"].get("value", "")} for r in rows]


# ---- units ----------------------------------------------------------------------------------------


def checkable_units(register: UnitRegister, month: str, actor: Actor | None) -> list[Unit]:
    """The 部门 units this account may check: all for 信用办/管理员, its own for a unit account."""
    units = register.active(month, GROUP)
    own = getattr(actor, "unit_id", None)
    return [u for u in units if u.id == own] if own else units


def resolve_unit(register: UnitRegister, name: str, month: str) -> Unit:
    unit = register.resolve(name, month, GROUP)
    if unit is None:
        other = register.resolve(name, month)
        where = f"属于「{other.group}」，不是部门（单位）" if other else "不在单位名册中"
        raise CreditError(f"单位「{name}」{where}（{month_label(month)}）；双公示预检只适用于部门（单位）")
    return unit


# ---- the record check -----------------------------------------------------------------------------


def _figure(fw: Framework, code: str, fallback: str) -> str:
    """The 部门 column an indicator reads (from the framework, so a renamed input follows)."""
    if code in fw.codes:
        x = fw.indicator(code).inputs.get("x")
        if isinstance(x, str):
            return x
    return fallback


def _flow_before(store: Store, unit: Unit, month: str, fld: str) -> float:
    """This unit's `fld` summed over January..the month before (what the year already counts)."""
    year, m = month_parts(month)
    if m == 1:
        return 0.0
    facts = store.datasets.facts_frame(year, m - 1, SHEET_DEPT)
    sel = facts[(facts["unit_id"] == unit.id) & (facts["field"] == fld)]
    return float(sel["value"].fillna(0).sum())


def _events_before(store: Store, unit: Unit, month: str, event: str) -> float:
    """Events of the type (e.g. 异议信息) already recorded for the unit this year, up to the month."""
    year, m = month_parts(month)
    events = store.datasets.records_frame(year, m, SHEET_EVENTS)
    sel = events[(events["unit_id"] == unit.id) & (events["事项类型"] == event)]
    return float(pd.to_numeric(sel["数量"], errors="coerce").fillna(1).sum())


@dataclass
class SgsReport:
    """A record check for one unit and month: problems, counts, predictions, the figures to apply."""

    unit: Unit
    month: str
    filename: str
    sha256: str
    result: CheckResult
    predictions: list[Prediction]
    figures: dict[str, int]  # 部门 column -> value the check found (a check that could not run: none)
    rules_source: str = ""
    indicator_names: dict[str, str] = field(default_factory=dict)  # code -> the framework's short name
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # the unit's remembered columns used
    file_columns: dict[str, list[str]] = field(default_factory=dict)  # sheet -> its headers no field matched

    @property
    def unit_name(self) -> str:
        return self.unit.name_at(self.month)

    def problems_frame(self) -> pd.DataFrame:
        return problems_frame(self.result.rows(), self.indicator_names)

    def month_warning(self) -> str:
        """Records whose 上报（公示）日期 — else 决定日期 — is not in the chosen month, said once."""
        return month_warning(self.result.months, self.month)

    def predictions_frame(self) -> pd.DataFrame:
        return predictions_frame(self.predictions)

    def payload(self) -> dict:
        """The JSON shape of `python -m credit sgs-check --format json`."""
        return {
            "unit": self.unit_name, "unit_id": self.unit.id, "month": self.month, "file": self.filename,
            "records": self.result.n_records, "by_kind": self.result.by_kind,
            "figures": self.figures,
            "predictions": [_prediction_dict(p) for p in self.predictions],
            "problems": self.result.rows(), "warnings": self.result.warnings,
        }


def month_warning(months: dict[str, int], month: str) -> str:
    other = {m: n for m, n in months.items() if m != month}
    if not other:
        return ""
    n = sum(other.values())
    spread = "、".join(f"{month_label(m)} {k} 条" for m, k in sorted(other.items(), key=lambda x: -x[1])[:4])
    more = " 等" if len(other) > 4 else ""
    return (f"有 {n} 条记录的日期不在所选的 {month_label(month)}（{spread}{more}）：请核对所选月份，"
            "或只上传该月上报的记录（按上报日期，没有上报日期时按决定日期）。")


def indicator_names(fw: Framework, codes: tuple[str, ...] = (*RECORD_INDICATORS, "D5")) -> dict[str, str]:
    """{code: the indicator's short name in the month's framework} for the codes it has."""
    return {c: short_indicator(fw.indicator(c).name) for c in codes if c in fw.codes}


def month_indicator_names(store: Store, month: str) -> dict[str, str]:
    """The short names of D2a, D2b, D15a and D5 in the 部门 framework in force for `month`."""
    return indicator_names(framework_for(store, GROUP, month))


def problems_frame(rows: list[dict[str, object]], names: dict[str, str]) -> pd.DataFrame:
    """The problem list for people: 行 a number (also in the Excel), 计入指标 by name, not by code."""
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if frame.empty:
        return frame.astype(str)
    codes = frame["计入指标"].astype(str)
    frame["计入指标"] = [("、".join(names.get(c, c) for c in text.split("、")) if text != "—" else "不计入")
                       for text in codes]
    rows_col = pd.to_numeric(frame["行"], errors="coerce")
    out = frame.drop(columns="行").astype(str)
    out.insert(PROBLEM_COLUMNS.index("行"), "行", rows_col.astype("Int64") if rows_col.notna().all() else
               frame["行"].astype(str))
    return out


def _prediction_dict(p: Prediction) -> dict:
    return {"code": p.code, "indicator": p.name, "what": p.what, "count": p.count, "before": p.before,
            "applies": p.applies, "deduction": p.deduction, "text": p.text()}


def predictions_frame(predictions: list[Prediction]) -> pd.DataFrame:
    return pd.DataFrame([{
        "指标": p.name, "计数口径": p.what, "本次发现（条）": p.shown_count,
        "本年此前已计（条）": f"{p.before:g}", "每条扣分": f"{p.step:g}" if p.applies else "—",
        "预计扣分": f"{p.deduction:g}" if p.applies and not p.unchecked else "—", "说明": p.text(),
    } for p in predictions])


def run_check(store: Store, unit: Unit, month: str, raw: bytes, filename: str, *, by: Actor,
              entities: tuple[bytes, str] | None = None, today: date | None = None) -> SgsReport:
    """Check a unit's 双公示 export; raises `WorkbookError` for a file that cannot be read at all.

    Reads the store (rules, the month's framework, this year's figures, the unit's remembered column
    mapping) and writes nothing. `by` is who asks: an account that may use the 预检 (信用办, 管理员,
    the unit's own account — another unit's is refused here, not only in the page).
    """
    authorize(by, Action.PRECHECK)
    check_unit(by, unit.id, "双公示预检")
    rules = current_rules(store)
    mapping = store.sgs_columns.get(unit.id, by=by)
    file = read_records(raw, filename, rules, mapping=mapping)
    listed = read_entity_list(*entities) if entities else None
    result = check_records(file, rules, today or beijing_today(), listed, store.workdays.as_map())
    register = store.units.register()
    fw = framework_for(store, GROUP, month, register)
    counts = result.counts()
    before = {
        "D2a": _flow_before(store, unit, month, _figure(fw, "D2a", FIGURE_ERRORS)),
        "D2b": _flow_before(store, unit, month, _figure(fw, "D2b", FIGURE_LATE)),
        "D15a": _events_before(store, unit, month, _event_of(fw, "D15a")),
    }
    predictions = [predict(code, counts[code], before[code], fw, unit, unchecked=result.unchecked.get(code, ""),
                           partial=result.partial.get(code, "")) for code in RECORD_INDICATORS]
    figures = {FIGURE_REPORTED: result.n_records}
    for code, fallback in (("D2a", FIGURE_ERRORS), ("D2b", FIGURE_LATE)):
        if code not in result.unchecked:  # a count that was never made is not written as 0
            figures[_figure(fw, code, fallback)] = counts[code]
    used = {s.kind: dict(s.mapped) for s in file.sheets if s.mapped}
    return SgsReport(unit, month, filename, hashlib.sha256(raw).hexdigest(), result, predictions, figures,
                     rules.source, indicator_names(fw), used, {s.title: list(s.extra) for s in file.sheets})


# ---- column mapping ---------------------------------------------------------------------------------


def save_column_mapping(store: Store, unit: Unit, kind_key: str, mapping: dict[str, str], actor: Actor) -> dict:
    """Remember, for this unit, which of its export's columns holds each field the alias table missed
    (only fields of the kind; the office for any unit, a unit account for its own; audited)."""
    rules = current_rules(store)
    try:
        kind = rules.kind(kind_key)
    except KeyError as exc:
        raise CreditError(f"类别「{kind_key}」无效，应为行政许可或行政处罚") from exc
    unknown = [f for f in mapping if f not in kind.names]
    if unknown:
        raise CreditError(f"{kind.name}没有字段「{unknown[0]}」")
    chosen = {f: h for f, h in mapping.items() if h}
    if len(set(chosen.values())) < len(chosen):
        raise CreditError("同一列不能同时对应两个字段，请重新选择")
    return store.sgs_columns.save(unit.id, kind_key, chosen, actor)


def forget_column_mapping(store: Store, unit: Unit, used: dict[str, dict[str, str]], actor: Actor) -> int:
    """Undo a wrong choice: forget the unit's remembered columns a check used ({kind: {field: header}}),
    so the next check reports those fields as not found again; each removal audited. Returns how many."""
    return sum(store.sgs_columns.forget(unit.id, kind_key, fld, actor)
               for kind_key, cols in used.items() for fld in cols)


# ---- blank template ----------------------------------------------------------------------------------


def blank_template(rules: SgsRules) -> bytes:
    """An empty export with the standard's headers, one sheet per kind, and a sheet saying which fields
    are required — what a unit fills in when its system cannot export (read back by the same reader)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = "填写说明"
    about.append(["类别", "字段", "是否必填", "填写要求"])
    wanted = {"text": "文字", "date": "日期，如 2022-11-05", "money": "数字，单位万元（200 元填 0.02）",
              "category": "、".join(names[0] for names in rules.categories.values()),
              "uscc": "18 位统一社会信用代码（单元格设为文本）", "status": "有效 / 已撤销 等",
              "docno": "决定书上的文号", "penalty": "警告、罚款 等，多个用、分隔"}
    for kind in rules.kinds:
        ws = wb.create_sheet(kind.name)
        ws.append(kind.names)
        for i, f in enumerate(kind.fields, 1):
            ws.cell(1, i).font = Font(bold=True)
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(f.name) * 2 + 2)
            if f.kind == "uscc":
                for r in range(2, 502):
                    ws.cell(r, i).number_format = "@"
            need = "是" if f.required else ("法人、个体工商户必填" if f.required_for else "否")
            about.append([kind.name, f.name, need, wanted[f.kind]])
    about.column_dimensions["B"].width = 30
    about.column_dimensions["D"].width = 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- working-day calendar -------------------------------------------------------------------------


def calendar_years(store: Store, around: int) -> pd.DataFrame:
    """One row per year (last year to next year, and every entered year): where its days come from."""
    entered = store.workdays.years()
    years = sorted({around - 1, around, around + 1, *entered})
    rows = []
    for y in years:
        source = calendar_source(y, entered)
        cal = entered.get(y)
        rows.append({"年份": f"{y} 年", "工作日来源": source,
                     "放假天数": str(len(cal.holidays)) if cal else "—",
                     "调休上班天数": str(len(cal.workdays)) if cal else "—",
                     "提示": "尚无该年的放假安排，迟报按周一至周五计算" if source == SOURCE_WEEKDAYS else ""})
    return pd.DataFrame(rows)


def save_calendar_year(store: Store, year: object, holidays: str, workdays: str, actor: Actor) -> YearCalendar:
    """Read the two boxes and replace the year in the store (settings permission, audited)."""
    cal = year_calendar(year, holidays, workdays)
    store.workdays.save_year(cal, actor)
    return cal


def _event_of(fw: Framework, code: str) -> str:
    if code in fw.codes:
        event = fw.indicator(code).inputs.get("event")
        if isinstance(event, str):
            return event
    return "异议信息"


# ---- the code list (D5) ---------------------------------------------------------------------------


@dataclass
class CodeReport:
    unit: Unit
    month: str
    result: CodeResult
    prediction: Prediction
    current_stock: float | None  # what the store holds for the month's D5 stock, if reported
    names: dict[str, str] = field(default_factory=dict)  # indicator code -> short name

    def problems_frame(self) -> pd.DataFrame:
        return problems_frame([p.as_dict() for p in self.result.problems], self.names)

    def payload(self) -> dict:
        return {
            "unit": self.unit.name_at(self.month), "unit_id": self.unit.id, "month": self.month,
            "file": self.result.filename, "codes": self.result.n_codes, "bad_codes": self.result.bad_codes,
            "prediction": _prediction_dict(self.prediction),
            "problems": [p.as_dict() for p in self.result.problems],
        }


def run_code_check(store: Store, unit: Unit, month: str, raw: bytes, filename: str) -> CodeReport:
    """Invalid and duplicated codes of a one-column list; D5 is a stock, so the count stands alone."""
    codes = read_code_list(raw, filename)
    result = check_codes(codes, filename)
    fw = framework_for(store, GROUP, month)
    stock = None
    for rec in store.datasets.current_sheet(month, SHEET_DEPT):
        if rec.get("unit_id") == unit.id:
            stock = rec.get(_figure(fw, "D5", FIGURE_CODES))
    return CodeReport(unit, month, result, predict("D5", result.bad_codes, 0.0, fw, unit), stock, indicator_names(fw))


# ---- export ---------------------------------------------------------------------------------------


def problems_excel(report: SgsReport | CodeReport) -> bytes:
    """The problem list to send back to the department: 问题清单 + 预计扣分 + 说明."""
    if isinstance(report, SgsReport):
        preds, name, total = report.predictions_frame(), report.unit_name, report.result.n_records
        notes = [w for w in (report.month_warning(), *report.result.warnings) if w]
    else:
        preds, name, total = predictions_frame([report.prediction]), report.unit.name_at(report.month), \
            report.result.n_codes
        notes = []
    about = pd.DataFrame({"项目": ["单位", "月份", "文件", "记录数", "问题数", "生成时间（北京时间）"] + ["提示"] * len(notes),
                          "内容": [name, month_label(report.month),
                                 report.filename if isinstance(report, SgsReport) else report.result.filename,
                                 str(total), str(len(report.problems_frame())),
                                 beijing_now().strftime("%Y-%m-%d %H:%M"), *notes]})
    return to_excel_bytes({"问题清单": report.problems_frame(), "预计扣分": preds, "说明": about},
                          wrap_columns=("问题", "修改建议", "说明", "内容"))


# ---- apply (信用办) -------------------------------------------------------------------------------


@dataclass
class ApplyPlan:
    """The generated 部门 workbook and what the monthly importer made of it (preview before confirm)."""

    filename: str
    raw: bytes
    check: FileCheck
    preview: UploadPreview | None
    changes: dict[str, tuple[float | None, int]] = field(default_factory=dict)  # column -> (current, new)


def department_workbook(month: str, register: UnitRegister, records: list[dict], unit: Unit,
                        figures: dict[str, int]) -> bytes:
    """The month's template holding only 填报说明 and 部门: every unit's current figures, with
    `unit`'s `figures` replaced (so importing it changes nothing else)."""
    wb = load_workbook(io.BytesIO(build_template(month, register)))
    for name in list(wb.sheetnames):
        if name not in (SHEET_DEPT, SHEET_INSTRUCTIONS) and wb[name].sheet_state == "visible":
            del wb[name]
    ws = wb[SHEET_DEPT]
    cols = {str(c.value): c.column for c in ws[HEADER_ROW] if c.value is not None}
    rows = {fold(str(ws.cell(r, cols[UNIT_COL]).value)): r for r in range(FIRST_DATA_ROW, ws.max_row + 1)
            if ws.cell(r, cols[UNIT_COL]).value}
    values = {rec["unit_id"]: dict(rec) for rec in records}
    values.setdefault(unit.id, {"unit_id": unit.id, UNIT_COL: unit.name_at(month)}).update(figures)
    for uid, rec in values.items():
        name = register.get(uid).name_at(month) if uid in {u.id for u in register} else str(rec.get(UNIT_COL))
        row = rows.get(fold(name))
        if row is None:
            row = ws.max_row + 1
            ws.cell(row, cols[UNIT_COL]).value = name
        for header, col in cols.items():
            if header != UNIT_COL and header in rec:
                ws.cell(row, col).value = rec[header]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_apply(store: Store, report: SgsReport) -> ApplyPlan:
    """Build the 部门 workbook and run it through the importer and the upload preview (no write)."""
    register = store.units.register()
    records = store.datasets.current_sheet(report.month, SHEET_DEPT)
    raw = department_workbook(report.month, register, records, report.unit, report.figures)
    filename = f"双公示预检_{report.unit_name}_{report.month}.xlsx"
    check = check_file(raw, filename, report.month, register)
    current = next((r for r in records if r.get("unit_id") == report.unit.id), {})
    changes = {k: (current.get(k), v) for k, v in report.figures.items()}
    preview = build_preview(store, report.month, [check], register) if check.ok else None
    return ApplyPlan(filename, raw, check, preview, changes)


def apply(store: Store, plan: ApplyPlan, actor: Actor) -> list[tuple[str, int]]:
    """Import the planned workbook as a new 部门 version through the monthly import path
    (`service.import_batch`: import permission, archived raw file, audited by the store)."""
    if not plan.check.ok:
        raise WorkbookError(list(plan.check.errors))
    batch = import_batch(store, plan.check.parsed.month, [(plan.filename, plan.raw)], actor, [plan.check])
    return [c for r in batch.results for c in r.created]

