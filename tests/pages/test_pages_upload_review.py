"""Issue 25 §12–14 on 数据上传 through AppTest: figures shown as typed, no number column over text."""

from __future__ import annotations

import json
from pathlib import Path

from credit.model.contract import UNIT_COL
from tests.support.apptest import (  # noqa: F401  (navigation_mode is an autouse fixture)
    EDITOR,
    acknowledge,
    frame,
    navigation_mode,
    open_page,
    run,
    upload,
)
from tests.support.workbooks import fill_template


def test_preview_shows_figures_as_typed_and_first_import_has_no_error_corners(demo_db: Path) -> None:
    raw = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 2,
                                   "信易贷融资需求金额（万元）": 2871.5}]}, month="2022-11")
    at = upload(open_page("upload.py", EDITOR), ("十一月.xlsx", raw), month="2022-11")
    changes = frame(at, "新值")
    amount = changes[(changes["指标"] == "信易贷融资需求金额（万元）") & (changes["单位"] == "榆山街道")]["新值"].tolist()
    assert amount == ["2,871.5"]  # was "2,872"
    at = acknowledge(at)
    at.button(key="confirm").click()
    at = run(at)
    table = next(d for d in at.dataframe if "导入后排名" in d.value.columns)
    assert (table.value["导入前得分率"] == "首次导入").all()
    config = json.loads(table.proto.columns or "{}")
    assert "导入前得分率" not in config  # text is not in a number column
    # only 榆山街道 reported November: the others are 未报送, not ranked (not "首次导入" after the import)
    after = table.value.set_index("单位")
    assert after.loc["榆山街道", "导入后排名"] == "1" and after.loc["榆山街道", "状态"] == "已报送"
    assert (after.drop(index="榆山街道")[["导入后排名", "导入后得分率"]] == "—").all(axis=None)
    assert (after.drop(index="榆山街道")["状态"] == "未报送").all()


def test_a_file_of_another_month_is_one_error_and_a_button_switches(demo_db: Path) -> None:
    """Issue 25 §13: September's file with 2022年10月 chosen — one error (not one per event date) and
    a button that re-checks it as September's."""
    from tests.support.apptest import press

    events = [{UNIT_COL: "东阿镇", "事项类型": "村居失信案件", "发生日期": f"2022-09-{d:02d}", "事项说明": "x"}
              for d in (3, 9, 15, 21, 27)]
    raw = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 1}], "扣分事项": events},
                        month="2022-09")
    at = upload(open_page("upload.py", EDITOR), ("九月.xlsx", raw), month="2022-10")
    assert [e.value for e in at.error] == ["发现 1 处问题（文件：九月.xlsx），未导入任何数据。请按“修改建议”改正后重新上传。"]
    at = press(at, "改为按2022年9月检查")
    assert at.selectbox(key="upload_month").value == "2022-09" and not at.error


def test_a_near_miss_unit_name_gets_a_suggestion() -> None:
    from credit.errors import WorkbookError
    from credit.model.units import load_units
    from credit.workbook.importer import parse_workbook

    raw = fill_template({"镇街": [{UNIT_COL: "东阿真", "本月出台信用制度文件数": 1},
                                   {UNIT_COL: "孔村", "本月出台信用制度文件数": 1},
                                   {UNIT_COL: "北京市", "本月出台信用制度文件数": 1}]})
    try:
        parse_workbook(raw, "x.xlsx", "2022-03", load_units())
    except WorkbookError as exc:
        messages = [e.message for e in exc.errors]
    assert messages == ["单位「东阿真」不在单位名册中，是否为 东阿镇？", "单位「孔村」不在单位名册中，是否为 孔村镇？",
                        "单位「北京市」不在单位名册中"]


def test_header_only_sheets_are_named_and_can_be_unticked(demo_db: Path) -> None:
    """Issue 25 §12: a full template with only 镇街 filled: the preview names the header-only sheets
    as 本月无新增 in plain words, and one unticked is not recorded so."""
    from credit.app.service import open_store

    raw = fill_template({"镇街": [{UNIT_COL: "榆山街道", "本月出台信用制度文件数": 1}]}, month="2022-11")
    at = upload(open_page("upload.py", EDITOR), ("十一月.xlsx", raw), month="2022-11")
    (note,) = [i.value for i in at.info if "只有表头" in i.value]
    assert note.startswith("「扣分事项」、「信易+场景」、「分级分类监管」只有表头、没有数据行：导入时记为“本月无新增”")
    at.checkbox(key="no-new-扣分事项").uncheck()
    at = run(acknowledge(at))
    at.button(key="confirm").click()
    at = run(at)
    with open_store(demo_db) as s:
        assert sorted(s.datasets.reported_empty("2022-11")) == ["信易+场景", "分级分类监管"]


def test_unit_monthly_table_shows_every_month(demo_db: Path, monkeypatch) -> None:
    """Issue 25 §14: 逐月数据 of October has ten months; a table of the default height shows at most
    ten rows with the header, hiding the current month: it is drawn at the height of its content."""
    import streamlit

    drawn: list[tuple[int, object]] = []
    original = streamlit.dataframe

    def spy(data=None, *args, **kwargs):
        if hasattr(data, "columns") and "月份" in data.columns and len(data) >= 10:
            drawn.append((len(data), kwargs.get("height", "auto")))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", spy)
    open_page("unit.py", EDITOR)
    assert drawn and all(height == "content" for _n, height in drawn), drawn
