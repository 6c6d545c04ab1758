"""The login gate and who is acting in this browser session.

Pages ask `current_actor()` for the account to pass to every write in `credit/` (which checks the
role again on the server side) and `require(permission)` to show a clear message instead of a
widget the role may not use. Sessions expire after a period of inactivity.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from credit.model.accounts import PERMISSION_NAMES, PERMISSIONS, ROLES, Actor
from credit.store.accounts import LoginFailed
from ui.context import store

ACTOR_KEY = "actor"
SEEN_KEY = "actor_seen"
DEFAULT_IDLE_MINUTES = 30


def idle_minutes() -> int:
    return int(store().get_meta("session_idle_minutes") or os.environ.get("CREDIT_IDLE_MINUTES") or DEFAULT_IDLE_MINUTES)


def login_required() -> bool:
    """Whether reading needs a login: a setting; on by default except on the demo database."""
    value = store().get_meta("login_required")
    if value is None:
        return store().get_meta("demo") != "1"
    return value == "1"


def has_oidc_config() -> bool:
    """Whether the deployment's secrets.toml holds an [auth] section for `st.login`."""
    try:
        return bool(st.secrets.get("auth"))
    except (FileNotFoundError, KeyError, AttributeError):
        return False


def oidc_enabled() -> bool:
    """`st.login` (OIDC) is used when the deployment configured [auth] in secrets.toml and the
    administrator switched the login mode to it."""
    return has_oidc_config() and store().get_meta("auth_mode") == "oidc"


def current_actor() -> Actor | None:
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None and oidc_enabled() and getattr(st.user, "is_logged_in", False):
        actor = store().login_oidc(str(st.user.get("email", "")))
        if actor is not None:
            st.session_state[ACTOR_KEY] = actor
            st.session_state[SEEN_KEY] = time.time()
    if actor is None:
        return None
    seen = st.session_state.get(SEEN_KEY, 0.0)
    if time.time() - seen > idle_minutes() * 60:
        logout(expired=True)
        return None
    st.session_state[SEEN_KEY] = time.time()
    return actor


def can(permission: str) -> bool:
    actor = current_actor()
    return actor is not None and actor.can(permission)


def require(permission: str) -> Actor | None:
    """The actor if allowed; otherwise a Chinese message (and None) in place of the widgets."""
    actor = current_actor()
    if actor is None:
        st.info(f"{PERMISSION_NAMES[permission]}需要登录。请先在左侧“登录”页面登录信用办或管理员账户。", icon="🔒")
        return None
    if not actor.can(permission):
        allowed = "、".join(ROLES[r] for r in PERMISSIONS[permission])
        st.warning(f"当前账户「{actor.label}」（{actor.role_name}）无权{PERMISSION_NAMES[permission]}，仅限{allowed}。", icon="🔒")
        return None
    return actor


def do_login(username: str, password: str) -> str | None:
    """Returns an error message, or None when logged in."""
    try:
        actor = store().login(username, password)
    except LoginFailed as exc:
        return str(exc)
    st.session_state[ACTOR_KEY] = actor
    st.session_state[SEEN_KEY] = time.time()
    return None


def logout(expired: bool = False) -> None:
    actor = st.session_state.pop(ACTOR_KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    if actor is not None:
        store().logout(actor, expired=expired)
    if expired:
        st.session_state["login_notice"] = "长时间未操作，已自动退出登录，请重新登录。"
    if oidc_enabled() and getattr(st.user, "is_logged_in", False):
        st.logout()  # otherwise the identity provider's cookie would sign the user straight back in
