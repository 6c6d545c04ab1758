"""The yardstick: a bare Streamlit page with one table, as cheap as a page can be."""

import pandas as pd
import streamlit as st

st.title("基准页面")
st.dataframe(pd.DataFrame({"单位": [f"单位{i}" for i in range(40)], "得分": [90 - i * 0.5 for i in range(40)]}))
