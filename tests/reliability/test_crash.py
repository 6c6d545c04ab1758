"""kill -9 during an import: the database is intact and holds the whole new version or none of it.

A forked child opens its own Store on a copy of the database and imports 30,000 event rows (about
a second of writing); the parent SIGKILLs it after a random delay spread over that whole window
and a little past it. SQLite's write-ahead log makes the commit the single atomic moment.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from credit.model.contract import SHEET_EVENTS
from credit.store.facade import Store
from credit.workbook.importer import parse_workbook
from tests.support import reliability as rh

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork to start the importing child")


def test_kill_9_at_random_moments_leaves_all_or_nothing(tmp_path: Path) -> None:
    stats = rh.run_crash_trials(20, tmp_path)
    print(f"\n{stats.runs} kills: whole version {stats.whole}, nothing {stats.none}; "
          f"delays {min(stats.delays):.2f}–{max(stats.delays):.2f} s")
    assert stats.runs == 20 and stats.whole + stats.none == 20  # after_crash checked each one


def test_after_a_kill_the_same_import_simply_runs_again(tmp_path: Path) -> None:
    db = rh.seeded_db(tmp_path / "again.db")
    raw = rh.big_events_workbook()
    with Store(db) as store:
        parsed = parse_workbook(raw, "大文件.xlsx", rh.MONTH, store.units.register())
    before = rh.db_state(db)
    pid, fd = rh.fork_import(db, parsed, raw, "大文件.xlsx")
    time.sleep(0.05)  # inside the import, long before its commit
    os.kill(pid, signal.SIGKILL)
    rh.reap(pid, fd)
    assert rh.after_crash(db, before, rh.BIG_EVENTS) == "none"
    with Store(db) as store:
        result = store.datasets.import_workbook(parsed, raw, "大文件.xlsx", by=rh.ACTOR)
        assert [s for s, _ in result.created] == [SHEET_EVENTS]
        rh.assert_imported_whole(store, parsed, result)
    assert rh.after_crash(db, before, rh.BIG_EVENTS) == "whole"
