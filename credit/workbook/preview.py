"""What an upload would change, shown before anything is stored.

The credit office uploads one or more workbooks for a month. Before the explicit 确认导入 the page
shows, per sheet: the values that are new or changed against the month's current version (with
last month's value beside them), units the sheet leaves out, values far outside the unit's usual
range (a reconciliation flag for a typo such as 2000 for 200 — not an error), values more than
ten times last month's (`flag_surges`: the office must tick a box before 确认导入), register entries
repeating earlier ones, and files or sheets that duplicate what is already stored. After the import
`rank_changes` says how the month's ranking moved.

The comparisons are pure functions on small frames (tested by hand-computed cases); `build_preview`
only gathers their inputs from the store and reads nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from credit.common.months import make_month, month_parts, next_month, previous_month
from credit.errors import CellError, SurgeNotConfirmed, WorkbookError
from credit.model.contract import GROUP_SHEET, REGISTER_SHEETS, SHEETS, SURGE_FACTOR, UNIT_COL, Sheet, surge_base
from credit.model.parsed import ParsedWorkbook
from credit.model.units import UnitRegister
from credit.workbook.importer import parse_workbook
from credit.workbook.registers import KEY_COLUMN, SOURCE_FORM, SOURCE_SHEET, entry_key, source_label

COUNTY_KEY = "全县"
HISTORY_MONTHS = 12
JUMP_FACTOR = 2.0
JUMP_MIN_POINTS = 3
# more than SURGE_FACTOR times last month's value must be acknowledged (thresholds: credit.model.contract)
SURGE_COLUMNS = ["单位", "指标", "上月值", "新值", "倍数"]
CHANGE_COLUMNS = ["单位", "指标", "当前值", "新值", "上月值", "变化"]
FLAG_COLUMNS = ["单位", "指标", "新值", "以往范围", "说明"]
ERROR_COLUMNS = ["文件", "工作表", "行", "列", "问题", "修改建议"]
RANK_COLUMNS = ["单位", "导入前排名", "导入后排名", "排名变化", "导入前得分率", "导入后得分率"]
_GROUP_OF_SHEET = {sheet: group for group, sheet in GROUP_SHEET.items()}

Status = Literal["new", "changed", "same", "superseded"]


# ---- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    """One uploaded file after validation: parsed, or the complete list of its errors."""

    filename: str
    size: int
    sha256: str
    parsed: ParsedWorkbook | None
    errors: tuple[CellError, ...] = ()
    warnings: tuple[CellError, ...] = ()

    @property
    def ok(self) -> bool:
        return self.parsed is not None and not self.errors


def check_file(raw: bytes, filename: str, month: str, register: UnitRegister) -> FileCheck:
    """Parse and validate one file for `month`; never raises for a bad file."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        parsed = parse_workbook(raw, filename, month, register)
    except WorkbookError as exc:
        return FileCheck(filename, len(raw), digest, None, tuple(exc.errors))
    return FileCheck(filename, len(raw), digest, parsed, (), tuple(parsed.warnings))


def without_empty(check: FileCheck, sheets: Iterable[str]) -> FileCheck:
    """`check` with `sheets` no longer reported as 本月无新增 (the office unticked them in the
    preview: a header-only sheet that was not meant as "nothing new this month")."""
    drop = set(sheets)
    if check.parsed is None or not drop & set(check.parsed.empty):
        return check
    parsed = dataclasses.replace(check.parsed, empty=[e for e in check.parsed.empty if e not in drop])
    return dataclasses.replace(check, parsed=parsed)


def _problem_table(checks: Sequence[FileCheck], attr: str) -> pd.DataFrame:
    rows = [{"文件": c.filename, **e.as_dict()} for c in checks for e in getattr(c, attr)]
    return pd.DataFrame(rows, columns=ERROR_COLUMNS).astype(str)


def error_table(checks: Sequence[FileCheck]) -> pd.DataFrame:
    """Every error of every file: file, sheet, row, column, what is wrong, how to fix it."""
    return _problem_table(checks, "errors")


