"""系统维护 and the login page of a database without a 管理员, through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import CLI, Actor
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    ADMIN,
    EDITOR,
    VIEWER,
    navigation_mode,
    open_page,
    press,
    texts,
)


@pytest.mark.parametrize("actor", [None, VIEWER, EDITOR, Actor("dongezhen", "unit", unit_id="dong_e")])
def test_maintenance_is_registered_for_administrators_only(demo_db: Path, actor: Actor | None) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("maintenance.py", actor)


def test_an_administrator_sees_the_database_and_checks_it(demo_db: Path) -> None:
    at = open_page("maintenance.py", ADMIN)
    labels = [m.label for m in at.metric]
    assert labels == ["数据库大小", "结构版本", "数据版本"]
    assert any("还没有保存在服务器上的备份" in w for w in texts(at, "warning"))
    at = press(at, "数据库完整性检查")
    assert any("数据库完整性检查：未发现错误" in s for s in texts(at, "success"))
    table = at.dataframe[-1].value
    assert list(table.columns) == ["检查项", "结果", "情况", "处理办法"]
    assert "✅ 正常" in set(table["结果"])
    at = press(at, "生成一份备份供下载")
    assert any("备份已生成并通过完整性检查" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert store.backups.last(kept_only=False)["made_by"] == ADMIN.username


def test_the_login_page_of_a_database_without_an_administrator_says_how_to_make_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "new.db"
    with open_store(db) as store:
        store.settings.set("login_required", "1", by=CLI)
    monkeypatch.setenv("CREDIT_DB", str(db))
    at = open_page()
    assert any("本数据库还没有管理员账户" in w for w in texts(at, "warning"))
    assert [c.value for c in at.code] and "--role admin" in at.code[0].value
    assert len(at.text_input) == 0  # no login form nobody can pass
