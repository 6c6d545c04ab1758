"""Does a page show some text as a link or an image? Rendered as Streamlit's renderer would.

Streamlit renders Markdown with remark-gfm: CommonMark + GitHub's extensions, including literal
autolinks, some of which it finds in the text *after* escapes are resolved
(mdast-util-gfm-autolink-literal). markdown-it-py with linkify stands in for the first part; the
second is remark's own patterns applied to the rendered text.
"""

from __future__ import annotations

import re
from html import unescape

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

_PARSER = MarkdownIt("gfm-like")  # linkify: bare URLs, www. and e-mail addresses become links as on GitHub
_LITERAL_AUTOLINK = re.compile(r"(https?://|www\.)[-.\w]|[-.\w+]@[-\w]+\.[-\w]", re.IGNORECASE)
_MARKDOWN_ELEMENTS = ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header",
                      "toast")


def rendered(source: str) -> str:
    """`source` as HTML."""
    return _PARSER.render(source)


def shown_text(source: str) -> str:
    """The characters a reader sees when `source` is rendered."""
    return unescape(re.sub(r"<[^>]*>", "", rendered(source)))


def links(source: str) -> bool:
    """Whether `source`, rendered as Streamlit renders Markdown, holds a link or an image."""
    html = rendered(source)
    return "<a " in html or "<img" in html or _LITERAL_AUTOLINK.search(shown_text(source)) is not None


def live_links(at: AppTest) -> list[str]:
    """Every Markdown-rendered text of the page (elements and widget labels) that holds a link or an
    image, as "kind: text"."""
    sources = [(kind, e.value) for kind in _MARKDOWN_ELEMENTS for e in getattr(at, kind, [])]
    for kind in ("expander", "button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "text_input",
                 "text_area", "number_input", "tabs", "metric"):
        sources += [(kind, e.label) for e in getattr(at, kind, []) if getattr(e, "label", None)]
    for radio in getattr(at, "radio", []):
        sources += [("radio option", str(o)) for o in radio.options]
    return [f"{kind}: {text}" for kind, text in sources if links(str(text))]