def warning_table(checks: Sequence[FileCheck]) -> pd.DataFrame:
    return _problem_table(checks, "warnings")


def batch_token(month: str, digests: Sequence[str]) -> str:
    """Identity of "these files for this month": the page refuses to import the same batch twice."""
    return month + "|" + "|".join(sorted(digests))


def candidate_months(existing: Sequence[str], today: str) -> tuple[list[str], str]:
    """Months the upload page offers (newest first) and the default one.

    The default is the month after the latest with data (the month the office collects next),
    or `today` (YYYY-MM) on an empty database. The list runs from January of the earliest year
    with data to December of the default's year, so a late correction and a new month are both
    one pick away.
    """
    default = next_month(max(existing)) if existing else today
    first_year = month_parts(min([*existing, default]))[0]
    last_year = month_parts(default)[0]
    months = [make_month(y, m) for y in range(first_year, last_year + 1) for m in range(1, 13)]
    return list(reversed(months)), default


# ---- values of unit and item sheets ----------------------------------------------------------------

LONG_COLUMNS = ["key", "单位", "指标", "value"]
# One value of a unit or item sheet: (key, 单位, 指标, value), value NaN when blank. The preview
# works on lists of these: its tables are a few hundred values, where building pandas frames
# (string columns, joins, group-bys) cost twenty times the arithmetic — most of the upload preview.
LongRow = tuple[str, str, str, float]


def _number(x: object) -> float:
    """A parsed cell as a float; NaN when blank or not a number (as pd.to_numeric(errors="coerce"))."""
    if x is None:
        return math.nan
    if isinstance(x, int | float | str):
        try:
            return float(x)
        except ValueError:
            return math.nan
    return math.nan


def _long_rows(sheet: Sheet, records: Sequence[Mapping[str, Any]]) -> list[LongRow]:
    if sheet.layout == "item":
        return [(COUNTY_KEY, COUNTY_KEY, rec["item"], _number(rec.get("value"))) for rec in records]
    return [(rec["unit_id"], rec.get(UNIT_COL, rec["unit_id"]), header, _number(rec.get(header)))
            for rec in records for header in sheet.numeric_fields]


def _rows_of(frame: pd.DataFrame) -> list[LongRow]:
    return list(zip(frame["key"], frame["单位"], frame["指标"], frame["value"].astype(float).tolist(), strict=True))


