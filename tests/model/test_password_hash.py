"""The password hash: libsodium's scrypt and the standard library's compute the same bytes (so a
hash made by either verifies with the other), and parameters a tampered hash could carry are
refused before any work, whichever library would run."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from credit.model.accounts import SCRYPT_MAXMEM, SCRYPT_N, SCRYPT_P, SCRYPT_R, hash_password, verify_password
from credit.model.password_hash import check_parameters, scrypt, scrypt_memory, sodium

NO_SODIUM = sodium() is None
CASES = [  # (password, salt, N, r, p): small N keeps them quick; the full strength is checked once below
    (b"demo-office-1", b"\x00" * 16, 2**10, 8, 1),
    ("信用办密码2026".encode(), bytes(range(16)), 2**12, 8, 1),
    (b"", b"salt", 2**4, 1, 1),
    (b"p" * 1000, b"\xff" * 32, 2**8, 4, 3),
    (b"pass\x00word", b"salt\x00salt", 2**8, 8, 1),  # a NUL inside: lengths are passed, nothing is cut at it
    (b"x" * 1_000_000, b"s" * 16, 2**4, 8, 1),  # a pasted megabyte
]


@pytest.mark.skipif(NO_SODIUM, reason="本机没有 libsodium（Debian libsodium23），只用标准库的 scrypt")
@pytest.mark.parametrize(("password", "salt", "n", "r", "p"), CASES)
def test_libsodium_and_the_standard_library_agree(password: bytes, salt: bytes, n: int, r: int, p: int) -> None:
    expected = hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=SCRYPT_MAXMEM)
    assert scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=SCRYPT_MAXMEM) == expected
    assert scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=SCRYPT_MAXMEM, use_sodium=False) == expected


@pytest.mark.skipif(NO_SODIUM, reason="本机没有 libsodium（Debian libsodium23）")
def test_the_bytes_after_a_nul_count_and_no_password_may_hold_one() -> None:
    """The hash reads the whole byte string (libsodium is given its length, not a C string), and a
    password can never hold a NUL at all: HMAC pads its key with NULs, so "secret" + NUL would
    otherwise verify as "secret" (credit.model.accounts.password_problem)."""
    def digest(pw: bytes) -> bytes:
        return scrypt(pw, salt=b"s" * 16, n=1024, r=8, p=1, dklen=32, maxmem=SCRYPT_MAXMEM)

    assert digest(b"secret\x00tail-1") not in (digest(b"secret"), digest(b"secret\x00tail-2"))
    stored = hash_password("secret-tail-1")
    assert verify_password("secret-tail-1", stored)
    assert not verify_password("secret-tail-1\x00", stored) and not verify_password("secret\x00tail-1", stored)


def test_rfc7914_vector() -> None:
    """RFC 7914 §12, second vector (password "password", salt "NaCl", N=1024, r=8, p=16)."""
    got = scrypt(b"password", salt=b"NaCl", n=1024, r=8, p=16, dklen=64, maxmem=SCRYPT_MAXMEM)
    assert got.hex().startswith("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162")


@pytest.mark.skipif(NO_SODIUM, reason="本机没有 libsodium（Debian libsodium23）")
def test_a_stored_hash_of_either_library_verifies_at_full_strength() -> None:
    stored = hash_password("demo-office-1")  # made by libsodium here
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (int(n), int(r), int(p)) == (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    by_openssl = hashlib.scrypt(b"demo-office-1", salt=base64.b64decode(salt), n=SCRYPT_N, r=SCRYPT_R,
                                p=SCRYPT_P, dklen=32, maxmem=SCRYPT_MAXMEM)
    assert by_openssl == base64.b64decode(digest)
    assert verify_password("demo-office-1", stored) and not verify_password("demo-office-2", stored)


@pytest.mark.parametrize(("n", "r", "p", "dklen"), [(1, 8, 1, 32), (3, 8, 1, 32), (2**17 + 1, 8, 1, 32), (0, 8, 1, 32),
                                                    (2**10, 0, 1, 32), (2**10, 8, 0, 32), (2**10, 8, 1, 0),
                                                    (2**20, 8, 1, 32), (2**17, 8, 2**29, 32), (2**62, 8, 1, 32)])
def test_bad_or_absurd_parameters_are_refused_before_any_work(n: int, r: int, p: int, dklen: int) -> None:
    with pytest.raises(ValueError):
        check_parameters(n, r, p, dklen, SCRYPT_MAXMEM)
    for use_sodium in (True, False):
        t0 = time.perf_counter()
        with pytest.raises(ValueError):
            scrypt(b"x", salt=b"s", n=n, r=r, p=p, dklen=dklen, maxmem=SCRYPT_MAXMEM, use_sodium=use_sodium)
        assert time.perf_counter() - t0 < 0.05


def test_the_memory_rule_is_openssls() -> None:
    """Today's parameters fit the allowance; twice the N does not (both as hashlib would decide)."""
    assert scrypt_memory(SCRYPT_N, SCRYPT_R, SCRYPT_P) == 128 * 8 * (2**17 + 2) + 128 * 8 <= SCRYPT_MAXMEM
    assert scrypt_memory(2 * SCRYPT_N, SCRYPT_R, SCRYPT_P) > SCRYPT_MAXMEM
    with pytest.raises(ValueError):
        hashlib.scrypt(b"x", salt=b"s", n=2**18, r=8, p=1, dklen=32, maxmem=SCRYPT_MAXMEM)


@pytest.mark.parametrize("tampered", [
    "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
    "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
    "scrypt$1024$8$1$not base64!$" + "A" * 43 + "=",
    "scrypt$-1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
])
def test_a_tampered_stored_hash_is_a_refusal_not_a_crash(tampered: str) -> None:
    t0 = time.perf_counter()
    assert verify_password("anything", tampered) is False
    assert time.perf_counter() - t0 < 0.05
