"""The month's state and its publications: saved 通报 prose, issued 通报 / 更正通报, frozen results.

A month is 采集中 until its first 通报 is issued, then 已发布. Publishing writes, in ONE
transaction, the publication row (number, chosen date, signer, the data versions / frameworks /
policy that produced the result), the exact files handed out (bytes + sha256) and the published
scores as rows. Everything here is insert-only (triggers): a correction is a new publication that
references the original, so the original record is never overwritten and both stay readable.

What is judged (the scores, the document) is computed above the store (credit.app.publish) and
handed in; this part stores it and refuses what would corrupt the record (a reused number).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from credit.common.text import LINE, NAME, NOTE, NUMBER, PROSE, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.store.core import Core
from credit.store.results import frame_from_bytes, frame_to_bytes
from credit.store.util import check_month, dumps, now

COLLECTING, PUBLISHED = "采集中", "已发布"
_PUB_COLUMNS = ("id, month, kind, number, year, issued, signer, corrects, reason, override, missing, data_versions,"
                " frameworks, policy, text, published_by, published_at")


@dataclass(frozen=True)
class PublicationRecord:
    """What `publish` stores; built and checked by credit.app.publish."""

    month: str
    kind: str  # 'original' | 'correction'
    number: str
    year: int
    issued: str  # YYYY-MM-DD
    signer: str
    data_versions: Mapping[str, int]
    frameworks: Mapping[str, int]
    policy: str
    text: Mapping[str, str]
    scores: Sequence[Mapping[str, Any]]  # group_name, unit_id, unit, rank, score, earned, possible, subtotals
    files: Mapping[str, tuple[str, bytes]]  # format -> (filename, bytes)
    corrects: int | None = None
    reason: str = ""
    override: str = ""
    missing: Sequence[str] = ()
    # The month record: (group, part) -> a frame (stored as Arrow) or a JSON-able value; group ''
    # for parts of the whole month. Empty for callers that freeze only the summary rows.
    parts: Mapping[tuple[str, str], Any] = field(default_factory=dict)
    # The data version the scores were computed at; re-checked inside the write transaction so an
    # import committed between scoring and writing cannot make the record an older data version.
    data_version: int | None = None


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("missing", "data_versions", "frameworks", "text"):
        row[key] = json.loads(row[key])
    return row


class Publishing:
    """Saved prose, publications, their files and frozen scores (see the module docstring)."""

    def __init__(self, core: Core):
        self._core = core

    # -- the editable prose --------------------------------------------------------------------

    def save_text(self, month: str, text: Mapping[str, str], by: Actor) -> bool:
        """Save the office's edited prose for `month`; the same text again writes nothing."""
        who = authorize(by, Action.BULLETIN)
        check_month(month)
        for section, value in text.items():  # BulletinText.from_dict named the part already; the last wall
            check_text(section, "通报栏目名", limit=LINE)
            check_text(value, "通报正文", limit=PROSE, multiline=True)
        body = dumps({k: str(v) for k, v in text.items()})
        with self._core.write():
            if self._core.scalar("SELECT text FROM bulletin_texts WHERE month = ? ORDER BY id DESC LIMIT 1",
                                 (month,)) == body:
                return False
            self._core.db["bulletin_texts"].insert({"month": month, "text": body, "saved_by": who, "saved_at": now()})
            self._core.changed(who, "bulletin.text", {"month": month})
        return True

    def saved_text(self, month: str) -> dict[str, Any] | None:
        """The latest saved prose of `month` ({text, saved_by, saved_at}), None when never saved."""
        row = self._core.one("SELECT text, saved_by, saved_at FROM bulletin_texts WHERE month = ? ORDER BY id DESC"
                             " LIMIT 1", (check_month(month),))
        if row:
            row["text"] = json.loads(row["text"])
        return row

    # -- publications --------------------------------------------------------------------------

    def publications(self, month: str | None = None) -> list[dict[str, Any]]:
        """Issued 通报 and 更正通报, newest first; each with its files' metadata (no bytes)."""
        where, params = ("WHERE month = ?", [check_month(month)]) if month else ("", [])
        rows = [_decode(r) for r in self._core.all(
            f"SELECT {_PUB_COLUMNS} FROM publications {where} ORDER BY id DESC", params)]
        files: dict[int, list[dict]] = {}
        for f in self._core.all("SELECT publication_id, format, filename, size, sha256 FROM publication_files"
                                " ORDER BY publication_id, format"):
            files.setdefault(f["publication_id"], []).append(f)
        for r in rows:
            r["files"] = files.get(r["id"], [])
        return rows

    def current_publication(self, month: str) -> dict[str, Any] | None:
        """The publication in force for `month`: the latest 更正通报, else the 通报; None = 采集中."""
        rows = self.publications(month)
        return rows[0] if rows else None

    def month_state(self, month: str) -> str:
        return PUBLISHED if self._core.scalar("SELECT 1 FROM publications WHERE month = ? LIMIT 1",
                                              (check_month(month),)) else COLLECTING

    def published_months(self) -> list[str]:
        return [r["month"] for r in self._core.all("SELECT DISTINCT month FROM publications ORDER BY month")]

    def publication_file(self, publication_id: int, fmt: str) -> tuple[str, bytes, str]:
        """(filename, the exact bytes issued, sha256)."""
        row = self._core.one("SELECT filename, content, sha256 FROM publication_files WHERE publication_id = ?"
                             " AND format = ?", (int(publication_id), fmt))
        if row is None:
            raise CreditError(f"发布记录 #{publication_id} 没有 {fmt} 文件")
        return row["filename"], bytes(row["content"]), row["sha256"]

    def published_scores(self, publication_id: int, group: str | None = None) -> list[dict[str, Any]]:
        """The frozen rows of a publication, by group and rank."""
        sql = ("SELECT group_name, unit_id, unit, rank, score, earned, possible, subtotals FROM published_scores"
               " WHERE publication_id = ?")
        params: list[object] = [int(publication_id)]
        if group:
            sql += " AND group_name = ?"
            params.append(group)
        rows = self._core.all(sql + " ORDER BY group_name, rank, rowid", params)
        for r in rows:
            r["subtotals"] = json.loads(r["subtotals"])
        return rows

    def check_number_free(self, number: str) -> None:
        """Refuse a 文号 already used (before anything is rendered; re-checked when writing)."""
        self._check_number_free(number)

    def _check_number_free(self, number: str) -> None:
        taken = self._core.one("SELECT month, kind FROM publications WHERE number = ?", (number,))
        if taken:
            raise CreditError(f"文号「{number}」已用于 {taken['month']} 的"
                              f"{'更正通报' if taken['kind'] == 'correction' else '通报'}，同一年度文号不能重复。未写入任何数据。")
        annual = self._core.one("SELECT year, kind FROM annual_publications WHERE number = ?", (number,))
        if annual:  # one 文号 for one document, monthly or annual (the schema's triggers say the same)
            raise CreditError(f"文号「{number}」已用于 {annual['year']} 年度"
                              f"{'更正通报' if annual['kind'] == 'correction' else '通报'}，同一文号不能重复。未写入任何数据。")

    def has_record(self, publication_id: int) -> bool:
        """Whether the publication stored the whole month (publications before m0201 did not)."""
        return bool(self._core.scalar("SELECT 1 FROM month_records WHERE publication_id = ? LIMIT 1",
                                      (int(publication_id),)))

    def record_parts(self, publication_id: int, group: str) -> dict[str, Any]:
        """The month record's parts of one group (and the whole-month parts under group ''),
        frames as DataFrames, JSON parts decoded; {} for a publication without a record."""
        out: dict[str, Any] = {}
        for r in self._core.all("SELECT group_name, part, format, content FROM month_records"
                                " WHERE publication_id = ? AND group_name IN (?, '') ORDER BY group_name, part",
                                (int(publication_id), group)):
            raw = bytes(r["content"])
            out[r["part"]] = frame_from_bytes(raw) if r["format"] == "arrow" else json.loads(raw.decode())
        return out

    def publish(self, record: PublicationRecord, by: Actor, *, expect_current: int | None) -> int:
        """Store one publication with its files and frozen scores, all or nothing.

        `expect_current` is the publication the caller saw as in force (None: the month was
        采集中); re-checked under the write lock, so two offices pressing 发布 at once cannot
        both publish an "original" — the second is told to reload.
        """
        who = authorize(by, Action.PUBLISH)
        check_month(record.month)
        check_text(record.number, "文号", limit=NUMBER, required=True)
        check_text(record.signer, "签发人", limit=NAME, required=True)
        check_text(record.reason, "更正说明", limit=NOTE, multiline=True)
        check_text(record.override, "强制签发原因", limit=NOTE, multiline=True)
        with self._core.write():
            current = self._core.scalar("SELECT id FROM publications WHERE month = ? ORDER BY id DESC LIMIT 1",
                                        (record.month,))
            if current != expect_current:
                raise CreditError(f"{record.month} 的发布状态已被他人更改（刚刚有人签发或更正），请刷新后重试。未写入任何数据。")
            self._check_number_free(record.number)
            if record.data_version is not None and self._core.data_version() != record.data_version:
                raise CreditError(f"签发期间数据已被更改（有人导入、恢复版本或修改了名册、指标体系），{record.month} "
                                  "的计分已不是最新数据的结果。未写入任何数据，请重新签发。")
            try:
                pub_id = self._core.db["publications"].insert({
                    "month": record.month, "kind": record.kind, "number": record.number, "year": record.year,
                    "issued": record.issued, "signer": record.signer, "corrects": record.corrects,
                    "reason": record.reason, "override": record.override, "missing": dumps(list(record.missing)),
                    "data_versions": dumps(dict(record.data_versions)), "frameworks": dumps(dict(record.frameworks)),
                    "policy": record.policy, "text": dumps(dict(record.text)), "published_by": who,
                    "published_at": now(),
                }).last_pk
            except sqlite3.IntegrityError as exc:
                raise CreditError(f"发布记录无法保存：{exc}。未写入任何数据。") from exc
            self._core.db["publication_files"].insert_all(
                {"publication_id": pub_id, "format": fmt, "filename": name, "size": len(blob),
                 "sha256": hashlib.sha256(blob).hexdigest(), "content": blob}
                for fmt, (name, blob) in record.files.items())
            self._core.db["month_records"].insert_all(
                {"publication_id": pub_id, "group_name": group, "part": part,
                 **({"format": "arrow", "content": frame_to_bytes(value)} if isinstance(value, pd.DataFrame)
                    else {"format": "json", "content": dumps(value).encode()})}
                for (group, part), value in record.parts.items())
            self._core.db["published_scores"].insert_all(
                {"publication_id": pub_id, **{k: r[k] for k in ("group_name", "unit_id", "unit", "rank", "score",
                                                                  "earned", "possible")},
                 "subtotals": dumps(dict(r["subtotals"]))} for r in record.scores)
            detail = {"month": record.month, "number": record.number, "issued": record.issued,
                      "signer": record.signer, "kind": record.kind}
            if record.reason:
                detail["reason"] = record.reason
            if record.override:
                detail["override"] = record.override
                detail["missing"] = list(record.missing)
            self._core.changed(who, "bulletin.correct" if record.kind == "correction" else "bulletin.publish", detail)
        return int(pub_id)
