"""满分还需: the to-do sentences follow the rule, the annual target and the unit's year-to-date figure."""

from __future__ import annotations

from credit.scoring.todo import more_of


def test_counts_read_as_a_chinese_to_do() -> None:
    assert more_of("本月出台信用制度文件数", 1) == "再出台 1 件信用制度文件"
    assert more_of("本月报送信用动态稿件数", 2.5) == "再报送 3 篇信用动态稿件"  # rounded up: half a piece is a piece
    assert more_of("本月开展诚信宣传活动次数", 2) == "再开展 2 次诚信宣传活动"
    assert more_of("本月信用动态稿件被采用数", 2) == "「信用动态稿件被采用」再增加 2 篇"


def test_demo_unit_to_dos(demo_db) -> None:
    from credit.app.service import open_store, unit_detail

    with open_store(demo_db) as s:
        fagai = s.accounts.login("fagaiju", "demo-unit-2")
        todo = unit_detail(s, fagai, "2022-10", "fagai").todo.set_index("code")["满分还需"]
    # D1: 1 document by October of an annual 3 → 2 more; D11: 2 of 4 activities → 2 more.
    assert todo["D1"] == "再出台 2 件信用制度文件（全年目标 3，本年累计 1）"
    assert todo["D11"] == "再开展 2 次信用宣传活动（全年目标 4，本年累计 2）"
    assert todo["D2a"] == "本年已扣 0.1 分，不能补回；此后避免「双公示错误数据」"
    assert todo["D2b"] == "本年未扣分，保持即可"