def long_values(sheet: Sheet, records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Parsed records of a unit or item sheet as rows (key, 单位, 指标, value); blank is NaN."""
    frame = pd.DataFrame(_long_rows(sheet, records), columns=LONG_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame


def _same(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return not (math.isnan(a) or math.isnan(b)) and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def diff_values(new: pd.DataFrame, current: pd.DataFrame, previous: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """New and changed values against the current version, with last month's value beside them.

    A value is 新增 when the current version has no such unit × field, 修改 when it differs
    (blank and a number differ; two blanks are equal). Returns (changes, number unchanged).
    """
    return _diff(_rows_of(new), _rows_of(current), _rows_of(previous))


def _diff(new: list[LongRow], current: list[LongRow], previous: list[LongRow]) -> tuple[pd.DataFrame, int]:
    cur = {(k, f): v for k, _u, f, v in current}
    prev = {(k, f): v for k, _u, f, v in previous}
    cols: dict[str, list] = {c: [] for c in CHANGE_COLUMNS}  # built by column: a frame from dicts costs more
    unchanged = 0
    for key, unit, fld, value in new:
        before = cur.get((key, fld))
        if before is not None and _same(value, before):
            unchanged += 1
            continue
        for col, x in zip(CHANGE_COLUMNS, (unit, fld, np.nan if before is None else before, value,
                                           prev.get((key, fld), np.nan), "新增" if before is None else "修改"),
                          strict=True):
            cols[col].append(x)
    if not cols["单位"]:
        return pd.DataFrame(columns=CHANGE_COLUMNS), unchanged  # empty columns stay object, as before
    return pd.DataFrame(cols, columns=CHANGE_COLUMNS), unchanged


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def flag_jumps(
    new: pd.DataFrame,
    history: pd.DataFrame,
    factor: float = JUMP_FACTOR,
    min_points: int = JUMP_MIN_POINTS,
) -> pd.DataFrame:
    """Values far outside the unit's usual range: a reconciliation flag, not an error.

    `history` has (key, 指标, value) rows of earlier months. With at least `min_points` reported
    values, the usual range is [lo, hi] of them and its width w = max(hi − lo, ¼·|median|, 1);
    a value below lo − factor·w or above hi + factor·w is flagged. The width floor keeps a steady
    series (all 5s) from flagging a 6, and the median term scales the tolerance with the figure.
    """
    past = list(zip(history["key"], history["指标"], history["value"].astype(float).tolist(), strict=True))
    return _jumps(_rows_of(new), past, factor, min_points)


def _jumps(new: list[LongRow], history: Iterable[tuple[str, str, float]], factor: float = JUMP_FACTOR,
           min_points: int = JUMP_MIN_POINTS) -> pd.DataFrame:
    # Only the series of values being checked are gathered (a year of history is ~10× the upload).
    reported: dict[tuple[str, str], list[float]] = {(k, f): [] for k, _u, f, v in new if not math.isnan(v)}
    for key, fld, value in history:
        past = reported.get((key, fld))
        if past is not None and not math.isnan(value):
            past.append(value)
    rows = []
    for _key, unit, fld, value in new:
        past = reported.get((_key, fld))
        if past is None or len(past) < min_points or math.isnan(value):
            continue
        lo, hi, n = min(past), max(past), len(past)
        width = max(hi - lo, 0.25 * abs(statistics.median(past)), 1.0)
        if lo - factor * width <= value <= hi + factor * width:
            continue
        rows.append({
            "单位": unit, "指标": fld, "新值": value, "以往范围": f"{_fmt(lo)}–{_fmt(hi)}",
            "说明": f"明显{'高于' if value > hi else '低于'}近 {n} 次报送的水平，请核对是否填错（如多打或少打一位）；核对无误可照常导入",
        })
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def flag_surges(new: pd.DataFrame, previous: pd.DataFrame, factor: float = SURGE_FACTOR,
                sheet: str | None = None) -> pd.DataFrame:
    """Values more than `factor` times the unit's previous-month value (which must be positive).

    With `sheet`, each column's `surge_base` applies (a flow from a small base is not asked about).

    Unlike `flag_jumps` (a hint) these need the office's explicit acknowledgement before the
    import: a tenfold rise is what a slipped decimal point or a 元-for-万元 mix-up looks like,
    and one such figure can move a unit several ranks. Falls (e.g. a flow back to 0) are normal.
    """
    return _surges(_rows_of(new), _rows_of(previous), factor, sheet)


def _surges(new: list[LongRow], previous: list[LongRow], factor: float = SURGE_FACTOR,
            sheet: str | None = None) -> pd.DataFrame:
    prev = {(k, f): v for k, _u, f, v in previous}
    rows = []
    for key, unit, fld, value in new:
        before = prev.get((key, fld))
        if before is None or math.isnan(value) or math.isnan(before) or before <= 0 or value <= factor * before:
            continue
        if sheet is not None and before < surge_base(sheet, fld):
            continue  # a monthly flow from a small base: a real swing far more often than a typo
        rows.append({"单位": unit, "指标": fld, "上月值": before, "新值": value, "倍数": f"{value / before:,.1f} 倍"})
    return pd.DataFrame(rows, columns=SURGE_COLUMNS)


def missing_units(sheet: Sheet, records: Sequence[Mapping[str, Any]], register: UnitRegister, month: str) -> list[str]:
    """Active units of the sheet's group that the sheet leaves out (their figures stay unreported)."""
    group = _GROUP_OF_SHEET.get(sheet.name)
    if group is None:
        return []
    present = {r.get("unit_id") for r in records}
    return [u.name_at(month) for u in register.active(month, group) if u.id not in present]


# ---- rows of records sheets ------------------------------------------------------------------------


def record_signature(rec: Mapping[str, Any]) -> str:
    """What makes two rows of a records sheet the same entry (its unit and values; not its Excel row)."""
    return _signature(rec)


def _signature(rec: Mapping[str, Any]) -> str:
    body = {k: v for k, v in rec.items() if k not in ("row", UNIT_COL)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)


def diff_records(
    sheet: Sheet, new: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]]
) -> tuple[pd.DataFrame, int]:
    """Rows added and rows dropped against the current version (as multisets); (changes, kept)."""
    headers = [c.header for c in sheet.columns]
    cur_sigs = Counter(_signature(r) for r in current)
    new_sigs = Counter(_signature(r) for r in new)
    kept = sum((cur_sigs & new_sigs).values())
    rows = []
    for label, records, others in (("新增", new, cur_sigs.copy()), ("删除", current, new_sigs.copy())):
        for rec in records:
            sig = _signature(rec)
            if others[sig] > 0:
                others[sig] -= 1
                continue
            rows.append({"变化": label, **{h: rec.get(h) for h in headers}})
    return pd.DataFrame(rows, columns=["变化", *headers]), kept


