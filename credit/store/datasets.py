"""Monthly datasets in the store: the upload archive, dataset versions, and reading them back.

Why it looks like this:
- Every upload is archived byte for byte (never edited), and each (month, sheet) dataset is a
  chain of versions of which exactly one is current; undo is "restore an old version", itself a
  new version, so nothing is ever deleted and every number on a page can be traced to a file.
- Writes that would change nothing write nothing: re-importing the same file leaves the
  database file byte-for-byte identical (no archive row, no audit entry, same data_version).
- Shapes are checked and rows prepared before the write lock is taken, so the lock is held only
  for the inserts.
- 本月无新增: an optional sheet (contract.OPTIONAL_SHEETS) may be reported with no rows — uploaded
  with headers only, or marked by the office. That is no dataset version (there is nothing to
  score, so scoring sees exactly what it sees for a sheet never sent) but a row of `empty_reports`
  tied to the upload, so 数据版本, 报送进度 and the CLI can tell "reported, none" from "not sent".
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from credit.common.months import check_data_month
from credit.common.text import CELL, FILE_NAME, NOTE, check_text, text_problem
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.model.contract import ITEM_COL, NO_NEW, OPTIONAL_SHEETS, REGISTER_SHEETS, SHEETS, UNIT_COL, Sheet
from credit.model.parsed import ParsedWorkbook
from credit.model.units import UnitRegister
from credit.store.core import Core
from credit.store.units import Units
from credit.store.util import check_month, dumps, month_range, now, sheet_spec

_VERSION_COLUMNS = """
    v.id, v.month, v.sheet, v.version, v.upload_id, u.filename, v.content_hash, v.row_count,
    v.created_by, v.created_at, v.action, v.restored_from, v.is_current
"""
_VERSION_FROM = "dataset_versions v LEFT JOIN uploads u ON u.id = v.upload_id"
_UPLOAD_INFO = "id, sha256, filename, size, uploaded_by, uploaded_at"
_EMPTY_COLUMNS = "e.id, e.month, e.sheet, e.empty, e.source, e.upload_id, u.filename, e.reason, e.created_by, e.created_at"
_EMPTY_FROM = "empty_reports e LEFT JOIN uploads u ON u.id = e.upload_id"


@dataclass
class ImportResult:
    """What an import did. `upload_id` is None only when the workbook held no sheet at all."""

    month: str
    upload_id: int | None
    created: list[tuple[str, int]] = field(default_factory=list)  # (sheet, new version number)
    unchanged: list[str] = field(default_factory=list)  # sheets identical to their current version
    empty: list[str] = field(default_factory=list)  # optional sheets newly recorded as 本月无新增

    @property
    def changed(self) -> bool:
        return bool(self.created or self.empty)


def _number(value: object, where: str) -> float | None:
    """A fact value: float or None (blank). NaN counts as blank; text is a caller bug."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CreditError(f"{where}：「{value}」不是数字")
    number = float(value)
    return None if math.isnan(number) else number


def _content_rows(sheet: Sheet, records: list[dict[str, object]]) -> tuple[str, list[dict]]:
    """Turn a parsed sheet into rows for `facts` or `records` (without version_id).

    Pure and done before the write lock is taken, so the lock is held only for the inserts.
    """
    rows: list[dict] = []
    for i, rec in enumerate(records, start=1):
        row_no = rec.get("row")
        where = f"工作表「{sheet.name}」第 {row_no or i} 行"
        if sheet.layout == "records":
            data = {k: v for k, v in rec.items() if k not in ("row", "unit_id")}
            rows.append({"row_no": row_no, "unit_id": rec.get("unit_id"), "data": dumps(data)})
        elif sheet.layout == "item":
            item = rec.get("item")
            if not item:
                raise CreditError(f"{where}：缺少「{ITEM_COL}」")
            value = _number(rec.get("value"), f"{where}「{item}」")
            rows.append({"row_no": row_no, "unit_id": None, "field": item, "value": value})
        else:
            unit_id = rec.get("unit_id")
            if not unit_id:
                raise CreditError(f"{where}：缺少单位编号（unit_id）")
            for key, raw in rec.items():
                if key in ("row", "unit_id", UNIT_COL):
                    continue
                value = _number(raw, f"{where}「{key}」列")
                rows.append({"row_no": row_no, "unit_id": unit_id, "field": key, "value": value})
    return ("records" if sheet.layout == "records" else "facts"), rows


