"""What Home keeps from one rerun to the next (issue 28) never hides a change of data.

Home's view is looked up by (database, data version, month) in a small memo in front of its
`st.cache_resource` loader, the month goes into the URL only when it changed, the reader
processes and the secrets file are looked for at most every so often. Each shortcut is held here
to what a person sees: an import shows at the next rerun of the same session, a rerun with
nothing new computes nothing, the URL keeps the month.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from credit.app import service
from credit.app.service import open_store
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    EDITOR,
    good_workbook,
    month_picker,
    navigation_mode,
    open_page,
    run,
)
from ui import auth, context, loaders, uploads


def _unsigned_month(db: Path) -> str:
    with open_store(db) as store:
        signed = set(store.publishing.published_months())
        return next(m for m in reversed(store.datasets.months_with_data()) if m not in signed)


def _towns(at) -> dict[str, float | None]:
    """Home's 镇街 ranking (the first tab, open by default): unit → 得分率 as shown (a month still
    collecting shows its scores as text, "—" for a unit that sent nothing: None here)."""
    table = at.dataframe[0].value
    return {u: None if s == "—" else float(str(s).replace(",", "")) for u, s in zip(table["单位"], table["得分率"],
                                                                                      strict=True)}


def test_an_import_shows_at_the_next_rerun_of_the_same_session(demo_db: Path, monkeypatch) -> None:
    month = _unsigned_month(demo_db)
    computed: list[tuple[int, str]] = []
    real = loaders._home
    monkeypatch.setattr(loaders, "_home", lambda db, version, m: computed.append((version, m)) or real(db, version, m))
    at = open_page(actor=EDITOR)
    at.session_state["month"] = month
    at = run(at)
    before = _towns(at)
    with open_store(demo_db) as store:
        version = store.data_version()
    at = run(at)  # a rerun with nothing new (a widget touch): the view is not looked up again
    assert computed.count((version, month)) <= 1
    assert _towns(at) == before

    with open_store(demo_db) as store:  # another session (or the CLI) imports 榆山街道's corrected figures
        done = service.import_batch(store, month, [("更正.xlsx", good_workbook(demo_db, month))], EDITOR,
                                    surges_confirmed=True)
        assert done.ok
        new_version = store.data_version()
        scores = service.score(store, month, "镇街").summary.set_index("unit")["score"]
        expected = {u: None if pd.isna(v) else round(float(v), 2) for u, v in scores.items()}
    assert new_version > version
    at = run(at)
    after = _towns(at)
    assert after["榆山街道"] != before["榆山街道"]  # the import moved 榆山街道 …
    assert after == expected  # … and Home shows the new scores, every unit
    assert computed[-1] == (new_version, month)
    assert at.query_params["month"] == month  # still in the URL, though written only when it changed


def test_the_url_follows_a_new_month(demo_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(context, "on_phone", lambda: True)  # a phone's browser: the copy at the top too
    at = open_page()
    with open_store(demo_db) as store:
        first, other = store.datasets.months_with_data()[-1], store.datasets.months_with_data()[0]
    month_picker(at).set_value(other)
    at = run(at)
    assert at.query_params["month"] == other
    month_picker(at).set_value(first)
    at = run(at)
    assert at.query_params["month"] == first
    assert month_picker(at, "mobile_month").value == first  # the phone's picker follows too


def test_recent_keeps_the_newest_values_and_computes_each_key_once() -> None:
    recent: context.Recent[tuple[str, int], object] = context.Recent(keep=2)
    calls: list[int] = []

    def make(n: int):
        return lambda: calls.append(n) or [n]

    a = recent.get(("db", 1), make(1))
    assert recent.get(("db", 1), make(99)) is a  # a hit hands out the same object, computes nothing
    recent.get(("db", 2), make(2))
    recent.get(("db", 3), make(3))  # the oldest key (version 1) goes
    assert recent.get(("db", 1), make(4)) == [4]
    assert calls == [1, 2, 3, 4]
    recent.clear()
    assert recent.get(("db", 3), make(5)) == [5]


def test_reader_processes_are_looked_at_once_per_period(monkeypatch) -> None:
    looked: list[float] = []
    clock = [1000.0]
    monkeypatch.setattr(uploads, "warm", lambda: looked.append(clock[0]))
    monkeypatch.setattr(uploads.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(uploads, "_next_check", 0.0)
    ready = uploads.threading.Event()
    ready.set()  # the first start, 5 s after the server's first run, is tests/pages/test_reader_warmup.py
    monkeypatch.setattr(uploads, "_readers_ready", ready)
    uploads.warm_readers()
    clock[0] += 1
    uploads.warm_readers()  # a rerun a second later: no system calls
    clock[0] += uploads.WARM_CHECK_S
    uploads.warm_readers()
    assert looked == [1000.0, 1001.0 + uploads.WARM_CHECK_S]


def test_a_missing_secrets_file_is_looked_for_again_after_a_while(monkeypatch, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    stats: list[str] = []
    clock = [50.0]
    real_exists = os.path.exists
    monkeypatch.setattr(auth, "_secret_files", lambda: (str(secrets),))
    monkeypatch.setattr(auth.os.path, "exists", lambda p: stats.append(p) or real_exists(p))
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(auth, "_no_secrets_until", 0.0)
    monkeypatch.setattr(auth.st.secrets, "_secrets", None, raising=False)
    assert auth._read_oidc_config() is False
    assert auth._read_oidc_config() is False  # within the period: no stat
    assert stats == [str(secrets)]
    clock[0] += auth.SECRETS_LOOK_S
    assert auth._read_oidc_config() is False
    assert stats == [str(secrets)] * 2
