"""Accounts in the store: create, change password, disable, log in with lock-out.

A mixin of `credit.store.facade.Store` (it uses the store's `_write`, `_changed`, `_one`, `_all`).
Every change is audited; a login, successful or not, is audited too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from credit.errors import CreditError
from credit.model.accounts import (
    ROLES,
    Actor,
    authorize,
    check_password_strength,
    hash_password,
    verify_password,
)
from credit.store.util import now

MAX_FAILED = 5
LOCK_MINUTES = 15
_DUMMY_HASH = hash_password("timing-equaliser-0")


class LoginFailed(CreditError):
    """Wrong name or password, a disabled or a locked account (the message says which is safe)."""


class AccountsMixin:
    """Accounts table operations; see `credit.model.accounts` for roles and hashing."""

    def has_accounts(self) -> bool:
        return bool(self._scalar("SELECT COUNT(*) FROM accounts"))  # type: ignore[attr-defined]

    def accounts(self) -> list[dict[str, Any]]:
        """Accounts without their hashes, for the admin page and `user list`."""
        return self._all(  # type: ignore[attr-defined]
            "SELECT username, display, role, disabled, failed, locked_until, created_by, created_at, updated_at "
            "FROM accounts ORDER BY username"
        )

    def account(self, username: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM accounts WHERE username = ?", (username,))  # type: ignore[attr-defined]

    def add_account(self, username: str, password: str, role: str, by: Actor, display: str = "") -> None:
        who = authorize(by, "accounts")
        username = username.strip()
        if not username or len(username) > 40 or any(c.isspace() for c in username):
            raise CreditError("用户名不能为空、不能含空格，且不超过 40 个字符")
        if role not in ROLES:
            raise CreditError(f"角色应为 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())} 之一")
        check_password_strength(password)
        with self._write():  # type: ignore[attr-defined]
            if self.account(username):
                raise CreditError(f"用户名「{username}」已存在")
            stamp = now()
            self._db["accounts"].insert({  # type: ignore[attr-defined]
                "username": username, "display": display, "role": role, "pw_hash": hash_password(password),
                "disabled": 0, "failed": 0, "locked_until": None, "created_by": who,
                "created_at": stamp, "updated_at": stamp,
            })
            self._changed(who, "account.add", {"username": username, "role": role})  # type: ignore[attr-defined]

    def set_password(self, username: str, password: str, by: Actor, old_password: str | None = None) -> None:
        """An admin sets anyone's password; anyone else only their own, giving the old one."""
        own = isinstance(by, Actor) and by.username == username and old_password is not None
        who = by.username if own else authorize(by, "accounts")
        acc = self.account(username)
        if acc is None:
            raise CreditError(f"用户「{username}」不存在")
        if own and not verify_password(old_password or "", acc["pw_hash"]):
            raise CreditError("原密码不正确")
        check_password_strength(password)
        with self._write():  # type: ignore[attr-defined]
            self._db.execute(  # type: ignore[attr-defined]
                "UPDATE accounts SET pw_hash = ?, failed = 0, locked_until = NULL, updated_at = ? WHERE username = ?",
                (hash_password(password), now(), username),
            )
            self._changed(who, "account.password", {"username": username})  # type: ignore[attr-defined]

    def set_account_disabled(self, username: str, disabled: bool, by: Actor) -> None:
        who = authorize(by, "accounts")
        if self.account(username) is None:
            raise CreditError(f"用户「{username}」不存在")
        if disabled and isinstance(by, Actor) and by.username == username:
            raise CreditError("不能停用自己正在使用的账户")
        with self._write():  # type: ignore[attr-defined]
            self._db.execute(  # type: ignore[attr-defined]
                "UPDATE accounts SET disabled = ?, failed = 0, locked_until = NULL, updated_at = ? WHERE username = ?",
                (1 if disabled else 0, now(), username),
            )
            self._changed(who, "account.disable" if disabled else "account.enable", {"username": username})  # type: ignore[attr-defined]

    def login(self, username: str, password: str, *, at: datetime | None = None) -> Actor:
        """Check the password; count failures and lock the account for a while after too many."""
        at = at or datetime.now().astimezone()
        username = username.strip()
        acc = self.account(username)
        if acc is None:
            verify_password(password, _DUMMY_HASH)  # same time as a real check: no user probing
            self._log_login(username, False, "用户不存在")
            raise LoginFailed("用户名或密码不正确")
        if acc["disabled"]:
            self._log_login(username, False, "账户已停用")
            raise LoginFailed("该账户已停用，请联系管理员")
        if acc["locked_until"] and datetime.fromisoformat(acc["locked_until"]) > at:
            self._log_login(username, False, "账户锁定中")
            raise LoginFailed(f"密码错误次数过多，账户已锁定，请于 {acc['locked_until'][11:16]} 后再试或联系管理员")
        if not verify_password(password, acc["pw_hash"]):
            failed = int(acc["failed"]) + 1
            locked = (at + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") if failed >= MAX_FAILED else None
            with self._write():  # type: ignore[attr-defined]
                self._db.execute(  # type: ignore[attr-defined]
                    "UPDATE accounts SET failed = ?, locked_until = ? WHERE username = ?",
                    (0 if locked else failed, locked, username),
                )
                self._audit(username, "login.failed", {"username": username, "failed": failed, "locked": bool(locked)})  # type: ignore[attr-defined]
            if locked:
                raise LoginFailed(f"密码连续错误 {MAX_FAILED} 次，账户已锁定 {LOCK_MINUTES} 分钟")
            raise LoginFailed(f"用户名或密码不正确（再错 {MAX_FAILED - failed} 次将锁定账户）")
        with self._write():  # type: ignore[attr-defined]
            self._db.execute(  # type: ignore[attr-defined]
                "UPDATE accounts SET failed = 0, locked_until = NULL WHERE username = ?", (username,)
            )
            self._audit(username, "login", {"username": username})  # type: ignore[attr-defined]
        return Actor(username, acc["role"], acc["display"])

    def log_event(self, by: Actor, action: str, detail: dict[str, object]) -> None:
        """Audit an action that writes no data (a logout, a bulletin export)."""
        who = by.username if isinstance(by, Actor) else str(by)
        with self._write():  # type: ignore[attr-defined]
            self._audit(who, action, detail)  # type: ignore[attr-defined]

    def _log_login(self, username: str, ok: bool, reason: str) -> None:
        with self._write():  # type: ignore[attr-defined]
            self._audit(username or "（空）", "login" if ok else "login.failed", {"username": username, "reason": reason})  # type: ignore[attr-defined]
