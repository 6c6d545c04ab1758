"""Shared fixtures: a demo database built once per test session through the real import path,
copied fresh for every test that wants one (tests never share a database they write to)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

import credit.store.accounts as store_accounts
from credit.app import service
from credit.app.demo import TEST_DEMO_THROUGH, build_demo
from credit.app.service import open_store
from credit.common.labels import GROUPS
from tests.support.paths import ROOT


def _demo_key() -> str:
    """What the demo database is built from: every file of `credit/` (code, register, frameworks) and
    the date (nothing in the build may depend on today without the cache noticing)."""
    digest = hashlib.sha256(date.today().isoformat().encode())
    for path in sorted((ROOT / "credit").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _cached(name: str, build: Callable[[Path], None], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database `build` makes, built once per version of `credit/` on this machine into the
    temporary directory and reused by later (and parallel) sessions. Never opened there: copy it."""
    cached = Path(tempfile.gettempdir()) / f"credit-test-{name}-{_demo_key()}.db"
    with open(cached.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers (pytest -n 2) wait for one build, not make two
        if not cached.exists():
            building = tmp_path_factory.mktemp(name) / "demo.db"
            build(building)
            with closing(sqlite3.connect(building)) as conn:  # one self-contained file to copy
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            os.replace(shutil.copy(building, cached.with_suffix(f".{os.getpid()}.tmp")), cached)  # atomic
    return cached


def _session_copy(cached: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(cached, path)
    return path


def _test_demo(path: Path) -> None:
    """The shared test database: the demo's ten months of 2022 (see TEST_DEMO_THROUGH)."""
    build_demo(path, through=TEST_DEMO_THROUGH)


@pytest.fixture(scope="session")
def year_demo_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole demo (all of 2022 and the start of 2023, as `python -m credit demo` builds it), for
    the year's tests. Shared by the session: copy it before a test writes."""
    return _session_copy(_cached("demo-year", build_demo, tmp_path_factory), tmp_path_factory)


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database through the real import path, built once per version of `credit/`: later
    sessions on this machine copy the same file (the build is ~10 s of CPU, half of it scrypt).
    Shared by the whole session: open it only to read (a score() stores results — copy it first)."""
    return _session_copy(_cached("demo", _test_demo, tmp_path_factory), tmp_path_factory)


@pytest.fixture(scope="session")
def scored_demo_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with every month of both groups already scored through `service.score`,
    which stores the results: the state a live server leaves the demo database in once its pages ran.

    For the page tests: each would otherwise score the same ten months again on its own copy
    (Streamlit's caches are keyed on the database path), ~0.5 s of CPU a test. Scoring from
    scratch stays covered where it is the point (tests/scoring, tests/app/test_stored_results,
    the store and report tests on `demo_db`, and every page test that imports a file, which
    changes the data version)."""
    demo = _cached("demo", _test_demo, tmp_path_factory)

    def score_every_month(path: Path) -> None:
        shutil.copyfile(demo, path)
        with open_store(path) as store:
            for month in store.datasets.months_with_data():
                for group in GROUPS:
                    service.score(store, month, group)

    return _session_copy(_cached("demo-scored", score_every_month, tmp_path_factory), tmp_path_factory)


@pytest.fixture(scope="session", autouse=True)
def account_hashes_once() -> Iterator[None]:
    """Each password the store hashes is hashed with scrypt once per session (N = 2^17 costs ~0.6 s
    of CPU a time, and many tests add the same accounts). Checking a password stays real scrypt;
    the hash itself (fresh salt, parameters) is tested on `credit.model.accounts.hash_password`."""
    real = store_accounts.hash_password
    memo: dict[tuple, str] = {}

    def once(password: str, **params: int) -> str:
        key = (password, tuple(sorted(params.items())))
        if key not in memo:
            memo[key] = real(password, **params)
        return memo[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(store_accounts, "hash_password", once)
    yield
    patch.undo()


def _private_copy(master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "demo.db"
    shutil.copyfile(master, dest)
    monkeypatch.setenv("CREDIT_DB", str(dest))
    return dest


@pytest.fixture()
def demo_db(demo_db_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database; CREDIT_DB points at it for AppTest pages."""
    return _private_copy(demo_db_master, tmp_path, monkeypatch)


@pytest.fixture()
def scored_demo_db(scored_demo_db_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database with its scores stored; CREDIT_DB points at it."""
    return _private_copy(scored_demo_db_master, tmp_path, monkeypatch)


SLOW_DIRS = ("browser", "reliability")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser and tests/reliability is slow by where it lives; other long
    tests carry `@pytest.mark.slow` themselves."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if any(d in parts for d in SLOW_DIRS):
            item.add_marker(pytest.mark.slow)
        if "browser" in parts:
            # A real browser on a loaded 2-core box sometimes misses a click during a redraw and then waits
            # out Playwright's timeout. Retry only that (a Playwright TimeoutError), never a failed assertion.
            item.add_marker(pytest.mark.flaky(reruns=2, only_rerun=["TimeoutError"]))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Expose each phase's report on the test item (the browser tests screenshot failures)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
