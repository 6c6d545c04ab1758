"""Two imports and several readers at once, each with its own Store (one connection per thread).

Imports land one after the other, or the loser is told "busy, please retry" in Chinese; readers,
including the whole scoring path (`credit.app.service.score`), always see one complete month: the
(sum of a town field, number of events) pair they read is one of the complete states, never a
mix of one sheet from before an import and another from after it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from credit.store.datasets import Datasets
from credit.store.facade import Store
from tests.support import reliability as rh


def test_fifty_rounds_of_two_imports_and_three_readers(tmp_path: Path) -> None:
    stats = rh.run_concurrency_rounds(rh.seeded_db(tmp_path / "c.db"), rounds=50)
    print(f"\n{stats.rounds} rounds: {stats.imports_landed} imports landed, {stats.busy_refusals} told to retry, "
          f"{stats.reads} reads ({stats.score_reads} through service.score), {stats.torn_reads} torn")
    assert stats.problems == [] and stats.torn_reads == 0
    assert stats.rounds == 50 and stats.imports_landed + stats.busy_refusals == 100
    assert stats.imports_landed >= 50  # rounds with a 5 s busy timeout: both imports land
    assert stats.busy_refusals >= 1  # rounds with a 1 ms timeout: the loser is told to retry
    assert stats.score_reads >= 50


def test_score_reads_one_snapshot_while_an_import_commits(tmp_path: Path, monkeypatch) -> None:
    """Deterministic: an import commits between score()'s reads of two sheets of the month."""
    db = rh.seeded_db(tmp_path / "s.db")
    variants, towns = rh.month_variants(2)
    with Store(db) as store:
        store.datasets.import_workbook(variants[0].parsed, b"v0", "v0.xlsx", by=rh.ACTOR)

    def import_other() -> None:
        with Store(db) as other:
            other.datasets.import_workbook(variants[1].parsed, b"v1", "v1.xlsx", by=rh.ACTOR)

    with Store(db) as reader:
        real = Datasets.records_frame

        def records_after_a_commit(self, *args):
            if self is reader.datasets and not getattr(reader, "_done", False):
                reader._done = True
                writer = threading.Thread(target=import_other)
                writer.start()
                writer.join()
            return real(self, *args)

        monkeypatch.setattr(Datasets, "records_frame", records_after_a_commit)
        assert rh.score_signature(reader) == variants[0].signature(towns)  # the month as it was
        assert rh.score_signature(reader) == variants[1].signature(towns)  # the next read sees the new one
