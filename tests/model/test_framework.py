"""Loading, validating, serialising and re-weighting the indicator frameworks."""

from __future__ import annotations

import re

import pytest

from credit.errors import ConfigError
from credit.model.framework import GROUP_FILES, load_framework, parse_framework
from credit.model.units import load_units

REG = load_units()


def _load(group: str):
    return load_framework(group, REG)


def _broken(tmp_path, group: str, old: str, new: str, count: int = 1):
    """Write the default framework with one edit under its usual file name and load it."""
    text = GROUP_FILES[group].read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / GROUP_FILES[group].name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_framework(group, REG, path)
    return str(exc.value)


# ---------------------------------------------------------------- defaults


def test_default_town_framework():
    fw = _load("镇街")
    assert fw.level1_points() == {"信用制度和基础建设": 10, "营商环境": 80, "信用监管": 10}
    assert [lv.points for lv in fw.level1] == [10, 80, 10]
    assert fw.total_points == 100
    assert fw.codes == ["T1", "T2", "T3", "T4a", "T4b", "T5", "T6", "T7", "T8", "T9"]
    assert fw.indicator("T7").applies_to.kinds == ("镇", "街道")
    assert fw.is_official


def test_default_department_framework():
    fw = _load("部门")
    assert fw.level1_points() == {"信用制度和基础建设": 60, "营商环境": 15, "信用监管": 20, "权益保护": 5}
    assert [lv.points for lv in fw.level1] == [60, 15, 20, 5]
    assert fw.total_points == 100
    assert fw.codes == ["D1", "D2a", "D2b", "D2c", "D3", "D4", "D5", "D6", "D7a", "D7b", "D8", "D9",
                        "D10", "D11", "D12", "D13", "D14", "D15a", "D15b"]
    assert fw.indicator("D13").applies_to.units == ("shenpi",)
    assert len(fw.indicator("D2a").applies_to.units) == 16
    assert fw.indicator("D5").param("cap") == 2
    assert fw.indicator("D9").param("cap") == 2  # defaults to the points


# ---------------------------------------------------------------- validation messages


def test_level2_points_must_sum_to_level1(tmp_path):
    # T1 5 → 6: level 1 is 10 but its indicators sum to 11
    msg = _broken(tmp_path, "镇街", 'code = "T1"\nlevel1 = "信用制度和基础建设"\nname = "信用制度文件落实和细化情况"\npoints = 5',
                  'code = "T1"\nlevel1 = "信用制度和基础建设"\nname = "信用制度文件落实和细化情况"\npoints = 6')
    assert "framework_镇街.toml" in msg
    assert "一级指标「信用制度和基础建设」为 10 分，但其二级指标合计 11 分" in msg


def test_missing_rule_parameter(tmp_path):
    msg = _broken(tmp_path, "镇街", "params = { annual_target = 3, prorate = true }", "params = { prorate = true }")
    assert "framework_镇街.toml 的第 1 个 [[indicator]]（T1）" in msg
    assert "缺少参数 params.annual_target" in msg


def test_rule_parameters_are_checked_against_the_declaration(tmp_path):
    # types, bounds and names come from credit/model/rule_params.py
    msg = _broken(tmp_path, "镇街", "params = { annual_target = 3, prorate = true }",
                  'params = { annual_target = -1, prorate = "yes", anual_target = 3 }')
    assert "（T1）：params.annual_target「-1」不能小于 0" in msg
    assert "params.prorate「yes」应为 true 或 false" in msg
    assert "规则 target_count 没有参数 params.anual_target（可用：annual_target、prorate）" in msg


def test_tiers_must_be_pairs_of_non_negative_numbers(tmp_path):
    msg = _broken(tmp_path, "部门", "params = { tiers = [[1, 3], [2, 2]] }", "params = { tiers = [[1, 3], [2]] }")
    assert "（D15b）：params.tiers" in msg and "每一档应为 [工作日上限, 分值]，均为非负数" in msg


def test_deduct_per_item_takes_exactly_one_source(tmp_path):
    msg = _broken(tmp_path, "部门", 'inputs = { x = "统一社会信用代码重错码条数" }',
                  'inputs = { x = "统一社会信用代码重错码条数", event = "严重失信事件" }')
    assert "（D5）：规则 deduct_per_item 需要 inputs.x 或 inputs.event 之一（只能给一个）" in msg


def test_unknown_rule(tmp_path):
    msg = _broken(tmp_path, "部门", 'rule = "min_max"', 'rule = "best_guess"')
    assert "framework_部门.toml" in msg
    assert "（D3）" in msg
    assert "rule「best_guess」不是已知的计分规则" in msg


def test_applies_to_unknown_unit(tmp_path):
    msg = _broken(tmp_path, "部门", 'applies_to = { units = ["shenpi"] }', 'applies_to = { units = ["shenpi", "nosuch"] }')
    assert "framework_部门.toml" in msg and "（D13）" in msg
    assert "applies_to.units 中的单位「nosuch」不在单位名册中" in msg


