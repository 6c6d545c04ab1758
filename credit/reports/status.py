"""报送进度: who has reported what for a month, and the 催报清单 the office sends to the late ones.

The office chases figures unit by unit before it can score and publish, so the question is "which
unit still owes which sheet", not "which sheets exist". `compute_status` answers it as a pure
function of what the store already keeps (the month's current dataset versions, their rows and the
unit register); `month_status` only gathers those from a store.

What each unit is expected to report every month:
- its group's sheet (镇街 or 部门): one row per active unit. 已报送 = the row has a figure, and a
  reported 0 is a figure (发改局 filling 11 cells with nine zeros has 已填 11/11); 报送为空 = the row
  is there but every cell is blank (worth a phone call before publishing); 未报送 = no row, or the
  sheet was not uploaded at all.
- 全县 is the office's own sheet (市信用办 figures, 全县 totals): expected once, from 县信用办.
- 扣分事项 and the two registers (信易+场景, 分级分类监管) are reported only when there is
  something to report (an event, a new entry): a unit with rows is 已报送, one without is 无需报送,
  never 未报送. When the office reported the sheet with no rows for the month (uploaded it with
  headers only, or marked it), every unit without rows reads 本月无新增 — reported, not missing.
Only 未报送 counts as missing (it blocks publishing unless overridden).

Besides the unit rows, `sheets` says per contract sheet whether the month has it: 第 N 版, 本月无新增
or 未导入 (the 数据版本 grid and the CLI's first lines).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from credit.common.clock import beijing
from credit.common.labels import some_names
from credit.model.contract import (
    GROUP_SHEET,
    NO_NEW,
    OPTIONAL_SHEETS,
    SHEET_COUNTY,
    SHEETS,
)
from credit.model.units import UnitRegister
from credit.workbook.export import to_excel_bytes

REPORTED, EMPTY, MISSING, OPTIONAL = "已报送", "报送为空", "未报送", "无需报送"
STATES = (REPORTED, EMPTY, MISSING, NO_NEW, OPTIONAL)
NOT_IMPORTED = "未导入"
OFFICE = "县信用办"
COLUMNS = ["组别", "单位", "工作表", "状态", "说明", "上传文件", "上传人", "上传时间", "上传编号"]
CHASE_COLUMNS = ["序号", "组别", "单位", "未报送或需核实", "联系人", "联系电话", "备注"]


@dataclass
class SubmissionStatus:
    """One month's 报送进度: a row per (unit, expected sheet), plus counts for the page header."""

    month: str
    table: pd.DataFrame  # COLUMNS
    sheets: dict[str, str] = field(default_factory=dict)  # contract sheet -> 第 N 版 | 本月无新增 | 未导入
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)  # unit's name in the month -> (联系人, 联系电话)

    def count(self, state: str) -> int:
        return int((self.table["状态"] == state).sum())

    @property
    def missing(self) -> pd.DataFrame:
        return self.table[self.table["状态"] == MISSING].reset_index(drop=True)

    @property
    def complete(self) -> bool:
        """Nothing is 未报送 (报送为空 is reported, if suspicious)."""
        return self.count(MISSING) == 0

    def summary(self) -> str:
        """One Chinese line, e.g. '已报送 38 项，报送为空 1 项，未报送 2 项'."""
        return "，".join(f"{s} {self.count(s)} 项" for s in (REPORTED, EMPTY, MISSING))

    def sheet_line(self) -> str:
        """'镇街 第 2 版，…，信易+场景 本月无新增，分级分类监管 未导入' — which sheets the month has."""
        return "，".join(f"{sheet} {state}" for sheet, state in self.sheets.items())

    @property
    def not_imported(self) -> list[str]:
        """Sheets the month has neither rows nor a 本月无新增 for."""
        return [sheet for sheet, state in self.sheets.items() if state == NOT_IMPORTED]

    def missing_text(self, limit: int = 6) -> str:
        """'榆山街道（镇街）、全县（县信用办）等 8 项' — for refusals and warnings."""
        m = self.missing
        return some_names([f"{u}（{s}）" for u, s in zip(m["单位"], m["工作表"], strict=True)], limit, "项")

    def payload(self) -> dict[str, Any]:
        """The JSON of `python -m credit status --format json`."""
        rows = self.table.drop(columns=["上传编号"]).to_dict("records")
        for r, uid in zip(rows, self.table["上传编号"]):
            r["上传编号"] = None if pd.isna(uid) else int(uid)
        return {"month": self.month, "complete": self.complete, "sheets": dict(self.sheets),
                "counts": {s: self.count(s) for s in STATES}, "rows": rows}


def _blank(value: object) -> bool:
    """A cell left empty: None or NaN. A 0 is a value the unit reported (observation 5 of issue 23)."""
    return value is None or (isinstance(value, float) and value != value)


def _zeros(values: Sequence[object]) -> str:
    """'，其中 9 项为 0' — said beside the count so a reader knows the zeros were reported."""
    n = sum(1 for v in values if not _blank(v) and v == 0)
    return f"，其中 {n} 项为 0" if n else ""


