"""The login gate and who is acting in this browser session.

Pages ask `current_actor()` for the account to pass to every write in `credit/` (which checks the
role again on the server side) and `require(permission)` to show a clear message instead of a
widget the role may not use. Sessions expire after a period of inactivity.

A login survives a reload (F5): logging in issues a token (`credit.store.sessions`) that
`ui.cookie` keeps in a browser cookie; a new session without a login hands the cookie's token to
the domain and is logged in again if it is still live. `check_session()` runs once per rerun from
Home.py and asks the domain whether the session's token is still live (one indexed read), so a
sign-out in another tab, a password change, a disabled account or an administrator's "sign out
everywhere" ends this session at its next action and shows the login page.

The password check (scrypt, 0.3-0.4 s here and many seconds on a loaded server) runs off the
script thread (`start_login`): the domain's own `Sessions.login` — lock-out counter, audit and
token in one write transaction, so the count stays exact — on a worker thread with a connection
of its own. The login page waits for it with a spinner and a note that ticks once a second, each
tick a point where Streamlit can stop the run, so a click elsewhere is answered at once; a check
that finishes while another run draws is applied by the next run (`check_session`).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import streamlit as st

from credit.app.service import open_store
from credit.model.accounts import ROLES, Action, Actor
from credit.store.accounts import LoginFailed
from ui.context import db_path, once_per_run, per_version, store
from ui.cookie import COOKIE_NAME, DROP_KEY
from ui.safe import md

ACTOR_KEY = "actor"
SEEN_KEY = "actor_seen"
TOKEN_KEY = "session_token"  # this browser's login token (server side; the cookie holds the same)
COOKIE_TRIED_KEY = "session_cookie_tried"  # the cookie's token was tried once in this session
ENDED_KEY = "login_ended"  # the login ended by itself: Home.py shows the login page
NOTICE_KEY = "login_notice"
ENDED_NOTICE = "登录已失效（已在其他页面退出、修改了密码、账户被停用或长时间未操作），请重新登录。"
EXPIRED_NOTICE = "长时间未操作，已自动退出登录，请重新登录。"
PENDING_KEY = "login_pending"  # (Future, monotonic start) of this session's password check
REFUSED_KEY = "login_refused"  # a check's refusal that finished while another page was drawn
VERIFYING = "正在核对用户名和密码…"
SLOW_AFTER_S = 3  # from then on the page says why it takes so long

# Each check holds 128 MiB while it hashes; the domain runs one login at a time per database (the
# write lock), so a few threads are plenty: the others wait for the lock, not for a thread.
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="login-check")


def idle_minutes() -> int:
    """The idle window (the `session_idle_minutes` setting), as the domain reads it."""
    return per_version("idle_minutes", lambda: store().sessions.idle_minutes())


def login_required() -> bool:
    """Whether reading needs a login: a setting; on by default except on the demo database."""
    return per_version("login_required", _read_login_required)


def _read_login_required() -> bool:
    value = store().settings.get("login_required")
    if value is None:
        return store().settings.get("demo") != "1"
    return value == "1"


def has_oidc_config() -> bool:
    """Whether the deployment's secrets.toml holds an [auth] section for `st.login`.

    Asked once per run: without a secrets file Streamlit looks for one on disk at every access
    (getcwd, two opens), and a page asks through `current_actor()` several times."""
    return once_per_run("has_oidc_config", _read_oidc_config)


@functools.cache
def _secret_files() -> tuple[str, ...]:
    """Where Streamlit looks for secrets.toml (a server option, fixed while the server runs)."""
    return tuple(st.get_option("secrets.files"))


SECRETS_LOOK_S = 10.0  # how long "there is no secrets file" holds before the files are looked for again
_no_secrets_until = 0.0


def _read_oidc_config() -> bool:
    global _no_secrets_until
    secrets = st.secrets
    if getattr(secrets, "_secrets", None) is None:
        # no secrets file: Streamlit would search for one (and log that it found none) on every
        # read, a tenth of a millisecond per run; a few stat calls say the same, and are made at
        # most every SECRETS_LOOK_S (each is a hand-over of the interpreter lock on every rerun).
        # Parsed secrets (a file, or those AppTest sets) are read as they are.
        now = time.monotonic()
        if now < _no_secrets_until:
            return False
        if not any(map(os.path.exists, _secret_files())):
            _no_secrets_until = now + SECRETS_LOOK_S
            return False
    try:
        return bool(secrets.get("auth"))
    except (FileNotFoundError, KeyError, AttributeError):
        return False


def oidc_enabled() -> bool:
    """`st.login` (OIDC) is used when the deployment configured [auth] in secrets.toml and the
    administrator switched the login mode to it."""
    return has_oidc_config() and store().settings.get("auth_mode") == "oidc"


def current_actor() -> Actor | None:
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None and oidc_enabled() and getattr(st.user, "is_logged_in", False):
        actor = store().accounts.login_oidc(str(st.user.get("email", "")))
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


def check_session() -> Actor | None:
    """Once per rerun, from Home.py: is this session still logged in, or can a cookie log it in?

    A session with a token asks the domain whether the token is still live; a session without a
    login tries the cookie its browser sent (once: `st.context.cookies` are those of the page
    load and do not change within the session).
    """
    if PENDING_KEY in st.session_state:
        _collect_login()
    actor = current_actor()
    token = st.session_state.get(TOKEN_KEY)
    if actor is not None and token:
        fresh = store().sessions.resume(token)
        if fresh is None:
            end_login(ENDED_NOTICE)
            return None
        st.session_state[ACTOR_KEY] = fresh
        return fresh
    if actor is None:
        actor = _from_cookie()
    return actor


def _from_cookie() -> Actor | None:
    # a browser's cookie is text; AppTest's mocked runtime answers with a mock object, which would
    # be "tried" and queued for deletion, drawing the cookie script on every rerun of a page test
    value = st.context.cookies.get(COOKIE_NAME)
    if not isinstance(value, str) or not value or st.session_state.get(COOKIE_TRIED_KEY) == value:
        return None
    st.session_state[COOKIE_TRIED_KEY] = value
    actor = store().sessions.resume(value)
    if actor is None:  # revoked, expired, disabled or not ours: the browser forgets it
        _drop_cookie(value)
        return None
    st.session_state[ACTOR_KEY] = actor
    st.session_state[SEEN_KEY] = time.time()
    st.session_state[TOKEN_KEY] = value
    return actor


def _drop_cookie(token: str | None) -> None:
    """Have `ui.cookie` delete the browser's cookie if it still holds `token`."""
    drop = st.session_state.setdefault(DROP_KEY, [])
    if token and token not in drop:
        drop.append(token)