def test_applies_to_unit_of_the_other_group(tmp_path):
    msg = _broken(tmp_path, "部门", 'applies_to = { units = ["shenpi"] }', 'applies_to = { units = ["yushan"] }')
    assert "applies_to.units 中的单位「yushan」不属于部门" in msg


def test_input_field_not_in_the_workbook_contract(tmp_path):
    msg = _broken(tmp_path, "镇街", 'inputs = { x = "本月出台信用制度文件数" }', 'inputs = { x = "本月出台文件数" }')
    assert "framework_镇街.toml 的第 1 个 [[indicator]]（T1）" in msg
    assert "inputs.x「本月出台文件数」不是月报表中的数据项" in msg


def test_every_problem_is_reported_at_once(tmp_path):
    text = GROUP_FILES["镇街"].read_text(encoding="utf-8")
    text = text.replace('rule = "presence"', 'rule = "nope"').replace(
        'inputs = { x = "本月开展诚信宣传活动次数" }', 'inputs = { x = "活动" }')
    with pytest.raises(ConfigError) as exc:
        parse_framework(text, "edited.toml", REG)
    msg = str(exc.value)
    assert "（T5）" in msg and "（T8）" in msg
    assert msg.startswith("指标体系有误")


def test_wrong_group(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(GROUP_FILES["镇街"].read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="group 应为「部门」"):
        load_framework("部门", REG, path)


# ---------------------------------------------------------------- serialisation


@pytest.mark.parametrize("group", ["镇街", "部门"])
def test_to_toml_round_trips(group):
    fw = _load(group)
    again = parse_framework(fw.to_toml(), fw.source, REG, expected_group=group)
    assert again == fw
    assert again.to_toml() == fw.to_toml()


def test_what_if_to_toml_round_trips():
    fw = _load("部门").with_points({"D5": 3.5}, {"营商环境": 20})
    again = parse_framework(fw.to_toml(), "whatif.toml", REG)
    assert again.indicators == fw.indicators
    assert again.level1 == fw.level1


# ---------------------------------------------------------------- with_points


def test_with_points_returns_a_new_object_and_leaves_the_official_one():
    fw = _load("镇街")
    before = fw.to_toml()
    new = fw.with_points({"T3": 30})
    assert new is not fw
    assert not new.is_official and fw.is_official
    assert new.indicator("T3").points == 30
    assert new.level1_points()["营商环境"] == 90
    assert {lv.name: lv.points for lv in new.level1}["营商环境"] == 90
    assert new.total_points == 110
    # the official framework is exactly as loaded
    assert fw.indicator("T3").points == 20
    assert fw.level1_points()["营商环境"] == 80
    assert fw.to_toml() == before
    assert fw == _load("镇街")


def test_level1_rescale_keeps_in_level_shares():
    fw = _load("镇街")
    new = fw.with_points(level1_points={"营商环境": 40})
    old_level = fw.level1_points()["营商环境"]
    for ind in fw.indicators:
        got = new.indicator(ind.code).points
        if ind.level1 == "营商环境":
            assert got / 40 == pytest.approx(ind.points / old_level)  # e.g. T3: 20/80 = 10/40
        else:
            assert got == ind.points
    assert new.indicator("T3").points == 10
    assert new.level1_points()["营商环境"] == pytest.approx(40)


def test_level1_rescale_departments_with_uneven_split():
    fw = _load("部门")
    new = fw.with_points(level1_points={"信用监管": 30})  # D12 8, D13 8, D14 4 → 12, 12, 6
    assert [new.indicator(c).points for c in ("D12", "D13", "D14")] == [12, 12, 6]
    assert new.total_points == 110


def test_explicit_indicator_points_win_over_level_rescale():
    new = _load("部门").with_points({"D13": 1}, {"信用监管": 30})
    assert new.indicator("D13").points == 1
    assert new.indicator("D12").points == 12


def test_with_points_scales_point_valued_parameters():
    # spec: what-if = new_pts × attainment, so deductions and tiers follow the points
    fw = _load("部门")
    new = fw.with_points({"D5": 4, "D14": 2, "D15b": 6, "D2a": 5})
    assert new.indicator("D5").param("step") == pytest.approx(1.0)  # 0.5 × 4/2
    assert new.indicator("D5").param("cap") == pytest.approx(4.0)  # 2 × 4/2
    assert new.indicator("D14").param("step") == pytest.approx(1.0)  # 2 × 2/4
    assert new.indicator("D2a").param("step") == pytest.approx(0.05)
    assert [list(t) for t in new.indicator("D15b").param("tiers")] == [[1, 6], [2, 4]]
    # the official parameters are untouched
    assert fw.indicator("D5").param("step") == 0.5
    assert fw.indicator("D15b").param("tiers") == ((1, 3), (2, 2))


def test_with_points_rejects_unknown_codes_and_negative_points():
    fw = _load("镇街")
    with pytest.raises(ConfigError, match=re.escape("未知的二级指标代码：X9")):
        fw.with_points({"X9": 1})
    with pytest.raises(ConfigError, match="不能为负数"):
        fw.with_points({"T1": -1})
