"""Logins that survive a page reload (F5): a token per browser login, checked on every request.

Why it looks like this:
- Streamlit forgets `st.session_state` when the page reloads, so the browser keeps a cookie with an
  opaque token (`credit.store.tokens`); a new session hands it to `resume`, which finds the
  account by the token's hash. The cookie never names the user or the role.
- The same `resume` runs on every rerun of a logged-in session (one read by the unique index), so
  a token revoked anywhere — sign-out in another tab, a password change, the account disabled, an
  administrator's "sign out everywhere" — ends this session at its next action.
- Idle expiry is the `session_idle_minutes` setting (as for a session without a reload);
  `last_seen` is written at most once a minute, not on every rerun, so reading costs no write.
- Decisions live here, not in the pages: who may sign an account out everywhere is checked by
  `authorize`, and a disabled account's token stops working even if its revocation were missed.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from credit.common.clock import beijing_now
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, PermissionDenied, authorize
from credit.store.accounts import Accounts
from credit.store.core import Core
from credit.store.tokens import looks_like_token, new_token, revoke_tokens, stamp, token_hash

DEFAULT_IDLE_MINUTES = 30
TOUCH_SECONDS = 60  # last_seen is refreshed at most this often (a write per rerun would be wasteful)
KEEP_DAYS = 30  # token rows older than this are far past any idle window; pruned at the next login


class Sessions:
    """Issue, check and revoke the tokens of browser logins."""

    def __init__(self, core: Core, accounts: Accounts):
        self._core = core
        self._accounts = accounts

    def idle_minutes(self) -> int:
        """Minutes without activity after which a login ends (setting, else CREDIT_IDLE_MINUTES, else 30)."""
        value = self._core.meta("session_idle_minutes") or os.environ.get("CREDIT_IDLE_MINUTES")
        try:
            minutes = int(value) if value else DEFAULT_IDLE_MINUTES
        except ValueError:
            minutes = DEFAULT_IDLE_MINUTES
        return max(1, minutes)

    def login(self, username: str, password: str, *, at: datetime | None = None) -> tuple[Actor, str]:
        """Log in (lock-out and audit as `Accounts.login`) and issue a token for this browser.

        The token is returned once, for the cookie; only its hash is stored.
        """
        actor = self._accounts.login(username, password, at=at)
        token = new_token()
        moment = stamp(at)
        with self._core.write():
            self._core.db["session_tokens"].insert({
                "token_hash": token_hash(token), "username": actor.username, "created_at": moment,
                "last_seen": moment, "revoked_at": None, "revoked_reason": None,
            })
            cutoff = stamp((at or beijing_now()) - timedelta(days=KEEP_DAYS))
            self._core.conn.execute("DELETE FROM session_tokens WHERE last_seen < ?", (cutoff,))
        return actor, token

    def resume(self, token: object, *, at: datetime | None = None) -> Actor | None:
        """The account `token` is a live login of, or None (unknown, revoked, idle too long, disabled).

        An idle token is revoked on the spot (audited as a timed-out sign-out), so it never
        comes back even if the setting is later raised.
        """
        if not looks_like_token(token):
            return None
        assert isinstance(token, str)
        row = self._core.one(
            "SELECT t.id, t.last_seen, t.revoked_at, a.username, a.role, a.display, a.unit_id, a.disabled "
            "FROM session_tokens t JOIN accounts a ON a.username = t.username WHERE t.token_hash = ?",
            (token_hash(token),),
        )
        if row is None or row["revoked_at"] or row["disabled"]:
            return None
        moment = at or beijing_now()
        idle = moment - datetime.fromisoformat(row["last_seen"])
        if idle > timedelta(minutes=self.idle_minutes()):
            self._expire(row, moment)
            return None
        if idle >= timedelta(seconds=TOUCH_SECONDS):
            with self._core.write():
                touched = self._core.conn.execute(
                    "UPDATE session_tokens SET last_seen = ? WHERE id = ? AND revoked_at IS NULL",
                    (stamp(moment), row["id"]),
                ).rowcount
            if not touched:  # revoked between the read and the write
                return None
        return Actor(row["username"], row["role"], row["display"], row["unit_id"])

    def _expire(self, row: dict[str, Any], moment: datetime) -> None:
        with self._core.write():
            ended = self._core.conn.execute(
                "UPDATE session_tokens SET revoked_at = ?, revoked_reason = 'expired' WHERE id = ? AND revoked_at IS NULL",
                (stamp(moment), row["id"]),
            ).rowcount
            if ended:
                self._core.audit(row["username"], "logout.expired", {"username": row["username"]})

    def logout(self, actor: Actor, token: str | None = None, *, expired: bool = False) -> None:
        """Sign `actor` out: revoke this browser's token (if it is one of `actor`'s) and audit."""
        if not isinstance(actor, Actor):
            raise PermissionDenied("未登录或缺少操作账户，操作被拒绝。")
        with self._core.write():
            if looks_like_token(token):
                assert isinstance(token, str)
                self._core.conn.execute(
                    "UPDATE session_tokens SET revoked_at = ?, revoked_reason = ? "
                    "WHERE token_hash = ? AND username = ? AND revoked_at IS NULL",
                    (stamp(), "expired" if expired else "logout", token_hash(token), actor.username),
                )
            self._accounts.logout(actor, expired=expired)

    def sign_out_everywhere(self, username: str, by: Actor, *, at: datetime | None = None) -> int:
        """An administrator ends every login of `username` in every browser; returns how many were live."""
        who = authorize(by, Action.ACCOUNTS)
        if self._accounts.account(username) is None:
            raise CreditError(f"用户「{username}」不存在")
        with self._core.write():
            ended = revoke_tokens(self._core, username, "signout_all", at)
            self._core.audit(who, "account.signout_all", {"username": username, "count": ended})
        return ended

    def live_counts(self, *, at: datetime | None = None) -> dict[str, int]:
        """Per account, how many browser logins are live now (not revoked, active within the idle window)."""
        since = stamp((at or beijing_now()) - timedelta(minutes=self.idle_minutes()))
        rows = self._core.all(
            "SELECT username, COUNT(*) AS n FROM session_tokens WHERE revoked_at IS NULL AND last_seen >= ? "
            "GROUP BY username", (since,),
        )
        return {r["username"]: int(r["n"]) for r in rows}
