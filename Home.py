"""平阴县信用体系建设监测分析平台 — the entry file: page setup, login gate, shared month picker, navigation.

Run with `streamlit run Home.py`. The month picker lives here so every page shares it; only the
pages the session's role may use are registered. Every page file starts with `ui.router.ensure_router()`,
the guard that makes deep links (/unit, /upload …) run through this file too (see its docstring).
"""

from pathlib import Path

import streamlit as st

from credit.model.accounts import Action
from credit.reports.pdf import serve_warm
from ui.auth import ENDED_KEY, TOKEN_KEY, check_session, idle_minutes, login_required
from ui.context import month_picker, run_scope
from ui.cookie import write_cookie
from ui.links import go_to_target, remember_target
from ui.nav import pages
from ui.notices import show_notices
from ui.preload import prefetch_chart_code
from ui.safe import md
from ui.storage import storage_guard
from ui.style import apply_style
from ui.uploads import warm_readers
from ui.warmup import warm_libraries

SIDEBAR_TITLE = "**平阴县信用体系建设监测分析平台**"
FAVICON = str(Path(__file__).resolve().parent / "ui" / "favicon.svg")

# 📊 as the SVG Streamlit makes of an emoji icon: an emoji icon costs a new server's first page the
# compile of Streamlit's whole emoji catalogue (0.1 s on a loaded 2-core server)
st.set_page_config(page_title="平阴县信用体系建设监测分析平台", page_icon=FAVICON, layout="wide")
apply_style()
warm_readers()  # the worker processes that read uploads (a hostile file ends one of them, not the server)
serve_warm()  # this process lives on: PDFs through one kept LibreOffice (started when first needed)

# disk full, read-only, corrupt database: a message, not a crash page; one pooled connection per run
with storage_guard(), run_scope():
    actor = check_session()  # still logged in? (token checked each rerun; a cookie logs in after F5)
    write_cookie(st.session_state.get(TOKEN_KEY) if actor is not None else None, idle_minutes() * 60)
    need_login = login_required()
    registered = pages(actor, need_login)
    nav = st.navigation(registered, position="sidebar", expanded=True)  # all pages, no "View more"
    if st.session_state.pop(ENDED_KEY, False) and nav.title != "登录":
        st.switch_page("pages/login.py")  # the login ended elsewhere: say so on the login page
    if actor is None and need_login:
        remember_target()  # a shared link opens where it pointed once the user has logged in
    else:
        go_to_target(registered)
    # the platform's name and who is reading, one element (each element costs every page's first
    # draw in the browser, issue 28); the login page has the name alone
    who = (f"当前用户：{md(actor.label)}（{actor.role_name}）" if actor is not None
           else None if need_login else "未登录：只读浏览。上传数据等操作请先登录。")
    st.sidebar.caption(f"{SIDEBAR_TITLE}\n\n{who}" if who else SIDEBAR_TITLE)
    if actor is not None or not need_login:
        month_picker(reader=actor is None or not actor.can(Action.PUBLISH))
    if actor is not None:
        show_notices(actor)
    nav.run()
    if nav.title != "登录":
        prefetch_chart_code()  # the chart pages' element code, fetched by the browser while the person reads
warm_libraries()  # after the page is drawn: the other pages' libraries, in the background, once
