"""User text on a page: shown as the characters typed, never as Markdown or HTML.

Why one helper: `st.markdown`, `st.caption`, `st.info/warning/error/success`, `st.toast`,
`st.write(str)` and widget labels (expanders, buttons) all render Markdown, so a 申诉理由 written
as `[点此](http://e.com)` became a live link on 报送审核 and `![](http://e.com/a.png)` loaded an
image from another site; a 文号 written as a link became one on 月度通报. Everything a user typed
or uploaded (reasons, 文号, 签发人, names, file names, event descriptions) and every error message
that may quote it goes through `md()` before it reaches one of those elements; tables
(`st.dataframe`) and `st.text`/`st.code` do not render Markdown and need nothing.

`md()` backslash-escapes every ASCII character Markdown (CommonMark, GitHub's extensions,
Streamlit's `:color[…]`, `:icon:` and `$math$`) gives a meaning to, so the text renders exactly as
typed; line breaks stay line breaks. `show_error()` shows an exception's message that way.

Escapes are not enough for addresses: Streamlit's renderer (remark-gfm) turns `http://…`,
`https://…`, `www.…` and `x@y.z` into links in a pass over the text *after* escapes are resolved
(mdast-util-gfm-autolink-literal), so a real browser showed an escaped `[点此](http://e.com)` with a live
`http://e.com`. `md()` therefore puts a WORD JOINER (U+2060, invisible, not a letter) after
`http`/`https`/`www` and before `@`, which those patterns cannot match across. It is only ever added
on display; the stored text is unchanged (and the text policy refuses U+2060 on input).
"""

from __future__ import annotations

import re

import streamlit as st

# Every ASCII punctuation character CommonMark allows to be escaped, minus the few whose escape
# changes nothing anywhere text can go ('"', "'", ",", "/", ";", "?", "%", "&", "="); "@" would make an e-mail link.
# ".", "-" and "#" are escaped only where they could start a list, a rule or a heading, and "." inside a
# domain-like word ("e.com"), which link detection would otherwise turn into a link.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>+!|~$:^@])")
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])", re.MULTILINE)  # "1. " would start an ordered list
_DASH_START = re.compile(r"^(\s*)([-=#])", re.MULTILINE)  # "- " a list, "---"/"===" a rule, "#" a heading
_DOMAIN_DOT = re.compile(r"(?<=[0-9A-Za-z])\.(?=[A-Za-z])")  # "www.e.com", "e.com": links without a scheme
_AUTOLINK_START = re.compile(r"(https?|www)(?=\\?[:.])", re.IGNORECASE)  # remark-gfm's literal autolinks …
_AT = re.compile(r"(?=\\@)")  # … and its e-mail addresses
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` escaped for any Markdown-rendering Streamlit element (None → "")."""
    if text is None:
        return ""
    out = _SPECIAL.sub(r"\\\1", str(text))
    out = _LINE_START.sub(r"\1\2\\\3", out)
    out = _DASH_START.sub(r"\1\\\2", out)
    out = _DOMAIN_DOT.sub(r"\\.", out)
    out = _AUTOLINK_START.sub(lambda m: m.group(1) + WORD_JOINER, out)
    out = _AT.sub(WORD_JOINER, out)
    return out.replace("\r\n", "\n").replace("\n", "  \n")  # a typed line break stays one


def show_error(exc: BaseException | str, **kwargs: object) -> None:
    """`st.error` for a refusal whose message may quote what the user typed."""
    st.error(md(str(exc)), **kwargs)  # type: ignore[arg-type]
