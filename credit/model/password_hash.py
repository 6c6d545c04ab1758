"""scrypt (RFC 7914), the password hash: libsodium's implementation when the system has it, else
the standard library's (OpenSSL's) `hashlib.scrypt`.

Why two: a login's wait is mostly this one hash (N = 2^17, r = 8: 128 MiB), and on the office's
server class OpenSSL's takes about 0.40 s where libsodium's (SSE2) takes 0.27 s for the same
bytes. Both compute the same function, so a hash made by one verifies with the other
(tests/model/test_password_hash.py checks that they agree); the strength is the parameters', not
the library's. libsodium is Debian's `libsodium23`, loaded with ctypes (no build step, no Python
package); without it nothing changes but the time. Both release the GIL while hashing.

The parameters are checked here before either library sees them, with OpenSSL's memory rule, so
a tampered stored hash asking for absurd work is refused (ValueError) instead of exhausting memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib

SODIUM_NAMES = ("sodium", "libsodium")  # ctypes.util.find_library names (Linux, Windows)


def scrypt_memory(n: int, r: int, p: int) -> int:
    """Bytes scrypt needs for these parameters (OpenSSL's count: V = 128·r·(N+2), B = 128·r·p)."""
    return 128 * r * (n + 2) + 128 * r * p


def check_parameters(n: int, r: int, p: int, dklen: int, maxmem: int) -> None:
    """ValueError unless N is a power of two above 1, r, p and the key length are positive and the
    memory needed is at most `maxmem` (what `hashlib.scrypt` refuses, said before any work)."""
    if n < 2 or n & (n - 1):
        raise ValueError("scrypt: N must be a power of 2 greater than 1")
    if r < 1 or p < 1 or dklen < 1 or r * p >= 1 << 30:
        raise ValueError("scrypt: r, p and dklen must be positive (r·p < 2^30)")
    if scrypt_memory(n, r, p) > maxmem:
        raise ValueError("scrypt: the parameters need more memory than allowed")


@functools.cache
def sodium() -> ctypes.CDLL | None:
    """The system's libsodium, initialised, or None when it is not installed (or unusable)."""
    for name in SODIUM_NAMES:
        path = ctypes.util.find_library(name)
        if not path:
            continue
        try:
            lib = ctypes.CDLL(path)
            fn = lib.crypto_pwhash_scryptsalsa208sha256_ll
        except (OSError, AttributeError):
            continue
        if lib.sodium_init() < 0:
            continue
        fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64,
                       ctypes.c_uint32, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
        fn.restype = ctypes.c_int
        return lib
    return None


def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, dklen: int, maxmem: int,
           use_sodium: bool = True) -> bytes:
    """scrypt(password, salt, N, r, p) → `dklen` bytes; libsodium's when present and `use_sodium`."""
    check_parameters(n, r, p, dklen, maxmem)
    lib = sodium() if use_sodium else None
    if lib is None:
        return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)
    out = ctypes.create_string_buffer(dklen)
    if lib.crypto_pwhash_scryptsalsa208sha256_ll(password, len(password), salt, len(salt), n, r, p, out, dklen):
        # libsodium could not allocate or refused the parameters: the standard library decides
        return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)
    return out.raw
