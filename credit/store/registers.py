"""The evidence registers in the store: form-added entries, their withdrawal, evidence files.

A part of the store holding the core, the unit register (to check the unit) and the datasets (to
read uploaded register rows). Like the upload archive, all three tables are insert-only
(triggers in migration m0003): an entry typed by mistake is withdrawn by a new row, and a file
once stored stays. Every write is authorised ("registers"), one transaction, and audited; a write
that would change nothing (the same file for the same entry again) writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from credit.common.text import FILE_NAME, LINE, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, PermissionDenied, authorize, check_unit, is_unit
from credit.model.contract import UNIT_COL
from credit.store.core import Core
from credit.store.datasets import Datasets
from credit.store.units import Units
from credit.store.util import check_month, now
from credit.workbook.registers import (
    KEY_COLUMN,
    RegisterView,
    check_register_sheet,
    clean_entry,
    combined_view,
    entry_data_json,
    entry_key,
    find_entry,
    sha256,
    sniff_evidence,
)

_EVIDENCE_INFO = (
    "id, sheet, year, unit_id, entry_key, entry_name, filename, kind, size, sha256, uploaded_by, uploaded_at"
)


def _check_reader(by: Actor | None) -> None:
    """Evidence files are read by an account only (who it is decides which: `check_unit`)."""
    if not isinstance(by, Actor):
        raise PermissionDenied("证明材料文件只向登录的账户提供：请先登录（被考核单位账户只能查看本单位的证明材料）。")


class Registers:
    """Register entries and evidence files; see `credit.workbook.registers` for the rules."""

    def __init__(self, core: Core, units: Units, datasets: Datasets):
        self._core, self._units, self._datasets = core, units, datasets

    # -- reading -------------------------------------------------------------------------------

    def register_entries(
        self,
        year: int,
        sheet: str | None = None,
        upto: str | None = None,
        *,
        include_withdrawn: bool = False,
    ) -> list[dict[str, Any]]:
        """Form entries of `year` (months up to `upto` if given), oldest first; `data` decoded.

        Keys: id, sheet, month, unit_id, entry_key, data, created_by, created_at, and
        withdrawn (bool), withdrawn_by, withdrawn_at, reason.
        """
        sql = (
            "SELECT e.id, e.sheet, e.month, e.unit_id, e.entry_key, e.data, e.created_by, e.created_at,"
            " w.entry_id IS NOT NULL AS withdrawn, w.withdrawn_by, w.withdrawn_at, w.reason"
            " FROM register_entries e LEFT JOIN register_withdrawals w ON w.entry_id = e.id"
            " WHERE e.month BETWEEN ? AND ?"
        )
        params: list[object] = [f"{int(year):04d}-01", upto or f"{int(year):04d}-12"]
        if sheet is not None:
            sql += " AND e.sheet = ?"
            params.append(check_register_sheet(sheet))
        if not include_withdrawn:
            sql += " AND w.entry_id IS NULL"
        rows = self._core.all(sql + " ORDER BY e.month, e.id", params)
        for r in rows:
            r["data"] = json.loads(r["data"])
            r["withdrawn"] = bool(r["withdrawn"])
        return rows

    def evidence_files(self, year: int, sheet: str | None = None, unit_id: str | None = None, *,
                       by: Actor | None) -> list[dict[str, Any]]:
        """Evidence files of `year` without their bytes, oldest first.

        Not public: the files are the units' own documents. Without an account (`by` None: an
        anonymous reader, or a caller that did not say who asks) the read is refused; a 被考核单位
        account gets only its own unit's files and is refused another unit's; 领导, 信用办 and 管理员
        read all. (How many files an entry has is public: `register_view` counts them.)
        """
        _check_reader(by)
        if is_unit(by):
            unit_id = unit_id or by.unit_id  # type: ignore[union-attr]
            check_unit(by, unit_id, "证明材料")
        return self._evidence_rows(year, sheet, unit_id)

    def _evidence_rows(self, year: int, sheet: str | None = None, unit_id: str | None = None) -> list[dict[str, Any]]:
        """The evidence files' descriptions, unchecked: for callers that checked the reader (or count only)."""
        sql = f"SELECT {_EVIDENCE_INFO} FROM evidence_files WHERE year = ?"
        params: list[object] = [int(year)]
        if sheet is not None:
            sql += " AND sheet = ?"
            params.append(check_register_sheet(sheet))
        if unit_id is not None:
            sql += " AND unit_id = ?"
            params.append(unit_id)
        return self._core.all(sql + " ORDER BY id", params)

    def evidence_bytes(self, file_id: int, *, by: Actor | None) -> tuple[str, bytes]:
        """The evidence file exactly as uploaded, for download; refused without an account, and a unit
        account gets only its own unit's (see `evidence_files`)."""
        _check_reader(by)
        row = self._core.one("SELECT unit_id, filename, content FROM evidence_files WHERE id = ?", (int(file_id),))
        if row is None:
            raise CreditError(f"未找到编号为 {file_id} 的证明材料文件")
        check_unit(by, row["unit_id"], "证明材料")
        return row["filename"], bytes(row["content"])

    def register_view(self, year: int, upto_month: int, sheet: str) -> RegisterView:
        """The register of Jan..m: uploaded rows and form entries, duplicates flagged."""
        last = f"{int(year):04d}-{int(upto_month):02d}"
        return combined_view(
            sheet,
            self._datasets.records_frame(year, upto_month, sheet),
            self.register_entries(year, sheet, last),
            self._evidence_rows(year, sheet),  # only counted: how many files an entry has
        )

    def unit_register(self, by: Actor | None, year: int, upto_month: int, sheet: str, unit_id: str) -> pd.DataFrame:
        """One unit's rows of the register view (a 被考核单位 account: only its own unit)."""
        check_unit(by, unit_id, "证明材料登记")
        table = self.register_view(year, upto_month, sheet).table
        return table[table["unit_id"] == unit_id].drop(columns=["unit_id"]).reset_index(drop=True)

    # -- writing -------------------------------------------------------------------------------

    def add_register_entry(
        self, sheet: str, month: str, unit_id: str, data: Mapping[str, object], by: Actor
    ) -> int:
        """Add a typed entry counting from `month`; refuses a unit's repeat of the same name in the year.

        The repeat check covers uploaded rows and typed entries of the whole year, under the
        write lock, so two officials typing the same entry at once cannot both add it.
        """
        who = authorize(by, Action.REGISTERS)
        check_register_sheet(sheet)
        check_month(month)
        record = clean_entry(sheet, data)
        name = record[KEY_COLUMN[sheet]]
        year = int(month[:4])
        with self._core.write():
            unit = self._units.register().by_id.get(unit_id)
            if unit is None:
                raise CreditError(f"未找到单位编号「{unit_id}」")
            if not unit.active_in(month):
                raise CreditError(f"「{unit.name}」在 {month} 不在册（已撤销或尚未设立），不能登记")
            found = find_entry(self.register_view(year, 12, sheet), unit_id, name)
            if found is not None:
                raise CreditError(
                    f"「{unit.name_at(month)}」{year} 年已登记「{found[KEY_COLUMN[sheet]]}」（{found['出处']}），"
                    "同一单位同一领域一年只计一次，未重复添加；如需补充证明材料，请在该条目下上传附件"
                )
            payload = {UNIT_COL: unit.name_at(month), **record}
            entry_id = self._core.db["register_entries"].insert({
                "sheet": sheet, "month": month, "unit_id": unit_id, "entry_key": entry_key(name),
                "data": entry_data_json(payload), "created_by": who, "created_at": now(),
            }).last_pk
            self._core.changed(who, "register.add", {"entry_id": entry_id, "sheet": sheet, "month": month,
                                                "unit_id": unit_id, "name": name})
        return int(entry_id)

    def withdraw_register_entry(self, entry_id: int, by: Actor, reason: str = "") -> None:
        """Withdraw a typed entry (it stops counting; the entry and its files stay on record)."""
        who = authorize(by, Action.REGISTERS)
        with self._core.write():
            entry = self._core.one(
                "SELECT e.id, e.sheet, e.month, e.unit_id, e.data, w.entry_id AS gone FROM register_entries e"
                " LEFT JOIN register_withdrawals w ON w.entry_id = e.id WHERE e.id = ?",
                (int(entry_id),),
            )
            if entry is None:
                raise CreditError(f"未找到编号为 {entry_id} 的登记条目")
            if entry["gone"] is not None:
                raise CreditError(f"登记条目 #{entry_id} 已撤回")
            self._core.db["register_withdrawals"].insert({
                "entry_id": int(entry_id), "reason": reason.strip(), "withdrawn_by": who, "withdrawn_at": now(),
            })
            self._core.changed(who, "register.withdraw", {"entry_id": int(entry_id), "sheet": entry["sheet"],
                                                     "month": entry["month"], "unit_id": entry["unit_id"],
                                                     "reason": reason.strip()})

    def add_evidence(
        self, sheet: str, year: int, unit_id: str, name: str, filename: str, content: bytes, by: Actor
    ) -> int:
        """Store an evidence file for the unit's entry `name` in `year`; returns the file's id.

        The entry must be in the register (uploaded or typed). The same file for the same entry
        again writes nothing and returns the existing id.
        """
        who = authorize(by, Action.REGISTERS)
        check_register_sheet(sheet)
        check_text(name, "证明材料对应的名称", limit=LINE, required=True)
        check_text(filename, "文件名", limit=FILE_NAME, required=True)
        kind = sniff_evidence(content, filename)
        digest, key = sha256(content), entry_key(name)
        with self._core.write():
            existing = self._core.scalar(
                "SELECT id FROM evidence_files WHERE sheet = ? AND year = ? AND unit_id = ? AND entry_key = ?"
                " AND sha256 = ?",
                (sheet, int(year), unit_id, key, digest),
            )
            if existing is not None:
                return int(existing)
            found = find_entry(self.register_view(int(year), 12, sheet), unit_id, name)
            if found is None:
                raise CreditError(f"{year} 年登记表中没有该单位的「{name}」条目，请先登记条目再上传证明材料")
            file_id = self._core.db["evidence_files"].insert({
                "sheet": sheet, "year": int(year), "unit_id": unit_id, "entry_key": key,
                "entry_name": str(found[KEY_COLUMN[sheet]]), "filename": filename, "kind": kind,
                "size": len(content), "sha256": digest, "content": content, "uploaded_by": who,
                "uploaded_at": now(),
            }).last_pk
            self._core.changed(who, "evidence.add", {"file_id": file_id, "sheet": sheet, "year": int(year),
                                                "unit_id": unit_id, "name": name, "filename": filename,
                                                "sha256": digest})
        return int(file_id)
