"""ui.context.run_scope: one pooled store connection per script run, handed from run to run.

Each Streamlit rerun runs on a new thread; the pool must give a run a store no other run holds,
reuse it for the next run (on another thread), and never hand on one left inside a transaction
or one whose database file was replaced since it was opened (a restore renames a new file in).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import SYSTEM
from ui import context


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "scope.db"
    open_store(path).close()
    monkeypatch.setenv("CREDIT_DB", str(path))
    monkeypatch.setattr(context, "_pool", {})
    return path


def _in_thread(fn):
    """Run `fn` on a fresh thread (as Streamlit runs each rerun) and return what it returned."""
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def _one_run():
    with context.run_scope():
        s = context.store()
        assert context.store() is s  # one store for the whole run
        s.settings.get("demo")  # usable on this thread although opened on another
        return s


def test_successive_runs_on_new_threads_share_one_connection(db: Path) -> None:
    first = _in_thread(_one_run)
    assert _in_thread(_one_run) is first
    assert getattr(context._local, "store", None) is None  # nothing left bound to a thread


def test_two_runs_at_once_get_different_stores(db: Path) -> None:
    inside, release, seen = threading.Event(), threading.Event(), []

    def held() -> None:
        with context.run_scope():
            seen.append(context.store())
            inside.set()
            release.wait(5)

    t = threading.Thread(target=held)
    t.start()
    inside.wait(5)
    other = _in_thread(_one_run)
    release.set()
    t.join()
    assert other is not seen[0]
    assert len(context._pool[str(db)]) == 2  # both handed back, each to be used by one run at a time


def test_a_store_left_in_a_transaction_is_not_handed_on(db: Path) -> None:
    def leaves_open():
        with context.run_scope():
            s = context.store()
            s.settings.get("demo")
            s._core.conn.execute("BEGIN")  # a transaction a failed run never closed
            return s

    stuck = _in_thread(leaves_open)
    assert context._pool.get(str(db), []) == []
    assert _in_thread(_one_run) is not stuck


def test_a_replaced_database_file_gets_a_new_connection(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with open_store(copy) as other:
        other.settings.set("marker", "restored", by=SYSTEM)
    first = _in_thread(_one_run)
    os.replace(copy, db)  # what a restore does: a checked copy renamed over the database
    second = _in_thread(_one_run)
    assert second is not first
    assert _in_thread(_marker) == "restored"


def _marker() -> str | None:
    with context.run_scope():
        return context.store().settings.get("marker")
