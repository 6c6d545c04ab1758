"""Shared fixtures: a demo database built once per test session through the real import path,
copied fresh for every test that wants one (tests never share a database they write to)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

import credit.store.accounts as store_accounts
from credit.app.demo import build_demo
from tests.support.paths import ROOT


def _demo_key() -> str:
    """What the demo database is built from: every file of `credit/` (code, register, frameworks) and
    the date (nothing in the build may depend on today without the cache noticing)."""
    digest = hashlib.sha256(date.today().isoformat().encode())
    for path in sorted((ROOT / "credit").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database through the real import path, built once per version of `credit/`: later
    sessions on this machine copy the same file (the build is ~10 s of CPU, half of it scrypt)."""
    cached = Path(tempfile.gettempdir()) / f"credit-test-demo-{_demo_key()}.db"
    if not cached.exists():
        building = tmp_path_factory.mktemp("demo") / "demo.db"
        build_demo(building)
        with closing(sqlite3.connect(building)) as conn:  # one self-contained file to copy
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(shutil.copy(building, cached.with_suffix(f".{os.getpid()}.tmp")), cached)  # atomic
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(cached, path)
    return path


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


@pytest.fixture()
def demo_db(demo_db_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database; CREDIT_DB points at it for AppTest pages."""
    dest = tmp_path / "demo.db"
    shutil.copyfile(demo_db_master, dest)
    monkeypatch.setenv("CREDIT_DB", str(dest))
    return dest


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
