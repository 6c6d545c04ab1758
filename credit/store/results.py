"""Computed results: scored months kept in the database so that a new process reads them instead
of scoring again (at 5,000 units reading a month's facts and scoring it takes seconds).

This is a cache, not data: rows are written outside the audit and do not bump `data_version`;
a row is used only while its (data version, framework version, engine version) still match, so
an import, a restored version or a new framework makes it stale at once. Frames are stored as
Arrow IPC streams (typed columns, no pickle: reading a row runs no code from the file).
Distinct from 月度闭环's frozen results, which are published figures and never recomputed.

Why a row carries a digest and `put` takes the scorer: a stored row is shown as the month's scores
without recomputing, so a row written by anything but the scoring path (a page calling `put`, a
row edited in the file) would change what every reader sees. `put` accepts only `SCORER`, the
actor `credit.reports.scored` writes as, and each row keeps the SHA-256 of its key (month, group,
policy, data/framework/engine version) and its frames; `get` drops a row whose digest does not
match, so a forged or copied row is recomputed, never shown.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from credit.errors import StoreBusyError
from credit.model.accounts import ROLE_VIEWER, Actor, PermissionDenied
from credit.store.core import Core
from credit.store.util import now

# Frames are written with their text columns dictionary-encoded and the stream compressed: a
# 5,000-unit month's detail (95,000 rows, six text columns repeating a few values) was a 22 MB
# plain stream, read from the file and hashed on every new server's first page; now ~0.2 MB.
# Readers take both forms, so rows and month records written before still read back the same.
_CODEC = next((c for c in ("zstd", "lz4") if pa.Codec.is_available(c)), None)
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression=_CODEC)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or (
        pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))


def _object_text(table: pa.Table) -> list[str]:
    """The columns that are object arrays of text in pandas (the engine's None-for-blank text),
    plain or dictionary-encoded: the writer encodes them, the reader makes them objects again."""
    meta = table.schema.pandas_metadata or {}
    objects = {c["name"] for c in meta.get("columns", []) if c.get("numpy_type") == "object"}
    return [n for n, t in zip(table.schema.names, table.schema.types, strict=True) if n in objects and _is_text(t)]


def _to_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in _object_text(table):
        i = table.schema.get_field_index(name)
        table = table.set_column(i, table.schema.field(i).with_type(pa.dictionary(pa.int32(), pa.string())),
                                 table.column(i).cast(pa.string()).dictionary_encode())
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_WRITE_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _objects(column: pa.ChunkedArray) -> np.ndarray:
    """A text column as an object array (None for a blank), each distinct string made once: the
    columns repeat a few values (month, group, unit, indicator) over up to 100,000 rows, and a
    per-row conversion was most of reading a 5,000-unit month back. A column stored
    dictionary-encoded is already in that form."""
    parts = []
    for chunk in column.chunks if column.num_chunks else [column.combine_chunks()]:
        enc = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        words = np.array([*enc.dictionary.to_pylist(), None], dtype=object)
        parts.append(words[enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)])
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _from_bytes(raw: bytes) -> pd.DataFrame:
    """Back to the frame as computed: text columns that were object arrays (the engine builds them
    so, None for blanks) come back as such — pandas would otherwise make them `str` with NaN."""
    table = pa.ipc.open_stream(raw).read_all()
    text = _object_text(table)
    if not text:
        return table.to_pandas()
    rest = table.drop_columns(text).to_pandas()
    cols = {n: (pd.Series(_objects(table.column(n)), dtype=object, index=rest.index, copy=False) if n in text
                else rest[n]) for n in table.schema.names}
    return pd.DataFrame(cols, index=rest.index)


# The one writer of the cache: the scoring path (credit.reports.scored). A read-only role, so it can
# pass no `authorize()` of any real write.
SCORER = Actor("scorer", ROLE_VIEWER, "计分")


def _digest(key: tuple, blobs: tuple[bytes, ...], unreported: list[str]) -> str:
    """SHA-256 over the row's key, frames and unreported ids: binds what is shown to what it was computed from."""
    h = hashlib.sha256(json.dumps([list(key), unreported], ensure_ascii=False).encode("utf-8"))
    for blob in blobs:
        h.update(len(blob).to_bytes(8, "big"))
        h.update(blob)
    return h.hexdigest()
# The same typed encoding for the month record (credit.store.publishing), which is data, not a cache.
frame_to_bytes, frame_from_bytes = _to_bytes, _from_bytes


@dataclass(frozen=True)
class StoredResult:
    summary: pd.DataFrame
    detail: pd.DataFrame
    items: pd.DataFrame
    unreported: list[str]  # unit ids left out of the ranking (no report this year)


class Results:
    """`computed_results`: get a month's stored scores if still valid, put freshly computed ones."""

    def __init__(self, core: Core):
        self._core = core

    def get(self, month: str, group: str, policy: str, data_version: int, framework_id: int,
            engine: str) -> StoredResult | None:
        key = (month, group, policy, data_version, framework_id, engine)
        row = self._core.conn.execute(
            "SELECT summary, detail, items, unreported FROM computed_results WHERE month = ? AND group_name = ? "
            "AND policy = ? AND data_version = ? AND framework_id = ? AND engine = ?",
            key,
        ).fetchone()
        if row is None:
            return None
        try:
            sealed = json.loads(row[3])
            unreported, digest = sealed["unreported"], sealed["digest"]
        except (ValueError, TypeError, KeyError):
            return None  # a row from before digests, or not written by `put`: recompute
        if not isinstance(unreported, list) or digest != _digest(key, tuple(row[:3]), unreported):
            return None  # forged or copied from another key: never shown
        return StoredResult(_from_bytes(row[0]), _from_bytes(row[1]), _from_bytes(row[2]), unreported)

    def put(self, month: str, group: str, policy: str, data_version: int, framework_id: int, engine: str,
            result: StoredResult, *, by: Actor) -> bool:
        """Store (replacing the stale row); False when the database was busy — a cache can wait.

        Only the scoring path writes here (`by` must be `SCORER`). Written only if `data_version`
        is still current, so results computed from a snapshot that an import has since replaced
        are never stored under the new version."""
        if by != SCORER:
            raise PermissionDenied("计分结果只能由计分过程写入，操作被拒绝。未写入任何数据。")
        if self._core.conn.in_transaction:
            return False  # called inside a reader's snapshot: no write may start there
        key = (month, group, policy, data_version, framework_id, engine)
        blobs = (_to_bytes(result.summary), _to_bytes(result.detail), _to_bytes(result.items))
        sealed = json.dumps({"unreported": list(result.unreported),
                             "digest": _digest(key, blobs, list(result.unreported))}, ensure_ascii=False)
        try:
            with self._core.write():
                if self._core.data_version() != data_version:
                    return False
                self._core.conn.execute(
                    "INSERT OR REPLACE INTO computed_results (month, group_name, policy, data_version, framework_id, "
                    "engine, summary, detail, items, unreported, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, *blobs, sealed, now()),
                )
        except (StoreBusyError, sqlite3.Error):  # busy, read-only file, disk full: the scores stand anyway
            return False
        return True

    def count(self) -> int:
        return int(self._core.scalar("SELECT COUNT(*) FROM computed_results"))
