"""The 年度通报's record: issued 年度通报 and their 更正, the exact files handed out and the signed annual
result as rows — insert-only (triggers), like a month's publications (credit.store.publishing), in
tables of their own so a year's document never becomes a month's record.

What is judged (the views, the document) is computed above the store (credit.app.annual_publish)
and handed in; this part stores it in one transaction and refuses what would corrupt the record.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.store.core import Core
from credit.store.util import dumps, now

_COLUMNS = "id, year, kind, number, issued, signer, corrects, reason, method, final, months, published_by, published_at"


@dataclass(frozen=True)
class AnnualRecord:
    """What `publish` stores; built and checked by credit.app.annual_publish."""

    year: int
    kind: str  # 'original' | 'correction'
    number: str
    issued: str  # YYYY-MM-DD
    signer: str
    method: str
    final: bool
    months: Mapping[str, str]  # month -> 已签发 / 临时
    results: Sequence[Mapping[str, Any]]  # group_name, unit_id, unit, rank, score, grade, months, how
    files: Mapping[str, tuple[str, bytes]]  # format -> (filename, bytes)
    corrects: int | None = None
    reason: str = ""


class AnnualPublishing:
    """年度通报 publications, their files and signed results (see the module docstring)."""

    def __init__(self, core: Core):
        self._core = core

    def publications(self, year: int | None = None) -> list[dict[str, Any]]:
        """Issued 年度通报 and 更正, newest first, each with its files' metadata (no bytes)."""
        where, params = ("WHERE year = ?", [int(year)]) if year is not None else ("", [])
        rows = self._core.all(f"SELECT {_COLUMNS} FROM annual_publications {where} ORDER BY id DESC", params)
        files: dict[int, list[dict]] = {}
        for f in self._core.all("SELECT publication_id, format, filename, size, sha256 FROM annual_publication_files"
                                " ORDER BY publication_id, format"):
            files.setdefault(f["publication_id"], []).append(f)
        for r in rows:
            r["months"] = json.loads(r["months"])
            r["final"] = bool(r["final"])
            r["files"] = files.get(r["id"], [])
        return rows

    def current(self, year: int) -> dict[str, Any] | None:
        """The 年度通报 in force for `year` (the latest 更正, else the original); None = not signed."""
        rows = self.publications(year)
        return rows[0] if rows else None

    def results(self, publication_id: int, group: str) -> list[dict[str, Any]]:
        """The signed annual result of a group, by rank."""
        return self._core.all("SELECT unit_id, unit, rank, score, grade, months, how FROM annual_results"
                              " WHERE publication_id = ? AND group_name = ? ORDER BY rank, rowid",
                              (int(publication_id), group))

    def file(self, publication_id: int, fmt: str) -> tuple[str, bytes, str]:
        """(filename, the exact bytes issued, sha256)."""
        row = self._core.one("SELECT filename, content, sha256 FROM annual_publication_files WHERE publication_id = ?"
                             " AND format = ?", (int(publication_id), fmt))
        if row is None:
            raise CreditError(f"年度通报发布记录 #{publication_id} 没有 {fmt} 文件")
        return row["filename"], bytes(row["content"]), row["sha256"]

    def publish(self, record: AnnualRecord, by: Actor, *, expect_current: int | None) -> int:
        """Store one 年度通报 with its files and results, all or nothing. `expect_current` is the
        publication the caller saw in force (None: not signed yet), re-checked under the write lock."""
        who = authorize(by, Action.PUBLISH)
        with self._core.write():
            current = self._core.scalar("SELECT id FROM annual_publications WHERE year = ? ORDER BY id DESC LIMIT 1",
                                        (int(record.year),))
            if current != expect_current:
                raise CreditError(f"{record.year} 年度通报的签发状态已被他人更改，请刷新后重试。未写入任何数据。")
            try:
                pub_id = self._core.db["annual_publications"].insert({
                    "year": int(record.year), "kind": record.kind, "number": record.number, "issued": record.issued,
                    "signer": record.signer, "corrects": record.corrects, "reason": record.reason,
                    "method": record.method, "final": int(record.final), "months": dumps(dict(record.months)),
                    "published_by": who, "published_at": now(),
                }).last_pk
            except sqlite3.IntegrityError as exc:
                used = "文号已被使用" if "UNIQUE" in str(exc) else str(exc)
                raise CreditError(f"文号「{record.number}」无法使用：{used}，同一文号不能重复。未写入任何数据。") from exc
            self._core.db["annual_publication_files"].insert_all(
                {"publication_id": pub_id, "format": fmt, "filename": name, "size": len(blob),
                 "sha256": hashlib.sha256(blob).hexdigest(), "content": blob}
                for fmt, (name, blob) in record.files.items())
            self._core.db["annual_results"].insert_all({"publication_id": pub_id, **dict(r)} for r in record.results)
            detail = {"year": record.year, "number": record.number, "issued": record.issued, "signer": record.signer,
                      "kind": record.kind}
            if record.reason:
                detail["reason"] = record.reason
            self._core.changed(who, "year.correct" if record.kind == "correction" else "year.publish", detail)
        return int(pub_id)
