"""Accounts, roles and the permission check every write goes through.

The check lives in the domain, not in the pages: each write method of the store calls
`authorize(actor, permission)` first, so a page that forgets to hide a button still cannot write.
Passwords are kept only as salted scrypt hashes (`credit.model.password_hash`: libsodium's scrypt
when the system has it, else the standard library's).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum

from credit.common.text import text_problem
from credit.errors import CreditError
from credit.model.password_hash import scrypt

ROLE_VIEWER = "viewer"
ROLE_EDITOR = "editor"
ROLE_ADMIN = "admin"
ROLE_UNIT = "unit"
ROLES: dict[str, str] = {ROLE_VIEWER: "领导", ROLE_EDITOR: "信用办", ROLE_ADMIN: "管理员", ROLE_UNIT: "被考核单位"}


class Action(Enum):
    """What a write needs, typed: `authorize(by, Action.IMPORT)`. A misspelt member fails where
    it is named (and tests/test_architecture.py checks every `Action.X` in the tree), not at run
    time deep in a page. Each member carries the roles allowed and its Chinese name. Reading and
    what-if without saving need no permission beyond a login."""

    IMPORT = ("import", (ROLE_EDITOR, ROLE_ADMIN), "导入月报表")
    RESTORE = ("restore", (ROLE_EDITOR, ROLE_ADMIN), "恢复数据版本")
    REGISTERS = ("registers", (ROLE_EDITOR, ROLE_ADMIN), "维护证明材料登记表")
    SCENARIOS = ("scenarios", (ROLE_EDITOR, ROLE_ADMIN), "保存权重模拟方案")
    # 领导's own what-if scenarios: visible only to it, never official
    PRIVATE_SCENARIOS = ("private_scenarios", (ROLE_VIEWER,), "保存和删除自己的私有权重方案")
    WEIGHTS = ("weights", (ROLE_EDITOR, ROLE_ADMIN), "发布官方权重")
    BULLETIN = ("bulletin", (ROLE_EDITOR, ROLE_ADMIN), "导出月度通报")
    PUBLISH = ("publish", (ROLE_EDITOR, ROLE_ADMIN), "签发、更正月度通报")
    SETTINGS = ("settings", (ROLE_EDITOR, ROLE_ADMIN), "修改系统设置")
    SECURITY = ("security", (ROLE_ADMIN,), "修改登录与安全设置")
    UNITS = ("units", (ROLE_ADMIN,), "维护单位名册")
    ACCOUNTS = ("accounts", (ROLE_ADMIN,), "管理账户")
    # 系统维护: a whole-database backup holds every account's hash
    MAINTENANCE = ("maintenance", (ROLE_ADMIN,), "系统维护（备份、完整性检查）")
    SUBMIT = ("submit", (ROLE_UNIT,), "报送本单位月度数据")
    OBJECT = ("object", (ROLE_UNIT,), "对扣分提出申诉")
    REVIEW = ("review", (ROLE_EDITOR, ROLE_ADMIN), "审核单位报送与申诉")
    # 双公示预检 (writes nothing; a unit only its own records)
    PRECHECK = ("precheck", (ROLE_EDITOR, ROLE_ADMIN, ROLE_UNIT), "使用双公示预检")

    def __init__(self, key: str, roles: tuple[str, ...], zh: str):
        self.key, self.roles, self.zh = key, roles, zh

    @classmethod
    def of(cls, action: Action | str) -> Action:
        """An `Action` from a member or its key (a stored or listed name); a wrong key is refused."""
        if isinstance(action, cls):
            return action
        for a in cls:
            if a.key == action:
                return a
        raise PermissionDenied(f"未知的操作权限「{action}」")


def allowed(actor: object, action: Action | str) -> bool:
    """The one permission check: whether `actor` (an Actor, or None for nobody) may do `action`."""
    return isinstance(actor, Actor) and actor.role in Action.of(action).roles


# N = 2^17 (OWASP's scrypt floor): ~0.1-0.3 s and 128 MiB per hash, so guessing is slow. Parameters are
# stored in each hash, so hashes made with older ones still verify and are re-hashed at the next login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
# OpenSSL refuses more than 32 MiB unless told; 256 MiB covers N = 2^17 (about 129 MiB) and refuses a
# tampered hash asking for absurd work instead of exhausting memory.
SCRYPT_MAXMEM = 256 * 1024 * 1024
MIN_PASSWORD = 8
# A password is text typed on a keyboard: the one text policy applies, and one more reason than usual —
# scrypt's HMAC pads its key with NUL bytes, so "pw\x00" would log in as "pw" were it ever accepted.
MAX_PASSWORD = 128


class PermissionDenied(CreditError):
    """The acting account's role does not allow this write; nothing was written."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: an account (username, role) or a named system process (CLI, demo, seed)."""

    username: str
    role: str
    display: str = ""
    unit_id: str | None = None  # the register unit a 被考核单位 account acts for; None for every other role

    @property
    def label(self) -> str:
        return self.display or self.username

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    def can(self, action: Action | str) -> bool:
        return allowed(self, action)


