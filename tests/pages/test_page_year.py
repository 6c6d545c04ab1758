"""年度分析 (AppTest): the tables are the year's view, a unit account is kept to its group and gets no
通报 section, the office gets the signing form, a year without data says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import ROLE_UNIT, Actor
from credit.reports.annual import year_view
from tests.support.actors import EDITOR, VIEWER
from tests.support.apptest import open_page, open_tab, texts

DONGE = Actor("dongezhen", ROLE_UNIT, unit_id="dong_e")


@pytest.fixture()
def year_db(year_demo_db_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "demo.db"
    shutil.copyfile(year_demo_db_master, db)
    monkeypatch.setenv("CREDIT_DB", str(db))
    return db


def test_the_leader_reads_the_years_tables(year_db: Path) -> None:
    at = open_page("year.py", VIEWER)
    with open_store(year_db) as store:
        view = year_view(store, 2023, "镇街")  # the latest month's year, the first group
    (annual,) = [df.value for df in at.dataframe]  # lazy tabs: only 年度结果 is drawn
    assert list(annual["单位"]) == list(view.annual.table["单位"])
    assert list(annual["年度得分率"]) == list(view.annual.table["年度得分率"])
    assert "年度结果（临时结果）" in texts(at, "subheader")
    assert "年度通报" in texts(at, "subheader") and not at.get("form")  # a 领导 may read, not sign
    at = open_tab(at, "year_tab", "各月排名")
    ranks = at.dataframe[0].value
    assert list(ranks.columns[:3]) == ["单位", "1月", "2月"]
    assert [int(r) for r in ranks["1月"]] == [int(r) for r in view.grid.ranks["2023-01"]]
    assert len(at.get("plotly_chart")) == 2  # the rank chart and the county's 全市排名
    at = open_tab(at, "year_tab", "近12个月")
    rolling = at.dataframe[0].value
    assert "2022年3月排名" in rolling.columns and "2023年2月排名" in rolling.columns
    assert not at.exception


def test_a_unit_account_is_kept_to_its_group_without_the_bulletin(year_db: Path) -> None:
    at = open_page("year.py", DONGE)
    assert any("本单位所在分组" in c for c in texts(at, "caption"))
    assert not at.main.radio  # no group switch (the sidebar's month list is a radio)
    assert "年度通报" not in texts(at, "subheader")
    assert not at.exception


def test_the_office_gets_the_signing_form_and_an_empty_database_says_so(year_db: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page("year.py", EDITOR)
    assert [b.label for b in at.get("form_submit_button")] == ["签发年度通报"]
    empty = tmp_path / "empty.db"
    open_store(empty).close()
    monkeypatch.setenv("CREDIT_DB", str(empty))
    at = open_page("year.py", EDITOR)
    assert any("还没有任何月份的数据" in i for i in texts(at, "info"))
    assert not at.exception
