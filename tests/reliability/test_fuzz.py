"""Generated uploads, good and mutated: each is imported whole or refused with listed errors.

Never another exception type, never a partial write: on refusal the database file hashes the same
as before; on success every sheet's current version is exactly what was parsed. The generators
(`fuzz_sheets`, `fuzz_bytes`) and the check (`fuzz_check`) are shared with the reliability report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.store.datasets import Datasets
from credit.store.facade import Store
from tests.support import reliability as rh


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with Store(rh.seeded_db(tmp_path_factory.mktemp("fuzz") / "fuzz.db")) as s:
        yield s


def test_generated_workbooks_are_imported_whole_or_refused(store: Store) -> None:
    """Random cell values of random types in random columns, garbled headers, extra sheets."""
    outcomes = rh.run_fuzz(store, rh.fuzz_sheets(), 600)
    print(f"\nfuzzed workbooks: {dict(outcomes)}")
    assert outcomes["imported"] > 10 and outcomes["refused"] > 10


def test_damaged_files_are_imported_whole_or_refused(store: Store) -> None:
    """Bytes flipped in the zip or inside its XML parts, files cut short."""
    outcomes = rh.run_fuzz(store, rh.fuzz_bytes(), 600)
    print(f"\ndamaged files: {dict(outcomes)}")
    assert outcomes["refused"] > 200


def test_fuzz_check_sees_a_partial_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself must fail when the store keeps less than was parsed."""
    with Store(rh.seeded_db(tmp_path / "p.db")) as s:
        real = Datasets.current_sheet
        monkeypatch.setattr(Datasets, "current_sheet", lambda self, m, n: real(self, m, n)[:-1])
        with pytest.raises(AssertionError):
            rh.fuzz_check(s, rh.numbers_as_text())
