"""What the pages used to compute themselves, now in `credit/` (issue 24, item 4), each against a
hand-made case: the rank history of a year, a unit's first-level subtotals, the evidence register's
per-unit counts and the official weight versions' table."""

from __future__ import annotations

import pandas as pd
import pytest

from credit.app.service import framework_version_rows
from credit.model.accounts import SYSTEM
from credit.model.framework import default_framework_texts
from credit.model.units import load_units
from credit.scoring.compare import year_history
from credit.scoring.unit_view import level1_subtotals
from credit.store.facade import Store
from credit.workbook.registers import UNIT_COUNT_COLUMNS, unit_counts


def _summary(month: str, rank: int) -> pd.DataFrame:
    return pd.DataFrame({"month": [month], "unit_id": ["a"], "rank": [rank]})


def test_year_history_takes_the_months_of_the_year_up_to_the_month_oldest_first():
    asked = []

    def summary_of(m: str) -> pd.DataFrame:
        asked.append(m)
        return _summary(m, int(m[-2:]))

    months = ["2022-11", "2021-12", "2022-03", "2022-12", "2022-01"]  # unordered, another year, a later month
    h = year_history(months, "2022-11", summary_of)
    assert h["month"].tolist() == ["2022-01", "2022-03", "2022-11"] and h["rank"].tolist() == [1, 3, 11]
    assert asked == ["2022-01", "2022-03", "2022-11"]  # nothing scored that is not shown
    assert year_history(["2021-05"], "2022-01", summary_of).empty


def test_level1_subtotals_sum_the_applicable_indicators_in_framework_order():
    detail = pd.DataFrame({
        "unit_id": ["u", "u", "u", "u", "v"],
        "level1": ["营商环境", "信用建设", "营商环境", "信用建设", "营商环境"],
        "applies": [True, True, True, False, True],
        "earned": [2.5, 4.0, 1.0, 0.0, 9.0],
        "possible": [3.0, 5.0, 2.0, 0.0, 9.0],
    })
    lv = level1_subtotals(detail, "u")
    # 营商环境: 2.5 + 1.0 of 3 + 2; 信用建设: 4 of 5 (the row that does not apply is left out); v is not u
    assert lv.to_dict("records") == [
        {"level1": "营商环境", "earned": 3.5, "possible": 5.0},
        {"level1": "信用建设", "earned": 4.0, "possible": 5.0},
    ]
    assert level1_subtotals(detail, "nobody").empty


def test_register_unit_counts_per_active_unit():
    register = load_units()
    month = "2022-10"
    towns = register.active(month, "镇街")
    a, b = towns[0], towns[1]
    table = pd.DataFrame({
        "unit_id": [a.id, a.id, a.id, b.id],
        "重复": [False, True, False, False],
        "证明材料": [2, 5, 0, 1],  # the duplicate's 5 files are not counted
    })
    counts = unit_counts(register, month, table, {"镇街": {a.id: 2}})
    assert list(counts.columns) == UNIT_COUNT_COLUMNS
    rows = counts.set_index("单位")
    assert rows.loc[a.name_at(month)].tolist() == ["镇街", 2, 1, 2]
    assert rows.loc[b.name_at(month)].tolist() == ["镇街", 0, 0, 1]  # its entry is not scored (not in `scored`)
    n_active = sum(len(register.active(month, g)) for g in ("镇街", "部门"))
    assert len(counts) == n_active and set(counts["分组"]) == {"镇街", "部门"}
    assert (counts.loc[counts["分组"] == "部门", "计分条目数"] == 0).all()


@pytest.fixture()
def seeded(tmp_path):
    with Store(tmp_path / "w.db") as store:
        store.seeding.seed_defaults(load_units(), default_framework_texts(), by=SYSTEM)
        yield store


def test_framework_version_rows_name_the_seeded_version_and_the_one_in_force(seeded: Store):
    (row,) = framework_version_rows(seeded, "镇街", current_id=None)
    assert row["生效月份"] == "初始版本" and row["本月执行"] == ""
    levels = {k: v for k, v in row.items() if k not in ("版本", "生效月份", "本月执行", "发布人", "发布时间", "原因")}
    assert levels and sum(levels.values()) == pytest.approx(100)  # first-level weights of the 100-point framework
    (row,) = framework_version_rows(seeded, "镇街", current_id=row["版本"])
    assert row["本月执行"] == "✓"
    assert "None" not in str(row) and "nan" not in str(row)
