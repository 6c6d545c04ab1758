"""Issue 14 (像用户一样用) through AppTest: what each role sees and can do on every page, and that
no page shows None/nan/NaT or an internal code where a name belongs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.model.contract import UNIT_COL
from tests.pages.test_pages_data import (  # noqa: F401  (navigation_mode is an autouse fixture)
    ADMIN,
    EDITOR,
    VIEWER,
    good_workbook,
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


def test_upload_keeps_the_chosen_month_after_import_and_drops_the_old_result(demo_db: Path) -> None:
    at = upload(open_page("upload.py", EDITOR), ("十一月.xlsx", good_workbook(demo_db, "2022-11")), month="2022-11")
    at = press(at, "确认导入")
    assert any("已导入 2022年11月" in s for s in texts(at, "success"))
    assert at.selectbox(key="upload_month").value == "2022-11"  # not the next month
    # the corrected file for the same month: checked against November, and the old result goes
    with open_store(demo_db) as store:
        fixed = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 3}]}, month="2022-11",
                              units=store.register())
    at = upload(at, ("十一月（改）.xlsx", fixed), month=None)
    assert texts(at, "error") == [], texts(at, "error")
    assert not any("已导入" in s for s in texts(at, "success"))
    assert any("导入预览：2022年11月" in s for s in texts(at, "subheader"))
    at = press(at, "确认导入")
    with open_store(demo_db) as store:
        assert [v["version"] for v in store.versions("2022-11", "镇街")] == [2, 1]


# ---- 9 each role's menu holds only what it can use ----------------------------------------------


def menu(actor: Actor | None) -> list[str]:
    return [title for _, title in registered(actor, login_required=False)]


def test_menus_per_role() -> None:
    dashboard = ["月度排名", "单位详情", "信易贷进度", "权重模拟", "月度通报", "指标说明"]
    assert menu(None) == [*dashboard, "证明材料", "登录"]
    assert menu(VIEWER) == [*dashboard, "证明材料", "我的账户"]
    assert menu(EDITOR) == [*dashboard, "数据上传", "数据版本", "证明材料", "单位名册", "我的账户"]
    assert menu(ADMIN) == [*dashboard, "数据上传", "数据版本", "证明材料", "单位名册", "账户管理", "操作日志", "我的账户"]


@pytest.mark.parametrize("page", ["upload.py", "versions.py", "units_admin.py", "accounts.py", "audit.py"])
def test_a_leader_cannot_reach_the_office_pages(demo_db: Path, page: str) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(page, VIEWER)
