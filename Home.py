"""平阴县信用体系建设监测分析平台 — the entry file: page setup, shared month picker, navigation.

Run with `streamlit run Home.py`. The month picker lives here so every page shares it.
"""

import streamlit as st

from ui.context import month_picker
from ui.nav import pages

st.set_page_config(page_title="平阴县信用体系建设监测分析平台", page_icon="📊", layout="wide")

nav = st.navigation(pages(), position="sidebar")
st.sidebar.markdown("**平阴县信用体系建设监测分析平台**")
month_picker()
nav.run()
