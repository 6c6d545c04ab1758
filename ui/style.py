"""Page-wide CSS: Chinese in place of Streamlit's fixed English labels, and the phone layout.

Streamlit has no setting for the uploader's "Upload" button or its "20MB per file • XLSX" line,
nor for the "Press Enter to apply" hint; the usual way is a rule scoped to their `data-testid`
that hides the English and adds Chinese with `::after`. Only fixed text lives here (never user
data). The narrow-screen rules show the top-of-page month control (`ui.context.mobile_month`)
only where the sidebar is collapsed by default (Streamlit collapses it below 768 px). The login
cookie's script box (`ui.cookie`) is hidden so it takes no room.
"""

from __future__ import annotations

import streamlit as st

from ui.cookie import COOKIE_BOX

NARROW_PX = 768
UPLOAD_BUTTON = "选择文件"  # the uploader's button: its icon, then this (Streamlit 1.67 nests the label in [data-has-shortcut])
MOBILE_MONTH_KEY = "mobile_month"

CSS = f"""
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-has-shortcut]::after {{ content: "{UPLOAD_BUTTON}"; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "或将文件拖放到此处"; font-size: 0.875rem; opacity: 0.7;
}}
[data-testid="stFileUploader"] [data-testid="stBaseButton-minimal"] [data-testid="stMarkdownContainer"] {{ display: none; }}
[data-testid="InputInstructions"] {{ display: none; }}
[data-testid="stStatusWidget"] {{ visibility: hidden; }}
.st-key-{MOBILE_MONTH_KEY}-box {{ display: none; }}
.st-key-{COOKIE_BOX}, div:has(> .st-key-{COOKIE_BOX}) {{ display: none; }}
@media (max-width: {NARROW_PX - 1}px) {{
  .st-key-{MOBILE_MONTH_KEY}-box {{ display: block; }}
}}
</style>
"""


def apply_style() -> None:
    """Inject the CSS (an `st.html` holding only <style> takes no room on the page)."""
    st.html(CSS)
