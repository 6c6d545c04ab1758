"""Observations 1 and 8 of issue 23 at the command line: `scores` of a signed month is its record (the
per-indicator points add up to the frozen 得分 after a correction import); after 签发, `bulletin
--month M` returns the document as issued (its number on page 1) unless `--draft`, and
`publications` lists and writes out a month's documents."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from credit.app.publish import publish_month
from credit.app.service import open_store, score
from credit.model.contract import SHEET_TOWN
from tests.app.test_publish import _import
from tests.support.actors import EDITOR
from tests.support.cli import run_cli

OCT = "2022-10"


def _adds_up(payload: dict) -> list[str]:
    """Units whose per-indicator points do not add up to their 得分 (to the cent)."""
    return [u["unit"] for u in payload["units"] if abs(sum(u["indicators"].values()) - u["earned"]) > 0.005]


def _frozen(store, pub_id: int, group: str) -> pd.DataFrame:
    return pd.DataFrame(store.publishing.published_scores(pub_id, group)).set_index("unit_id")


def _sign_october(store) -> int:
    return publish_month(store, OCT, "平信用办〔2022〕10号", date(2022, 11, 5), "张三", EDITOR,
                         with_pdf=False).publication_id


def _best_demand(unit_name: str = "榆山街道", amount: float = 99999):
    """One town's 融资需求 far above the rest: the peer best moves, so every town's share changes."""
    def edit(data) -> None:
        next(r for r in data.sheets[SHEET_TOWN] if r["单位名称"] == unit_name)["信易贷融资需求金额（万元）"] = amount
    return edit


def test_scores_of_a_signed_month_come_from_its_record_after_a_correction_import(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        pub = _sign_october(store)
        # 榆山街道 reports many more articles: the peer best moves, so every town's share-of-best changes
        _import(store, OCT, _best_demand(), reason="榆山街道融资需求金额更正")
        frozen = _frozen(store, pub, "镇街")
        candidate = score(store, OCT, "镇街", published=False)
        moved = (candidate.summary.set_index("unit_id")["earned"] - frozen["earned"]).abs() > 0.005
        assert moved.sum() >= 5  # today's data gives other figures for most towns
    res = run_cli("scores", "--db", str(demo_db), "--month", OCT, "--group", "镇街", "--format", "json")
    assert res.returncode == 0, res.stderr
    payload = json.loads(res.stdout)
    assert _adds_up(payload) == []
    for u in payload["units"]:
        assert u["earned"] == pytest.approx(frozen.loc[u["unit_id"], "earned"], abs=1e-5)  # JSON: 5 decimals
        assert u["rank"] == frozen.loc[u["unit_id"], "rank"]
        assert u["subtotals"] == pytest.approx(dict(frozen.loc[u["unit_id"], "subtotals"]), abs=1e-5)
    table = run_cli("scores", "--db", str(demo_db), "--month", OCT, "--group", "镇街", "--format", "csv")
    csv = pd.read_csv(io.StringIO(table.stdout))
    codes = [c for c in csv.columns if c[:1] == "T" and c[1:2].isdigit()]
    assert (csv[codes].sum(axis=1) - csv["得分"]).abs().max() < 0.05  # each rounded to the cent




def _paragraphs(blob: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(blob)).paragraphs]


def _publish(db: Path, number: str, *extra: str) -> None:
    res = run_cli("publish", "--db", str(db), "--month", OCT, "--number", number, "--date", "2022-11-05",
                  "--signer", "张三", "--no-pdf", *extra)
    assert res.returncode == 0, res.stderr


def test_bulletin_of_a_signed_month_is_the_issued_document_unless_draft(demo_db: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.docx"
    assert run_cli("bulletin", "--db", str(demo_db), "--month", OCT, "-o", str(before)).returncode == 0
    assert _paragraphs(before.read_bytes())[1].startswith("（草稿，文号待定）")
    _publish(demo_db, "平信用办〔2022〕10号")
    with open_store(demo_db) as store:
        pub = store.publishing.current_publication(OCT)
        _, issued, sha = store.publishing.publication_file(pub["id"], "docx")
        _, issued_xlsx, _ = store.publishing.publication_file(pub["id"], "xlsx")
    out = tmp_path / "通报.docx"
    res = run_cli("bulletin", "--db", str(demo_db), "--month", OCT, "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == issued and sha in res.stdout and "平信用办〔2022〕10号" in res.stdout
    assert _paragraphs(issued)[1].startswith("平信用办〔2022〕10号")  # the number on page 1
    xlsx = tmp_path / "通报.xlsx"
    assert run_cli("bulletin", "--db", str(demo_db), "--month", OCT, "-o", str(xlsx)).returncode == 0
    assert xlsx.read_bytes() == issued_xlsx
    # signed without a PDF: said so, nothing written
    pdf = tmp_path / "通报.pdf"
    res = run_cli("bulletin", "--db", str(demo_db), "--month", OCT, "-o", str(pdf))
    assert res.returncode == 1 and "签发时没有生成 pdf 文件；已有：docx、xlsx" in res.stderr and not pdf.exists()
    # --draft: a new render from today's data, marked as a draft
    draft = tmp_path / "草稿.docx"
    res = run_cli("bulletin", "--db", str(demo_db), "--month", OCT, "-o", str(draft), "--draft")
    assert res.returncode == 0 and "更正候选草稿" in res.stdout
    assert _paragraphs(draft.read_bytes())[1].startswith("（草稿，文号待定）")


def test_publications_lists_and_writes_the_issued_files(demo_db: Path, tmp_path: Path) -> None:
    res = run_cli("publications", "--db", str(demo_db), "--month", OCT)
    assert res.returncode == 0 and "2022-10 尚未签发通报" in res.stdout
    _publish(demo_db, "平信用办〔2022〕10号")
    _publish(demo_db, "平信用办〔2022〕11号", "--reason", "核对后重新签发")
    with open_store(demo_db) as store:
        correction, original = store.publishing.publications(OCT)
    res = run_cli("publications", "--db", str(demo_db), "--month", OCT)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "2022-10 的发布记录（2 份，最新在前；第一份为现行）："
    assert lines[1].startswith(f"  #{correction['id']} 更正通报 平信用办〔2022〕11号  成文日期 2022-11-05  签发人 张三")
    assert "更正说明：核对后重新签发" in lines[1]
    assert any(line.startswith(f"  #{original['id']} 通报 平信用办〔2022〕10号") for line in lines)
    out = tmp_path / "发布"
    res = run_cli("publications", "--db", str(demo_db), "--month", OCT, "-o", str(out), "--id", str(original["id"]))
    assert res.returncode == 0, res.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f["filename"] for f in original["files"])
    for f in original["files"]:
        assert hashlib.sha256((out / f["filename"]).read_bytes()).hexdigest() == f["sha256"]
    # the month's bulletin is now the 更正通报 in force
    cur = tmp_path / "现行.docx"
    assert run_cli("bulletin", "--db", str(demo_db), "--month", OCT, "-o", str(cur)).returncode == 0
    assert _paragraphs(cur.read_bytes())[1].startswith("平信用办〔2022〕11号")
    res = run_cli("publications", "--db", str(demo_db), "--month", OCT, "--id", "999")
    assert res.returncode == 1 and "2022-10 没有编号为 999 的发布记录" in res.stderr
