"""Free-form settings (the `meta` table): the demo flag, login and session settings.

Why security settings are apart: whoever may weaken authentication (turn off the login, stretch
the idle timeout, switch the login mode) could give every visitor the office's rights, so those
keys need the administrator's permission ("security"), checked here in the domain; ordinary
settings keep the "settings" permission of the credit office.
"""

from __future__ import annotations

from credit.common.text import LINE, check_text
from credit.errors import CreditError
from credit.model.accounts import Action, Actor, authorize
from credit.store.core import Core

RESERVED_META = frozenset({"data_version"})
SETTING = 200_000  # a setting may hold a whole rules file (双公示 rules, TOML)
# `demo` too: a demo database lets anonymous readers in without a login (ui.auth), so switching it
# on weakens authentication exactly as `login_required=0` does.
SECURITY_META = frozenset({"login_required", "session_idle_minutes", "auth_mode", "demo"})
# Keys about accounts, logins and sessions (e.g. a later "login_max_failed") are security too.
SECURITY_PREFIXES = ("login", "session", "auth", "account", "password", "lock", "token")


def is_security_setting(key: str) -> bool:
    """Whether changing `key` can weaken authentication (and so needs an administrator)."""
    return key in SECURITY_META or key.lower().startswith(SECURITY_PREFIXES)


class Settings:
    """Read and write `meta` keys; `data_version` is kept by the core and cannot be set."""

    def __init__(self, core: Core):
        self._core = core

    def get(self, key: str, default: str | None = None) -> str | None:
        """A free-form setting (e.g. "demo" = "1" marks a demo database)."""
        value = self._core.meta(key)
        return default if value is None else value

    def set(self, key: str, value: str, by: Actor) -> None:
        """Set a setting; the same value again writes nothing. Refused before anything is written."""
        who = authorize(by, Action.SECURITY if is_security_setting(key) else Action.SETTINGS)
        if key in RESERVED_META:
            raise CreditError(f"设置项「{key}」由系统维护，不能直接修改")
        check_text(key, "设置项名称", limit=LINE)
        check_text(value, f"设置项「{key}」", limit=SETTING, multiline=True)
        with self._core.write():
            if self._core.meta(key) == str(value):
                return
            self._core.db["meta"].upsert({"key": key, "value": str(value)}, pk="key")
            self._core.changed(who, "meta.set", {"key": key, "value": str(value)})
