"""In-app notices (the intranet has no e-mail or SMS): a unit's 本月待报送 / 已退回 / 申诉结果,
and for the office the number of submissions and objections waiting — shown above every page."""

from __future__ import annotations

import streamlit as st

from credit.model.accounts import Actor
from ui.context import store
from ui.safe import md

_SHOW = {"info": st.info, "warning": st.warning, "success": st.success, "error": st.error}


def show_notices(actor: Actor) -> None:
    """Only the office (review) and unit accounts get notices; 领导 sees none."""
    if not (actor.can("review") or actor.can("submit")):
        return
    for level, text in store().unitdesk.notices(actor):
        _SHOW[level](md(text), icon=":material/notifications:")  # quotes reasons and decisions as typed