def _source(version: Mapping[str, Any] | None) -> dict[str, object]:
    if not version:
        return {"上传文件": "", "上传人": "", "上传时间": "", "上传编号": None}
    if "source" in version:  # a 本月无新增 row of the store (credit.store.datasets.reported_empty)
        what = f"{version.get('filename') or ''}（空表）" if version["source"] == "upload" else f"标记“{NO_NEW}”"
        return {"上传文件": what, "上传人": str(version.get("created_by") or ""),
                "上传时间": beijing(version.get("created_at"), seconds=False), "上传编号": version.get("upload_id")}
    how = "（恢复旧版本）" if version.get("action") == "restore" else ""
    return {"上传文件": f"{version.get('filename') or ''}{how}（第 {version['version']} 版）",
            "上传人": str(version.get("created_by") or ""), "上传时间": beijing(version.get("created_at"), seconds=False),
            "上传编号": version.get("upload_id")}


def sheet_state(version: Mapping[str, Any] | None, empty: Mapping[str, Any] | None) -> str:
    """One sheet of one month: '第 N 版' (rows), 本月无新增 (reported with none), or 未导入."""
    if empty is not None:  # the store lists a sheet as empty only while no current version has rows
        return NO_NEW
    return f"第 {version['version']} 版" if version is not None else NOT_IMPORTED


def _empty_note(report: Mapping[str, Any]) -> str:
    if report["source"] == "upload":
        return f"{NO_NEW}（上传的表中没有数据行）"
    return f"{NO_NEW}（{report.get('created_by') or '信用办'}已标记）"


