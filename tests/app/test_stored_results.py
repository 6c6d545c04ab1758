"""Computed results kept in the database (credit.store.results via service.score): a new process
reads them instead of scoring again, and any real write makes them stale."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit.app import service
from credit.app.service import open_store
from credit.reports.scored import ENGINE_VERSION
from credit.store.results import StoredResult
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
        assert store.results.put(*_key(store), StoredResult(marked, stored.detail, stored.items, stored.unreported))
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
        store.rename_unit("dong_e", "东阿新镇", "2022-10", ADMIN)
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
            assert not store.results.put(*key, row)
        assert not store.results.put(*key[:3], key[3] - 1, *key[4:], row)  # computed before a later write
        before = store.results.count()
        service.score(store, MONTH, "部门", framework=gm.scores.framework)  # an explicit framework: not kept
        service.score(store, MONTH, "部门", with_previous=False)
        assert store.results.count() == before
