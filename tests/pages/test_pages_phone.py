"""Issue 25 §14: the Home ranking read on a 390 px phone — rank, unit, change, 得分率 and 较上月 fit
beside the row's select box, and rank and unit stay pinned while the subtotals are scrolled to."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.apptest import open_page

PHONE = 390
PAGE_PADDING = 2 * 16  # Streamlit's main block padding on a narrow screen
SELECT_BOX = 32 + 2  # the row-select column of a selectable data grid, and the grid's two borders (measured)


def test_the_ranking_fits_a_phone(demo_db: Path) -> None:
    at = open_page()
    grid = next(d for d in at.dataframe if "得分率" in d.value.columns)
    config = json.loads(grid.proto.columns)
    first = ["排名", "单位", "排名变化", "得分率", "较上月"]
    widths = {c: config.get(c, {}).get("width") for c in first}
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= PHONE - PAGE_PADDING - SELECT_BOX, widths
    assert config["单位"].get("pinned") and config["排名"].get("pinned")
    # a unit name of seven characters (平阴经济开发区, 退役军人事务局) still shows whole: ~14 px each plus padding
    assert widths["单位"] >= 7 * 14 + 8
