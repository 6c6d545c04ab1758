"""The draft 通报 of a month still being collected says what Home says (issue 23 follow-up): a unit
that sent nothing is 未报送 — last, blank, not ranked, counted in no sentence — in the draft's tables,
sentences, Word file, Excel annex and `bulletin --draft`; signing anyway (仍然发布) freezes exactly
what the draft showed. November: the towns' sheet without 孔村镇, no department has reported."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from credit.app.publish import candidate_data, publish_month
from credit.app.service import open_store, scores_payload, unit_detail
from credit.model.contract import SHEET_TOWN, UNIT_COL
from credit.reports.bulletin import build_bulletin_data, to_xlsx
from credit.reports.exports import render_docx
from credit.reports.scored import score
from credit.scoring.not_reported import NOT_REPORTED
from tests.support.actors import EDITOR
from tests.support.cli import run_cli
from tests.support.monthdata import import_month, row

NOV = "2022-11"
TOWNS_REPORTED = 8


def _without_kongcun(data) -> None:
    data.sheets[SHEET_TOWN] = [r for r in data.sheets[SHEET_TOWN] if r[UNIT_COL] != "孔村镇"]


@pytest.fixture
def collecting(demo_db: Path) -> Path:
    with open_store(demo_db) as store:
        import_month(store, NOV, _without_kongcun, only=(SHEET_TOWN,))
    return demo_db


def ranking_tables(docx: bytes) -> list[list[list[str]]]:
    """The Word file's ranking tables (header first cell 排名) as rows of cell texts."""
    doc = Document(io.BytesIO(docx))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    return [t for t in tables if t and t[0][0] == "排名"]


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["排名"].notna()]


def test_the_draft_tables_and_sentences_leave_out_the_units_that_sent_nothing(collecting: Path) -> None:
    with open_store(collecting) as store:
        data = build_bulletin_data(store, NOV)
    towns, depts = (gb.table for gb in data.groups)
    assert list(towns["单位"])[-1] == "孔村镇" and list(towns["状态"]) == ["已报送"] * TOWNS_REPORTED + [NOT_REPORTED]
    last = towns.iloc[-1]
    assert pd.isna(last["排名"]) and pd.isna(last["得分率"]) and pd.isna(last["得分"]) and pd.isna(last["上月排名"])
    ranked = _ranked(towns)
    # competition ranks among the eight, on the printed 得分率
    scores = list(ranked["得分率"])
    assert list(ranked["排名"]) == [1 + sum(s > x for s in scores) for x in scores]
    assert towns["排名变化"].isna().all()  # 8 of 9 ranked: not compared with last month's rank among 9
    assert len(depts) == 31 and (depts["状态"] == NOT_REPORTED).all() and depts["排名"].isna().all()
    assert depts["得分率"].isna().all()
    overall = data.sentences[0]
    top = ranked.iloc[0]
    assert overall.startswith(f"2022年11月，全县9个镇（街道）、开发区中已报送 8 个、平均得分率 {ranked['得分率'].mean():.2f}，"
                              f"{top['单位']}（{top['得分率']:.2f}）")
    assert "孔村镇 1 个单位未报送、不参加排名" in overall and "孔村镇（" not in overall
    assert overall.endswith("31个部门（单位）本月均未报送，暂不排名。")
    assert "部门（单位）：本月均未报送，暂不与上月比较。" in data.sentences
    assert not any("孔村镇" in s for s in data.sentences[1:2])  # not a mover on carried-over figures
    assert "孔村镇（" not in data.text.problems and "司法局（" not in data.text.problems  # not 排名靠后 either
    breakdown = data.groups[0].breakdown
    assert "孔村镇" not in set(breakdown["单位"]) and data.groups[1].breakdown.empty  # 明细: this month's figures only


