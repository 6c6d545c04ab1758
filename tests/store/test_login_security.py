"""Issue 13, holes 1 and 2: lock-out beaten by parallel guessing, and user enumeration.

The race test uses real threads, each with its own Store (its own SQLite connection) on one file,
as 40 browser sessions of the app would. Passwords "checked" are counted by wrapping the verify
function the store calls; the wrapper calls the real one, so the timing is the real scrypt.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import credit.store.accounts as store_accounts
from credit.app.service import open_store
from credit.errors import CreditError
from credit.model.accounts import SCRYPT_N, hash_password, needs_rehash
from credit.store.accounts import LOGIN_FAILED, MAX_FAILED, LoginFailed
from credit.store.facade import Store
from tests.support.actors import ADMIN

THREADS = 40


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hash of every password check the store makes, in order (thread-safe append)."""
    calls: list[str] = []
    real: Callable[[str, str], bool] = store_accounts.verify_password

    def counting(password: str, stored: str) -> bool:
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(store_accounts, "verify_password", counting)
    return calls


def failed_rows(store: Store) -> list[dict]:
    return [r["detail"] for r in store.audit_log(limit=None, action="login.failed")][::-1]  # oldest first


@pytest.mark.slow  # forty threads queue for the login write lock; each check that runs is real scrypt
def test_forty_parallel_wrong_guesses_check_at_most_five_passwords(demo_db: Path, checked: list[str]) -> None:
    with open_store(demo_db) as store:
        real_hash = store.accounts.account("office")["pw_hash"]
    start = threading.Barrier(THREADS)
    answers: list[str] = []

    def guess(i: int) -> None:
        store = Store(demo_db)  # own connection, like a separate browser session
        try:
            start.wait()
            store.accounts.login("office", f"wrong-guess-{i}")
        except CreditError as exc:  # LoginFailed, or StoreBusyError if the lock wait ran out
            answers.append(str(exc))
        else:
            answers.append("登录成功")
        finally:
            store.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == THREADS
    assert len(checked) <= MAX_FAILED and set(checked) <= {real_hash}, len(checked)
    assert len(checked) == MAX_FAILED  # the five allowed guesses were checked, no more
    assert set(answers) == {LOGIN_FAILED}, set(answers)  # nobody got "数据库正忙", nobody got in
    with open_store(demo_db) as store:
        acc = store.accounts.account("office")
        assert acc["locked_until"] is not None
        rows = failed_rows(store)
    with_check = [r for r in rows if "failed" in r]
    assert [r["failed"] for r in with_check] == [1, 2, 3, 4, 5]
    assert [r["locked"] for r in with_check] == [False] * 4 + [True]
    assert len(rows) == THREADS and sum(r.get("reason") == "账户锁定中" for r in rows) == THREADS - MAX_FAILED


def test_every_failure_gets_the_same_message(demo_db: Path, checked: list[str]) -> None:
    with open_store(demo_db) as store:
        store.accounts.set_account_disabled("leader", True, by=ADMIN)
        answers = {}
        for case, (name, pw) in {"unknown": ("nobody", "whatever1"), "wrong": ("office", "wrong-pass1"),
                                 "disabled_right_pw": ("leader", "demo-leader-1")}.items():
            with pytest.raises(LoginFailed) as err:
                store.accounts.login(name, pw)
            answers[case] = str(err.value)
        with store._core.write():  # locked as after MAX_FAILED wrong tries (those are tested above)
            store._core.db.execute("UPDATE accounts SET locked_until = '2999-01-01T00:00:00+08:00' "
                                   "WHERE username = 'office'")
        with pytest.raises(LoginFailed) as err:
            store.accounts.login("office", "demo-office-1")  # right password, but locked now
        answers["locked"] = str(err.value)
    assert set(answers.values()) == {LOGIN_FAILED}, answers
    assert not re.search(r"\d", LOGIN_FAILED)  # no "再错 N 次": remaining tries would confirm the name
    # unknown and disabled names did the same work: a check against a hash with today's parameters;
    # the locked account was refused without checking its password at all
    assert len(checked) == 3
    assert checked[0].startswith(f"scrypt${SCRYPT_N}$") and checked[2].startswith(f"scrypt${SCRYPT_N}$")


@pytest.mark.slow  # times real scrypt checks against each other
def test_unknown_names_take_as_long_as_wrong_passwords(demo_db: Path) -> None:
    def median_seconds(name: str) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            with pytest.raises(LoginFailed):
                store.accounts.login(name, "wrong-pass1")
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    with open_store(demo_db) as store:
        assert not needs_rehash(store.accounts.account("admin")["pw_hash"])  # same parameters on both sides
        store_accounts.dummy_hash()  # made once on first need: not part of what is timed
        unknown, known = median_seconds("nobody"), median_seconds("admin")
    assert 0.5 <= unknown / known <= 2.0, (unknown, known)


def test_old_hash_still_logs_in_and_is_rehashed(demo_db: Path) -> None:
    old = hash_password("old-pass-14", n=2**14)
    assert needs_rehash(old) and old.startswith("scrypt$16384$")
    with open_store(demo_db) as store:
        with store._core.write():  # an account from before N was raised: only its hash differs
            store._core.db.execute("UPDATE accounts SET pw_hash = ? WHERE username = 'office'", (old,))
        with pytest.raises(LoginFailed):
            store.accounts.login("office", "wrong-pass1")
        assert store.accounts.account("office")["pw_hash"] == old  # a wrong password changes no hash
        assert store.accounts.login("office", "old-pass-14").username == "office"
        new = store.accounts.account("office")["pw_hash"]
        assert new.startswith(f"scrypt${2**17}$8$1$") and not needs_rehash(new)
        assert store.accounts.login("office", "old-pass-14").username == "office"
        assert store.accounts.account("office")["pw_hash"] == new  # current hashes are kept as they are
