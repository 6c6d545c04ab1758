"""The rerun yardstick: one number box and a 50-row table, as cheap as a page that reruns can be.

`bench_large` changes the box the way it changes a what-if weight (type a value, Enter) and
reports the time beside 权重模拟's, measured in the same run: on a loaded shared machine this
floor alone can exceed the what-if goal."""

import pandas as pd
import streamlit as st

value = st.number_input("权重（基准页）", min_value=0.0, value=30.0, step=1.0, format="%.2f")
st.dataframe(pd.DataFrame({"单位": [f"单位{i}" for i in range(50)], "得分": [value - i * 0.5 for i in range(50)]}))
st.caption(f"已按 {value:.2f} 重跑")  # what the benchmark waits for: this rerun is over before React shows it running
