"""The month's state banner, drawn for every role (issue 23, observation 4); the state is credit's."""

from __future__ import annotations

import streamlit as st

from credit.reports.month_state import COLLECTING, CORRECTING, PENDING, PROVISIONAL, SIGNED
from ui.context import state_of
from ui.safe import md

ICONS = {SIGNED: ":material/verified:", CORRECTING: ":material/edit_note:", PENDING: ":material/pending:",
         COLLECTING: ":material/schedule:"}


def state_banner(month: str) -> None:
    """采集中 / 待签发 / 已签发 / 更正中 with its figures; a 临时结果 is said as a warning."""
    s = state_of(month)
    text = md(s.line())  # the 文号 and names in it are the office's text: shown as typed
    if s.state == SIGNED:
        st.success(text, icon=ICONS[s.state])
    elif s.state == CORRECTING:
        st.info(text, icon=ICONS[s.state])
    else:
        st.warning(f"**{PROVISIONAL}**　{text}", icon=ICONS[s.state])
