"""In-app notices (the intranet has no e-mail or SMS): a unit's 本月待报送 / 已退回 / 已采纳 / 申诉结果,
and for the office the number of submissions and objections waiting.

One collapsed line above every page ("提醒（3 条）", opened by itself only when something was
returned) and the count in the sidebar, so a phone's first screen stays the page's own; inside,
one line per notice with 知道了, which closes it for this account for good (credit.store.unitdesk)."""

from __future__ import annotations

import streamlit as st

from credit.model.accounts import Action, Actor
from ui import actions
from ui.context import store

_ICON = {"info": ":material/info:", "warning": ":material/warning:", "success": ":material/check_circle:",
         "error": ":material/error:"}


def show_notices(actor: Actor) -> None:
    """Only the office (review) and unit accounts get notices; 领导 sees none."""
    if not (actor.can(Action.REVIEW) or actor.can(Action.SUBMIT)):
        return
    items = store().unit_desk.notice_items(actor)
    if not items:
        return
    st.sidebar.caption(f":material/notifications: 提醒 {len(items)} 条")
    with st.expander(f"提醒（{len(items)} 条）", icon=":material/notifications:",
                     expanded=any(n.level == "error" for n in items)):
        for n in items:
            text, close = st.columns([6, 1], vertical_alignment="center")
            with text:
                st.text(n.text)  # a unit's or reviewer's words inside: never read as Markdown
            if close.button("知道了", key=f"notice-{n.key}", icon=_ICON[n.level]):
                if actions.run("notices", lambda key=n.key: store().unit_desk.dismiss_notice(actor, key), now=True):
                    st.rerun()
