"""The shared month picker (issue 28): a button that names the month (考核月份：2022年10月) and opens the
list of every month with data, newest first; the phone's copy at the top of the page only for a
phone's browser. What it does is unchanged: the month of every page, the URL's `month`, a reader's
landing on the latest signed month, the ⚠️ mark of a month not yet signed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.common.months import month_label
from credit.reports.month_state import PROVISIONAL
from tests.support.actors import EDITOR, VIEWER
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    HOME,
    TIMEOUT,
    checked,
    month_picker,
    navigation_mode,
    open_page,
    run,
    switch,
)
from ui import context

SEP = "2022-09"


def _buttons(block) -> list[str]:
    """The labels of the popover buttons inside `block` (the month picker is one)."""
    found = []
    for child in getattr(block, "children", {}).values():
        if getattr(child, "type", None) == "popover":
            found.append(child.proto.popover.label)
        found += _buttons(child)
    return found


def _have(db: Path) -> tuple[list[str], list[str]]:
    with open_store(db) as store:
        return store.datasets.months_with_data(), store.publishing.published_months()


def _marked(at) -> bool:
    return any(PROVISIONAL in c.value and "尚未签发" in c.value for c in at.sidebar.caption)


def test_the_button_names_the_month_and_its_list_holds_every_month_newest_first(demo_db: Path) -> None:
    have, _ = _have(demo_db)
    at = open_page(actor=EDITOR)  # the office lands on the latest month
    latest = have[-1]
    assert month_picker(at).value == latest
    assert _buttons(at.sidebar) == [f"考核月份：{month_label(latest)}"]
    assert month_picker(at).options == [month_label(m) for m in reversed(have)]  # Chinese labels, newest first
    assert month_picker(at).label == "考核月份"  # the list's own (hidden) label, read by a screen reader

    month_picker(at).set_value(have[0])
    at = run(at)
    assert _buttons(at.sidebar) == [f"考核月份：{month_label(have[0])}"]
    assert at.query_params["month"] == have[0]
    assert f"考核月份：{month_label(have[0])}" in at.caption[0].value  # the ranking follows
    at = switch(at, "bulletin.py")
    assert month_picker(at).value == have[0]  # every page shares it
    assert any(month_label(have[0]) in c.value for c in at.caption)


def test_a_reader_lands_on_the_signed_month_and_a_later_month_is_marked(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        publish_month(store, SEP, "平信用办〔2022〕9号", date(2022, 10, 8), "张三", EDITOR, with_pdf=False,
                      force_reason="演示", objections_confirmed=True)
    have, signed = _have(demo_db)
    assert signed == [SEP]
    at = open_page(actor=VIEWER)
    assert month_picker(at).value == SEP
    assert _buttons(at.sidebar) == ["考核月份：2022年9月"]
    assert not _marked(at)  # a signed month: no ⚠️
    month_picker(at).set_value(have[-1])
    at = run(at)
    assert _buttons(at.sidebar) == [f"考核月份：{month_label(have[-1])}"]
    assert _marked(at)  # 临时结果：…的通报尚未签发


def test_a_link_s_month_is_taken_and_a_foreign_one_is_not(demo_db: Path) -> None:
    """A shared link's month (first run of a session) is chosen; a month without data, markup or an
    invisible character is not: the office's landing month instead."""
    have, _ = _have(demo_db)
    at = open_page(actor=EDITOR)
    for linked, expected in ((have[2], have[2]), ("2099-01", have[-1]), ("<b>2022-10", have[-1]),
                             ("2022-10\u200b", have[-1]), ("", have[-1])):
        fresh = AppTest.from_file(str(HOME), default_timeout=TIMEOUT)
        fresh.query_params["month"] = linked
        fresh.session_state["actor"] = at.session_state["actor"]
        fresh.session_state["actor_seen"] = at.session_state["actor_seen"]
        fresh = checked(fresh.run())
        assert month_picker(fresh).value == expected, linked
        assert _buttons(fresh.sidebar) == [f"考核月份：{month_label(expected)}"], linked


def test_a_pc_has_no_copy_at_the_top(demo_db: Path) -> None:
    at = open_page()
    assert _buttons(at.main) == []
    assert not [r for r in at.radio if r.key == context.MOBILE_MONTH_KEY]


def test_a_phone_picks_the_month_at_the_top(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "on_phone", lambda: True)
    have, _ = _have(demo_db)
    at = open_page(actor=EDITOR)
    assert _buttons(at.main)[:1] == [f"考核月份：{month_label(have[-1])}"]  # first on the page
    month_picker(at, context.MOBILE_MONTH_KEY).set_value(have[1])
    at = run(at)
    assert month_picker(at).value == have[1]  # the sidebar's follows
    assert _buttons(at.sidebar) == [f"考核月份：{month_label(have[1])}"]
    assert _buttons(at.main)[:1] == [f"考核月份：{month_label(have[1])}"]
    assert at.query_params["month"] == have[1]


@pytest.mark.parametrize(("agent", "phone"), [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Mobile/15E148 Safari/604.1", True),
    ("Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0 Mobile "
     "Safari/537.36 MicroMessenger/8.0.40 NetType/WIFI Language/zh_CN", True),  # WeChat on a phone
    ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", True),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
     False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15",
     False),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
     False),
    ("", False), (None, False),
    ("x" * 100_000 + " Mobile", False),  # only the header's first 512 characters are looked at
    ("\x00\u202e Android \x7f", True),
])
def test_a_phone_is_told_by_its_user_agent(agent: str | None, phone: bool) -> None:
    assert context.is_phone_agent(agent) is phone
