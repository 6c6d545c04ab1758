"""Name lookups of the unit register: `resolve` for one name, `name_index` for a sheet's rows."""

from __future__ import annotations

from credit.model.units import Unit, UnitRegister, norm_name

REG = UnitRegister([
    Unit("a", "榆山街道", "镇街", "街道", aliases=["榆山办"]),
    # renamed from 2022-07: the old name is still understood afterwards, and is the name before
    Unit("b", "锦水街道", "镇街", "街道", names=[("2013-01", "锦水镇"), ("2022-07", "锦水街道")]),
    Unit("c", "发改局", "部门", "部门", aliases=["锦水镇"]),  # an alias equal to b's old name
    Unit("d", "旧局", "部门", "部门", retired_from="2022-03"),
    Unit("e", "新局", "部门", "部门", active_from="2022-05"),
    Unit("f", "发改局", "部门", "部门"),  # same current name as c: the first in the register wins
])


def test_current_names_win_over_aliases_and_earlier_names():
    index = REG.name_index("2022-08")
    assert index.get("锦水街道").id == "b"
    assert index.get("锦水镇").id == "b"  # b's earlier name, found before c's alias (b comes first)
    assert REG.name_index("2022-08", "部门").get("锦水镇").id == "c"  # among departments only c has it
    assert REG.name_index("2022-06").get("锦水镇").id == "b"  # b's current name in June
    assert index.get("榆山办").id == "a"


def test_spaces_and_brackets_are_folded_and_blank_is_nothing():
    index = REG.name_index("2022-08")
    assert index.get(" 榆山 街道 ").id == "a"
    assert index.get("") is None and index.get("   ") is None
    assert index.get("不存在的局") is None


def test_only_units_active_in_the_month():
    assert REG.name_index("2022-02").get("旧局").id == "d"
    assert REG.name_index("2022-03").get("旧局") is None
    assert REG.name_index("2022-04").get("新局") is None
    assert REG.name_index("2022-05").get("新局").id == "e"


def _walk(register: UnitRegister, name: str, month: str, group: str | None) -> Unit | None:
    """The lookup as it was, one walk of the register per name (what the index must agree with)."""
    key = norm_name(name)
    if not key:
        return None
    candidates = register.active(month, group)
    for u in candidates:
        if norm_name(u.name_at(month)) == key:
            return u
    for u in candidates:
        if key in {norm_name(n) for n in u.all_names()}:
            return u
    return None


def test_first_unit_wins_a_shared_name_and_the_index_agrees_with_a_walk_of_the_register():
    assert REG.name_index("2022-08").get("发改局").id == "c"
    for month in ("2022-02", "2022-06", "2022-08"):
        for group in (None, "镇街", "部门"):
            index = REG.name_index(month, group)
            for name in ("榆山街道", "榆山办", "锦水镇", "锦水街道", "发改局", "旧局", "新局", "x", ""):
                assert index.get(name) is _walk(REG, name, month, group)
                assert REG.resolve(name, month, group) is index.get(name)
