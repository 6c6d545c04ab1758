"""The page register: every page is listed here explicitly (st.navigation), grouped for the sidebar."""

from __future__ import annotations

import streamlit as st


def pages() -> dict[str, list]:
    return {
        "看板": [
            st.Page("pages/ranking.py", title="月度排名", icon="🏆", default=True, url_path="ranking"),
            st.Page("pages/unit.py", title="单位详情", icon="🔎", url_path="unit"),
            st.Page("pages/xyd.py", title="信易贷进度", icon="📈", url_path="xyd"),
            st.Page("pages/guide.py", title="指标说明", icon="📘", url_path="guide"),
        ],
    }
