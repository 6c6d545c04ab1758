"""一月一实 on the pages (AppTest): a signed month's pages show its record, and the upload page
and the 月度通报 page show the same record-vs-candidate comparison (observations 1 and 3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.contract import UNIT_COL
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    ADMIN,
    EDITOR,
    VIEWER,
    acknowledge,
    frame,
    navigation_mode,
    open_page,
    press,
    run,
    texts,
    upload,
)
from tests.support.workbooks import fill_template

OCT = "2022-10"


def _sign(db: Path) -> dict:
    with open_store(db) as store:
        publish_month(store, OCT, "平信用办〔2022〕10号", date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        rows = store.publishing.published_scores(store.publishing.current_publication(OCT)["id"], "镇街")
        return {r["unit"]: r for r in rows}


def _correction(db: Path) -> bytes:
    """榆山街道's 融资需求 far above the rest: the peer best moves, most towns' scores change."""
    with open_store(db) as store:
        register = store.units.register()
    return fill_template({"镇街": [{UNIT_COL: "榆山街道", "信易贷融资需求金额（万元）": 99999}]}, month=OCT,
                         units=register)


def _import_correction(db: Path):
    """The office imports `_correction` on the upload page, with a 更正说明 (October is signed)."""
    at = acknowledge(upload(open_page("upload.py", EDITOR), ("十月更正.xlsx", _correction(db))))
    at.text_input(key="upload-reason").input("榆山街道融资需求金额漏报")
    at = run(at)
    at.button(key="confirm").click()
    at = run(at)
    assert any("新建版本" in s for s in texts(at, "success"))
    return at


def test_upload_page_and_bulletin_page_show_the_same_comparison(demo_db: Path) -> None:
    frozen = _sign(demo_db)
    at = _import_correction(demo_db)
    after_import = frame(at, "更正后得分率")
    yushan = after_import[after_import["单位"] == "榆山街道"].iloc[0]
    assert yushan["已发布得分率"] == round(frozen["榆山街道"]["score"], 2)
    assert yushan["更正后得分率"] != yushan["已发布得分率"]  # the change the page hid (79.48 → 79.48)
    moved_upload = after_import[(after_import["得分率变化"] != 0) | (after_import["排名变化"] != "—")]
    # the 月度通报 page: the same rows, the same numbers
    page = open_page("bulletin.py", EDITOR)
    diff = frame(page, "更正后得分率")
    cols = ["单位", "已发布得分率", "更正后得分率", "得分率变化"]
    assert diff[cols].reset_index(drop=True).equals(moved_upload[cols].reset_index(drop=True))
    said = [w for w in texts(at, "warning") if "按现有数据计算的更正候选与已签发记录不同" in w]
    assert said and said == [w for w in texts(page, "warning") if "按现有数据计算的更正候选与已签发记录不同" in w]
    assert f"榆山街道 {yushan['已发布得分率']:.2f}→{yushan['更正后得分率']:.2f}" in said[0]


def test_pages_of_a_signed_month_show_its_record_after_a_correction_import(demo_db: Path) -> None:
    frozen = _sign(demo_db)
    _import_correction(demo_db)
    # 领导's ranking (Home) and 单位详情 of October: the record
    home = open_page(None, VIEWER)
    towns = next(df.value for df in home.dataframe if "得分率" in df.value.columns and "榆山街道" in set(df.value["单位"]))
    shown = dict(zip(towns["单位"], towns["得分率"]))
    assert shown == {u: round(r["score"], 2) for u, r in frozen.items()}
    unit = open_page("unit.py", VIEWER)
    unit.query_params["month"] = OCT
    unit.query_params["unit"] = "榆山街道"
    unit.session_state["link_taken"] = False
    unit = run(unit)
    assert unit.metric[0].value == f"{frozen['榆山街道']['score']:.2f}"
    for name, r in frozen.items():  # 逐项: the 二级指标得分 chart of every town adds up to its frozen 得分
        unit.selectbox(key="unit_id").select(r["unit_id"])
        unit = run(unit)
        spec = next(c for c in charts(unit) if c["layout"]["title"]["text"] == "二级指标得分")
        earned = next(t for t in spec["data"] if t["name"] == "得分")["x"]
        assert abs(sum(earned) - r["earned"]) < 1e-9, name


def test_a_register_change_reaching_a_signed_month_needs_a_correction_on_the_page(demo_db: Path) -> None:
    """Observation 7 on the 单位名册 page: retiring 孔村镇 from signed October is refused without a
    更正说明 (nothing written), accepted with one; the 月度通报 page then shows October's 更正候选."""
    frozen = _sign(demo_db)
    at = open_page("units_admin.py", ADMIN)
    at.selectbox(key="unit_retire_id").select("kongcun")
    at.selectbox(key="unit_retire_month").select(OCT)
    at = press(at, "撤销")
    refused = [e for e in texts(at, "error") if "会改变已签发月份 2022-10（平信用办〔2022〕10号）的结果" in e]
    assert refused and "撤销「孔村镇」自 2022-10 起生效" in refused[0], texts(at, "error")
    with open_store(demo_db) as store:
        assert store.units.register().by_id["kongcun"].retired_from is None
    at.text_input(key="unit_retire_correction").input("孔村镇撤并，10 月起不再考核")
    at = press(at, "撤销")
    assert any("已撤销「孔村镇」，自 2022年10月 起不再考核" in s for s in texts(at, "success")), texts(at, "error")
    page = open_page("bulletin.py", EDITOR)
    note = [w for w in texts(page, "warning") if "按现有数据计算的更正候选与已签发记录不同" in w]
    assert note and f"孔村镇 {frozen['孔村镇']['score']:.2f}→—" in note[0]
    diff = frame(page, "更正后得分率")
    kongcun = diff[diff["单位"] == "孔村镇"].iloc[0]
    assert kongcun["已发布得分率"] == round(frozen["孔村镇"]["score"], 2) and pd.isna(kongcun["更正后得分率"])


def test_an_import_into_an_earlier_month_names_the_later_signed_months_on_the_upload_page(demo_db: Path) -> None:
    """Observation 7: correcting September (not signed) moves signed October's year-to-date figures;
    the upload page says so after the import, and keeps its 完成 button."""
    _sign(demo_db)
    with open_store(demo_db) as store:
        register = store.units.register()
    busy = fill_template({"镇街": [{UNIT_COL: "东阿镇", "本月出台信用制度文件数": 20, "本月报送信用动态稿件数": 50,
                                   "本月开展诚信宣传活动次数": 50}]}, month="2022-09", units=register)
    at = acknowledge(upload(open_page("upload.py", EDITOR), ("九月更正.xlsx", busy), month="2022-09"))
    reason = [t for t in at.text_input if t.key == "upload-reason"]
    if reason:
        reason[0].input("东阿镇九月稿件漏报")
        at = run(at)
    at.button(key="confirm").click()
    at = run(at)
    assert any("新建版本" in s for s in texts(at, "success")), texts(at, "error")
    later = [w for w in texts(at, "warning") if w.startswith("更正2022年9月后，以下已签发月份按现有数据计算的结果")]
    assert later and "2022年10月（" in later[0] and "须分别签发更正通报" in later[0]
    assert "完成，继续上传其他文件" in [b.label for b in at.button]


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
