"""A page this session may not open, reached by a link (ui.nav registers it hidden under the page's
own URL): signed out, the login page opens with a Chinese note naming the page; signed in without
the permission, the page says so — never Streamlit's English "Page not found"."""

from urllib.parse import urlparse

import streamlit as st

from ui.auth import current_actor, login_required
from ui.nav import entry_for
from ui.router import ensure_router

ensure_router()

path = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
entry = entry_for(path)
title = entry[1] if entry else "该页面"
actor = current_actor()
if actor is None:
    st.session_state["login_notice"] = (f"「{title}」需要登录后查看，请先登录。" if login_required()
                                        else f"「{title}」只供有相应权限的账户使用，请先登录。")
    st.switch_page("pages/login.py")
st.title(title)
st.warning(f"您的账户（{actor.label}，{actor.role_name}）无权打开「{title}」。如需使用，请联系信用办或管理员开通权限。")
st.caption("可从左侧菜单打开本账户可用的页面。")
