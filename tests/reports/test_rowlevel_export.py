"""Row-level rules on the bulletin export (issue 22 §5): as 东阿镇, "下载 Excel 通报" of a month
still collecting gave 镇街明细, 部门明细, 扣分事项 and 预警提示 of every unit, with no draft mark.
Enforced in credit/ (`credit.reports.exports.export` takes the actor): called here directly."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.reports.bulletin import build_bulletin_data
from credit.reports.exports import export
from credit.reports.rowlevel import DRAFT_MARK
from tests.support.actors import EDITOR

DONG = Actor("dongezhen", "unit", "东阿镇", "dong_e")
FAGAI = Actor("fagaiju", "unit", "发改局", "fagai")
MONTH = "2022-10"


def sheets_of(blob: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(blob), sheet_name=None, engine="calamine")


@pytest.fixture(scope="module")
def files(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, pd.DataFrame]]:
    db = tmp_path_factory.mktemp("rowlevel") / "demo.db"
    db.write_bytes(demo_db_master.read_bytes())
    with open_store(db) as store:
        data = build_bulletin_data(store, MONTH)
        assert not data.issue.number  # 2022-10 is still collecting in the demo
        return {who: sheets_of(export(store, data, "xlsx", actor))
                for who, actor in (("dong", DONG), ("fagai", FAGAI), ("office", EDITOR), ("anonymous", None))}


def test_a_unit_account_downloads_only_its_own_detail(files) -> None:
    dong = files["dong"]
    assert set(dong["镇街明细"]["单位"]) == {"东阿镇"}
    assert dong["部门明细"].empty
    assert set(dong["扣分事项"]["单位"]) <= {"东阿镇"}
    assert set(dong["预警提示"].get("单位", pd.Series(dtype=object))) <= {"东阿镇"}
    assert set(dong["信易贷进度"]["单位"]) == {"东阿镇"}
    fagai = files["fagai"]
    assert fagai["镇街明细"].empty and set(fagai["部门明细"]["单位"]) == {"发改局"}
    # the ranking itself is the published ranking every reader sees on 月度排名
    assert len(dong["镇街排名"]) == len(files["office"]["镇街排名"]) > 1


def test_the_office_still_gets_every_unit(files) -> None:
    office = files["office"]
    assert len(set(office["镇街明细"]["单位"])) > 5 and len(set(office["部门明细"]["单位"])) > 5
    assert len(set(office["扣分事项"]["单位"])) > 1


def test_a_month_still_collecting_is_marked_as_a_draft_for_everyone(files) -> None:
    for sheets in files.values():
        assert sheets["总体情况"]["内容"].iloc[0].endswith(DRAFT_MARK)
