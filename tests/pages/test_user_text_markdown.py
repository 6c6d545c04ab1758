"""User text is never rendered as Markdown (issue 22 §2): a 申诉理由 written as a link or an image
was a live link / a remote image on 报送审核; a 文号 written as a link was one on 月度通报.

Every element Streamlit renders as Markdown (markdown, caption, info/warning/error/success,
subheaders, expander labels) is rendered here with a CommonMark + GFM parser with link
detection (markdown-it-py, linkify), and must hold no link and no image.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.accounts import Actor
from tests.support.markdown_check import links, live_links, rendered
from tests.support.paths import ROOT
from ui.safe import WORD_JOINER, md

DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")
EDITOR = Actor("office", "editor", "信用办")
LINK = "[点此查看](http://e.com)"
IMAGE = "![i](http://e.com/a.png)"
HOSTILE = f"{LINK} {IMAGE} <http://e.com/x> www.e.com e@e.com <img src=x> :red[红] $x$"


@pytest.fixture(autouse=True)
def navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def open_page(page: str, actor: Actor, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    at.session_state["actor"] = actor
    at.session_state["actor_seen"] = time.time()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(str(ROOT / "pages" / page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_escaping_keeps_the_text_and_drops_every_link() -> None:
    for text in (LINK, IMAGE, HOSTILE, "# 标题\n- 列表\n1. 序号\n---", "平信用办〔2022〕11号", "2022-10 得分 78.21"):
        html = rendered(md(text))
        assert not links(md(text)) and "<h1" not in html and "<li" not in html, html


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "(", ")", "!", "<", ">", "http://", "https://", "www.", "e.com", "@",
                                 "a", "图", " ", "\n", "*", "_", "`", ":", "#", "-", "1.", "\\", "|", "~", "$", "&"]),
                max_size=30).map("".join))
def test_no_generated_text_becomes_a_link_or_an_image(text: str) -> None:
    assert not links(md(text)), (text, md(text), rendered(md(text)))


def test_a_reason_and_a_file_name_as_markdown_show_as_typed_on_review(demo_db: Path) -> None:
    """报送审核: the 申诉理由 and the 申诉事项 are shown as text, no live link, no remote image."""
    with open_store(demo_db) as store:
        month = store.unit_desk.collecting_month()
        store.unit_desk.raise_objection(DONG, month, "dong_e", "figure", HOSTILE, field="本月出台信用制度文件数",
                                       proposed=2, attachment=(f"{LINK}.pdf", b"%PDF-1.4\n%%EOF\n"))
    at = open_page("review.py", EDITOR)
    reasons = [t.value for t in at.text if "申诉理由" in t.value]  # st.text: never Markdown
    shown = reasons[0] if reasons else ""
    assert LINK in shown.replace(WORD_JOINER, "")  # shown as typed
    assert live_links(at) == []


def test_a_number_and_signer_as_markdown_show_as_typed_on_the_bulletin(demo_db: Path) -> None:
    """月度通报 and its 发布记录: the 文号 and 签发人 of an issued month are text."""
    with open_store(demo_db) as store:
        publish_month(store, "2022-09", f"{LINK}〔2022〕90号", date(2022, 10, 5), IMAGE, EDITOR,
                      force_reason="测试", objections_confirmed=True, with_pdf=False)
    at = open_page("bulletin.py", EDITOR, {"month": "2022-09"})
    shown = " ".join(c.value for c in at.caption) + " ".join(s.value for s in at.success)
    assert "〔2022〕90号" in shown
    assert live_links(at) == []
