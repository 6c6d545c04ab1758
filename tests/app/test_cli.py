"""The CLI shapes others test against: `python -m credit demo|template|import|scores`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from credit.app.demo import MonthData, demo_months, fill_template
from credit.model.contract import UNIT_COL
from credit.model.units import load_units
from tests.support.cli import run_cli, run_subprocess
from tests.support.workbooks import fill_template as workbook

run = run_cli  # in this process; the first test runs the real `python -m credit` entry point


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def fresh_db(tmp_path: Path) -> Path:
    return tmp_path / "fresh.db"


@pytest.mark.slow  # the real `python -m credit` in a new interpreter (its imports cost more than the command)
def test_missing_database_is_created_with_defaults(fresh_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    res = run_subprocess("template", "--db", str(fresh_db), "--month", "2022-03", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert fresh_db.exists()
    wb = load_workbook(out)
    assert {"填报说明", "镇街", "部门", "全县", "扣分事项", "信易+场景", "分级分类监管"} <= set(wb.sheetnames)
    towns = [c.value for c in wb["镇街"]["A"] if c.value]
    assert "榆山街道" in towns and "平阴经济开发区" in towns


@pytest.mark.slow  # a template, an import and three score runs of a fresh database
def test_import_then_scores_json_shape(fresh_db: Path, tmp_path: Path) -> None:
    """A hand-made month: towns only, so every figure below can be checked by hand."""
    register = load_units()
    template = run("template", "--db", str(fresh_db), "--month", "2022-06", "-o", str(tmp_path / "t.xlsx"))
    assert template.returncode == 0
    rows = []
    for u in register.active("2022-06", "镇街"):
        rows.append({"单位名称": u.name, "本月出台信用制度文件数": 0, "信易贷平台注册企业数": 0,
                     "辖区注册企业总数": 1000, "信易贷融资需求金额（万元）": 0, "信易贷授信成功金额（万元）": 0})
    rows[0].update({"本月出台信用制度文件数": 3, "本月报送信用动态稿件数": 6, "本月信用动态稿件被采用数": 3,
                    "信易贷平台注册企业数": 50, "信易贷融资需求金额（万元）": 200, "信易贷授信成功金额（万元）": 100,
                    "清欠未完成案例数": 2, "本月开展诚信宣传活动次数": 1})
    raw = fill_template((tmp_path / "t.xlsx").read_bytes(), MonthData("2022-06", {"镇街": rows}))
    (tmp_path / "m.xlsx").write_bytes(raw)
    res = run("import", "--db", str(fresh_db), "--month", "2022-06", str(tmp_path / "m.xlsx"))
    assert res.returncode == 0, res.stderr
    res = run("scores", "--db", str(fresh_db), "--month", "2022-06", "--group", "镇街", "--format", "json")
    assert res.returncode == 0, res.stderr
    payload = json.loads(res.stdout)
    assert payload["month"] == "2022-06" and payload["group"] == "镇街"
    first = payload["units"][0]
    assert set(first) >= {"unit", "rank", "score", "earned", "possible", "subtotals", "indicators"}
    # 榆山街道 in June: T1 3 docs vs target 1.5 → 5; T2 6/6 and 3/3 → 5; T3 best ratio → 20; T4a/b best → 10+10;
    # T5 no scenario → 0; T6 2 open cases → 8; T7 → 10; T8 1 vs 1.0 → 10; T9 → 10. Total 88 of 100.
    assert first["unit"] == "榆山街道" and first["rank"] == 1
    assert first["indicators"] == {"T1": 5.0, "T2": 5.0, "T3": 20.0, "T4a": 10.0, "T4b": 10.0, "T5": 0.0,
                                   "T6": 8.0, "T7": 10.0, "T8": 10.0, "T9": 10.0}
    assert (first["earned"], first["possible"], first["score"]) == (88.0, 100.0, 88.0)
    assert first["subtotals"] == {"信用制度和基础建设": 10.0, "营商环境": 68.0, "信用监管": 10.0}
    # Everyone else: T6/T7/T9 full (30), T8 0 activities → 0: 30 of 100, and the zone 20 of 90.
    zone = next(u for u in payload["units"] if u["unit"] == "平阴经济开发区")
    assert "T7" not in zone["indicators"]
    assert (zone["earned"], zone["possible"]) == (20.0, 90.0)
    assert zone["score"] == pytest.approx(100 * 20 / 90, abs=1e-6)
    others = [u for u in payload["units"] if u["unit"] not in ("榆山街道", "平阴经济开发区")]
    assert {u["score"] for u in others} == {30.0} and {u["rank"] for u in others} == {2}
    assert zone["rank"] == 9  # 22.22 < 30: competition ranks 1, 2×7, 9

    csv_out = run("scores", "--db", str(fresh_db), "--month", "2022-06", "--group", "镇街", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert table[0]["单位"] == "榆山街道" and float(table[0]["得分率"]) == 88.0
    text = run("scores", "--db", str(fresh_db), "--month", "2022-06", "--group", "镇街", "--format", "table")
    assert "榆山街道" in text.stdout and text.returncode == 0


def test_import_with_errors_writes_nothing(fresh_db: Path, tmp_path: Path) -> None:
    run("template", "--db", str(fresh_db), "--month", "2022-03", "-o", str(tmp_path / "t.xlsx"))
    good_rows = [{"单位名称": "榆山街道", "本月出台信用制度文件数": 1}]
    bad_rows = [{"单位名称": "不存在的镇", "本月出台信用制度文件数": -1}]
    template = (tmp_path / "t.xlsx").read_bytes()
    (tmp_path / "good.xlsx").write_bytes(fill_template(template, MonthData("2022-03", {"镇街": good_rows})))
    (tmp_path / "bad.xlsx").write_bytes(fill_template(template, MonthData("2022-03", {"镇街": bad_rows})))
    before = digest(fresh_db)
    res = run("import", "--db", str(fresh_db), "--month", "2022-03", str(tmp_path / "good.xlsx"),
              str(tmp_path / "bad.xlsx"))
    assert res.returncode == 1
    assert "未导入任何数据" in res.stderr and "不存在的镇" in res.stderr and "镇街" in res.stderr
    assert "[bad.xlsx]" in res.stderr and "[good.xlsx]" not in res.stderr
    assert digest(fresh_db) == before  # the good file was not imported either
    mismatch = run("import", "--db", str(fresh_db), "--month", "2022-04", str(tmp_path / "good.xlsx"))
    assert mismatch.returncode == 1 and "月份" in mismatch.stderr
    assert digest(fresh_db) == before


def test_bad_month_argument_is_refused_in_chinese(fresh_db: Path) -> None:
    res = run("scores", "--db", str(fresh_db), "--month", "2022-13", "--group", "镇街")
    assert res.returncode == 2 and "YYYY-MM" in res.stderr


@pytest.mark.slow  # builds a whole demo database in a subprocess
def test_demo_builds_ten_months_through_the_importer(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    res = run("demo", "--db", str(db))
    assert res.returncode == 0, res.stderr
    again = run("demo", "--db", str(db))
    assert again.returncode == 1 and "--force" in again.stderr
    from credit.app.service import open_store

    with open_store(db) as store:
        assert store.datasets.months_with_data() == [*(f"2022-{m:02d}" for m in range(1, 13)), "2023-01", "2023-02"]
        assert store.settings.get("demo") == "1"
        uploads = {v["filename"] for v in store.datasets.versions()}
        assert len(uploads) == 14  # one archived workbook a month
    months = demo_months(load_units())
    kinds = {r["事项类型"] for m in months for r in m.sheets["扣分事项"]}
    assert kinds == {"村居失信案件", "严重失信事件", "异议信息"}
    handling = {r["处理情况"] for m in months for r in m.sheets["扣分事项"] if r["事项类型"] == "严重失信事件"}
    assert "主动处理" in handling and len(handling) >= 3


def test_status_lists_missing_sheets_and_writes_the_chase_list(demo_db, tmp_path, capsys) -> None:
    """October is complete in the demo; November has nothing yet: all 40 units and 全县 are owed."""
    import json as _json

    import openpyxl

    from credit.app import cli as _cli

    assert _cli.main(["status", "--db", str(demo_db), "--month", "2022-10", "--format", "json"]) == 0
    oct_ = _json.loads(capsys.readouterr().out)
    assert oct_["complete"] is True and oct_["counts"]["未报送"] == 0
    assert oct_["counts"]["已报送"] == 9 + 31 + 1 + 1  # 40 unit rows, 全县, 人社局's one event in 扣分事项
    row = next(r for r in oct_["rows"] if r["单位"] == "榆山街道" and r["工作表"] == "镇街")
    assert row["状态"] == "已报送" and row["上传文件"] == "平阴县信用监测月报_2022-10.xlsx（第 1 版）"
    assert row["上传人"] == "演示数据" and isinstance(row["上传编号"], int)
    out = tmp_path / "催报.xlsx"
    assert _cli.main(["status", "--db", str(demo_db), "--month", "2022-11", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2022-11 报送进度：已报送 0 项，报送为空 0 项，未报送 41 项" in text
    ws = openpyxl.load_workbook(out)["催报清单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "组别", "单位", "未报送或需核实", "联系人", "联系电话", "备注")
    assert len(rows) - 1 == 41 and rows[1][2] == "榆山街道" and rows[1][3] == "镇街：未报送（本月尚未上传“镇街”表）"
    assert rows[-1][1:4] == ("县信用办", "全县", "全县：未报送（本月尚未上传“全县”表）")
    assert _cli.main(["status", "--db", str(demo_db), "--month", "2022-11", "-o", str(tmp_path / "x.csv")]) == 2


def test_target_sets_the_years_xyd_figures_with_an_audit_entry(fresh_db: Path) -> None:
    from credit.app.service import open_store

    res = run("target", "--db", str(fresh_db), "--year", "2023", "--opening", "1200", "--target", "800")
    assert res.returncode == 0, res.stderr
    assert "已设定 2023 年信易贷：年初注册 1,200 家，本年新增目标 800 家（此前未设定）" in res.stdout
    with open_store(fresh_db) as store:
        assert store.xyd_target(2023) == (1200.0, 800.0)
        entry = store.audit_log(action="xyd.set")[0]
        assert entry["who"] == "命令行" and entry["detail"]["year"] == 2023
    bad = run("target", "--db", str(fresh_db), "--year", "2023", "--opening", "1200", "--target", "0")
    assert bad.returncode == 1 and "目标应大于 0" in bad.stderr
    with open_store(fresh_db) as store:
        assert store.xyd_target(2023) == (1200.0, 800.0)


def test_import_refuses_a_tenfold_rise_until_confirm_surges(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    feb, mar = tmp_path / "二月.xlsx", tmp_path / "三月.xlsx"
    feb.write_bytes(workbook({"镇街": [{UNIT_COL: "孔村镇", "清欠未完成案例数": 1}]}, month="2022-02"))
    mar.write_bytes(workbook({"镇街": [{UNIT_COL: "孔村镇", "清欠未完成案例数": 30}]}, month="2022-03"))
    assert run_cli("import", "--db", str(db), "--month", "2022-02", str(feb)).returncode == 0
    res = run_cli("import", "--db", str(db), "--month", "2022-03", str(mar))
    assert res.returncode != 0 and res.stdout == ""
    assert "有 1 项数值比上月增长超过 10 倍" in res.stderr and "孔村镇「清欠未完成案例数」：上月 1.00，本次 30.00（30.0 倍）" in res.stderr
    assert "加 --confirm-surges 重新执行" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("import", "--db", str(db), "--month", "2022-03", "--confirm-surges", str(mar))
    assert res.returncode == 0, res.stderr
    assert "已导入 2022-03" in res.stdout
