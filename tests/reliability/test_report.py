"""The hostile-case table of `benchmarks/reliability_report.py` (issue 13): every item is run and
printed, and the README block is generated from the rows of that run."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from benchmarks import reliability_report as report
from tests.support.hostile import run_hostile


def test_hostile_table_covers_every_item_of_issue_13(tmp_path: Path) -> None:
    rows = run_hostile(tmp_path)
    assert {item.split()[0] for item, _, _ in rows} == {str(n) for n in range(1, 10)}
    outcomes = {case: outcome for _, case, outcome in rows}
    assert "只校验了 5 次口令" in outcomes["40 个并行的错误口令"]
    assert outcomes["公式：.xls，xlwt 写入（结果为空，未计算）"].startswith(
        "第 2 行「本月出台信用制度文件数」：公式没有计算结果，请在 Excel 中打开并保存后再上传，或改为填写数值")
    assert "退出码 1" in outcomes["存储：数据库文件头损坏"]
    summary = [["项目", "结果", "1 s"]]
    block = report._markdown(summary, [list(r) for r in rows], "本机",
                             argparse.Namespace(crashes=1, rounds=1, fuzz=1))
    assert "| 条目 | 情形 | 结果 |" in block and block.count("\n| ") == 2 + len(rows) + 1
    assert "| 5 恢复 | 恢复：删除了 accounts 表的备份 |" in block
    assert Counter(item for item, _, _ in rows)["9 存储"] == 3
