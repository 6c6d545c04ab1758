"""Issue 14 (像用户一样用) through AppTest: what each role sees and can do on every page, and that
no page shows None/nan/NaT or an internal code where a name belongs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.model.contract import UNIT_COL
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    ADMIN,
    EDITOR,
    VIEWER,
    good_workbook,
    month_picker,
    navigation_mode,
    open_page,
    press,
    run,
    texts,
    upload,
)
from tests.support.paths import ROOT
from tests.support.workbooks import fill_template
from ui.nav import registered

# ---- 1 信易贷 target -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [EDITOR, ADMIN])
def test_office_and_admin_save_a_years_xyd_target(demo_db: Path, actor: Actor) -> None:
    at = open_page("xyd.py", actor)
    at.selectbox(key="xyd_target_year").select(2023).run()
    inputs = at.number_input
    inputs[0].set_value(1500.0)
    inputs[1].set_value(900.0)
    at = press(at, "保存")
    assert any("已保存 2023 年：年初 1,500 家，新增目标 900 家" in s for s in texts(at, "success"))
    with open_store(demo_db) as store:
        assert store.xyd_target(2023) == (1500.0, 900.0)
        assert store.xyd_target(2022) is not None  # the other year is untouched
        entry = store.audit_log(action="xyd.set")[0]
        assert entry["who"] == actor.username and entry["detail"] == {"year": 2023, "opening": 1500.0, "target": 900.0}


@pytest.mark.parametrize("actor", [None, VIEWER])
def test_readers_get_no_target_form(demo_db: Path, actor: Actor | None) -> None:
    at = open_page("xyd.py", actor)
    assert [b.label for b in at.button if b.label == "保存"] == []
    assert not any("设定" in e.label for e in at.expander)


# ---- 3 and 5: every page's rendered text, for every role -------------------------------------------

LEFTOVER = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT|<NA>)(?![A-Za-z])")
CODE = re.compile(r"(?<![A-Za-z0-9])[TD]\d{1,2}[ab]?(?![A-Za-z0-9])")


def page_texts(at: AppTest) -> list[str]:
    """What a reader sees as text: every element's value/label/body, and every table cell."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                 "metric", "expander", "tabs", "text"):
        for el in getattr(at, kind, []):
            for attr in ("value", "label", "body"):
                v = getattr(el, attr, None)
                if isinstance(v, str):
                    out.append(v)
    return out


def null_cells(at: AppTest) -> list[str]:
    """Table cells Streamlit would draw as "None" (missing values) or that hold such a word."""
    bad = []
    for df in at.dataframe:
        frame = df.value
        data = frame.data if hasattr(frame, "data") else frame  # a Styler
        for col in data.columns:
            values = data[col]
            if values.isna().any():
                bad.append(f"{col}: 空值 {int(values.isna().sum())} 个")
            elif values.dtype == object and values.astype(str).str.fullmatch(LEFTOVER.pattern).any():
                bad.append(f"{col}: 文本 None/nan")
    return bad


@pytest.mark.parametrize("actor", [None, VIEWER, EDITOR, ADMIN], ids=["匿名", "领导", "信用办", "管理员"])
def test_no_page_shows_none_nan_or_internal_codes(demo_db: Path, actor: Actor | None) -> None:
    problems = []
    at = open_page("ranking.py", actor)
    for page, _ in registered(actor, login_required=False):
        at.switch_page(str(ROOT / page)).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for text in page_texts(at):
            if LEFTOVER.search(text):
                problems.append(f"{page}: {text[:80]}")
        problems += [f"{page}: {p}" for p in null_cells(at)]
    assert problems == []


# ---- 2 the upload month stays; the result panel belongs to its file ---------------------------------


def acknowledge_surges(at: AppTest) -> AppTest:
    """Tick the "I checked the >10× rises" box when the preview asks for it (确认导入 waits for it)."""
    boxes = [cb for cb in at.checkbox if str(cb.key or "").startswith("surges-ok-")]
    for cb in boxes:
        cb.check()
    return at.run() if boxes else at


