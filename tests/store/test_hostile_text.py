"""Issue 22 (安全三) text / writes / exports: every example of the issue is refused (or held), on a
copy of the demo database that a refusal leaves byte-identical. The cases live in
tests/support/hostile_text.py, shared with benchmarks/reliability_report.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.hostile_text import all_cases

CASES = {name: (item, run) for item, name, run in all_cases(lambda tag: Path("unused"))}


@pytest.mark.parametrize("name", list(CASES))
def test_issue_22_example_is_refused(name: str, demo_db_master: Path, tmp_path: Path) -> None:
    def db_of(tag: str) -> Path:
        path = tmp_path / f"{tag}.db"
        shutil.copyfile(demo_db_master, path)
        return path

    run = next(r for _, n, r in all_cases(db_of) if n == name)
    outcome = run()
    assert outcome and isinstance(outcome, str)
