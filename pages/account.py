"""我的账户: who am I, change my own password, log out.

Changing the password ends every login of the account (the domain revokes its tokens), this
browser's too: the user logs in again with the new password.
"""

import streamlit as st

from ui import actions
from ui.auth import current_actor, end_login, logout
from ui.context import store
from ui.router import ensure_router
from ui.safe import md

ensure_router()

st.title("我的账户")
actor = current_actor()
if actor is None:
    st.info("未登录。")
    st.stop()
st.markdown(f"用户名：**{md(actor.username)}**　角色：**{actor.role_name}**")
if st.button("退出登录"):
    logout()
    st.rerun()
st.subheader("修改密码")
with st.form("passwd", clear_on_submit=True):
    old = st.text_input("原密码", type="password")
    new = st.text_input("新密码（至少 8 位，含字母和数字）", type="password")
    again = st.text_input("再次输入新密码", type="password")
    if st.form_submit_button("修改密码"):
        if new != again:
            st.error("两次输入的新密码不一致")
        else:
            if actions.run("account", lambda: store().accounts.set_password(actor.username, new, by=actor, old_password=old),
                           now=True):
                end_login("密码已修改，所有设备上的登录均已退出，请使用新密码重新登录。")
                st.rerun()