def register_duplicates(
    sheet: str, month: str, new: Sequence[Mapping[str, Any]],
    year_rows: pd.DataFrame | Sequence[Mapping[str, Any]], entries: Sequence[Mapping],
) -> pd.DataFrame:
    """Entries of the new register sheet that repeat an entry of the year (counted once).

    `year_rows` is the year's `records_rows` (or its `records_frame`); this month's current rows
    are replaced by `new`. The same rule as `combined_view` — an entry repeats the first one of its
    unit with the same `entry_key`, in the order month, uploaded rows before typed ones, row / entry
    number — and the same pointer to the first, in plain Python: building that view's frames (a
    concat, a sort, a dozen column maps) was half of the upload preview's time for a few hundred
    rows. `test_register_duplicates_agree_with_combined_view` holds the two to the same answer.
    """
    key_col = KEY_COLUMN[sheet]
    year = year_rows.to_dict("records") if isinstance(year_rows, pd.DataFrame) else year_rows
    # (month, 0 uploaded / 1 typed, row or entry number, the record or entry data, source, entry id, row)
    order: list[tuple[str, int, float, Mapping[str, Any], str, Any, Any, Any]] = []
    for rec in [*(r for r in year if r["month"] != month), *({"month": month, **r} for r in new)]:
        order.append((rec["month"], 0, _number(rec.get("row")), rec, SOURCE_SHEET, None, rec.get("row"), rec.get("unit_id")))
    for e in entries:
        order.append((e["month"], 1, _number(e["id"]), e["data"], SOURCE_FORM, e["id"], None, e["unit_id"]))
    order.sort(key=lambda o: (o[0], o[1], math.isnan(o[2]), 0.0 if math.isnan(o[2]) else o[2]))  # stable; blanks last
    first: dict[tuple[Any, str], str] = {}
    rows = []
    for m, _o, _s, data, source, entry, row, unit in order:
        key = (unit, entry_key(data.get(key_col)))
        if key not in first:
            first[key] = source_label({"month": m, "来源": source, "条目编号": entry, "行号": row})
        elif source == SOURCE_SHEET and m == month:
            rows.append({"单位": data.get(UNIT_COL), "指标": data.get(key_col), "新值": "", "以往范围": "",
                         "说明": f"与{first[key]}重复，只计一次"})
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


# ---- the whole preview -----------------------------------------------------------------------------


@dataclass
class SheetPreview:
    """One sheet of one file: what importing it would do."""

    sheet: str
    filename: str
    status: Status
    note: str
    rows: int
    changes: pd.DataFrame
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLAG_COLUMNS))
    surges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SURGE_COLUMNS))


