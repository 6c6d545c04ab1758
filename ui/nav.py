"""The page register: every page is listed here explicitly (st.navigation), and only the pages the
session's role may use are registered — an unregistered page cannot be reached, not even by URL."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from credit.model.accounts import Actor, is_unit

ROOT = Path(__file__).resolve().parent.parent

# (file, title, icon, url, permission needed or None for every reader). A page is registered only
# for roles that can use it: 领导 and anonymous readers get the dashboard, not menus that would
# only tell them "无权".
READING = [
    ("pages/ranking.py", "月度排名", ":material/leaderboard:", "ranking", None),
    ("pages/unit.py", "单位详情", ":material/search:", "unit", None),
    ("pages/xyd.py", "信易贷进度", ":material/trending_up:", "xyd", None),
    ("pages/whatif.py", "权重模拟", ":material/balance:", "whatif", None),
    ("pages/bulletin.py", "月度通报", ":material/article:", "bulletin", None),
    ("pages/guide.py", "指标说明", ":material/menu_book:", "guide", None),
]
# A 被考核单位 account sees the rankings, its own unit page (pages/unit.py locks it to that unit),
# the guide, and its own 填报与申诉 desk — nothing that shows other units' detail or evidence.
UNIT_READING = ("ranking", "unit", "guide")
UNIT_DESK = ("pages/unit_desk.py", "填报与申诉", ":material/edit_note:", "desk", "submit")
DATA = [
    ("pages/upload.py", "数据上传", ":material/upload_file:", "upload", "import"),
    ("pages/review.py", "报送审核", ":material/fact_check:", "review", "review"),
    ("pages/versions.py", "数据版本", ":material/history:", "versions", "import"),
    ("pages/sgs.py", "双公示预检", ":material/fact_check:", "sgs", "precheck"),
    ("pages/registers.py", "证明材料", ":material/attach_file:", "registers", None),  # every reader may read
]
ADMIN = [
    ("pages/units_admin.py", "单位名册", ":material/apartment:", "units", "import"),  # 信用办 reads, 管理员 edits
    ("pages/accounts.py", "账户管理", ":material/group:", "accounts", "accounts"),
    ("pages/audit.py", "操作日志", ":material/receipt_long:", "audit", "accounts"),
    ("pages/maintenance.py", "系统维护", ":material/build:", "maintenance", "maintenance"),
]


LOGIN = ("pages/login.py", "登录", ":material/login:", "login", None)
ACCOUNT = ("pages/account.py", "我的账户", ":material/person:", "account", None)


def _page(entry, default: bool = False) -> StreamlitPage:
    path, title, icon, url, _ = entry
    return _new_page(path, title, icon, url, default)


def _new_page(path: str, title: str, icon: str, url: str, default: bool = False) -> StreamlitPage:
    """`st.Page(path, …)` as a fresh copy of one made once per process: making one resolves the
    path and checks the file (a dozen system calls) and Home registers up to 16 pages per run.
    Each run gets its own copy: st.navigation marks the page it returns as the one to run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return st.Page(path, title=title, icon=icon, url_path=url, default=default)
    return copy.copy(_template(str(ctx.pages_manager.main_script_parent), path, title, icon, url, default))


@functools.cache
def _template(main_dir: str, path: str, title: str, icon: str, url: str, default: bool) -> StreamlitPage:
    return st.Page(path, title=title, icon=icon, url_path=url, default=default)


@functools.cache
def _exists(path: str) -> bool:
    """Whether a page file is there (the files of a deployment do not come and go while it runs)."""
    return (ROOT / path).exists()


def _allowed(entries, actor: Actor | None) -> list:
    out = []
    for entry in entries:
        perm = entry[4]
        if not _exists(entry[0]):
            continue
        if perm is None or (actor is not None and actor.can(perm)):
            out.append(entry)
    return out


def _unit_tools(actor: Actor) -> list:
    """Office tools a 被考核单位 may use on its own records (双公示预检); never 证明材料 of other units."""
    return [e for e in _allowed(DATA, actor) if e[4] == "precheck"]


def menu(actor: Actor | None, login_required: bool) -> dict[str, list[tuple]]:
    """The menu as plain entries, section by section: the one place that decides who sees which page
    (`pages` turns it into st.Page objects; `registered` lists it for tests and screenshots)."""
    if login_required and actor is None:
        return {"": [LOGIN]}
    reading = _allowed(READING, actor)
    if is_unit(actor):
        assert actor is not None
        return {"看板": [e for e in reading if e[3] in UNIT_READING],
                "本单位": [UNIT_DESK, *_unit_tools(actor)], "账户": [ACCOUNT]}
    nav = {"看板": reading}
    data = _allowed(DATA, actor)
    if data:
        nav["数据管理"] = data
    admin = _allowed(ADMIN, actor)
    if admin:
        nav["系统管理"] = admin
    nav["账户"] = [ACCOUNT] if actor is not None else [LOGIN]
    return nav


def pages(actor: Actor | None, login_required: bool) -> dict[str, list]:
    """Pages for this session; with a login required and nobody logged in, only the login page.
    The first dashboard page is the default (the login page when nothing else may be read)."""
    nav = menu(actor, login_required)
    first = next(iter(nav.values()))[0]
    return {section: [_page(e, default=e is first) for e in entries] for section, entries in nav.items()}


def registered(actor: Actor | None, login_required: bool) -> list[tuple[str, str]]:
    """(file, title) of every page this session may open, in menu order (tests, screenshots)."""
    return [(e[0], e[1]) for entries in menu(actor, login_required).values() for e in entries]