def end_login(notice: str) -> None:
    """Forget a login the domain already ended (revoked token, own password change), with a notice."""
    st.session_state.pop(ACTOR_KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    _drop_cookie(st.session_state.pop(TOKEN_KEY, None))
    st.session_state[NOTICE_KEY] = notice
    st.session_state[ENDED_KEY] = True


def can(permission: Action) -> bool:
    actor = current_actor()
    return actor is not None and actor.can(permission)


def require(permission: Action) -> Actor | None:
    """The actor if allowed; otherwise a Chinese message (and None) in place of the widgets."""
    actor = current_actor()
    if actor is None:
        st.info(f"{Action.of(permission).zh}需要登录。请先在左侧“登录”页面登录信用办或管理员账户。", icon="🔒")
        return None
    if not actor.can(permission):
        allowed = "、".join(ROLES[r] for r in Action.of(permission).roles)
        st.warning(f"当前账户「{md(actor.label)}」（{actor.role_name}）无权{Action.of(permission).zh}，仅限{allowed}。", icon="🔒")
        return None
    return actor


def do_login(username: str, password: str) -> str | None:
    """Returns an error message, or None when logged in (the check off the script thread, waited for)."""
    start_login(username, password)
    return await_login(lambda _text: None)


def _check(path: str, username: str, password: str) -> tuple[Actor, str] | str:
    """On a worker thread: the domain's login on a connection of its own; (actor, token) or the refusal."""
    own = open_store(path)
    try:
        return own.sessions.login(username, password)
    except LoginFailed as exc:
        return str(exc)
    finally:
        own.close()


def start_login(username: str, password: str) -> None:
    """Start checking `password` off the script thread; one check per session at a time (a second
    press of 登录 while one runs waits for that one)."""
    pending = st.session_state.get(PENDING_KEY)
    if pending is not None and not pending[0].done():
        return
    st.session_state.pop(REFUSED_KEY, None)
    st.session_state[PENDING_KEY] = (_checks.submit(_check, db_path(), username, password), time.monotonic())


def login_pending() -> bool:
    """Whether this session has a password check, or its refusal, that the login page has not shown."""
    return PENDING_KEY in st.session_state or REFUSED_KEY in st.session_state


def progress_text(seconds: float) -> str | None:
    """The note under the spinner after `seconds` of checking: none at first, then why it takes long."""
    if seconds < SLOW_AFTER_S:
        return None
    return f"已用 {int(seconds)} 秒：服务器繁忙时核对会慢一些，请稍候，不必再次点击“登录”。"


def wait_for(future: Future, started: float, show: Callable[[str | None], None], tick: float = 1.0) -> object:
    """`future`'s result, calling `show(progress_text(elapsed))` every `tick` seconds meanwhile."""
    while True:
        try:
            return future.result(timeout=tick)
        except FutureTimeout:
            show(progress_text(time.monotonic() - started))


def _apply(result: tuple[Actor, str] | str) -> str | None:
    st.session_state.pop(PENDING_KEY, None)
    if isinstance(result, str):
        return result
    actor, token = result
    st.session_state[ACTOR_KEY] = actor
    st.session_state[SEEN_KEY] = time.time()
    st.session_state[TOKEN_KEY] = token  # Home.py writes it into the cookie
    return None


def await_login(show: Callable[[str | None], None], tick: float = 1.0) -> str | None:
    """Wait for this session's check (see `wait_for`); None when logged in, else the refusal. A
    failure of the check itself (storage) is raised here, in the script, once."""
    pending = st.session_state.get(PENDING_KEY)
    if pending is None:
        return st.session_state.pop(REFUSED_KEY, None)
    future, started = pending
    try:
        result = wait_for(future, started, show, tick)
    except BaseException:
        if future.done():  # the check failed (not this run stopped for a rerun): do not raise it twice
            st.session_state.pop(PENDING_KEY, None)
        raise
    return _apply(result)


def _collect_login() -> None:
    """A check that finished while another run drew: apply it (a refusal waits for the login page)."""
    pending = st.session_state.get(PENDING_KEY)
    if pending is not None and pending[0].done():
        error = await_login(lambda _text: None)
        if error:
            st.session_state[REFUSED_KEY] = error


def logout(expired: bool = False) -> None:
    """Sign out: the domain revokes this browser's token and audits; the cookie is deleted."""
    actor = st.session_state.pop(ACTOR_KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    token = st.session_state.pop(TOKEN_KEY, None)
    _drop_cookie(token)
    if actor is not None:
        store().sessions.logout(actor, token, expired=expired)
    if expired:
        st.session_state[NOTICE_KEY] = EXPIRED_NOTICE
        st.session_state[ENDED_KEY] = True
    if oidc_enabled() and getattr(st.user, "is_logged_in", False):
        st.logout()  # otherwise the identity provider's cookie would sign the user straight back in