def test_upload_keeps_the_chosen_month_after_import_and_drops_the_old_result(demo_db: Path) -> None:
    at = upload(open_page("upload.py", EDITOR), ("十一月.xlsx", good_workbook(demo_db, "2022-11")), month="2022-11")
    at = press(acknowledge_surges(at), "确认导入")
    assert any("已导入 2022年11月" in s for s in texts(at, "success"))
    assert at.selectbox(key="upload_month").value == "2022-11"  # not the next month
    # the corrected file for the same month: checked against November, and the old result goes
    with open_store(demo_db) as store:
        fixed = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 3}]}, month="2022-11",
                              units=store.units.register())
    at = upload(at, ("十一月（改）.xlsx", fixed), month=None)
    assert texts(at, "error") == [], texts(at, "error")
    assert not any("已导入" in s for s in texts(at, "success"))
    assert any("导入预览：2022年11月" in s for s in texts(at, "subheader"))
    at = press(acknowledge_surges(at), "确认导入")
    with open_store(demo_db) as store:
        assert [v["version"] for v in store.datasets.versions("2022-11", "镇街")] == [2, 1]


# ---- 9 each role's menu holds only what it can use ----------------------------------------------


def menu(actor: Actor | None) -> list[str]:
    return [title for _, title in registered(actor, login_required=False)]


def test_menus_per_role() -> None:
    dashboard = ["月度排名", "单位详情", "年度分析", "信易贷进度", "权重模拟", "月度通报", "指标说明"]
    assert menu(None) == [*dashboard, "证明材料", "登录"]
    assert menu(VIEWER) == [*dashboard, "证明材料", "我的账户"]
    office = ["数据上传", "报送审核", "数据版本", "双公示预检", "证明材料", "单位名册"]
    assert menu(EDITOR) == [*dashboard, *office, "我的账户"]
    assert menu(ADMIN) == [*dashboard, *office, "账户管理", "操作日志", "系统维护", "我的账户"]


@pytest.mark.parametrize("page", ["upload.py", "versions.py", "units_admin.py", "accounts.py", "audit.py"])
def test_a_leader_cannot_reach_the_office_pages(demo_db: Path, page: str) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(page, VIEWER)


# ---- 5 names, not codes, on the unit page's charts; 10 the rank trend axis -------------------------


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_unit_charts_use_short_chinese_names_and_the_rank_axis_runs_1_to_n(demo_db: Path) -> None:
    at = open_page("unit.py", VIEWER)
    specs = charts(at)
    labels = []
    for spec in specs:
        for trace in spec["data"]:
            for axis in ("x", "y", "theta"):
                labels += [str(v) for v in trace.get(axis) or [] if isinstance(v, str)]
    assert labels and not [v for v in labels if CODE.fullmatch(v)]
    assert {"村居失信治理", "诚信宣传", "严重失信事件"} <= set(labels)  # T7, T8, T9
    trend = next(s for s in specs if s["layout"]["title"]["text"] == "本年排名走势")
    y = trend["layout"]["yaxis"]
    n = len(at.selectbox(key="unit_id").options)
    assert y["range"] == [n + 0.5, 0.5] and y["dtick"] == 1 and y["tickformat"] == "d"
    radar = next(s for s in specs if "scatterpolar" in {t["type"] for t in s["data"]})
    assert radar["layout"]["polar"]["radialaxis"]["angle"] != 90  # the scale is not drawn along the first spoke
    assert not [e.label for e in at.expander if CODE.search(e.label)]


def test_a_unit_account_reads_names_and_months_not_codes(demo_db: Path) -> None:
    """本年满分还需 and 本年扣分事项 as 东阿镇 reads them: indicator names in a table that wraps (the
    full 满分还需 sentence, not a grid cell cut off), months as 2022年3月, no code column."""
    at = open_page("unit.py", Actor("dongezhen", "unit", "东阿镇", "dong_e"))
    todo = next(t.value for t in at.table if "满分还需" in t.value.columns)
    assert list(todo.columns) == ["指标", "分值", "得分", "失分", "满分还需"]
    row = todo.set_index("指标").loc["村居失信治理情况"]  # T7: two village cases (March, August)
    assert (row["分值"], row["得分"], row["失分"]) == ("10", "8", "2")
    assert not [v for v in todo.to_numpy().ravel() if CODE.fullmatch(str(v))]
    events = next(df.value for df in at.dataframe if "事项说明" in df.value.columns)
    assert list(events["月份"]) == ["2022年3月", "2022年8月"]


UNIT_PAGES = ("ranking.py", "unit.py", "guide.py", "unit_desk.py", "account.py")  # a town has no 双公示预检 (issue 25)


