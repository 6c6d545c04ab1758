"""Page-wide CSS: Chinese in place of Streamlit's fixed English labels, and the phone layout.

Streamlit has no setting for the uploader's "Upload" button or its "20MB per file • XLSX" line,
nor for the "Press Enter to apply" hint; the usual way is a rule scoped to their `data-testid`
that hides the English and adds Chinese with `::after`. Only fixed text lives here (never user
data). The narrow-screen rules show the top-of-page month picker (`ui.context._mobile_month`, drawn
only for a phone's browser) only where the sidebar is collapsed by default (Streamlit collapses it
below 768 px). The login cookie's script box (`ui.cookie`) and the login page's preloaded
elements (`ui.preload`) are hidden so they take no room.
"""

from __future__ import annotations

import streamlit as st

from ui.cookie import COOKIE_BOX
from ui.preload import BOXES, PRELOAD_BOX

NARROW_PX = 768
UPLOAD_BUTTON = "选择文件"  # the uploader's button: its icon, then this (Streamlit 1.67 nests the label in [data-has-shortcut])
MOBILE_MONTH_KEY = "mobile_month"
# The uploaders pass no `type=` (ui.uploads), so the one error Streamlit still draws on a file chip is
# its own size limit (server.maxUploadSize in .streamlit/config.toml) or a failed transfer; its
# hover tooltip is plain English text, so the rule hides that text and writes this instead.
UPLOAD_REFUSED = "未能上传：单个文件不能超过 20 MB，或网络中断；请重新选择文件"

# Streamlit's table/chart toolbar tooltips (keyed by the button's aria-label) and plotly's modebar
# tooltips (drawn from data-title by ::after): fixed English, replaced by scoped rules below.
TOOLBAR_TIPS = {"Show/hide columns": "显示/隐藏列", "Download as CSV": "下载 CSV", "Search": "搜索",
                "Fullscreen": "全屏", "Close fullscreen": "退出全屏"}
PLOTLY_TIPS = {"Download plot as a PNG": "下载为图片", "Zoom": "框选放大", "Pan": "平移", "Zoom in": "放大",
               "Zoom out": "缩小", "Autoscale": "自动缩放", "Reset axes": "还原坐标轴", "Fullscreen": "全屏",
               "Box Select": "框选", "Lasso Select": "套索选择", "Reset view": "还原视图"}


def _tip_rules() -> str:
    tips = "".join(
        f'body:has([data-testid="stElementToolbarButton"] button[aria-label="{en}"]:hover) '
        f'[data-testid="stTooltipContent"] [data-testid="stMarkdownContainer"]::after {{ content: "{zh}"; }}\n'
        for en, zh in TOOLBAR_TIPS.items())
    hide = ", ".join(f'body:has([data-testid="stElementToolbarButton"] button[aria-label="{en}"]:hover) '
                     f'[data-testid="stTooltipContent"] p' for en in TOOLBAR_TIPS)
    modebar = "".join(f'.modebar-btn[data-title="{en}"]::after {{ content: "{zh}" !important; }}\n'
                      for en, zh in PLOTLY_TIPS.items())
    return f"{hide} {{ display: none; }}\n{tips}{modebar}"


def _hidden_boxes() -> str:
    """The preload boxes (`ui.preload`) and their wrappers, by their fixed class names."""
    return ", ".join(f".st-key-{PRELOAD_BOX}-{b}, div:has(> .st-key-{PRELOAD_BOX}-{b})" for b in BOXES)


CSS = f"""
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-has-shortcut]::after {{ content: "{UPLOAD_BUTTON}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "或将文件拖放到此处"; font-size: 0.875rem; opacity: 0.7;
}}
[data-testid="stFileUploader"] [data-testid="stBaseButton-minimal"] [data-testid="stMarkdownContainer"] {{ display: none; }}
body:has([data-testid="stFileUploader"] [data-testid="stTooltipErrorHoverTarget"]:hover) [data-testid="stTooltipErrorContent"] {{ font-size: 0; }}
body:has([data-testid="stFileUploader"] [data-testid="stTooltipErrorHoverTarget"]:hover) [data-testid="stTooltipErrorContent"]::after {{
  content: "{UPLOAD_REFUSED}"; font-size: 0.875rem;
}}
[data-testid="InputInstructions"] {{ display: none; }}
{_tip_rules()}
[data-testid="stStatusWidget"] {{ visibility: hidden; }}
.st-key-{MOBILE_MONTH_KEY}-box {{ display: none; }}
.st-key-{COOKIE_BOX}, div:has(> .st-key-{COOKIE_BOX}) {{ display: none; }}
{_hidden_boxes()} {{ display: none; }}
@media (max-width: {NARROW_PX - 1}px) {{
  .st-key-{MOBILE_MONTH_KEY}-box {{ display: block; }}
}}
</style>
"""


def apply_style() -> None:
    """Inject the CSS (an `st.html` holding only <style> takes no room on the page)."""
    st.html(CSS)
