"""登录: the Chinese login form (and the demo accounts on the demo database)."""

import streamlit as st

from ui import loaders
from ui.auth import VERIFYING, await_login, current_actor, login_pending, login_required, oidc_enabled, start_login
from ui.nav import first_page, home_page
from ui.preload import FIRST_PAGE, preload
from ui.router import ensure_router
from ui.safe import md

ensure_router()

NO_ADMIN_HELP = "python -m credit user add 用户名 --role admin --db 数据库文件\n（依提示输入两次密码；数据库文件即服务的 CREDIT_DB）"

st.title("登录")
notice = st.session_state.pop("login_notice", None)
if notice:
    st.info(md(notice))
JUST_IN = "login_just_in"  # an older way in: a run that finds it opens the first page
if current_actor() is not None:
    if st.session_state.pop(JUST_IN, False):
        st.switch_page(first_page(current_actor(), login_required()))  # a shared link's target wins (Home.py)
    st.success("您已登录。")
    st.stop()
if not loaders.has_admin():
    st.warning("本数据库还没有管理员账户，暂时无人能登录。请服务器管理人员在服务器上为本数据库创建首个管理员：")
    st.code(NO_ADMIN_HELP, language=None)
    st.caption("创建后刷新本页即可登录；管理员登录后在“账户管理”页为信用办、领导和各单位开设账户。"
               "新建正式数据库请用 python -m credit init（见 README“正式部署”）。")
    st.stop()
if oidc_enabled():
    if getattr(st.user, "is_logged_in", False):
        st.error(f"统一身份认证账户 {md(st.user.get('email', ''))} 尚未在本平台开通或已停用，请联系管理员。")
        if st.button("退出统一身份认证"):
            st.logout()
    elif st.button("使用统一身份认证登录", type="primary"):
        st.login()
    st.caption("或使用本平台账户登录：")
with st.form("login"):
    username = st.text_input("用户名")
    password = st.text_input("密码", type="password")
    submitted = st.form_submit_button("登录", type="primary")
if submitted:
    start_login(username, password)  # off the script thread (ui.auth): this run only waits for it
if login_pending():
    note = st.empty()
    with st.spinner(VERIFYING):  # a deliberately slow hash (scrypt); no show_time: its "seconds" is English
        error = await_login(lambda text: note.caption(text) if text else note.empty())
    note.empty()
    if error:
        st.error(md(error))
    else:  # the root reruns as the account's first page (a shared link's target wins: Home.py)
        st.switch_page(home_page(None, login_required()))
if loaders.is_demo():
    st.info(
        "演示数据库的试用账户（仅演示库提供，正式库无任何默认账户）：\n\n"
        "- 领导（只读）：`leader` / `demo-leader-1`\n"
        "- 信用办（上传、版本、通报）：`office` / `demo-office-1`\n"
        "- 管理员（另含账户、名册管理）：`admin` / `demo-admin-1`\n"
        "- 被考核单位（本单位详情、填报、申诉）：`dongezhen` / `demo-unit-1`（东阿镇）、"
        "`fagaiju` / `demo-unit-2`（发改局）"
    )
preload(FIRST_PAGE, "login")  # the first page's element code, loaded while the form is filled in