@dataclass(frozen=True)
class _PreparedSheet:
    name: str
    content_hash: str
    row_count: int
    table: str  # "facts" or "records"
    rows: list[dict]


@dataclass(frozen=True)
class _PreparedImport:
    month: str
    filename: str
    raw: bytes
    sha256: str
    sheets: list[_PreparedSheet]
    empty: list[str] = field(default_factory=list)  # optional sheets uploaded with headers only


def _check_values(spec: Sheet, records: Sequence[dict[str, Any]]) -> None:
    """The last wall before a sheet is stored, whatever path built its records (importer, 填报,
    申诉 correction, 双公示): every text passes the one text policy and every number is finite.
    The contract's bounds per column are applied where numbers come in (the importer's cells,
    `importer.read_number` for forms and appeals), which name the cell or field."""
    for rec in records:
        where = f"工作表「{spec.name}」第 {rec.get('row', '?')} 行"
        for key, value in rec.items():
            if isinstance(value, str):
                problem = text_problem(value, limit=CELL, multiline=True)
                if problem is not None:
                    raise CreditError(f"{where}「{key}」{problem}。未写入任何数据。")
            elif isinstance(value, float) and not math.isfinite(value):
                header = rec.get(ITEM_COL) if spec.layout == "item" and key == "value" else key
                raise CreditError(f"{where}「{header}」的数值 {value} 不是有效数字。未写入任何数据。")


def _prepare_import(parsed: ParsedWorkbook, raw: bytes, filename: str) -> _PreparedImport:
    """Everything about an import that needs no database: checks, hashes, rows to insert."""
    check_text(filename, "文件名", limit=FILE_NAME)
    sheets = []
    for name, psheet in parsed.sheets.items():
        _check_values(sheet_spec(name), psheet.records)
        table, rows = _content_rows(sheet_spec(name), psheet.records)
        sheets.append(_PreparedSheet(name, psheet.content_hash(), len(psheet.records), table, rows))
    empty = [sheet_spec(name).name for name in parsed.empty if name not in parsed.sheets]
    if any(name not in OPTIONAL_SHEETS for name in empty):
        raise CreditError(f"只有{'、'.join(OPTIONAL_SHEETS)}可以报“{NO_NEW}”")
    return _PreparedImport(check_data_month(parsed.month, "导入月份"), filename, raw, hashlib.sha256(raw).hexdigest(), sheets, empty)


