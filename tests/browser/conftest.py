"""Shared by the browser tests: one real server on a private copy of the demo database per test
module (so one module's writes never reach another's), and one Chromium per module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import chromium, streamlit_server
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def server(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("browser") / "demo.db"
    shutil.copyfile(demo_db_master, db)
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b
