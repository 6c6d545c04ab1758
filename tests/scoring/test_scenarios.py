"""Saved scenarios and official weight versions (credit.scoring.scenarios, credit.store.scenarios)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from credit.app import service
from credit.errors import CreditError
from credit.model.accounts import Actor, PermissionDenied
from credit.model.framework import parse_framework
from credit.model.scenarios import Scenario
from credit.scoring import whatif
from credit.scoring.scenarios import comparison, comparison_excel, fit

OFFICE = Actor("office", "editor", "信用办")
LEADER = Actor("leader", "viewer", "领导")
GROUP = "部门"


@pytest.fixture()
def store(demo_db):
    with service.open_store(demo_db) as s:
        yield s


def _official(store, month: str = "2022-10"):
    return service.framework_for(store, GROUP, month)


def _less_business(fw):
    """营商环境 15 → 5 in budget mode (the others rescaled to keep 100)."""
    return whatif.set_level1(fw, whatif.official_points(fw), "营商环境", 5, budget=100)


def test_a_saved_scenario_round_trips(store):
    fw = _official(store)
    points = _less_business(fw)
    version = store.data_version()
    sid = store.scenarios.save_scenario(" 营商环境5分 ", GROUP, "2022-10", points, "领导小组讨论稿", OFFICE)
    sc = store.scenarios.scenario(sid, by=None)
    assert isinstance(sc, Scenario)
    assert (sc.name, sc.group, sc.month, sc.note, sc.created_by) == ("营商环境5分", GROUP, "2022-10", "领导小组讨论稿", "office")
    assert sc.points == points
    assert sc.created_at[:4] == str(pd.Timestamp.now().year)
    assert [s.id for s in store.scenarios.scenarios(GROUP, by=None)] == [sid]
    assert store.scenarios.scenarios("镇街", by=None) == []
    assert store.data_version() == version + 1
    entry = store.audit_log(limit=1)[0]
    assert (entry["who"], entry["action"], entry["detail"]["name"]) == ("office", "scenario.save", "营商环境5分")
    # saving changes no official score
    assert service.framework_for(store, GROUP, "2022-10").version_id == fw.version_id


def test_scenarios_are_listed_newest_first_and_names_are_unique_per_group(store):
    pts = whatif.official_points(_official(store))
    a = store.scenarios.save_scenario("甲", GROUP, "2022-10", pts, "", OFFICE)
    b = store.scenarios.save_scenario("乙", GROUP, "2022-10", pts, "", OFFICE)
    assert [s.id for s in store.scenarios.scenarios(GROUP, by=None)] == [b, a]
    with pytest.raises(CreditError, match="已有名为「甲」的方案"):
        store.scenarios.save_scenario("甲", GROUP, "2022-09", pts, "", OFFICE)
    town = whatif.official_points(service.framework_for(store, "镇街", "2022-10"))
    store.scenarios.save_scenario("甲", "镇街", "2022-10", town, "", OFFICE)  # another group: fine


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": "  "}, "请填写方案名称"),
    ({"name": "长" * 41}, "不超过 40 个字"),
    ({"points": {"D1": -1}}, "非负数"),
    ({"points": {"D1": 0}}, "合计应大于 0"),
    ({"month": "2022-13"}, "格式有误"),
    ({"group": "乡镇"}, "分组应为"),
])
def test_bad_scenarios_are_refused_and_nothing_is_written(store, kwargs, message):
    args = {"name": "方案", "group": GROUP, "month": "2022-10", "points": {"D1": 10}, "note": "", "by": OFFICE}
    version = store.data_version()
    with pytest.raises(CreditError, match=message):
        store.scenarios.save_scenario(**{**args, **kwargs})
    assert store.data_version() == version


def test_a_viewer_may_not_save_or_adopt(store):
    fw = _official(store)
    with pytest.raises(PermissionDenied):
        store.scenarios.save_scenario("方案", GROUP, "2022-10", whatif.official_points(fw), "", LEADER)
    with pytest.raises(PermissionDenied):
        service.adopt_weights(store, fw, "2022-06", _less_business(fw), LEADER, "试试")
    assert store.scenarios.scenarios(GROUP, by=None) == []


def test_adopting_from_a_month_leaves_earlier_months_unchanged(store):
    fw = _official(store)
    points = _less_business(fw)
    months = store.datasets.months_with_data()
    before = {m: service.score(store, m, GROUP, with_previous=False).scores for m in months}
    sid = store.scenarios.save_scenario("营商环境5分", GROUP, "2022-10", points, "", OFFICE)
    new_id = service.adopt_weights(store, fw, "2022-06", points, OFFICE, "领导小组会议决定", scenario_id=sid)

    for m in months:
        after = service.score(store, m, GROUP, with_previous=False).scores
        if m < "2022-06":
            assert after.framework.version_id == fw.version_id
            pd.testing.assert_frame_equal(after.summary, before[m].summary)
        else:
            assert after.framework.version_id == new_id
            # the new official result is what the what-if promised (deductions scale with points)
            predicted = whatif.reweight(before[m].detail, before[m].framework, points).set_index("unit_id")
            got = after.summary.set_index("unit_id").reindex(predicted.index)
            assert np.allclose(got["score"], predicted["score"], atol=1e-9)
            assert (got["rank"] == predicted["rank"]).all()
    assert whatif.level1_totals(after.framework, whatif.official_points(after.framework))["营商环境"] == 5


def test_an_adoption_is_a_new_validated_version_with_who_old_new_and_why(store):
    fw = _official(store)
    points = _less_business(fw)
    versions = len(store.frameworks.framework_versions(GROUP))
    new_id = service.adopt_weights(store, fw, "2022-06", points, OFFICE, "  领导小组会议决定 ")
    rows = store.frameworks.framework_versions(GROUP)
    assert len(rows) == versions + 1
    row = rows[-1]
    assert (row["id"], row["effective_month"], row["created_by"], row["reason"]) == (new_id, "2022-06", "office", "领导小组会议决定")
    parsed = parse_framework(row["toml"], "adopted", store.units.register(), expected_group=GROUP)
    assert whatif.official_points(parsed) == points
    change = store.scenarios.weight_changes(GROUP)[0]
    d = change["detail"]
    assert change["who"] == "office" and change["at"]
    assert d["reason"] == "领导小组会议决定" and d["effective_month"] == "2022-06"
    assert d["previous_framework_id"] == fw.version_id and d["framework_id"] == new_id
    assert d["old"]["level1"]["营商环境"] == 15 and d["new"]["level1"]["营商环境"] == 5
    assert d["old"]["indicators"]["D6"] == 3 and d["new"]["indicators"] == points


@pytest.mark.parametrize(("change", "reason", "message"), [
    (lambda fw: _less_business(fw), " ", "请填写调整官方权重的原因"),
    (lambda fw: whatif.set_level1(fw, whatif.official_points(fw), "营商环境", 25, budget=None), "因为", "合计应为 100 分"),
    (lambda fw: whatif.official_points(fw), "因为", "无需发布"),
])
def test_bad_adoptions_are_refused_and_nothing_is_written(store, change, reason, message):
    fw = _official(store)
    version = store.data_version()
    with pytest.raises(CreditError, match=message):
        service.adopt_weights(store, fw, "2022-06", change(fw), OFFICE, reason)
    assert store.data_version() == version


def test_adopting_against_another_version_is_refused(store):
    fw = _official(store)
    service.adopt_weights(store, fw, "2022-06", _less_business(fw), OFFICE, "第一次调整")
    newer = _official(store, "2022-10")
    again = whatif.set_level1(newer, whatif.official_points(newer), "权益保护", 10, budget=100)
    with pytest.raises(CreditError, match="另一版本"):
        service.adopt_weights(store, newer, "2022-03", again, OFFICE, "第二次调整")
    service.adopt_weights(store, newer, "2022-08", again, OFFICE, "第二次调整")
    assert [v["effective_month"] for v in store.frameworks.framework_versions(GROUP)][-2:] == ["2022-06", "2022-08"]


def test_fit_keeps_known_codes_and_reports_the_rest(store):
    fw = _official(store)
    points, dropped = fit(fw, {"D1": 12.0, "D99": 3.0})
    assert points["D1"] == 12 and points["D2a"] == 10 and dropped == ["D99"]


def test_comparison_with_the_official_ranking_and_its_excel(store):
    gm = service.score(store, "2022-10", GROUP, with_previous=False)
    fw, detail = gm.scores.framework, gm.scores.detail
    a = Scenario(1, "甲", GROUP, "2022-10", _less_business(fw))
    b = Scenario(2, "乙", GROUP, "2022-10", whatif.official_points(fw))
    ranks, weights = comparison(detail, fw, [a, b])
    assert ranks["官方排名"].tolist() == gm.scores.summary["rank"].astype(int).tolist()
    assert ranks["乙排名"].tolist() == ranks["官方排名"].tolist()
    assert (ranks["乙排名变化"] == 0).all()
    sim = whatif.simulate(detail, fw, a.points).table
    assert ranks["甲排名"].tolist() == sim["rank_whatif"].tolist()
    assert ranks["甲排名变化"].tolist() == sim["d_rank"].tolist()
    w = weights.set_index(["一级指标", "二级指标"])
    assert w.loc[("营商环境", "（一级指标小计）"), "官方"] == 15
    assert w.loc[("营商环境", "（一级指标小计）"), "甲"] == 5
    assert w.loc[("合计", ""), "甲"] == pytest.approx(100)

    book = load_workbook(io.BytesIO(comparison_excel(detail, fw, [a, b])))
    assert book.sheetnames == ["排名对比", "权重对比"]
    header = [c.value for c in book["排名对比"][1]]
    assert header[:3] == ["单位", "官方排名", "官方得分率"] and "甲排名变化" in header
    assert book["排名对比"].max_row == len(ranks) + 1


# ---- 领导's private scenarios ----------------------------------------------------------------------

LEADER2 = Actor("leader2", "viewer", "另一位领导")


def test_a_leader_saves_a_private_scenario_only_it_can_read(store):
    fw = _official(store)
    points = _less_business(fw)
    shared = store.scenarios.save_scenario("营商环境5分", GROUP, "2022-10", points, "", OFFICE)
    version = store.data_version()
    mine = store.scenarios.save_scenario("营商环境5分", GROUP, "2022-10", points, "只给自己看", LEADER, private=True)
    assert store.data_version() == version + 1
    sc = store.scenarios.scenario(mine, by=LEADER)
    assert (sc.name, sc.owner, sc.private, sc.created_by, sc.note) == ("营商环境5分", "leader", True, "leader", "只给自己看")
    assert sc.label.startswith("营商环境5分（我的私有方案，")
    # the leader sees the shared one and its own; nobody else sees the private one
    assert [s.id for s in store.scenarios.scenarios(GROUP, by=LEADER)] == [mine, shared]
    for other in (None, OFFICE, LEADER2, Actor("admin", "admin", "管理员")):
        assert [s.id for s in store.scenarios.scenarios(GROUP, by=other)] == [shared]
        assert store.scenarios.scenario(mine, by=other) is None
    # the log says a private scenario was saved, not its weights or note
    entry = store.audit_log(limit=1)[0]
    assert entry["detail"] == {"scenario_id": mine, "name": "营商环境5分", "group": GROUP, "month": "2022-10",
                               "private": True}
    with pytest.raises(CreditError, match="你的私有方案中已有名为「营商环境5分」的方案"):
        store.scenarios.save_scenario("营商环境5分", GROUP, "2022-09", points, "", LEADER, private=True)
    store.scenarios.save_scenario("营商环境5分", GROUP, "2022-10", points, "", LEADER2, private=True)  # its own name space


def test_only_a_leader_saves_private_and_only_the_owner_deletes(store):
    fw = _official(store)
    points = _less_business(fw)
    with pytest.raises(PermissionDenied, match="无权保存和删除自己的私有权重方案"):
        store.scenarios.save_scenario("办公室草稿", GROUP, "2022-10", points, "", OFFICE, private=True)
    shared = store.scenarios.save_scenario("共享", GROUP, "2022-10", points, "", OFFICE)
    mine = store.scenarios.save_scenario("私有", GROUP, "2022-10", points, "", LEADER, private=True)
    version = store.data_version()
    with pytest.raises(PermissionDenied, match="不是当前账户的私有方案"):
        store.scenarios.delete_scenario(mine, LEADER2)
    with pytest.raises(PermissionDenied, match="无权保存和删除"):
        store.scenarios.delete_scenario(mine, OFFICE)
    with pytest.raises(PermissionDenied, match="信用办的共享方案不能在此删除"):
        store.scenarios.delete_scenario(shared, LEADER)
    assert store.data_version() == version and store.scenarios.scenario(mine, by=LEADER) is not None
    store.scenarios.delete_scenario(mine, LEADER)
    assert store.scenarios.scenario(mine, by=LEADER) is None
    assert [s.id for s in store.scenarios.scenarios(GROUP, by=LEADER)] == [shared]
    entry = store.audit_log(limit=1)[0]
    assert (entry["who"], entry["action"], entry["detail"]["name"]) == ("leader", "scenario.delete", "私有")
    with pytest.raises(PermissionDenied):
        store.scenarios.delete_scenario(mine, LEADER)  # gone: the same refusal, nothing written twice


def test_a_private_scenario_is_never_adoptable(store):
    fw = _official(store)
    points = _less_business(fw)
    mine = store.scenarios.save_scenario("私有", GROUP, "2022-10", points, "", LEADER, private=True)
    with pytest.raises(PermissionDenied):
        service.adopt_weights(store, fw, "2022-06", points, LEADER, "领导想采用", scenario_id=mine)
    before = len(store.frameworks.framework_versions(GROUP))
    with pytest.raises(CreditError, match="私有权重方案只供保存者本人参考，不能发布为官方权重"):
        service.adopt_weights(store, fw, "2022-06", points, OFFICE, "会议决定", scenario_id=mine)
    assert len(store.frameworks.framework_versions(GROUP)) == before
