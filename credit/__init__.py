"""平阴县信用体系建设监测分析平台: the scoring domain (framework, rules, store, workbook, CLI).

This package never imports Streamlit; the pages in `Home.py` and `pages/` are thin views over it.
"""

__version__ = "0.1.0"
