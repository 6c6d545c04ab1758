"""How the to-do of a count is worded ("再出台 1 件信用制度文件"), shared by the count rules."""

from __future__ import annotations

import math

from credit.scoring.rules.base import num

# Counting words by what is counted (the header's ending), and verbs that read as "再<verb> n 件…".
_MEASURES = (("稿件", "篇"), ("文件", "件"), ("次数", "次"), ("条数", "条"), ("活动", "次"))
_VERBS = ("出台", "报送", "开展", "归集", "上报")


def phrase(header: str) -> tuple[str, str]:
    """'本月出台信用制度文件数' → ('出台信用制度文件', '件')."""
    text = header.removeprefix("本月")
    measure = next((m for key, m in _MEASURES if key in text), "项")
    for tail in ("次数", "条数", "数"):
        if text.endswith(tail):
            text = text[: -len(tail)]
            break
    return text, measure


def more_of(header: str, n: float) -> str:
    """'再出台 1 件信用制度文件' / '「信用动态稿件被采用」再增加 2 篇'."""
    text, measure = phrase(header)
    count = f"{math.ceil(n - 1e-9):d}"
    if text.startswith(_VERBS):
        return f"再{text[:2]} {count} {measure}{text[2:]}"
    return f"「{text}」再增加 {count} {measure}"


def reach_best(done: float, best: float, header: str) -> str:
    """The to-do of a peer comparison: the gap to the group's best as it stands."""
    return f"「{header}」再增加 {num(best - done)}，达到同组最高 {num(best)}（以同组最高者不变计）"