SYSTEM = Actor("system", ROLE_ADMIN, "系统初始化")
CLI = Actor("cli", ROLE_ADMIN, "命令行")
DEMO = Actor("demo", ROLE_EDITOR, "演示数据")


def authorize(actor: object, action: Action) -> str:
    """Refuse unless `actor` may do `action`; returns the name to record in the audit log."""
    if not isinstance(actor, Actor):
        raise PermissionDenied("未登录或缺少操作账户，操作被拒绝。")
    action = Action.of(action)
    if not allowed(actor, action):
        roles = "、".join(ROLES[r] for r in action.roles)
        raise PermissionDenied(
            f"账户「{actor.label}」（{actor.role_name}）无权{action.zh}，"
            f"该操作仅限{roles}。未写入任何数据。"
        )
    return actor.label if actor.username in (SYSTEM.username, CLI.username, DEMO.username) else actor.username


def is_unit(actor: object) -> bool:
    """Whether `actor` is a 被考核单位 account (whose reads and writes are limited to its own unit)."""
    return isinstance(actor, Actor) and actor.role == ROLE_UNIT


def check_unit(actor: object, unit_id: str | None, what: str = "数据") -> None:
    """Row-level rule: a 被考核单位 account may read or write only its own unit's rows.

    Other roles pass (their permission is checked by `authorize`); this is called by every domain
    read and write that is about one unit, so guessing an id or calling the domain directly is
    refused exactly as the page would refuse it.
    """
    if not is_unit(actor):
        return
    assert isinstance(actor, Actor)
    if not actor.unit_id:
        raise PermissionDenied(f"账户「{actor.label}」未绑定被考核单位，无权查看任何单位的{what}。")
    if unit_id != actor.unit_id:
        raise PermissionDenied(
            f"账户「{actor.label}」（被考核单位）只能查看和报送本单位的{what}，无权访问其他单位的{what}。"
        )


def password_problem(password: object) -> str | None:
    """Why `password` can never be a password here (control or invisible characters, longer than
    MAX_PASSWORD), in Chinese without repeating it; None when it may be one."""
    if not isinstance(password, str):
        return "不是文字"
    return text_problem(password, limit=MAX_PASSWORD)


def check_password_strength(password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise CreditError(f"密码{problem}")
    if len(password) < MIN_PASSWORD:
        raise CreditError(f"密码至少 {MIN_PASSWORD} 位")
    if password.isdigit() or password.isalpha():
        raise CreditError("密码须同时包含字母和数字（或符号）")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """`scrypt$N$r$p$salt$hash`, base64; a fresh random salt each time.

    The parameters default to today's; passing older ones only serves tests of re-hashing.
    """
    salt = secrets.token_bytes(16)
    digest = scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=SCRYPT_MAXMEM)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def needs_rehash(stored: str) -> bool:
    """True when `stored` was made with other scrypt parameters than today's (e.g. the old N = 2^14)."""
    return not stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from. A text no password can be (see
    `password_problem`) is refused before any hashing: it is a property of what was typed, so
    refusing it early tells nothing about the account."""
    if password_problem(password) is not None:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(expected), maxmem=SCRYPT_MAXMEM)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)