@dataclass(frozen=True)
class FileNote:
    filename: str
    sha256: str
    archived: dict[str, Any] | None  # the archived upload with the same sha256
    twin_of: str | None = None  # an earlier file of this batch with the same bytes


@dataclass
class UploadPreview:
    month: str
    files: list[FileNote]
    sheets: list[SheetPreview]

    @property
    def will_change(self) -> bool:
        """Whether the import would create any new dataset version."""
        return any(s.status in ("new", "changed") for s in self.sheets)

    @property
    def new_files(self) -> bool:
        """Whether any file is not archived yet (an import would at least archive it)."""
        return any(f.archived is None and f.twin_of is None for f in self.files)

    @property
    def surges(self) -> int:
        """How many values rose more than tenfold against last month (to acknowledge first)."""
        return sum(len(s.surges) for s in self.sheets if s.status in ("new", "changed"))

    @property
    def token(self) -> str:
        return batch_token(self.month, [f.sha256 for f in self.files])


def _history(datasets: Any, sheet: Sheet, month: str) -> Iterator[tuple[str, str, float]]:
    """(key, 指标, value) of the values reported in the HISTORY_MONTHS months before `month` (one
    query; blanks left out, as `_jumps` skips them), produced as `_jumps` reads them."""
    year, m = month_parts(month)
    rows = datasets.facts_rows(f"{year - 1:04d}-{m:02d}", previous_month(month), sheet.name)
    return ((COUNTY_KEY if unit is None else unit, fld, float(value))
            for _month, unit, fld, value in rows if value is not None)


def _status(current: Mapping[str, Any] | None, content_hash: str) -> tuple[Status, str]:
    if current is None:
        return "new", "本月首次导入该表"
    if current["content_hash"] == content_hash:
        return "same", f"与当前版本（第 {current['version']} 版）内容完全相同，导入时不会新建版本"
    return "changed", f"将替换当前版本（第 {current['version']} 版），旧版本保留，可随时恢复"


def _sheet_preview(store: Any, month: str, filename: str, parsed_sheet, register: UnitRegister,
                   current: Mapping[str, Any] | None) -> SheetPreview:
    sheet = SHEETS[parsed_sheet.name]
    records = parsed_sheet.records
    status, note = _status(current, parsed_sheet.content_hash())
    cur_records = store.datasets.current_sheet(month, sheet.name, register) if current else []
    if sheet.layout == "records":
        preview = SheetPreview(sheet.name, filename, status, note, len(records), pd.DataFrame())
        preview.changes, preview.unchanged = diff_records(sheet, records, cur_records)
        if sheet.name in REGISTER_SHEETS:
            year = month_parts(month)[0]
            preview.flags = register_duplicates(sheet.name, month, records, store.datasets.records_rows(year, 12, sheet.name),
                                                store.registers.register_entries(year, sheet.name))
        return preview
    new_long = _long_rows(sheet, records)
    prev_long = _long_rows(sheet, store.datasets.current_sheet(previous_month(month), sheet.name, register))
    changes, unchanged = _diff(new_long, _long_rows(sheet, cur_records), prev_long)
    return SheetPreview(sheet.name, filename, status, note, len(records), changes, unchanged,
                        missing_units(sheet, records, register, month),
                        _jumps(new_long, _history(store.datasets, sheet, month)), _surges(new_long, prev_long, sheet=sheet.name))


def build_preview(store: Any, month: str, checks: Sequence[FileCheck], register: UnitRegister) -> UploadPreview:
    """The preview of importing the (valid) `checks` for `month`, in upload order."""
    status = store.datasets.sheets_status(month)
    seen: dict[str, str] = {}
    notes = []
    for c in checks:
        notes.append(FileNote(c.filename, c.sha256, store.datasets.find_upload(c.sha256), seen.get(c.sha256)))
        seen.setdefault(c.sha256, c.filename)
    last_file = {name: i for i, c in enumerate(checks) if c.parsed for name in c.parsed.sheets}
    sheets = []
    for i, c in enumerate(checks):
        if c.parsed is None:
            continue
        for name, psheet in c.parsed.sheets.items():
            if last_file[name] != i:
                sheets.append(SheetPreview(name, c.filename, "superseded",
                                           f"被后上传的「{checks[last_file[name]].filename}」中的同名工作表取代，以后者为准",
                                           len(psheet.records), pd.DataFrame()))
                continue
            sheets.append(_sheet_preview(store, month, c.filename, psheet, register, status.get(name)))
    return UploadPreview(month, notes, sheets)


