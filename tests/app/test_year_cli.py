"""`python -m credit year` and the 年度通报 files: the same figures as the year's view, refusals in Chinese."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from credit.app.service import open_store
from credit.reports.annual import year_view
from tests.support.cli import run_cli


@pytest.fixture(scope="module")
def year_db(year_demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("year") / "demo.db"
    db.write_bytes(year_demo_db_master.read_bytes())
    return db


def test_json_and_csv_carry_the_views_figures(year_db: Path) -> None:
    with open_store(year_db) as store:
        view = year_view(store, 2022, "镇街")
    done = run_cli("year", "--year", "2022", "--group", "镇街", "--format", "json", "--db", str(year_db))
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["method"] == "december" and payload["final"] is False
    assert [m["month"] for m in payload["months"]] == view.months
    first = view.annual.table.iloc[0]
    unit = next(u for u in payload["units"] if u["unit_id"] == first["unit_id"])
    assert unit["annual"]["rank"] == 1 and unit["annual"]["score"] == first["年度得分率"]
    assert unit["months"]["2022-12"]["score"] == pytest.approx(view.grid.scores.loc[first["unit_id"], "2022-12"], abs=1e-6)
    rows = list(csv.DictReader(io.StringIO(run_cli("year", "--year", "2022", "--group", "镇街", "--format", "csv",
                                                   "--db", str(year_db)).stdout)))
    assert [r["单位"] for r in rows] == list(view.annual.table["单位"])
    assert rows[0]["12月排名"] == "1" and rows[0]["等次"] == first["等次"]
    table = run_cli("year", "--year", "2022", "--group", "部门", "--db", str(year_db))
    assert table.returncode == 0 and "2022年 部门 年度结果（临时结果" in table.stdout


def test_refusals_and_an_empty_year(year_db: Path, tmp_path: Path) -> None:
    empty = run_cli("year", "--year", "2024", "--group", "镇街", "--db", str(year_db))
    assert empty.returncode == 1 and "2024年还没有任何月份的数据" in empty.stderr
    bad = run_cli("year", "--year", "2022", "--group", "镇街", "--db", str(year_db), "-o", str(tmp_path / "x.txt"))
    assert bad.returncode == 2 and "扩展名应为 .docx（Word）、.pdf 或 .xlsx（Excel），实际为「.txt」" in bad.stderr
    assert not (tmp_path / "x.txt").exists()
    far = run_cli("year", "--year", "99999", "--group", "镇街", "--db", str(year_db))
    assert far.returncode == 2 and "2000—2100" in far.stderr
    group = run_cli("year", "--year", "2022", "--group", "镇", "--db", str(year_db))
    assert group.returncode == 2
    nothing = run_cli("year", "--year", "2024", "--group", "镇街", "--db", str(year_db), "-o", str(tmp_path / "y.docx"))
    assert nothing.returncode == 1 and "2024年还没有任何月份的数据，无从生成年度通报" in nothing.stderr
    assert not (tmp_path / "y.docx").exists()
    nodir = run_cli("year", "--year", "2022", "--group", "镇街", "--db", str(year_db), "-o", str(tmp_path / "无" / "y.xlsx"))
    assert nodir.returncode == 2 and f"输出文件所在的文件夹「{tmp_path / '无'}」不存在" in nodir.stderr
    (tmp_path / "占用.xlsx").mkdir()  # a folder where the file should go: refused whole, nothing left beside it
    taken = run_cli("year", "--year", "2022", "--group", "镇街", "--db", str(year_db), "-o", str(tmp_path / "占用.xlsx"))
    assert taken.returncode == 1 and f"无法写入输出文件「{tmp_path / '占用.xlsx'}」" in taken.stderr
    assert "Traceback" not in taken.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["占用.xlsx"]


def test_the_annual_bulletin_files_say_what_the_tables_say(year_db: Path, tmp_path: Path) -> None:
    with open_store(year_db) as store:
        towns = year_view(store, 2022, "镇街")
    docx = tmp_path / "年度通报.docx"
    done = run_cli("year", "--year", "2022", "--group", "镇街", "--db", str(year_db), "-o", str(docx))
    assert done.returncode == 0, done.stderr
    doc = Document(str(docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2022年度通报" in text and "（草稿，文号待定）2022年度" in text
    top = towns.annual.table.iloc[0]
    assert f"{top['单位']}以 {top['年度得分率']:.2f} 位列第一" in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0] == ["年度排名", "单位", "年度得分率", "等次", "计入月数"]
    assert cells[1][:4] == ["1", top["单位"], f"{top['年度得分率']:.2f}", top["等次"]]
    xlsx = tmp_path / "年度通报.xlsx"
    assert run_cli("year", "--year", "2022", "--group", "镇街", "--db", str(year_db), "-o", str(xlsx)).returncode == 0
    wb = load_workbook(xlsx, read_only=True)
    assert {"说明", "镇街年度结果", "部门各月排名"} <= set(wb.sheetnames)
    rows = list(wb["镇街年度结果"].iter_rows(values_only=True))
    assert rows[1][:4] == (top["单位"], top["年度得分率"], 1, top["等次"])
