"""Computed results kept in the database (credit.store.results via service.score): a new process
reads them instead of scoring again, and any real write makes them stale."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from credit.app import service
from credit.app.service import open_store
from credit.model.accounts import CLI, SYSTEM, PermissionDenied
from credit.reports.scored import ENGINE_VERSION
from credit.store.results import SCORER, StoredResult, _to_bytes
from tests.support.actors import ADMIN

MONTH = "2022-10"


def _key(store, group: str = "镇街") -> tuple:
    fw = service.framework_for(store, group, MONTH)
    return (MONTH, group, "rescale", store.data_version(), fw.version_id, ENGINE_VERSION)


def test_a_new_connection_reads_the_stored_scores(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        computed = service.score(store, MONTH, "镇街")
        assert store.results.count() == 1
        stored = store.results.get(*_key(store))
        pd.testing.assert_frame_equal(stored.summary, computed.summary)
        pd.testing.assert_frame_equal(stored.detail, computed.scores.detail)  # dtypes too (object text)
        pd.testing.assert_frame_equal(stored.items, computed.scores.items)
        # Mark the stored row: if the next score() recomputed, the mark would be gone.
        marked = stored.summary.assign(unit=["（已存）"] * len(stored.summary))
        assert store.results.put(*_key(store), StoredResult(marked, stored.detail, stored.items, stored.unreported),
                                   by=SCORER)
    with open_store(demo_db) as store:  # another process's connection
        read = service.score(store, MONTH, "镇街")
    assert set(read.summary["unit"]) == {"（已存）"}
    pd.testing.assert_frame_equal(read.scores.detail, computed.scores.detail)
    assert list(read.scores.summary.columns) == list(computed.scores.summary.columns)
    # the inputs are loaded only when asked for, and are the month's real inputs
    pd.testing.assert_frame_equal(read.inputs.county_monthly, computed.inputs.county_monthly)
    assert read.unreported == computed.inputs.unreported


def test_a_real_write_makes_stored_scores_stale(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        service.score(store, MONTH, "镇街")
        old_key = _key(store)
        store.units.rename("dong_e", "东阿新镇", "2022-10", ADMIN)
        assert store.results.get(*old_key[:3], store.data_version(), *old_key[4:]) is None
        fresh = service.score(store, MONTH, "镇街")
        assert "东阿新镇" in set(fresh.summary["unit"])
        assert store.results.count() == 1  # the stale row replaced, not kept beside it
        assert store.results.get(*_key(store)) is not None


def test_results_are_not_stored_from_an_old_snapshot_or_for_what_if_frameworks(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        gm = service.score(store, MONTH, "部门", with_previous=True)
        key = _key(store, "部门")
        row = StoredResult(gm.summary, gm.scores.detail, gm.scores.items, [])
        with store.snapshot():  # a reader's open snapshot: no write may start there
            assert not store.results.put(*key, row, by=SCORER)
        assert not store.results.put(*key[:3], key[3] - 1, *key[4:], row, by=SCORER)  # computed before a later write
        before = store.results.count()
        service.score(store, MONTH, "部门", framework=gm.scores.framework)  # an explicit framework: not kept
        service.score(store, MONTH, "部门", with_previous=False)
        assert store.results.count() == before


def test_only_the_scoring_path_writes_results_and_a_forged_row_is_never_shown(demo_db: Path) -> None:
    """issue 22 §3: a forged cached row made `scores` show 东阿镇 100.0 (real 78.21)."""
    with open_store(demo_db) as store:
        real = service.score(store, MONTH, "镇街").summary.set_index("unit_id")["score"]
        stored = store.results.get(*_key(store))
        forged = stored.summary.assign(score=[100.0] * len(stored.summary))
        row = StoredResult(forged, stored.detail, stored.items, stored.unreported)
        for actor in (ADMIN, SYSTEM, CLI):  # no role, however high, writes the cache
            with pytest.raises(PermissionDenied, match="只能由计分过程写入"):
                store.results.put(*_key(store), row, by=actor)
        with pytest.raises(TypeError):
            store.results.put(*_key(store), row)  # no default actor
        # Edited in the file itself: the digest no longer matches, so the row is recomputed.
        store._core.conn.execute("UPDATE computed_results SET summary = ?", (_to_bytes(forged),))
        assert store.results.get(*_key(store)) is None
    with open_store(demo_db) as store:
        again = service.score(store, MONTH, "镇街").summary.set_index("unit_id")["score"]
    pd.testing.assert_series_equal(again, real)
    assert again["dong_e"] != 100.0


def _plain_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as rows and records were written before the compact form: a plain Arrow stream."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_frames_read_back_as_computed_in_the_compact_form_and_the_old_plain_one() -> None:
    """Text columns are stored dictionary-encoded in a compressed stream; what reads back is the
    frame as computed (object text with None for a blank, other dtypes untouched), and a plain
    stream written before reads back the same."""
    from credit.store.results import _from_bytes

    n = 5000
    frame = pd.DataFrame({
        "unit_id": [f"u{i % 997:04d}" for i in range(n)],
        "indicator": pd.Series([None if i % 7 == 0 else "信用\u200b制度\t文件" for i in range(n)], dtype=object),
        "blank": pd.Series([None] * n, dtype=object),
        "label": pd.array([f"第{i}项" for i in range(n)], dtype="string"),  # a pandas string column stays one
        "earned": [float("nan") if i % 5 == 0 else i / 3 for i in range(n)],
        "huge": [float("inf"), -float("inf"), *([1e308] * (n - 2))],
        "rank": pd.array([None, *range(1, n)], dtype="Int64"),
        "applies": [i % 2 == 0 for i in range(n)],
    })
    compact = _to_bytes(frame)
    for raw in (compact, _plain_bytes(frame)):
        back = _from_bytes(raw)
        pd.testing.assert_frame_equal(back, frame)
        assert back["indicator"].iloc[0] is None and back["indicator"].dtype == object
    assert len(compact) * 10 < len(_plain_bytes(frame))  # repeated text: far smaller than the plain stream
    empty = frame.iloc[:0]
    pd.testing.assert_frame_equal(_from_bytes(_to_bytes(empty)), empty, check_dtype=False)
