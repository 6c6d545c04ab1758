"""平阴县信用体系建设监测分析平台: the domain, in layers — common ← model ← scoring / workbook ← store
← reports ← app (see docs/architecture.md; tests/test_architecture.py keeps the arrows downward).

This package never imports Streamlit; the pages in `Home.py` and `pages/` are thin views over it.
"""

__version__ = "0.1.0"