def test_the_word_file_the_excel_annex_and_the_cli_draft_say_the_same(collecting: Path, tmp_path: Path) -> None:
    with open_store(collecting) as store:
        data = build_bulletin_data(store, NOV)
        docx = render_docx(data)
        xlsx = to_xlsx(data)
    towns, depts = ranking_tables(docx)
    # not ranked: "—" for the rank and every figure, 未报送 in the 得分率 column (one line in a narrow table)
    assert towns[-1][:2] == ["—", "孔村镇"] and towns[-1][-3] == NOT_REPORTED
    assert set(towns[-1][2:-3] + towns[-1][-2:]) == {"—"}
    assert [r[0] for r in towns[1:-1]] == [str(int(x)) for x in _ranked(data.groups[0].table)["排名"]]
    assert len(depts) == 32 and all(r[0] == "—" and r[-3] == NOT_REPORTED for r in depts[1:])
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True)["镇街排名"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "状态" and rows[-1][1] == "孔村镇" and rows[-1][0] is None and rows[-1][-1] == NOT_REPORTED
    out = tmp_path / "草稿.docx"
    done = run_cli("bulletin", "--db", str(collecting), "--month", NOV, "-o", str(out), "--draft")
    assert done.returncode == 0, done.stderr
    assert ranking_tables(out.read_bytes()) == [towns, depts]


def test_the_scores_cli_and_the_unit_detail_mark_the_unit_the_same_way(collecting: Path) -> None:
    with open_store(collecting) as store:
        payload = scores_payload(score(store, NOV, "镇街"))
        uid = next(u["unit_id"] for u in payload["units"] if u["unit"] == "孔村镇")
        detail = unit_detail(store, EDITOR, NOV, uid)
    mine = next(u for u in payload["units"] if u["unit"] == "孔村镇")
    assert mine["rank"] is None and mine["score"] is None and mine["indicators"] == {}
    assert [u["rank"] for u in payload["units"][:TOWNS_REPORTED]] == sorted(u["rank"] for u in payload["units"][:8])
    assert pd.isna(detail.row["rank"]) and pd.isna(detail.row["score"])
    table = run_cli("scores", "--db", str(collecting), "--month", NOV, "--group", "镇街").stdout
    assert "未报送" in table.splitlines()[-1] and "nan" not in table.lower() and "<NA>" not in table


def test_signing_anyway_freezes_exactly_what_the_draft_showed(collecting: Path) -> None:
    with open_store(collecting) as store:
        draft = candidate_data(store, NOV)
        draft_docx = render_docx(draft)
        publish_month(store, NOV, "平信用办〔2022〕11号", date(2022, 12, 5), "张三", EDITOR, with_pdf=False,
                      force_reason="月底前须通报，未报送单位另行督办")
        signed = build_bulletin_data(store, NOV)  # read from the month's record now
        pub = store.publishing.current_publication(NOV)
        _, issued_docx, _ = store.publishing.publication_file(pub["id"], "docx")
        frozen = store.publishing.published_scores(pub["id"])
        home = score(store, NOV, "镇街")
    for before, after in zip(draft.groups, signed.groups, strict=True):
        pd.testing.assert_frame_equal(before.table, after.table)
        pd.testing.assert_frame_equal(before.breakdown, after.breakdown)
    assert signed.sentences == draft.sentences
    assert ranking_tables(issued_docx) == ranking_tables(draft_docx)
    # the frozen ranking: the eight towns that reported, 孔村镇 and the departments have no rank
    assert [r["unit"] for r in frozen] == list(_ranked(draft.groups[0].table)["单位"])
    assert home.label == "已签发" and home.summary["unit"].iloc[-1] == "孔村镇" and pd.isna(home.summary["rank"].iloc[-1])


def test_a_correction_of_a_month_signed_anyway_ranks_the_late_units(collecting: Path) -> None:
    with open_store(collecting) as store:
        publish_month(store, NOV, "平信用办〔2022〕11号", date(2022, 12, 5), "张三", EDITOR, with_pdf=False,
                      force_reason="月底前须通报")
        import_month(store, NOV, reason="孔村镇与各部门补报")
        candidate = candidate_data(store, NOV)
        publish_month(store, NOV, "平信用办〔2022〕12号", date(2022, 12, 9), "张三", EDITOR, with_pdf=False,
                      correction_reason="孔村镇与各部门补报")
        corrected = build_bulletin_data(store, NOV)
    assert all("状态" not in gb.table.columns for gb in candidate.groups)  # everyone has reported now
    assert "孔村镇" in set(_ranked(corrected.groups[0].table)["单位"]) and len(_ranked(corrected.groups[1].table)) == 31
    assert corrected.correction is None or corrected.issue.number == "平信用办〔2022〕12号"


def test_a_reported_zero_is_ranked_not_missing(demo_db: Path) -> None:
    def zeros(data) -> None:
        r = row(data, SHEET_TOWN, "孔村镇")
        for k in list(r):
            if k != UNIT_COL and isinstance(r[k], int | float):
                r[k] = 0

    with open_store(demo_db) as store:
        import_month(store, NOV, zeros, only=(SHEET_TOWN,))
        towns = build_bulletin_data(store, NOV).groups[0].table
    assert "状态" not in towns.columns and towns.loc[towns["单位"] == "孔村镇", "排名"].notna().all()
