"""Issue 14 (像用户一样用) through AppTest: what each role sees and can do on every page, and that
no page shows None/nan/NaT or an internal code where a name belongs."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import Actor
from tests.pages.test_pages_data import (  # noqa: F401  (navigation_mode is an autouse fixture)
    ADMIN,
    EDITOR,
    VIEWER,
    navigation_mode,
    open_page,
    press,
    run,
    texts,
)

# ---- 1 信易贷 target -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [EDITOR, ADMIN])
def test_office_and_admin_save_a_years_xyd_target(demo_db: Path, actor: Actor) -> None:
    at = open_page("xyd.py", actor)
    at.selectbox(key="xyd_target_year").select(2023).run()
    inputs = at.number_input
    inputs[0].set_value(1500.0)
    inputs[1].set_value(900.0)
    at = press(at, "保存")
    assert any("已保存 2023 年：年初 1,500 家，新增目标 900 家" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert store.xyd_target(2023) == (1500.0, 900.0)
        assert store.xyd_target(2022) is not None  # the other year is untouched
        entry = store.audit_log(action="xyd.set")[0]
        assert entry["who"] == actor.username and entry["detail"] == {"year": 2023, "opening": 1500.0, "target": 900.0}


@pytest.mark.parametrize("actor", [None, VIEWER])
def test_readers_get_no_target_form(demo_db: Path, actor: Actor | None) -> None:
    at = open_page("xyd.py", actor)
    assert [b.label for b in at.button if b.label == "保存"] == []
    assert not any("设定" in e.label for e in at.expander)
