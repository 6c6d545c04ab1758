"""The issue-22 file rows of the reliability report: each hostile file refused through the real
import with the database byte-for-byte unchanged, and the real reader abort survived."""

from __future__ import annotations

from pathlib import Path

from tests.support import reliability as rh
from tests.support.hostile_files import run_file_cases


def test_every_hostile_file_is_refused_and_the_reader_abort_is_survived(tmp_path: Path) -> None:
    rows = run_file_cases(rh.seeded_db(tmp_path / "f.db"))
    outcomes = {case.split("，")[0]: outcome for _, case, outcome in rows}
    assert len(rows) == 10 and {item for item, _, _ in rows} == {"22 文件"}
    assert "上限 50,000 行" in outcomes["1,000,000 行有效的扣分事项（共享字符串、不写位置"]
    assert "OpenDocument" in outcomes["OpenDocument 表格（.ods）改名为 .xlsx"]
    assert "服务进程不受影响" in rows[-1][2]