def batch_surges(datasets: Any, month: str, books: Sequence[ParsedWorkbook | None]) -> pd.DataFrame:
    """Every tenfold rise an import of `books` would write, with its sheet (the last book's sheet wins).

    The import itself asks this (`service.import_batch`, and the office adopting a unit's own
    submission), not only the upload page's preview, so the command line and any other caller
    cannot write such a figure without saying it was checked. A sheet identical to the month's
    current version is not written again, so it is not asked about (as in the preview).
    `datasets`: the store's datasets part.
    """
    last_book = {name: i for i, b in enumerate(books) if b for name in b.sheets}
    status = datasets.sheets_status(month)
    frames = []
    for i, book in enumerate(books):
        for name, psheet in (book.sheets.items() if book else ()):
            sheet = SHEETS[name]
            if last_book[name] != i or sheet.layout == "records" or _status(status.get(name), psheet.content_hash())[0] == "same":
                continue
            found = _surges(_long_rows(sheet, psheet.records),
                            _long_rows(sheet, datasets.current_sheet(previous_month(month), name)), sheet=name)
            if not found.empty:
                frames.append(found.assign(工作表=name))
    if not frames:
        return pd.DataFrame(columns=["工作表", *SURGE_COLUMNS])
    return pd.concat(frames, ignore_index=True)[["工作表", *SURGE_COLUMNS]]


def refuse_surges(datasets: Any, month: str, books: Sequence[ParsedWorkbook | None], how: str) -> None:
    """Raise `SurgeNotConfirmed` (naming each figure) if writing `books` would store a tenfold rise."""
    surges = batch_surges(datasets, month, books)
    if not surges.empty:
        raise SurgeNotConfirmed([f"工作表「{r.工作表}」{r.单位}「{r.指标}」：上月 {r.上月值:,.2f}，本次 {r.新值:,.2f}（{r.倍数}）"
                                 for r in surges.itertuples()], how)


# ---- after the import --------------------------------------------------------------------------------


def rank_changes(before: pd.DataFrame | None, after: pd.DataFrame) -> pd.DataFrame:
    """Before/after rank and score per unit of one group (summaries of `score_month`).

    排名变化 > 0 means the unit moved up; a unit without a rank before has <NA>. A unit that sent
    nothing this month (the summaries' `reported` column, `credit.scoring.not_reported`) has no rank
    after either: a 状态 column then says 未报送, as on Home and in the 通报.
    """
    prior = before.set_index("unit_id") if before is not None and not before.empty else None
    out = pd.DataFrame({
        "单位": after["unit"].to_numpy(),
        "导入前排名": pd.array(
            [pd.NA] * len(after) if prior is None else after["unit_id"].map(prior["rank"]).to_numpy(), dtype="Int64"
        ),
        "导入后排名": pd.array(after["rank"].to_numpy(), dtype="Int64"),
        "导入前得分率": (np.nan if prior is None else after["unit_id"].map(prior["score"]).to_numpy()),
        "导入后得分率": after["score"].to_numpy(dtype=float),
    })
    out["排名变化"] = out["导入前排名"] - out["导入后排名"]
    columns = list(RANK_COLUMNS)
    if "reported" in after.columns and not after["reported"].fillna(True).all():
        out["状态"] = ["已报送" if r is not False else "未报送" for r in after["reported"]]
        columns.append("状态")
    return out[columns].sort_values("导入后排名", kind="stable").reset_index(drop=True)