class Datasets:
    """Imports, dataset versions and restores, and the year-to-date reads the scoring needs."""

    def __init__(self, core: Core, units: Units):
        self._core, self._units = core, units

    # -- import and dataset versions -----------------------------------------------------------

    def import_workbook(self, parsed: ParsedWorkbook, raw: bytes, filename: str, by: Actor) -> ImportResult:
        """Archive the file and make a new current version of every sheet whose content changed.

        All in one transaction: on any error nothing is written (not even the archive). A sheet
        whose content hash equals its current version is left alone; a file already archived
        (same sha256) is reused. So re-importing an identical file writes nothing at all.
        """
        return self.import_workbooks([(parsed, raw, filename)], by)[0]

    def import_workbooks(self, items: Sequence[tuple[ParsedWorkbook, bytes, str]], by: Actor,
                         reason: str = "") -> list[ImportResult]:
        """Import several files (parsed, raw bytes, filename) in ONE transaction: all or none.

        The files are handled in order, so a later file's sheet supersedes an earlier one's for
        the same (month, sheet). Shapes are checked before the write lock is taken. A month whose
        通报 is already issued takes new figures only with a `reason` (更正说明): they become the
        correction candidate, while the published record stays as issued (credit.store.publishing).
        """
        who = authorize(by, Action.IMPORT)
        check_text(reason, "更正说明", limit=NOTE, multiline=True)
        prepared = [_prepare_import(p, raw, name) for p, raw, name in items]
        if not any(prep.sheets or prep.empty for prep in prepared):
            return [ImportResult(prep.month, None) for prep in prepared]
        with self._core.write():
            published = sorted({prep.month for prep in prepared if (prep.sheets or prep.empty) and self._core.scalar(
                "SELECT 1 FROM publications WHERE month = ? LIMIT 1", (prep.month,))})
            if published and not reason.strip():
                raise CreditError(f"{'、'.join(published)} 的通报已签发，再次导入须填写更正说明（为什么更正、更正了什么）。"
                                  "未写入任何数据。")
            why = reason.strip() if published else ""
            return [self._import_prepared(prep, who, why) if why and prep.month in published
                    else self._import_prepared(prep, who) for prep in prepared]

    def _import_prepared(self, prep: _PreparedImport, who: str, reason: str = "") -> ImportResult:
        result = ImportResult(prep.month, None)
        if not prep.sheets and not prep.empty:
            return result
        upload_id = self._core.scalar("SELECT id FROM uploads WHERE sha256 = ?", (prep.sha256,))
        new_upload = upload_id is None
        if new_upload:
            upload = {
                "sha256": prep.sha256,
                "filename": prep.filename,
                "size": len(prep.raw),
                "content": prep.raw,
                "uploaded_by": who,
                "uploaded_at": now(),
            }
            upload_id = self._core.db["uploads"].insert(upload).last_pk
        result.upload_id = upload_id
        for sheet in prep.sheets:
            current = self._current_version(prep.month, sheet.name)
            if current and current["content_hash"] == sheet.content_hash:
                result.unchanged.append(sheet.name)
                continue
            version_id, version = self._new_version(
                prep.month,
                sheet.name,
                upload_id,
                sheet.content_hash,
                sheet.row_count,
                who,
                "import",
            )
            self._insert_content(sheet.table, version_id, sheet.rows, sheet.name)
            result.created.append((sheet.name, version))
        for name in prep.empty:
            if self._reports_empty(prep.month, name):
                continue  # rows already imported stay; an earlier 本月无新增 stays as it is
            self._insert_empty(prep.month, name, True, "upload", upload_id, who, reason)
            result.empty.append(name)
        if new_upload or result.created or result.empty:
            detail = {
                "month": prep.month,
                "filename": prep.filename,
                "upload_id": upload_id,
                "sha256": prep.sha256,
                "created": result.created,
                "unchanged": result.unchanged,
            }
            if result.empty:
                detail["empty"] = result.empty
            if reason:
                detail["reason"] = reason  # 更正说明 of a re-import into a published month
            self._core.changed(who, "import", detail)
        return result

    def _current_version(self, month: str, sheet: str) -> dict[str, Any] | None:
        return self._core.one(
            f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE v.month = ? AND v.sheet = ? AND v.is_current = 1",
            (month, sheet),
        )

    def _new_version(
        self,
        month: str,
        sheet: str,
        upload_id: int | None,
        content_hash: str,
        row_count: int,
        who: str,
        action: str,
        restored_from: int | None = None,
    ) -> tuple[int, int]:
        """Append version max+1 for (month, sheet) and make it the only current one."""
        version = 1 + self._core.scalar(
            "SELECT COALESCE(MAX(version), 0) FROM dataset_versions WHERE month = ? AND sheet = ?",
            (month, sheet),
        )
        self._core.db.execute(
            "UPDATE dataset_versions SET is_current = 0 WHERE month = ? AND sheet = ? AND is_current = 1",
            (month, sheet),
        )
        version_id = (
            self._core.db["dataset_versions"]
            .insert(
                {
                    "month": month,
                    "sheet": sheet,
                    "version": version,
                    "upload_id": upload_id,
                    "content_hash": content_hash,
                    "row_count": row_count,
                    "created_by": who,
                    "created_at": now(),
                    "action": action,
                    "restored_from": restored_from,
                    "is_current": 1,
                }
            )
            .last_pk
        )
        return version_id, version

    def _insert_content(self, table: str, version_id: int, rows: list[dict], sheet: str) -> None:
        """Insert a version's facts/records; unknown unit ids get a Chinese message, not an FK error."""
        unit_ids = {r["unit_id"] for r in rows if r["unit_id"] is not None}
        if unit_ids:
            marks = ",".join("?" * len(unit_ids))
            known = {r[0] for r in self._core.conn.execute(f"SELECT id FROM units WHERE id IN ({marks})", sorted(unit_ids))}
            unknown = sorted(unit_ids - known)
            if unknown:
                raise CreditError(f"工作表「{sheet}」中的单位编号不在单位名册中：{'、'.join(unknown)}")
        self._core.db[table].insert_all({"version_id": version_id, **r} for r in rows)

    def version_facts(self, version_id: int) -> list[tuple[str | None, str, float | None]]:
        """(unit_id, field, value) of one stored version of a unit sheet, as imported (any version,
        current or not: a 更正通报 compares the version it corrects with the current one)."""
        return [tuple(r) for r in self._core.conn.execute(
            "SELECT unit_id, field, value FROM facts WHERE version_id = ? ORDER BY row_no, field", (int(version_id),))]

    def restore_version(self, version_id: int, by: Actor) -> dict[str, Any]:
        """Make an earlier version current again, as a new version that copies its content.

        Nothing is deleted or rewritten, so the restore itself can be undone the same way.
        Returns the new version's info (as in `versions()`).
        """
        who = authorize(by, Action.RESTORE)
        with self._core.write():
            old = self._core.one(f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE v.id = ?", (version_id,))
            if old is None:
                raise CreditError(f"未找到编号为 {version_id} 的数据版本")
            label = f"{old['month']}「{old['sheet']}」第 {old['version']} 版"
            current = self._current_version(old["month"], old["sheet"])
            if current and current["id"] == old["id"]:
                raise CreditError(f"{label}已是当前版本，无需恢复")
            if current and current["content_hash"] == old["content_hash"]:
                raise CreditError(f"{label}与当前版本（第 {current['version']} 版）内容相同，无需恢复")
            new_id, new_version = self._new_version(
                old["month"],
                old["sheet"],
                old["upload_id"],
                old["content_hash"],
                old["row_count"],
                who,
                "restore",
                restored_from=old["id"],
            )
            for table, cols in (("facts", "row_no, unit_id, field, value"), ("records", "row_no, unit_id, data")):
                self._core.db.execute(
                    f"INSERT INTO {table} (version_id, {cols})"
                    f" SELECT ?, {cols} FROM {table} WHERE version_id = ? ORDER BY rowid",
                    (new_id, old["id"]),
                )
            self._core.changed(
                who,
                "restore",
                {
                    "month": old["month"],
                    "sheet": old["sheet"],
                    "restored_from": old["id"],
                    "from_version": old["version"],
                    "version_id": new_id,
                    "version": new_version,
                },
            )
        return self._version_info(new_id)

    def _version_info(self, version_id: int) -> dict[str, Any]:
        rows = self._versions("v.id = ?", [version_id])
        if not rows:
            raise CreditError(f"未找到编号为 {version_id} 的数据版本")
        return rows[0]

    def _versions(self, where: str, params: list[object]) -> list[dict[str, Any]]:
        rows = self._core.all(
            f"SELECT {_VERSION_COLUMNS} FROM {_VERSION_FROM} WHERE {where}"
            " ORDER BY v.month DESC, v.sheet, v.version DESC",
            params,
        )
        for r in rows:
            r["is_current"] = bool(r["is_current"])
        return rows

    def versions(self, month: str | None = None, sheet: str | None = None) -> list[dict[str, Any]]:
        """Version history, newest month first and newest version first within a sheet.

        Keys: id, month, sheet, version, upload_id, filename, content_hash, row_count,
        created_by, created_at, action ('import'|'restore'), restored_from, is_current (bool).
        """
        clauses, params = ["1 = 1"], []
        if month is not None:
            clauses.append("v.month = ?")
            params.append(check_month(month))
        if sheet is not None:
            clauses.append("v.sheet = ?")
            params.append(sheet_spec(sheet).name)
        return self._versions(" AND ".join(clauses), params)

    def sheets_status(self, month: str) -> dict[str, dict[str, Any] | None]:
        """Every contract sheet (in contract order) → its current version info, or None."""
        current = {v["sheet"]: v for v in self._versions("v.month = ? AND v.is_current = 1", [check_month(month)])}
        return {name: current.get(name) for name in SHEETS}

    def months_with_data(self) -> list[str]:
        """Months that have at least one current dataset, ascending."""
        return [
            r[0]
            for r in self._core.conn.execute(
                "SELECT DISTINCT month FROM dataset_versions WHERE is_current = 1 ORDER BY month"
            )
        ]

    def upload_bytes(self, upload_id: int) -> tuple[str, bytes]:
        """The archived file exactly as uploaded, for download and re-parsing."""
        row = self._core.one("SELECT filename, content FROM uploads WHERE id = ?", (upload_id,))
        if row is None:
            raise CreditError(f"未找到编号为 {upload_id} 的上传文件")
        return row["filename"], bytes(row["content"])

    # -- 本月无新增: optional sheets reported with no rows ------------------------------------------

    def _latest_empty(self, month: str, sheet: str) -> dict[str, Any] | None:
        return self._core.one(f"SELECT {_EMPTY_COLUMNS} FROM {_EMPTY_FROM} WHERE e.month = ? AND e.sheet = ?"
                              " ORDER BY e.id DESC LIMIT 1", (month, sheet))

    def _reports_empty(self, month: str, sheet: str) -> bool:
        """Whether (month, sheet) already needs no new 本月无新增 row: rows imported, or already marked."""
        current = self._current_version(month, sheet)
        latest = self._latest_empty(month, sheet)
        return bool(current and current["row_count"]) or bool(latest and latest["empty"])

    def _insert_empty(self, month: str, sheet: str, empty: bool, source: str, upload_id: int | None,
                      who: str, reason: str) -> None:
        self._core.db["empty_reports"].insert({
            "month": month, "sheet": sheet, "empty": int(empty), "source": source, "upload_id": upload_id,
            "reason": reason, "created_by": who, "created_at": now(),
        })

    def reported_empty(self, month: str) -> dict[str, dict[str, Any]]:
        """Optional sheets that count as reported with no rows (本月无新增) in `month`, in contract order.

        sheet -> the row that says so: source ('upload' | 'mark'), upload_id, filename, reason,
        created_by, created_at. A sheet whose current version has rows is reported with rows and is
        not listed, whatever was marked before.
        """
        month = check_month(month)
        rows = self._core.all(
            f"SELECT {_EMPTY_COLUMNS} FROM {_EMPTY_FROM} WHERE e.id IN"
            " (SELECT MAX(id) FROM empty_reports WHERE month = ? GROUP BY sheet)", (month,))
        with_rows = {r[0] for r in self._core.conn.execute(
            "SELECT sheet FROM dataset_versions WHERE month = ? AND is_current = 1 AND row_count > 0", (month,))}
        latest = {r["sheet"]: r for r in rows if r["empty"] and r["sheet"] not in with_rows}
        return {s: latest[s] for s in OPTIONAL_SHEETS if s in latest}

    def mark_empty(self, month: str, sheet: str, by: Actor, reason: str = "") -> None:
        """The office says `sheet` has no new entries in `month` (本月无新增) without uploading a file.

        Refused when the month already has rows of that sheet (imported or typed in 证明材料) or is
        already marked; in a month whose 通报 is issued only with a 更正说明, as a re-import is.
        """
        self._set_empty(month, sheet, True, by, reason)

    def unmark_empty(self, month: str, sheet: str, by: Actor, reason: str = "") -> None:
        """Withdraw 本月无新增 (marked or from an uploaded empty sheet): the sheet is 未导入 again."""
        self._set_empty(month, sheet, False, by, reason)

    def _set_empty(self, month: str, sheet: str, empty: bool, by: Actor, reason: str) -> None:
        who = authorize(by, Action.IMPORT)
        check_text(reason, "原因", limit=NOTE, multiline=True)
        month, sheet, reason = check_month(month), sheet_spec(sheet).name, (reason or "").strip()
        if sheet not in OPTIONAL_SHEETS:
            raise CreditError(f"「{sheet}」每月都应导入，不能标记为“{NO_NEW}”（只有{'、'.join(OPTIONAL_SHEETS)}可以）")
        label = f"{month}「{sheet}」"
        with self._core.write():
            if self._core.scalar("SELECT 1 FROM publications WHERE month = ? LIMIT 1", (month,)) and not reason:
                raise CreditError(f"{month} 的通报已签发，{'标记' if empty else '撤销'}“{NO_NEW}”须填写更正说明"
                                  "（为什么更正、更正了什么）。未写入任何数据。")
            latest = self._latest_empty(month, sheet)
            marked = bool(latest and latest["empty"])
            if empty:
                current = self._current_version(month, sheet)
                if current and current["row_count"]:
                    raise CreditError(f"{label}已导入 {current['row_count']} 条（第 {current['version']} 版），"
                                      f"不能标记为“{NO_NEW}”")
                typed = self._typed_entries(month, sheet)
                if typed:
                    raise CreditError(f"{label}已在“证明材料”页登记 {typed} 条，不能标记为“{NO_NEW}”")
                if marked:
                    raise CreditError(f"{label}已是“{NO_NEW}”，无需再标记")
            elif not marked:
                raise CreditError(f"{label}没有“{NO_NEW}”标记，无需撤销")
            self._insert_empty(month, sheet, empty, "mark", None, who, reason)
            detail: dict[str, object] = {"month": month, "sheet": sheet}
            if reason:
                detail["reason"] = reason
            self._core.changed(who, "empty.mark" if empty else "empty.unmark", detail)

    def _typed_entries(self, month: str, sheet: str) -> int:
        """Register entries typed in the form for (month, sheet) and not withdrawn."""
        if sheet not in REGISTER_SHEETS:
            return 0
        return int(self._core.scalar(
            "SELECT COUNT(*) FROM register_entries e LEFT JOIN register_withdrawals w ON w.entry_id = e.id"
            " WHERE e.month = ? AND e.sheet = ? AND w.entry_id IS NULL", (month, sheet)))

    # -- reading datasets ----------------------------------------------------------------------

    def _current_rows(self, sheet: Sheet, first: str, last: str, cols: str | None = None) -> list[tuple]:
        """One query: (month, *cols) of the current versions of `sheet` in [first, last]."""
        if sheet.layout == "records":
            cols, table = cols or "r.row_no, r.unit_id, r.data", "records r"
        else:
            cols, table = cols or "r.row_no, r.unit_id, r.field, r.value", "facts r"
        return self._core.conn.execute(
            f"SELECT v.month, {cols} FROM dataset_versions v"
            f" JOIN {table} ON r.version_id = v.id"
            " WHERE v.is_current = 1 AND v.sheet = ? AND v.month BETWEEN ? AND ?"
            " ORDER BY v.month, r.row_no, r.rowid",
            (sheet.name, first, last),
        ).fetchall()

    def _records_by_month(self, sheet: Sheet, first: str, last: str,
                          register: UnitRegister | None = None) -> dict[str, list[dict]]:
        """Rebuild parsed.py-shaped records; 单位名称 is the register's name in that month
        (`register`: the caller's copy of the current register, so it is not read again)."""
        out: dict[str, list[dict]] = {}
        rows = self._current_rows(sheet, first, last)
        if sheet.layout == "records":
            for month, row_no, unit_id, data in rows:
                out.setdefault(month, []).append({"row": row_no, "unit_id": unit_id, **json.loads(data)})
            return out
        if sheet.layout == "item":
            for month, row_no, _unit, item, value in rows:
                out.setdefault(month, []).append({"row": row_no, "item": item, "value": value})
            return out
        register = (register or self._units.register()) if rows else None
        by_key: dict[tuple[str, int | None, str], dict] = {}
        for month, row_no, unit_id, fld, value in rows:
            rec = by_key.get((month, row_no, unit_id))
            if rec is None:
                unit = register.by_id.get(unit_id) if register else None
                name = unit.name_at(month) if unit else unit_id
                rec = {"row": row_no, "unit_id": unit_id, UNIT_COL: name}
                by_key[(month, row_no, unit_id)] = rec
                out.setdefault(month, []).append(rec)
            rec[fld] = value
        return out

    def filled_counts(self, month: str, sheet: str, fields: Sequence[str]) -> dict[str, int]:
        """Unit id → how many of `fields` the unit's row fills in the current version of (month,
        sheet), a unit sheet; {} when the month has no such version or it has no rows.

        What a month's 报送 state needs (`credit.reports.status.month_reporting`), counted by one
        aggregate query instead of rebuilding every record (55,000 facts at 5,000 units). It
        answers as `current_sheet` would: a unit has a row when any of its facts is stored, a
        blank is NULL, and of two rows for one unit the later one counts."""
        check_month(month)
        spec = sheet_spec(sheet)
        if spec.layout != "unit":
            raise CreditError(f"「{sheet}」不是按单位填报的表")
        wanted = list(dict.fromkeys(str(f) for f in fields))
        filled = f"r.value IS NOT NULL AND r.field IN ({', '.join('?' * len(wanted))})" if wanted else "0"
        rows = self._core.conn.execute(
            f"SELECT r.unit_id, SUM(CASE WHEN {filled} THEN 1 ELSE 0 END) FROM dataset_versions v"
            " JOIN facts r ON r.version_id = v.id"
            " WHERE v.is_current = 1 AND v.month = ? AND v.sheet = ?"
            " GROUP BY r.row_no, r.unit_id ORDER BY r.row_no, MIN(r.rowid)",
            (*wanted, month, spec.name),
        ).fetchall()
        return {unit_id: int(n) for unit_id, n in rows}

    def current_sheet(self, month: str, sheet: str, register: UnitRegister | None = None) -> list[dict[str, object]]:
        """The current version of (month, sheet) as parsed.py records; [] when never imported.
        `register`, when the caller has the current register at hand, names the units."""
        check_month(month)
        return self._records_by_month(sheet_spec(sheet), month, month, register).get(month, [])

    def year_data(self, year: int, upto_month: int, sheet: str) -> dict[str, list[dict]]:
        """Current records of months YYYY-01..YYYY-mm; months without data are absent."""
        first, last = month_range(year, upto_month)
        return self._records_by_month(sheet_spec(sheet), first, last)

    def facts_frame(self, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
        """Long table [month, unit_id, field, value] of a unit/item sheet, year to date.

        One SQL query; value is float64 with NaN for a blank stock; unit_id is None on 全县.
        """
        spec = sheet_spec(sheet)
        if spec.layout == "records":
            raise CreditError(f"「{sheet}」是记录表，请使用 records_frame 读取")
        rows = self._current_rows(spec, *month_range(year, upto_month), "r.unit_id, r.field, r.value")
        # Column-wise construction: about twice as fast as from row tuples (pandas 3).
        month, unit_id, fld, value = zip(*rows, strict=True) if rows else ((), (), (), ())
        return pd.DataFrame(
            {"month": month, "unit_id": unit_id, "field": fld, "value": np.array(value, dtype=float)},
            columns=["month", "unit_id", "field", "value"],
        )

    def facts_rows(self, first: str, last: str, sheet: str) -> list[tuple[str, str | None, str, float | None]]:
        """(month, unit_id, field, value) of a unit/item sheet's current versions in [first, last].

        The rows `facts_frame` is made of, without the DataFrame: for small reads (the upload
        preview's history of one sheet) building the frame costs more than the query.
        """
        check_month(first)
        check_month(last)
        spec = sheet_spec(sheet)
        if spec.layout == "records":
            raise CreditError(f"「{sheet}」是记录表，请使用 records_frame 读取")
        return self._current_rows(spec, first, last, "r.unit_id, r.field, r.value")

    def records_frame(self, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
        """Rows of a records sheet, year to date: month, row, unit_id + the record's columns.

        One SQL query. Columns follow the contract order; keys unknown to the contract follow.
        """
        spec = sheet_spec(sheet)
        records = self.records_rows(year, upto_month, sheet)
        columns = ["month", "row", "unit_id", *(c.header for c in spec.columns)]
        extra = dict.fromkeys(k for rec in records for k in rec if k not in columns)
        return pd.DataFrame(records, columns=[*columns, *extra])

    def records_rows(self, year: int, upto_month: int, sheet: str) -> list[dict[str, Any]]:
        """`records_frame` as plain dicts (month, row, unit_id + the record's keys): for a caller
        that walks the rows once, where building the frame costs more than the walk."""
        spec = sheet_spec(sheet)
        if spec.layout != "records":
            raise CreditError(f"「{sheet}」不是记录表，请使用 facts_frame 读取")
        rows = self._current_rows(spec, *month_range(year, upto_month))
        return [{"month": m, "row": r, "unit_id": u, **json.loads(d)} for m, r, u, d in rows]

    def find_upload(self, digest: str) -> dict[str, Any] | None:
        """The archived upload with this sha256 (without its bytes), or None."""
        return self._core.one(f"SELECT {_UPLOAD_INFO} FROM uploads WHERE sha256 = ?", (digest,))

    def uploads_info(self, upload_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Archived uploads by id (without their bytes), for version lists."""
        ids = sorted({int(i) for i in upload_ids if i is not None})
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._core.all(f"SELECT {_UPLOAD_INFO} FROM uploads WHERE id IN ({marks})", ids)
        return {r["id"]: r for r in rows}