def _optional_rows(month: str, register: UnitRegister, sheet: str, version: Mapping[str, Any] | None,
                   records: Sequence[Mapping[str, object]], report: Mapping[str, Any] | None, add) -> None:
    """One optional sheet: 已报送 for a unit with rows; otherwise 本月无新增 when the sheet was
    reported with none, else 无需报送."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r["unit_id"]] = counts.get(r["unit_id"], 0) + 1
    for unit in register.active(month):
        n = counts.get(unit.id, 0)
        if n:
            add(unit.group, unit.name_at(month), sheet, REPORTED, f"{n} 条", version)
        elif report is not None:
            add(unit.group, unit.name_at(month), sheet, NO_NEW, _empty_note(report), report)
        else:
            add(unit.group, unit.name_at(month), sheet, OPTIONAL, "本月无（有事项时才需报送）", None)


def unit_state(imported: bool, filled: int | None) -> str:
    """The 报送 state of one unit's group sheet — the one rule `compute_status` and
    `month_reporting` share: 未报送 when the sheet is not imported or has no row for the unit
    (`filled` None), 报送为空 when its row fills nothing, 已报送 when it fills at least one figure
    (a reported 0 is a figure)."""
    if not imported or filled is None:
        return MISSING
    return REPORTED if filled else EMPTY


def compute_status(
    month: str,
    register: UnitRegister,
    versions: Mapping[str, Mapping[str, Any] | None],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    empty: Mapping[str, Mapping[str, Any]] | None = None,
) -> SubmissionStatus:
    """Every active unit × each sheet it is expected to report, with the upload behind the answer.

    `versions`: sheet → its current version info (as `Store.sheets_status`), None when never
    imported; `rows`: sheet → the current version's records (as `Store.current_sheet`); `empty`:
    the optional sheets reported as 本月无新增 (as `Store.datasets.reported_empty`).
    """
    empty = empty or {}
    out: list[dict[str, object]] = []

    def add(group: str, unit: str, sheet: str, state: str, note: str, version) -> None:
        out.append({"组别": group, "单位": unit, "工作表": sheet, "状态": state, "说明": note,
                    **_source(version if state in (REPORTED, EMPTY, NO_NEW) else None)})

    for group, sheet in GROUP_SHEET.items():
        version = versions.get(sheet)
        by_unit = {r["unit_id"]: r for r in rows.get(sheet, ())}
        fields = SHEETS[sheet].numeric_fields
        for unit in register.active(month, group):
            name = unit.name_at(month)
            rec = by_unit.get(unit.id)
            filled = [] if rec is None else [rec.get(f) for f in fields if not _blank(rec.get(f))]
            state = unit_state(version is not None, None if rec is None else len(filled))
            if version is None:
                add(group, name, sheet, state, f"本月尚未上传“{sheet}”表", None)
            elif rec is None:
                add(group, name, sheet, state, f"“{sheet}”表中没有该单位的行", None)
            elif state == REPORTED:
                add(group, name, sheet, state, f"已填 {len(filled)}/{len(fields)} 项{_zeros(filled)}", version)
            else:
                add(group, name, sheet, state, "该单位的行各项均为空白", version)
    county = versions.get(SHEET_COUNTY)
    if county is None:
        add(OFFICE, "全县", SHEET_COUNTY, MISSING, "本月尚未上传“全县”表", None)
    else:
        items = [r.get("value") for r in rows.get(SHEET_COUNTY, ()) if not _blank(r.get("value"))]
        total = len(SHEETS[SHEET_COUNTY].numeric_fields)
        state = REPORTED if items else EMPTY
        add(OFFICE, "全县", SHEET_COUNTY, state, f"已填 {len(items)}/{total} 项{_zeros(items)}" if items else "各项均为空白",
            county)
    for sheet in OPTIONAL_SHEETS:
        _optional_rows(month, register, sheet, versions.get(sheet), rows.get(sheet, ()), empty.get(sheet), add)
    table = pd.DataFrame(out, columns=COLUMNS)
    table["上传编号"] = table["上传编号"].astype("Int64")
    sheets = {s: sheet_state(versions.get(s), empty.get(s)) for s in SHEETS}
    contacts = {u.name_at(month): (u.contact, u.phone) for u in register.active(month)}
    return SubmissionStatus(month, table, sheets, contacts)


def month_status(store, month: str) -> SubmissionStatus:
    """`compute_status` over one consistent snapshot of the store."""
    with store.snapshot():
        versions = store.datasets.sheets_status(month)
        rows = {s: store.datasets.current_sheet(month, s) for s, v in versions.items() if v is not None}
        register = store.units.register()
        empty = store.datasets.reported_empty(month)
    return compute_status(month, register, versions, rows, empty)


@dataclass(frozen=True)
class Reporting:
    """Who has sent their group's sheet for a month: what a month's state (`credit.reports.month_state`)
    says, without the whole 报送进度 table behind it."""

    silent: tuple[str, ...]  # names (in the month) of units whose group sheet is 未报送 or 报送为空, in table order
    expected: int  # units expected to report their group's sheet
    complete: bool  # nothing is 未报送 (as `SubmissionStatus.complete`, the 全县 sheet included)


def reporting_of(status: SubmissionStatus) -> Reporting:
    """The `Reporting` of a full 报送进度 (a page that computed one already)."""
    t = status.table
    t = t[t["工作表"].isin(GROUP_SHEET.values())]
    return Reporting(tuple(t.loc[t["状态"].isin([MISSING, EMPTY]), "单位"]), len(t), status.complete)


def month_reporting(store, month: str, register: UnitRegister | None = None) -> Reporting:
    """`reporting_of(month_status(store, month))` by the same rule (`unit_state`), from one count
    per unit instead of every record and the table: at 5,000 units the table took a third of a
    second of every new server's first page, and the state banner needs only this."""
    with store.snapshot():
        versions = store.datasets.sheets_status(month)
        filled = {sheet: store.datasets.filled_counts(month, sheet, SHEETS[sheet].numeric_fields)
                  for sheet in GROUP_SHEET.values() if versions.get(sheet) is not None}
        register = register or store.units.register()
    silent: list[str] = []
    expected, complete = 0, versions.get(SHEET_COUNTY) is not None
    for group, sheet in GROUP_SHEET.items():
        counts = filled.get(sheet, {})
        for unit in register.active(month, group):
            state = unit_state(sheet in filled, counts.get(unit.id))
            expected += 1
            if state != REPORTED:
                silent.append(unit.name_at(month))
            complete = complete and state != MISSING
    return Reporting(tuple(silent), expected, complete)


def expected_view(status: SubmissionStatus) -> pd.DataFrame:
    """Unit × expected sheet as a grid (the page's overview): a cell is the state of that sheet."""
    t = status.table[status.table["工作表"].isin([*GROUP_SHEET.values(), SHEET_COUNTY])]
    return t[["组别", "单位", "工作表", "状态", "说明", "上传文件", "上传时间"]].reset_index(drop=True)


def chase_list(status: SubmissionStatus) -> pd.DataFrame:
    """催报清单: one row per unit that owes a sheet or sent an empty row, with columns to fill in."""
    t = status.table[status.table["状态"].isin([MISSING, EMPTY])]
    rows = []
    for (group, unit), part in t.groupby(["组别", "单位"], sort=False):
        what = "；".join(f"{r['工作表']}：{r['状态']}（{r['说明']}）" for r in part.to_dict("records"))
        contact, phone = status.contacts.get(unit, ("", ""))  # from the 单位名册 (blank when not recorded)
        rows.append({"组别": group, "单位": unit, "未报送或需核实": what, "联系人": contact, "联系电话": phone, "备注": ""})
    out = pd.DataFrame(rows, columns=CHASE_COLUMNS[1:])
    out.insert(0, "序号", range(1, len(out) + 1))
    return out


def chase_xlsx(status: SubmissionStatus) -> bytes:
    """The 催报清单 as Excel: the list, then the full 报送进度 for reference."""
    return to_excel_bytes({"催报清单": chase_list(status), "报送进度": status.table.drop(columns=["上传编号"])},
                          wrap_columns=("未报送或需核实", "说明"))
