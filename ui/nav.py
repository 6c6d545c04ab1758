"""The page register: every page is listed here explicitly (st.navigation), and only the pages the
session's role may use are registered — an unregistered page cannot be reached, not even by URL."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from credit.model.accounts import Actor, is_unit
from credit.model.sgs_rules import precheck_applies
from credit.model.units import UnitRegister, load_units
from ui.context import per_version, store

ROOT = Path(__file__).resolve().parent.parent

# (file, title, icon, url, permission needed or None for every reader). A page is registered only
# for roles that can use it: 领导 and anonymous readers get the dashboard, not menus that would
# only tell them "无权".
READING = [
    ("pages/ranking.py", "月度排名", ":material/leaderboard:", "ranking", None),
    ("pages/unit.py", "单位详情", ":material/search:", "unit", None),
    ("pages/year.py", "年度分析", ":material/calendar_month:", "year", None),
    ("pages/xyd.py", "信易贷进度", ":material/trending_up:", "xyd", None),
    ("pages/whatif.py", "权重模拟", ":material/balance:", "whatif", None),
    ("pages/bulletin.py", "月度通报", ":material/article:", "bulletin", None),
    ("pages/guide.py", "指标说明", ":material/menu_book:", "guide", None),
]
# A 被考核单位 account sees the rankings, its own unit page (pages/unit.py locks it to that unit),
# the year's rankings (its own row highlighted, only its own row opens a unit page), the guide, and its own 填报与申诉 desk — nothing that shows other units' detail or evidence.
UNIT_READING = ("ranking", "unit", "year", "guide")
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
# Every page a link may name. A page this session may not open is still registered — hidden, and
# running NO_ACCESS, which says in Chinese why (or opens the login page) — so a shared link never
# meets Streamlit's English "Page not found" (it appears for any URL not registered in this session).
ALL_ENTRIES = (*READING, UNIT_DESK, *DATA, *ADMIN, LOGIN, ACCOUNT)
NO_ACCESS = "pages/no_access.py"
DEFAULT_URL = "start"  # the default page's internal name (it is reached at the root URL)


def entry_for(url_path: str) -> tuple | None:
    """The page entry whose URL is `url_path` ("versions"), or None."""
    return next((e for e in ALL_ENTRIES if e[3] == url_path), None)


def _page(entry, default: bool = False) -> StreamlitPage:
    path, title, icon, url, _ = entry
    return _new_page(path, title, icon, url, default)


def _new_page(path: str, title: str, icon: str, url: str, default: bool = False,
              visibility: str = "visible") -> StreamlitPage:
    """`st.Page(path, …)` as a fresh copy of one made once per process: making one resolves the
    path and checks the file (a dozen system calls) and Home registers up to 16 pages per run.
    Each run gets its own copy: st.navigation marks the page it returns as the one to run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return st.Page(path, title=title, icon=icon, url_path=url, default=default, visibility=visibility)
    return _fresh(_template(_parent(ctx.pages_manager.main_script_path), path, title, icon, url, default, visibility))


def _fresh(page: StreamlitPage) -> StreamlitPage:
    """A shallow copy of `page` (its attributes are strings, flags and a path): what `copy.copy`
    makes, without its generic protocol (`__reduce_ex__`), a third of the cost of a menu entry."""
    out = object.__new__(type(page))
    out.__dict__.update(page.__dict__)
    return out


@functools.cache
def _parent(main_script: str) -> str:
    """The entry file's folder (`PagesManager.main_script_parent` builds a new Path on every call)."""
    return str(Path(main_script).parent)


@functools.cache
def _template(main_dir: str, path: str, title: str, icon: str, url: str, default: bool,
              visibility: str = "visible") -> StreamlitPage:
    return st.Page(path, title=title, icon=icon, url_path=url, default=default, visibility=visibility)


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
    """Office tools a 被考核单位 may use on its own records (双公示预检, for a 部门 only: a town has no
    行政许可/行政处罚 export to check); never 证明材料 of other units."""
    return [e for e in _allowed(DATA, actor) if e[4] == "precheck" and _precheck_applies(actor.unit_id)]


def _precheck_applies(unit_id: str | None) -> bool:
    """In a script run: the database's register, once per data version. Outside one (a test or the
    screenshot walk listing a menu) the shipped register decides, so listing a menu opens no database."""
    if get_script_run_ctx() is None:
        return precheck_applies(_shipped_register(), unit_id)
    return per_version(f"sgs-applies:{unit_id}", lambda: precheck_applies(store().units.register(), unit_id))


@functools.cache
def _shipped_register() -> UnitRegister:
    return load_units()


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


def first_page(actor: Actor | None, login_required: bool) -> str:
    """The file of the page a session opens by default (where a fresh login lands)."""
    return next(iter(menu(actor, login_required).values()))[0][0]


def pages(actor: Actor | None, login_required: bool) -> dict[str, list]:
    """Pages for this session; with a login required and nobody logged in, only the login page.
    The first dashboard page is the default (the login page when nothing else may be read)."""
    nav = menu(actor, login_required)
    first = next(iter(nav.values()))[0]
    out = {section: [_page(e) if e is not first else _new_page(e[0], e[1], e[2], DEFAULT_URL, default=True)
                     for e in entries] for section, entries in nav.items()}
    shown = {e[3] for entries in nav.values() for e in entries if e is not first}
    # The default page answers at the root only (Streamlit gives it the URL ""), so its own URL
    # ("/ranking", "/login") is registered again as a hidden copy of the same page.
    hidden = [_new_page(e[0] if e is first or e is LOGIN else NO_ACCESS, e[1], e[2], e[3], visibility="hidden")
              for e in ALL_ENTRIES if e[3] not in shown and _exists(e[0])]
    if hidden and _exists(NO_ACCESS):
        section = next(iter(out))
        out[section] = [*out[section], *hidden]
    return out


def home_page(actor: Actor | None, login_required: bool) -> StreamlitPage:
    """The page this run registered at the root URL. After a login, `st.switch_page` to it reruns at
    the root, where the next run registers the account's first page: one run from 登录 to that
    page (its file is not registered before the login when reading needs one)."""
    return next(p for section in pages(actor, login_required).values() for p in section if p.url_path == "")


def registered(actor: Actor | None, login_required: bool) -> list[tuple[str, str]]:
    """(file, title) of every page this session may open, in menu order (tests, screenshots)."""
    return [(e[0], e[1]) for entries in menu(actor, login_required).values() for e in entries]
