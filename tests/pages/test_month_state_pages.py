"""Issue 23, observation 4 on the pages (AppTest): every role sees the month's state; readers land
on the latest signed month, a later one carries a visible 临时结果 mark; in a month still collecting
the units that have not reported are 未报送 in the ranking, not ranked on carried-over figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from credit.app.publish import publish_month, save_bulletin_text
from credit.app.service import open_store
from credit.model.accounts import ROLE_UNIT, Actor
from credit.model.contract import SHEET_TOWN, UNIT_COL
from tests.support.actors import ADMIN, EDITOR, VIEWER
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    month_picker,
    navigation_mode,
    open_page,
    open_tab,
    press,
    run,
)
from tests.support.monthdata import import_month, set_value

SEP, OCT, NOV = "2022-09", "2022-10", "2022-11"


def _sign_september(db: Path) -> None:
    with open_store(db) as store:
        publish_month(store, SEP, "平信用办〔2022〕9号", date(2022, 10, 8), "张三", EDITOR, with_pdf=False,
                      force_reason="演示", objections_confirmed=True)


def _banners(at) -> list[str]:
    return [e.value for kind in ("success", "info", "warning") for e in getattr(at, kind)]


def test_a_leader_lands_on_the_latest_signed_month_and_sees_the_provisional_mark_later(demo_db: Path) -> None:
    _sign_september(demo_db)
    at = open_page(actor=VIEWER)
    assert month_picker(at).value == SEP
    assert any(b.startswith("2022年9月状态：已签发（通报 平信用办〔2022〕9号") for b in _banners(at))
    assert not any("临时结果" in c.value for c in at.sidebar.caption)
    month_picker(at).set_value(OCT)
    run(at)
    assert any("临时结果" in c.value for c in at.sidebar.caption)
    assert any(b.startswith("**临时结果**　2022年10月状态：待签发") for b in _banners(at))


def test_anonymous_lands_on_the_signed_month_and_the_office_on_the_latest(demo_db: Path) -> None:
    _sign_september(demo_db)
    assert month_picker(open_page()).value == SEP
    unit = open_page(actor=Actor("dongezhen", ROLE_UNIT, "东阿镇", "dong_e"))  # a 被考核单位 is a reader too
    assert month_picker(unit).value == SEP
    assert any(b.startswith("2022年9月状态：已签发") for b in _banners(unit))
    admin = open_page(actor=ADMIN)  # the office and the admin work on the latest month
    assert month_picker(admin).value == OCT
    office = open_page(actor=EDITOR)
    assert month_picker(office).value == OCT
    assert any("2022年10月状态：待签发" in b for b in _banners(office))


def test_a_collecting_month_shows_silent_units_as_not_reported(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        import_month(store, NOV, only=(SHEET_TOWN,))  # the towns' sheet only: no department has reported
    at = open_page(actor=VIEWER)
    month_picker(at).set_value(NOV)
    run(at)
    assert any("2022年11月状态：采集中（40 个单位中已报送 9 个" in b for b in _banners(at))
    towns = at.dataframe[0].value
    # every town reported: ranked as usual, no 状态 column (it appears in a group with a 未报送 unit)
    assert "状态" not in towns.columns and list(towns["排名"]) == sorted(towns["排名"])
    at = open_tab(at, "home_group", "部门（单位）")
    depts = at.dataframe[0].value
    assert len(depts) == 31 and (depts["状态"] == "未报送").all()
    # not ranked on carried-over figures, and a blank is "—", never Streamlit's "None"
    assert (depts["排名"] == "—").all() and (depts["得分率"] == "—").all() and depts.notna().all(axis=None)
    assert "本组单位本月均未报送，报送后再比较得分变化。" in [c.value for c in at.caption]
    assert not [m.value for m in at.markdown if "司法局" in m.value]  # no mover on carried-over figures


def test_the_bulletin_page_says_the_saved_text_is_out_of_date_and_signing_waits(demo_db: Path) -> None:
    """Observation 2 on the page: the office's paragraphs were saved against other figures."""
    with open_store(demo_db) as store:
        save_bulletin_text(store, OCT, {"overall": "信用办补充段落。", "problems": "", "requirements": "一是按时报送。"},
                           EDITOR)
        import_month(store, OCT, set_value(SHEET_TOWN, "孔村镇", "信易贷平台注册企业数", 900), base=OCT,
                     only=(SHEET_TOWN,))
    at = open_page("bulletin.py", EDITOR)
    stale = [w.value for w in at.warning if "文稿已过期" in w.value]
    assert stale and any("总体情况　现：" in t.value for t in at.text)
    md = [m.value for m in at.markdown]
    assert "信用办补充段落。" in md  # the office's paragraph follows the generated ones in the preview
    at.text_input(key=f"pub-number-{OCT}").set_value("平信用办〔2026〕10号")  # the default date is today
    at.text_input(key=f"pub-signer-{OCT}").set_value("张三")
    at = press(at, "签发通报")
    assert any("通报文稿保存后数据已有变化" in e.value for e in at.error), [e.value for e in at.error]
    with open_store(demo_db) as store:
        assert store.publishing.current_publication(OCT) is None
    at = press(at, "保存文稿")
    assert not [w.value for w in at.warning if "文稿已过期" in w.value]


def test_a_partly_reported_group_ranks_and_compares_only_those_who_reported(demo_db: Path) -> None:
    def drop_kongcun(data) -> None:
        data.sheets[SHEET_TOWN] = [r for r in data.sheets[SHEET_TOWN] if r[UNIT_COL] != "孔村镇"]

    with open_store(demo_db) as store:
        import_month(store, NOV, drop_kongcun, only=(SHEET_TOWN,))
    at = open_page(actor=VIEWER)
    month_picker(at).set_value(NOV)
    run(at)
    towns = at.dataframe[0].value
    assert list(towns["单位"])[-1] == "孔村镇" and list(towns["状态"]).count("未报送") == 1
    assert list(towns["排名"])[:8] == [str(i) for i in range(1, 9)] and towns["排名"].iloc[-1] == "—"
    assert (towns["排名变化"] == "—").all()  # a rank among 8 of 9 is not compared with last month's
    assert "本组尚有 1 个单位未报送：进步、下降只在已报送的单位中比较，排名变化待报送齐全后再比较。" in [
        c.value for c in at.caption]
    assert not [m.value for m in at.markdown if "孔村镇" in m.value]  # not a mover on carried-over figures
