"""Accounts in the store: create, change password, disable, log in with lock-out.

Every change is audited; a login, successful or not, and a sign-out are audited too, each by the
operation itself in its own write transaction (there is no way to add an arbitrary audit row).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from credit.common.text import NAME, check_text
from credit.errors import CreditError
from credit.model.accounts import (
    ROLE_UNIT,
    ROLES,
    Action,
    Actor,
    PermissionDenied,
    authorize,
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from credit.store.core import Core
from credit.store.tokens import revoke_tokens
from credit.store.util import now

MAX_FAILED = 5
LOCK_MINUTES = 15
# Each login holds the write lock for one scrypt check (0.1-0.3 s, seconds on a loaded machine), so a
# burst of parallel logins queues; they wait this long for their turn rather than fail as busy.
LOGIN_WAIT_MS = 60_000
# The one answer to every failed login: it must not tell an unknown name from a wrong password, a
# disabled or a locked account, nor how many tries are left (that would confirm the name exists).
LOGIN_FAILED = "用户名或密码不正确，或账户已停用、暂时锁定。如多次失败，请联系管理员。"


@cache
def dummy_hash() -> str:
    """A hash with today's parameters for names that cannot log in; made once, on first need
    (not at import: every CLI start would pay for a hash it rarely uses)."""
    return hash_password(secrets.token_urlsafe(16))


class LoginFailed(CreditError):
    """Wrong name or password, a disabled or a locked account: always the one message LOGIN_FAILED."""


class Accounts:
    """Accounts table operations; see `credit.model.accounts` for roles and hashing."""

    def __init__(self, core: Core):
        self._core = core

    def has_accounts(self) -> bool:
        return bool(self._core.scalar("SELECT COUNT(*) FROM accounts"))

    def has_admin(self) -> bool:
        """Whether an enabled 管理员 exists (without one nobody can open accounts or settings)."""
        return bool(self._core.scalar("SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0"))

    def accounts(self) -> list[dict[str, Any]]:
        """Accounts without their hashes, for the admin page and `user list`."""
        return self._core.all(
            "SELECT username, display, role, unit_id, disabled, failed, locked_until, created_by, created_at, updated_at "
            "FROM accounts ORDER BY username"
        )

    def account(self, username: str) -> dict[str, Any] | None:
        return self._core.one("SELECT * FROM accounts WHERE username = ?", (username,))

    def add_account(self, username: str, password: str, role: str, by: Actor, display: str = "",
                    unit_id: str | None = None) -> None:
        """A new account; a 被考核单位 (role `unit`) account must name its register unit (id or name)."""
        who = authorize(by, Action.ACCOUNTS)
        username = username.strip()
        if not username or len(username) > 40 or any(c.isspace() for c in username):
            raise CreditError("用户名不能为空、不能含空格，且不超过 40 个字符")
        if role not in ROLES:
            raise CreditError(f"角色应为 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())} 之一")
        check_password_strength(password)
        check_text(display, "显示名称", limit=NAME)
        with self._core.write():
            if self.account(username):
                raise CreditError(f"用户名「{username}」已存在")
            unit_id = self._bound_unit(role, unit_id)
            stamp = now()
            self._core.db["accounts"].insert({
                "username": username, "display": display, "role": role, "pw_hash": hash_password(password),
                "disabled": 0, "failed": 0, "locked_until": None, "created_by": who,
                "created_at": stamp, "updated_at": stamp, "unit_id": unit_id,
            })
            self._core.changed(who, "account.add", {"username": username, "role": role,
                                                    **({"unit_id": unit_id} if unit_id else {})})

    def _bound_unit(self, role: str, unit: str | None) -> str | None:
        """The register id a `unit` account is bound to (given as id or current name); None otherwise."""
        unit = (unit or "").strip()
        if role != ROLE_UNIT:
            if unit:
                raise CreditError(f"只有被考核单位账户才绑定单位；{ROLES[role]}账户请不要填写单位")
            return None
        if not unit:
            raise CreditError("被考核单位账户必须绑定单位名册中的一个单位（--unit 单位名称）")
        row = self._core.one("SELECT id FROM units WHERE id = ?", (unit,))
        if row is None:
            row = self._core.one(
                "SELECT unit_id AS id FROM unit_names WHERE name = ? ORDER BY from_month DESC LIMIT 1", (unit,)
            )
        if row is None:
            raise CreditError(f"单位名册中没有「{unit}」，请填写在册单位的名称或编号")
        return str(row["id"])

    def set_password(self, username: str, password: str, by: Actor, old_password: str | None = None) -> None:
        """An admin sets anyone's password; anyone else only their own, giving the old one.

        Every browser login of the account ends (its tokens are revoked), the changer's own too.
        """
        own = isinstance(by, Actor) and by.username == username and old_password is not None
        who = by.username if own else authorize(by, Action.ACCOUNTS)
        acc = self.account(username)
        if acc is None:
            raise CreditError(f"用户「{username}」不存在")
        if own and not verify_password(old_password or "", acc["pw_hash"]):
            raise CreditError("原密码不正确")
        check_password_strength(password)
        with self._core.write():
            self._core.db.execute(
                "UPDATE accounts SET pw_hash = ?, failed = 0, locked_until = NULL, updated_at = ? WHERE username = ?",
                (hash_password(password), now(), username),
            )
            revoke_tokens(self._core, username, "password")  # every browser must log in with the new one
            self._core.changed(who, "account.password", {"username": username})

    def set_account_disabled(self, username: str, disabled: bool, by: Actor) -> None:
        who = authorize(by, Action.ACCOUNTS)
        if self.account(username) is None:
            raise CreditError(f"用户「{username}」不存在")
        if disabled and isinstance(by, Actor) and by.username == username:
            raise CreditError("不能停用自己正在使用的账户")
        with self._core.write():
            self._core.db.execute(
                "UPDATE accounts SET disabled = ?, failed = 0, locked_until = NULL, updated_at = ? WHERE username = ?",
                (1 if disabled else 0, now(), username),
            )
            if disabled:
                revoke_tokens(self._core, username, "disabled")  # its open sessions end at their next action
            self._core.changed(who, "account.disable" if disabled else "account.enable", {"username": username})

    def login(self, username: str, password: str, *, at: datetime | None = None) -> Actor:
        """Check the password; count failures and lock the account for a while after too many.

        Read, check and count happen in one BEGIN IMMEDIATE transaction: parallel guesses queue on
        the write lock, each sees the counter the one before it left, so no more than MAX_FAILED
        passwords are ever checked before the lock. Every failure gets the same message, and an
        unknown or disabled name is checked against a dummy hash with today's parameters, so
        neither the answer nor its time tells whether a name exists. A locked account is refused
        without any check (that is the point of the lock) and with the same message, but it
        answers sooner: someone who made the lock happen by MAX_FAILED guesses can tell, for
        LOCK_MINUTES, that the name exists. Accepted: a dummy check there would hold the write
        lock (and 128 MiB) for nothing on every refused guess, which is what a flood of guesses is.
        """
        at = at or datetime.now().astimezone()
        username = username.strip()
        with self._core.write(wait_ms=LOGIN_WAIT_MS):
            acc = self.account(username)
            actor = self._check(username, password, acc, at)
        if actor is None:
            raise LoginFailed(LOGIN_FAILED)
        return actor

    def _check(self, username: str, password: str, acc: dict[str, Any] | None, at: datetime) -> Actor | None:
        """The login decision and its audit row, inside `login`'s write transaction."""
        who = username or "（空）"
        if acc is not None and acc["locked_until"] and datetime.fromisoformat(acc["locked_until"]) > at:
            self._core.audit(who, "login.failed", {"username": username, "reason": "账户锁定中"})
            return None
        if acc is None or acc["disabled"]:
            verify_password(password, dummy_hash())  # the same work as a real check: no user probing
            reason = "用户不存在" if acc is None else "账户已停用"
            self._core.audit(who, "login.failed", {"username": username, "reason": reason})
            return None
        if not verify_password(password, acc["pw_hash"]):
            failed = int(acc["failed"]) + 1
            locked = (at + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") if failed >= MAX_FAILED else None
            self._core.db.execute(
                "UPDATE accounts SET failed = ?, locked_until = ? WHERE username = ?",
                (0 if locked else failed, locked, username),
            )
            self._core.audit(username, "login.failed", {"username": username, "failed": failed, "locked": bool(locked)})
            return None
        pw_hash = hash_password(password) if needs_rehash(acc["pw_hash"]) else acc["pw_hash"]
        self._core.db.execute(
            "UPDATE accounts SET failed = 0, locked_until = NULL, pw_hash = ? WHERE username = ?", (pw_hash, username)
        )
        self._core.audit(username, "login", {"username": username})
        return Actor(username, acc["role"], acc["display"], acc.get("unit_id"))

    def login_oidc(self, email: str) -> Actor | None:
        """The account an identity provider vouched for (by e-mail), audited; None if none or disabled."""
        acc = self.account(email.strip()) if email else None
        if acc is None or acc["disabled"]:
            return None
        username = acc["username"]
        with self._core.write():
            self._core.audit(username, "login.oidc", {"username": username})
        return Actor(username, acc["role"], acc["display"], acc.get("unit_id"))

    def logout(self, actor: Actor, *, expired: bool = False) -> None:
        """Record that `actor` signed out (or was signed out after being idle too long)."""
        if not isinstance(actor, Actor):
            raise PermissionDenied("未登录或缺少操作账户，操作被拒绝。")
        with self._core.write():
            self._core.audit(actor.username, "logout.expired" if expired else "logout", {"username": actor.username})
