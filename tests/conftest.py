"""Shared fixtures: a demo database built once per test session through the real import path,
copied fresh for every test that wants one (tests never share a database they write to)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from credit.app.demo import build_demo


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Expose each phase's report on the test item (the browser tests screenshot failures)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
