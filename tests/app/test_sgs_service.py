"""双公示预检 through the service and the CLI on the demo database: the check writes nothing, the
predicted deduction is what the engine then deducts, "apply" writes exactly one 部门 version with
only this unit's three figures changed, and the rules file can be replaced (validated, audited)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from credit.app import sgs
from credit.app.service import framework_for, open_store, score
from credit.errors import ConfigError, CreditError
from credit.model.accounts import Actor, PermissionDenied
from credit.model.sgs_rules import default_rules_text
from tests.support.actors import EDITOR, VIEWER, file_digest
from tests.support.cli import run_cli
from tests.support.sgs import WRONG_CHECK, codes_xlsx, licence, penalty, xlsx

MONTH = "2022-10"
FINE = "罚款金额（万元）"


def faulty() -> bytes:
    """3 erroneous records (D2a), 2 late (D2b), 2 objection risks (D15a) — counted by hand."""
    late = dict(许可决定日期="2022-09-30", 有效期自="2022-09-30")
    return xlsx(
        [licence(), licence(行政许可决定文书号="L2", 统一社会信用代码=WRONG_CHECK),        # D2a
         licence(行政许可决定文书号="L3", 许可内容=""),                                     # D2a
         licence(行政许可决定文书号="L4", 上报日期="2022-10-17", **late),                    # D2b
         licence(行政许可决定文书号="L5", 上报日期="2022-10-20", 当前状态="无效", **late)],  # D2b + D15a
        [penalty(), penalty(行政处罚决定书文号="P2", 处罚类别="警告", **{FINE: None}),          # D15a
         penalty(行政处罚决定书文号="P3", 处罚决定日期="2022-10-20", 上报日期="2022-10-19")],  # D2a
    )


def clean() -> bytes:
    return xlsx([licence()], [penalty()])


def d_earned(store, unit_id: str, code: str) -> float:
    detail = score(store, MONTH, "部门", with_previous=False).scores.detail
    row = detail[(detail["unit_id"] == unit_id) & (detail["code"] == code)]
    return float(row["earned"].iloc[0])


def dept_versions(store) -> list[int]:
    return [v["version"] for v in store.datasets.versions(MONTH, "部门")]


def test_check_counts_and_writes_nothing(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        unit = sgs.resolve_unit(store.units.register(), "市场监管局", MONTH)
        before = file_digest(store)
        report = sgs.run_check(store, unit, MONTH, faulty(), "导出.xlsx", by=EDITOR)
        codes = sgs.run_code_check(store, unit, MONTH, codes_xlsx([WRONG_CHECK]), "c.xlsx")
        sgs.plan_apply(store, report)
        assert file_digest(store) == before  # check, code check and the apply preview wrote nothing at all
        assert codes.result.bad_codes == 1
    assert report.result.counts() == {"D2a": 3, "D2b": 2, "D15a": 2}
    assert report.figures == {"本月双公示上报数据量": 8, "本月双公示错误数据条数": 3, "本月双公示迟报数据条数": 2}
    assert [p.code for p in report.predictions] == ["D2a", "D2b", "D15a"]
    xlsx_bytes = sgs.problems_excel(report)
    wb = load_workbook(io.BytesIO(xlsx_bytes))
    assert wb.sheetnames == ["问题清单", "预计扣分", "说明"]
    assert wb["问题清单"].max_row == 1 + len(report.result.problems)
    assert [c.value for c in wb["问题清单"][1]] == ["工作表", "类别", "行", "字段", "问题类型", "问题", "修改建议", "计入指标"]


def test_unknown_unit_and_town_refused(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        with pytest.raises(CreditError, match="不在单位名册"):
            sgs.resolve_unit(store.units.register(), "不存在局", MONTH)
        with pytest.raises(CreditError, match="属于「镇街」"):
            sgs.resolve_unit(store.units.register(), "榆山街道", MONTH)


def test_predicted_deduction_is_what_the_engine_deducts(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        unit = sgs.resolve_unit(store.units.register(), "市场监管局", MONTH)
        sgs.apply(store, sgs.plan_apply(store, sgs.run_check(store, unit, MONTH, clean(), "c.xlsx", by=EDITOR)), EDITOR)
        base = {c: d_earned(store, unit.id, c) for c in ("D2a", "D2b")}
        report = sgs.run_check(store, unit, MONTH, faulty(), "f.xlsx", by=EDITOR)
        pred = {p.code: p for p in report.predictions}
        fw = framework_for(store, "部门", MONTH)
        assert pred["D2a"].step == fw.indicator("D2a").param("step")
        created = sgs.apply(store, sgs.plan_apply(store, report), EDITOR)
        assert created == [("部门", len(dept_versions(store)))]
        for code in ("D2a", "D2b"):
            assert base[code] - d_earned(store, unit.id, code) == pytest.approx(pred[code].deduction)
        assert pred["D2a"].deduction > 0 and pred["D2b"].deduction > 0


def test_apply_writes_one_version_with_only_this_units_figures(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        unit = sgs.resolve_unit(store.units.register(), "市场监管局", MONTH)
        old = {r["unit_id"]: r for r in store.datasets.current_sheet(MONTH, "部门")}
        n_versions, others = len(dept_versions(store)), store.datasets.current_sheet(MONTH, "镇街")
        report = sgs.run_check(store, unit, MONTH, faulty(), "f.xlsx", by=EDITOR)
        plan = sgs.plan_apply(store, report)
        assert plan.check.ok and plan.preview.will_change
        assert len(dept_versions(store)) == n_versions  # the plan wrote nothing
        with pytest.raises(PermissionDenied):
            sgs.apply(store, plan, VIEWER)
        sgs.apply(store, plan, EDITOR)
        new = {r["unit_id"]: r for r in store.datasets.current_sheet(MONTH, "部门")}
        assert len(dept_versions(store)) == n_versions + 1
        assert store.datasets.current_sheet(MONTH, "镇街") == others
        strip = lambda r: {k: v for k, v in r.items() if k != "row"}  # noqa: E731
        assert {u: strip(r) for u, r in new.items() if u != unit.id} == {u: strip(r) for u, r in old.items() if u != unit.id}
        changed = {k for k in new[unit.id] if k != "row" and new[unit.id][k] != old[unit.id][k]}
        assert changed <= set(report.figures)
        assert {k: new[unit.id][k] for k in report.figures} == report.figures
        assert store.audit_log(limit=1)[0]["action"].startswith("import")
        # the same plan again changes nothing
        sgs.apply(store, sgs.plan_apply(store, report), EDITOR)
        assert len(dept_versions(store)) == n_versions + 1


def test_rules_replace_validated_and_audited(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        with pytest.raises(ConfigError, match="report_days"):
            sgs.save_rules(store, default_rules_text().replace("report_days = 7", "report_days = 0"), EDITOR)
        with pytest.raises(ConfigError, match="未知指标"):
            sgs.save_rules(store, default_rules_text().replace('indicators = ["D2b"]', 'indicators = ["D9"]'), EDITOR)
        assert store.settings.get(sgs.RULES_META) is None
        with pytest.raises(PermissionDenied):
            sgs.save_rules(store, default_rules_text(), VIEWER)
        unit = sgs.resolve_unit(store.units.register(), "市场监管局", MONTH)
        assert sgs.run_check(store, unit, MONTH, faulty(), "f.xlsx", by=EDITOR).result.counts()["D2b"] == 2
        sgs.save_rules(store, default_rules_text().replace("report_days = 7", "report_days = 10"), EDITOR)
        # with 10 working days, 09-30 → 10-17 (8) is on time and 10-20 (11) still late
        assert sgs.run_check(store, unit, MONTH, faulty(), "f.xlsx", by=EDITOR).result.counts()["D2b"] == 1
        assert sgs.rules_versions(store)[0]["who"] == "office"
        sgs.reset_rules(store, EDITOR)
        assert sgs.current_rules(store).report_days == 7


def test_unit_account_sees_only_its_own_unit(demo_db: Path) -> None:
    unit_actor = Actor("u", "unit", "市场监管局", "shichangjianguan")  # a 被考核单位 account (issue 16)
    with open_store(demo_db) as store:
        reg = store.units.register()
        assert [u.id for u in sgs.checkable_units(reg, MONTH, unit_actor)] == ["shichangjianguan"]
        assert len(sgs.checkable_units(reg, MONTH, EDITOR)) == len(reg.active(MONTH, "部门"))


def sgs_check(*args: str) -> subprocess.CompletedProcess:
    """`python -m credit sgs-check ARGS`, in this process (tests/app/test_cli.py runs the real entry point)."""
    return run_cli("sgs-check", *args)


def test_cli(demo_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "导出.xlsx"
    f.write_bytes(faulty())
    c = tmp_path / "codes.xlsx"
    c.write_bytes(codes_xlsx(["91110000600037341L", WRONG_CHECK, "91110000600037341L"]))
    res = sgs_check("--db", str(demo_db), "--unit", "市场监管局", "--month", "2022-11", str(f), "--codes", str(c),
                    "--format", "json")
    assert res.returncode == 3, res.stderr
    out = json.loads(res.stdout)
    assert out["records"]["figures"]["本月双公示错误数据条数"] == 3 and out["records"]["records"] == 8
    assert out["codes"]["bad_codes"] == 2 and out["codes"]["prediction"]["deduction"] == 1.0
    assert {p["code"] for p in out["records"]["predictions"]} == {"D2a", "D2b", "D15a"}
    table = sgs_check("--db", str(demo_db), "--unit", "市场监管局", "--month", "2022-11", str(f))
    assert table.returncode == 3 and "按当前规则预计扣" in table.stdout and "第 4 行" in table.stdout
    ok = tmp_path / "ok.xlsx"
    ok.write_bytes(clean())
    assert sgs_check("--db", str(demo_db), "--unit", "市场监管局", "--month", "2022-11", str(ok)).returncode == 0
    bad = sgs_check("--db", str(demo_db), "--unit", "不存在局", "--month", "2022-11", str(ok))
    assert bad.returncode == 1 and "不在单位名册" in bad.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    res = sgs_check("--db", str(demo_db), "--unit", "市场监管局", "--month", "2022-11", str(junk))
    assert res.returncode == 1 and "不是有效的 Excel 工作簿" in res.stderr and "Traceback" not in res.stderr
    assert sgs_check("--db", str(demo_db), "--unit", "市场监管局", "--month", "2022-11").returncode == 2


def test_month_warning_far_and_many_months() -> None:
    """Said once, largest months first, at most four named, far months named like any other."""
    months = {"2022-10": 3, "2022-11": 2, "2099-01": 1, "1999-12": 1, "2022-09": 5, "2023-01": 1}
    assert sgs.month_warning(months, "2022-10") == (
        "有 10 条记录的日期不在所选的 2022年10月（2022年9月 5 条、2022年11月 2 条、2099年1月 1 条、1999年12月 1 条 等）："
        "请核对所选月份，或只上传该月上报的记录（按上报日期，没有上报日期时按决定日期）。")
    assert sgs.month_warning({"2022-10": 3}, "2022-10") == "" and sgs.month_warning({}, "2022-10") == ""
