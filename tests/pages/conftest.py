"""The page tests start from the demo database as a live server leaves it: scores stored."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def demo_db(scored_demo_db: Path) -> Path:
    """Here `demo_db` is the scored copy (tests/conftest.py `scored_demo_db_master` says why)."""
    return scored_demo_db
