"""Signing the 年度通报: refusals in Chinese with nothing written, the signed result frozen against later
imports, 更正 as a new record, one 文号 across monthly and annual publications."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from credit.app.annual_publish import publish_year, signed_year
from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.errors import CreditError
from credit.model.accounts import PermissionDenied
from credit.model.contract import SHEET_TOWN, UNIT_COL
from credit.reports.annual import year_view
from credit.workbook.importer import parse_workbook
from tests.support.actors import ADMIN, EDITOR, VIEWER, file_digest
from tests.support.workbooks import fill_template

NO1, NO2 = "平信用办〔2023〕1号", "平信用办〔2023〕2号"


@pytest.fixture()
def db(year_demo_db_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    path.write_bytes(year_demo_db_master.read_bytes())
    return path


def test_refusals_in_chinese_and_nothing_written(db: Path) -> None:
    with open_store(db) as store:
        for group in ("镇街", "部门"):
            year_view(store, 2022, group)  # every month scored and its result stored (a cache, not the record)
        before = file_digest(store)
        cases = [
            (("平信用办2023-1", "2023-01-05", "张三"), EDITOR, "文号「平信用办2023-1」格式有误"),
            ((NO1, "2022-12-31", "张三"), EDITOR, "早于或等于 2022-12 的月末（2022-12-31）"),
            (("平信用办〔2022〕9号", "2023-01-05", "张三"), EDITOR, "文号年份〔2022〕与成文日期 2023-01-05 的年份不一致"),
            ((NO1, "2023-01-05", "  "), EDITOR, "请填写签发人"),
            ((NO1, "2023-13-05", "张三"), EDITOR, "成文日期「2023-13-05」不是有效的日期"),
            ((NO1, "2023-01-05", "张\x01三"), EDITOR, "签发人含有不允许的控制字符（第 2 个字符，U+0001）"),
            ((NO1, "2023-01-05", "张\u200b三"), EDITOR, "签发人含有不允许的零宽字符（第 2 个字符，U+200B 零宽空格）"),
            ((NO1 + "\u202e", "2023-01-05", "张三"), EDITOR, "文号含有不允许的文字方向控制字符（第 13 个字符，U+202E 从右到左覆盖）"),
            ((NO1, "2023-01-05", "张" * 51), EDITOR, "签发人过长：共 51 个字符，最多 50 个"),
        ]
        for args, actor, message in cases:
            with pytest.raises(CreditError, match=re.escape(message)):
                publish_year(store, 2022, *args, actor, with_pdf=False)
        with pytest.raises(PermissionDenied):
            publish_year(store, 2022, NO1, "2023-01-05", "张三", VIEWER, with_pdf=False)
        with pytest.raises(CreditError, match="2024年没有导入任何数据"):
            publish_year(store, 2024, "平信用办〔2025〕1号", "2025-01-05", "张三", EDITOR, with_pdf=False)
        assert file_digest(store) == before
        assert store.annual_publishing.publications() == []


def test_signed_result_is_frozen_and_a_correction_is_a_new_record(db: Path) -> None:
    with open_store(db) as store:
        live = year_view(store, 2022, "镇街").annual.table
        done = publish_year(store, 2022, NO1, date(2023, 1, 5), "张三", EDITOR, with_pdf=False)
        assert done.kind == "original" and set(done.files) == {"docx", "xlsx"}
        signed = year_view(store, 2022, "镇街").annual
        assert signed.signed is not None and signed.status == "已签发，临时结果"  # December itself is not signed
        assert "以 2023-01-05 签发的年度通报（平信用办〔2023〕1号）为准" in signed.basis
        pd_cols = ["unit_id", "年度得分率", "年度排名", "等次"]
        assert signed.table[pd_cols].to_dict("records") == live[pd_cols].to_dict("records")
        name, blob, _ = store.annual_publishing.file(done.publication_id, "docx")
        text = "\n".join(p.text for p in Document(io.BytesIO(blob)).paragraphs)
        assert name.endswith(f"_{NO1}.docx") and NO1 in text and "签发人：张三" in text
        # a later import that moves December does not move the signed result …
        register = store.units.register()
        last = live.iloc[-1]  # the last-ranked town catches up in a corrected December
        first, was = last["单位"], last["年度得分率"]
        raw = fill_template({SHEET_TOWN: [{UNIT_COL: first, "本月出台信用制度文件数": 9,
                                           "本月报送信用动态稿件数": 9, "本月信用动态稿件被采用数": 9}]},
                            month="2022-12", units=register)
        store.datasets.import_workbooks([(parse_workbook(raw, "更正.xlsx", "2022-12", register), raw, "更正.xlsx")], EDITOR)
        moved = year_view(store, 2022, "镇街", signed=False).annual.table.set_index("单位")
        assert moved.loc[first, "年度得分率"] > was
        frozen = year_view(store, 2022, "镇街").annual.table.set_index("单位")
        assert frozen.loc[first, "年度得分率"] == was
        # … until a 更正 is signed, which needs its reason and a new number
        with pytest.raises(CreditError, match="再次签发即为更正，须填写更正说明"):
            publish_year(store, 2022, NO2, "2023-01-06", "李四", ADMIN, with_pdf=False)
        with pytest.raises(CreditError, match="同一文号不能重复"):
            publish_year(store, 2022, NO1, "2023-01-06", "李四", ADMIN, correction_reason="12 月数据更正", with_pdf=False)
        fixed = publish_year(store, 2022, NO2, "2023-01-06", "李四", ADMIN, correction_reason="12 月数据更正",
                             with_pdf=False)
        assert fixed.kind == "correction"
        now = year_view(store, 2022, "镇街").annual
        assert now.table.set_index("单位").loc[first, "年度得分率"] == moved.loc[first, "年度得分率"]
        assert signed_year(store, 2022).number == NO2
        pubs = store.annual_publishing.publications(2022)
        assert [p["number"] for p in pubs] == [NO2, NO1] and pubs[0]["corrects"] == pubs[1]["id"]
        with pytest.raises(sqlite3.DatabaseError, match="年度通报发布记录不可修改"):
            store._core.conn.execute("UPDATE annual_publications SET signer = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="已签发的年度结果不可删除"):
            store._core.conn.execute("DELETE FROM annual_results")


def test_one_number_across_monthly_and_annual_publications(db: Path) -> None:
    with open_store(db) as store:
        publish_month(store, "2022-12", NO1, "2023-01-05", "张三", EDITOR, with_pdf=False, force_reason="演示")
        with pytest.raises(CreditError, match=re.escape(f"文号「{NO1}」已用于 2022-12 的通报")):
            publish_year(store, 2022, NO1, "2023-01-06", "张三", EDITOR, with_pdf=False)
        publish_year(store, 2022, NO2, "2023-01-06", "张三", EDITOR, with_pdf=False)
        with pytest.raises(CreditError, match=re.escape(f"文号「{NO2}」已用于 2022 年度通报")):
            publish_month(store, "2023-01", NO2, "2023-02-05", "张三", EDITOR, with_pdf=False, force_reason="演示")
        # December signed: the month's figures in the year are its record
        assert year_view(store, 2022, "部门").grid.states["2022-12"] == "已签发"


def test_a_used_number_is_refused_before_the_year_is_scored_or_drawn(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 28: everything that can refuse a 签发 is checked before anything is rendered."""
    import credit.app.annual_publish as annual_mod

    with open_store(db) as store:
        publish_month(store, "2022-12", NO1, "2023-01-05", "张三", EDITOR, with_pdf=False, force_reason="演示")
        for name in ("year_view", "render", "signed_files"):
            monkeypatch.setattr(annual_mod, name, lambda *a, **k: pytest.fail("drawn before the number was checked"))
        with pytest.raises(CreditError, match="已用于 2022-12 的通报"):
            publish_year(store, 2022, NO1, "2023-01-06", "张三", EDITOR)
