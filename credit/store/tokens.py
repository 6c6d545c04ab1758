"""Session tokens: the opaque random value a browser keeps in its login cookie, and its hash.

Why it looks like this:
- A token is `secrets.token_urlsafe(32)`: 256 random bits, so guessing one is hopeless and a plain
  sha256 of it is enough (no salt or slow hash: those guard guessable passwords, not random keys).
- The database keeps only the hash. Whoever reads the file or a backup learns nothing that logs in.
- Revocation is an UPDATE of `revoked_at` inside the operation that causes it (sign-out, password
  change, disabling, "sign out everywhere"), so the token is dead exactly when that commits.

Kept apart from `credit.store.sessions` so `credit.store.accounts` can revoke tokens inside its own
write transactions without importing the part that logs in through it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from credit.common.clock import BEIJING, beijing_now
from credit.store.core import Core

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters of [A-Za-z0-9_-]; anything else is not ours and is not looked up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")

REVOKE_REASONS = {
    "logout": "退出登录", "expired": "超时退出", "password": "修改密码", "disabled": "账户停用",
    "signout_all": "全部退出登录",
}


def new_token() -> str:
    """A fresh opaque token for one browser's login."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(value: object) -> bool:
    """Whether `value` has the shape of one of our tokens (a cookie may hold anything)."""
    return isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) is not None


def token_hash(token: str) -> str:
    """The hex sha256 kept in the database in place of the token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def stamp(at: datetime | None = None) -> str:
    """Creation and last-seen stamps: Beijing time with its offset, to the second.

    Always +08:00, so stamps compare correctly as text (`live_counts` filters with `>=`).
    """
    return (at or beijing_now()).astimezone(BEIJING).isoformat(timespec="seconds")


def revoke_tokens(core: Core, username: str, reason: str, at: datetime | None = None) -> int:
    """Revoke every live token of `username`, inside the caller's write; returns how many."""
    if reason not in REVOKE_REASONS:
        raise ValueError(f"unknown revoke reason {reason!r}")
    core._require_write()  # a part of the store: only inside the operation's own write
    cur = core.conn.execute(
        "UPDATE session_tokens SET revoked_at = ?, revoked_reason = ? WHERE username = ? AND revoked_at IS NULL",
        (stamp(at), reason, username),
    )
    return cur.rowcount
