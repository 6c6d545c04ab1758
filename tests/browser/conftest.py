"""Shared by the browser tests: one real server on a private copy of the demo database per test
module (so one module's writes never reach another's), one Chromium per module, and the tabs a
test opens in it (`page`, `tab`, `person`), each saved as a screenshot when the test failed."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.live import chromium, new_context, screenshot, streamlit_server
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


def _shot_prefix(request: pytest.FixtureRequest) -> str:
    """A module's failure screenshots are named after it, without `test_` and `_browser`
    (test_buttons_browser → buttons_<test>.png)."""
    return request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").removesuffix("_browser")


@pytest.fixture()
def person(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:
    """Makes a browser context on demand (one person's browser: shared cookies, any number of tabs),
    set by the module's VIEWPORT (width, height), TIMEOUT_MS and LOCALE when it has them. When the test
    failed, every tab of every context is saved to test-artifacts/ first; all are closed after."""
    made: list = []
    default_width, default_height = getattr(request.module, "VIEWPORT", (1440, 900))

    def new(width: int = default_width, height: int = default_height,
            timeout: float = getattr(request.module, "TIMEOUT_MS", 60_000), **options) -> object:
        ctx = new_context(browser, width, height, timeout, getattr(request.module, "LOCALE", "zh-CN"),
                          accept_downloads=True, **options)
        made.append(ctx)
        return ctx

    yield new
    report = getattr(request.node, "rep_call", None)
    pages = [pg for ctx in made for pg in ctx.pages]
    if report is not None and report.failed:
        attempt = getattr(request.node, "execution_count", 1)  # a retry keeps the first try's screenshots
        for i, pg in enumerate(pages):
            suffix = (f"-{i}" if len(pages) > 1 else "") + (f"-retry{attempt - 1}" if attempt > 1 else "")
            with contextlib.suppress(Exception):  # a page the test left broken must not hide its failure
                screenshot(pg, f"{_shot_prefix(request)}_{request.node.name}{suffix}")
    for ctx in made:
        ctx.close()


@pytest.fixture()
def tab(person) -> Callable[..., object]:
    """Makes a tab in a new browser context (a session of its own) on demand: tab(width, height, timeout)."""
    return lambda *size, **kw: person(*size, **kw).new_page()


@pytest.fixture()
def page(tab) -> object:
    """One tab (a session of its own), closed after the test."""
    return tab()
