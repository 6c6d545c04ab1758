"""No user text reaches a page as Markdown, on any page, as any role (issue 22 §2).

The examples in test_user_text_markdown.py cover 报送审核 and 月度通报; this one puts a link and an
image written as Markdown into every kind of user text the demo database can hold at once — a
unit's name, an account's display name, a 文号 and a 签发人, a 申诉理由 and its attachment's name,
a returned submission's reason, a rejected appeal's decision, a scenario's name and note — then
opens every page each role can open and checks that no Markdown-rendered element of it holds a
link or an image (with remark-gfm's literal autolinks, as Streamlit's renderer makes them).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from credit.app.publish import publish_month
from credit.app.service import framework_for, open_store
from credit.model.accounts import Actor
from credit.scoring import whatif
from tests.support.actors import ADMIN, EDITOR, VIEWER
from tests.support.apptest import open_page
from tests.support.markdown_check import live_links, shown_text
from ui.safe import WORD_JOINER

pytestmark = pytest.mark.slow  # ~20 page runs

NAME = "东阿[链](http://e.com)![](http://e.com/a)"  # within the 40 characters any name here may have
TEXT = "[点此查看](http://e.com) ![i](http://e.com/a.png) www.e.com e@e.com <http://e.com/x>"
DONG = Actor("dongezhen", "unit", NAME, "dong_e")
HOSTILE_EDITOR = Actor(EDITOR.username, EDITOR.role, NAME)
HOSTILE_ADMIN = Actor(ADMIN.username, ADMIN.role, NAME)

PAGES = {
    HOSTILE_EDITOR: ["review.py", "bulletin.py", "ranking.py", "unit.py", "upload.py", "versions.py", "registers.py",
                     "whatif.py", "xyd.py", "sgs.py", "account.py"],
    HOSTILE_ADMIN: ["accounts.py", "units_admin.py", "audit.py"],
    DONG: ["unit_desk.py", "ranking.py", "unit.py"],
    VIEWER: ["bulletin.py", "ranking.py"],
}


@pytest.fixture(scope="module")
def hostile_db(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile-everywhere") / "demo.db"
    db.write_bytes(demo_db_master.read_bytes())
    with open_store(db) as store:
        month = store.unit_desk.collecting_month()
        first = min(store.datasets.months_with_data())
        store.units.rename("dong_e", NAME, first, ADMIN)
        store.accounts.add_account("evil", "Evil-password-1", "editor", ADMIN, display=NAME)
        rejected = store.unit_desk.raise_objection(DONG, month, "dong_e", "figure", TEXT, field="本月出台信用制度文件数",
                                                  proposed=3)
        store.unit_desk.reject_objection(EDITOR, rejected, TEXT)
        store.unit_desk.raise_objection(DONG, month, "dong_e", "figure", TEXT, field="本月出台信用制度文件数",
                                       proposed=2, attachment=(f"{NAME}.pdf", b"%PDF-1.4\n%%EOF\n"))
        sub = store.unit_desk.submit_form(DONG, month, "dong_e", {"本月出台信用制度文件数": 1})
        store.unit_desk.return_submission(EDITOR, sub, TEXT)
        fw = framework_for(store, "镇街", "2022-10")
        store.scenarios.save_scenario(NAME, "镇街", "2022-10", whatif.official_points(fw), TEXT, EDITOR)
        publish_month(store, "2022-09", f"{NAME[:20]}〔2022〕90号", date(2022, 10, 5), NAME, EDITOR,
                      force_reason=TEXT, objections_confirmed=True, with_pdf=False)
    return db


@pytest.mark.parametrize(("actor", "page"), [(a, p) for a, pages in PAGES.items() for p in pages],
                         ids=lambda v: v if isinstance(v, str) else v.role)
def test_no_page_renders_user_text_as_markdown(hostile_db: Path, monkeypatch: pytest.MonkeyPatch,
                                               actor: Actor, page: str) -> None:
    monkeypatch.setenv("CREDIT_DB", str(hostile_db))
    at = open_page(page, actor)
    assert live_links(at) == []


def test_whatif_notes_show_names_as_typed(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """权重模拟: the movers' lines and the stability notes are Markdown built around unit names."""
    monkeypatch.setenv("CREDIT_DB", str(hostile_db))
    at = open_page("whatif.py", HOSTILE_EDITOR)
    next(n for n in at.number_input if n.label.startswith("营商环境（官方 80 分）")).set_value(40.0).run()
    assert not at.exception
    named = [m.value for m in at.markdown if "东阿" in m.value]
    assert named and any("东阿[链](http://e.com)" in shown_text(v).replace(WORD_JOINER, "") for v in named)
    assert live_links(at) == []
