"""Bulletin files are built once per content: the same content hands out the file already made, any
change to what the file shows makes a new one, and the cache stays bounded."""

from __future__ import annotations

import dataclasses
import io
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from credit.app.service import open_store
from credit.reports import exports as publish
from credit.reports.bulletin import IssueInfo, build_bulletin_data


@pytest.fixture(scope="module")
def data(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("rendercache") / "demo.db"
    shutil.copyfile(demo_db_master, db)
    with open_store(db) as store:
        return build_bulletin_data(store, "2022-10")


def test_same_content_is_the_same_file_and_a_rebuilt_equal_model_hits(data, demo_db_master: Path, tmp_path: Path) -> None:
    first = publish.render(data, "docx")
    assert publish.render(data, "docx") is first  # handed out again, not rebuilt
    db = tmp_path / "again.db"
    shutil.copyfile(demo_db_master, db)
    with open_store(db) as store:
        again = build_bulletin_data(store, "2022-10")  # a new object, the same content
    assert publish.content_key(again) == publish.content_key(data)
    assert publish.render(again, "docx") is first


def test_a_change_in_what_the_file_shows_makes_a_new_file(data) -> None:
    before = publish.render(data, "xlsx")
    issued = dataclasses.replace(data, issue=IssueInfo("平信用办〔2022〕11号", date(2022, 11, 6), "李四"))
    assert publish.content_key(issued) != publish.content_key(data)
    word = Document(io.BytesIO(publish.render(issued, "docx")))
    assert "平信用办〔2022〕11号" in "".join(p.text for p in word.paragraphs)
    assert publish.render(issued, "xlsx") is not before
    edited = dataclasses.replace(data, title=data.title + "（修订）")
    assert publish.content_key(edited) != publish.content_key(data)
    assert "（修订）" in "".join(p.text for p in Document(io.BytesIO(publish.render(edited, "docx"))).paragraphs)
    assert openpyxl.load_workbook(io.BytesIO(before)).sheetnames  # the earlier file is still whole


def test_the_cache_is_bounded(data, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "RENDERED_KEEP", 2)
    for n in range(4):
        publish.render(dataclasses.replace(data, notes=[f"第{n}条"]), "xlsx")
    assert len(publish._rendered) <= 2


def test_the_chart_is_drawn_once_per_content(data) -> None:
    from credit.reports.chart import bulletin_chart, cjk_font_path

    if cjk_font_path() is None:
        pytest.skip("本机没有中文字体文件，通报不带图表")
    first = bulletin_chart(data)
    assert first is not None and first[0].startswith(b"\x89PNG")
    assert bulletin_chart(data) is first
    issued = dataclasses.replace(data, issue=IssueInfo("平信用办〔2022〕12号", date(2022, 11, 7), "王五"))
    assert bulletin_chart(issued) is first  # the issue is not in the chart
    other = dataclasses.replace(data, month="2022-09")
    assert bulletin_chart(other) is not first