def test_a_unit_accounts_pages_show_no_none_nor_english_columns(demo_db: Path) -> None:
    """Every page of 东阿镇's menu: no None/nan in text or table cells, no column headed by an internal
    field name (the 证明材料 tab of 填报与申诉 showed "month" and a None 条目编号)."""
    at = open_page("ranking.py", Actor("dongezhen", "unit", "东阿镇", "dong_e"))
    problems = []
    for page in UNIT_PAGES:
        at.switch_page(str(ROOT / "pages" / page)).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        problems += [f"{page}: {t[:80]}" for t in page_texts(at) if LEFTOVER.search(t)]
        problems += [f"{page}: {p}" for p in null_cells(at)]
        problems += [f"{page}: 列名 {c}" for df in at.dataframe for c in df.value.columns
                     if re.fullmatch(r"[A-Za-z_]+", str(c))]
    assert problems == []


def test_registers_name_the_indicators_and_months(demo_db: Path) -> None:
    """证明材料: which indicators count a register is said by name (the frameworks' T5/D8/D12), and
    the table's months read 2022年1月."""
    at = open_page("registers.py", VIEWER)
    said = [c for c in texts(at, "caption") if c.startswith("计分指标")]
    assert said == ["计分指标——镇（街道）、开发区：其他“信易贷+”拓展领域及成效；部门（单位）：其他“信易+”拓展领域及成效。"
                    "有 1 条（去重后）即得满分。",
                    "计分指标——部门（单位）：信用分级分类监管覆盖领域。有 1 条（去重后）即得满分。"]
    months = {m for df in at.dataframe if "月份" in df.value.columns for m in df.value["月份"]}
    assert months and all(re.fullmatch(r"2022年\d{1,2}月", m) for m in months), months


def test_sgs_tabs_and_captions_name_no_code(demo_db: Path) -> None:
    at = open_page("sgs.py", EDITOR)
    words = [t.label for t in at.tabs] + texts(at, "caption")
    assert "统一社会信用代码清单" in words
    assert not [w for w in words if CODE.search(w)]


def test_xyd_progress_legend_sits_under_the_chart(demo_db: Path) -> None:
    """On a 390 px phone the three legend entries wrapped upwards over the title; below the axis they cannot."""
    spec = next(s for s in charts(open_page("xyd.py", VIEWER)) if "全县信易贷新增注册企业" in s["layout"]["title"]["text"])
    legend = spec["layout"]["legend"]
    assert legend["y"] < 0 and legend["yanchor"] == "top"


def test_bulletin_ranking_shows_rank_moves_as_arrows(demo_db: Path) -> None:
    """The caption says “↑” up, “↓” down: the table says so too (it showed +1 / -2 / +0)."""
    at = open_page("bulletin.py", VIEWER)
    towns = next(df.value for df in at.dataframe if "上月排名" in df.value.columns)
    moves = dict(zip(towns["单位"], towns["排名变化"]))
    assert (moves["榆山街道"], moves["孔村镇"], moves["玫瑰镇"]) == ("↑1", "↓2", "—")  # 4→3, 3→5, 1→1


def test_bulletin_warnings_name_the_indicator_not_its_code(demo_db: Path) -> None:
    at = open_page("bulletin.py", VIEWER)
    words = page_texts(at) + [str(v) for df in at.dataframe for v in df.value.get("原因", [])]
    assert not [w for w in words if re.search(r"（[TD]\d{1,2}[ab]?）", w)]


# ---- 6 every view is a link -----------------------------------------------------------------------


def test_a_unit_link_opens_that_unit_and_month(demo_db: Path) -> None:
    at = open_page("unit.py", VIEWER)
    at.query_params["month"] = "2022-03"
    at.query_params["unit"] = "孝直镇"
    at.session_state["link_taken"] = False
    at = run(at)
    assert month_picker(at).value == "2022-03"
    assert at.selectbox(key="unit_id").value == "xiaozhi"
    assert at.query_params["unit"] == "xiaozhi" and at.query_params["group"] == "镇街"
    at.selectbox(key="unit_id").select("dong_e")
    at = run(at)
    assert at.selectbox(key="unit_id").value == "dong_e"  # the link is applied once, not forced
    assert at.query_params["unit"] == "dong_e"


def test_what_if_weights_travel_in_one_short_parameter(demo_db: Path) -> None:
    at = open_page("whatif.py", VIEWER)
    at.query_params["w"] = "T1~8.T7~4"
    at = run(at)
    t1 = next(n for n in at.number_input if n.label.startswith("T1") or n.label.startswith("信用制度文件"))
    assert t1.value == 8.0
    assert at.query_params["w"] == "T1~8.T7~4"
    assert any(m.label == "名次变化的单位" for m in at.metric)
