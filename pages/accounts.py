"""账户管理 (admin): accounts, roles, password resets, sign-out everywhere, and the login settings."""

import pandas as pd
import streamlit as st

from credit.common.clock import beijing
from credit.model.accounts import ROLES, Action
from ui import actions
from ui.auth import has_oidc_config, idle_minutes, login_required, oidc_enabled, require
from ui.context import store
from ui.router import ensure_router

ensure_router()

SLOT = "accounts"  # the outcome of the last write, shown after its rerun (ui.actions)

st.title("账户管理")
actor = require(Action.ACCOUNTS)
if actor is None:
    st.stop()
actions.show(SLOT)

rows = store().accounts.accounts()
live = store().sessions.live_counts()
unit_names = {u.id: u.name for u in store().units.register()}
table = pd.DataFrame([{
    "用户名": r["username"], "显示名称": r["display"], "角色": ROLES[r["role"]],
    "绑定单位": unit_names.get(r.get("unit_id") or "", ""),
    "状态": "已停用" if r["disabled"] else ("锁定中" if r["locked_until"] else "正常"),
    "连续失败次数": r["failed"], "有效登录": live.get(r["username"], 0), "创建人": r["created_by"], "创建时间": beijing(r["created_at"]),
} for r in rows])
st.dataframe(table, hide_index=True, width="stretch")

c1, c2 = st.columns(2)
with c1, st.form("add-account", clear_on_submit=True):
    st.subheader("新增账户")
    username = st.text_input("用户名")
    display = st.text_input("显示名称（可选）")
    role = st.selectbox("角色", list(ROLES), format_func=lambda r: ROLES[r])
    bound = st.selectbox("绑定单位（仅被考核单位账户）", ["", *unit_names],
                         format_func=lambda u: unit_names.get(u, "（不绑定）"))
    password = st.text_input("初始密码（至少 8 位，含字母和数字）", type="password")
    if st.form_submit_button("新增"):
        actions.run(SLOT, lambda: store().accounts.add_account(username, password, role, by=actor, display=display,
                                                      unit_id=bound or None),
                    done=f"已新增账户 {username}", rerun=True, now=True)
with c2:
    names = [r["username"] for r in rows]
    if names:
        with st.form("manage-account"):
            st.subheader("重设密码 / 停用 / 启用")
            who = st.selectbox("账户", names)
            new_pw = st.text_input("新密码（仅重设密码时填写）", type="password")
            action = st.radio("操作", ["重设密码", "停用", "启用"], horizontal=True)
            if st.form_submit_button("执行"):
                def manage() -> None:
                    if action == "重设密码":
                        store().accounts.set_password(who, new_pw, by=actor)
                    else:
                        store().accounts.set_account_disabled(who, action == "停用", by=actor)

                actions.run(SLOT, manage, done=f"已对账户 {who} 执行：{action}", rerun=True, now=True)
        with st.form("signout-all"):
            st.subheader("全部退出登录")
            st.caption("结束该账户在所有浏览器、所有设备上的登录（如设备遗失或密码可能泄露）；"
                       "对方下一次操作或刷新页面时须重新登录。重设密码、停用账户时也会自动全部退出。")
            gone = st.selectbox("账户", names, key="signout-who")
            if st.form_submit_button("全部退出登录"):
                actions.run(SLOT, lambda: store().sessions.sign_out_everywhere(gone, by=actor), rerun=True, now=True,
                            done=lambda ended: f"已结束账户 {gone} 的全部登录（{ended} 个有效登录）。")

st.subheader("登录设置")
AUTH_MODES = {"local": "本平台账户（用户名和密码）", "oidc": "统一身份认证（OIDC，以邮箱登录）"}
oidc_configured = has_oidc_config()
with st.form("login-settings"):
    need = st.checkbox("浏览也需要登录（正式库默认开启）", value=login_required())
    idle = st.number_input("无操作自动退出（分钟）", min_value=5, max_value=480, value=idle_minutes())
    mode = st.radio("登录方式", list(AUTH_MODES), format_func=AUTH_MODES.get, horizontal=True,
                    index=1 if oidc_enabled() else 0, disabled=not oidc_configured)
    if st.form_submit_button("保存设置"):
        store().settings.set("login_required", "1" if need else "0", by=actor)
        store().settings.set("session_idle_minutes", str(int(idle)), by=actor)
        if oidc_configured:
            store().settings.set("auth_mode", mode, by=actor)
        st.success("设置已保存。")
if not oidc_configured:
    st.caption("如县里有统一身份认证（OIDC），在 .streamlit/secrets.toml 中配置 [auth] 后，可在此切换登录方式；"
               "用户以邮箱登录，角色仍按本页账户（用户名填邮箱）分配。")
