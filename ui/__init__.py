"""Streamlit-side helpers shared by the pages: context (database, month), cached loaders, widgets.

Only this package and the pages import Streamlit; the domain lives in `credit/`.
"""
