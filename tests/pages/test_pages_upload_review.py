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
    assert "导入前得分率" not in config and "导入后得分率" in config  # text is not in a number column
