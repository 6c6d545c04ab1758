"""The two peer groups the county ranks separately, and how each is named to readers.

`GROUPS` are the internal keys (database, framework files, CLI `--group`); `GROUP_LABELS` the names
the bulletin, the pages and the exports print, in the wording of the county's 考核办法.
"""

from __future__ import annotations

from collections.abc import Sequence

GROUPS: tuple[str, ...] = ("镇街", "部门")
GROUP_LABELS: dict[str, str] = {"镇街": "镇（街道）、开发区", "部门": "部门（单位）"}


def group_label(group: str) -> str:
    """"镇街" → "镇（街道）、开发区"; an unknown key is shown as it is (never a KeyError in a page)."""
    return GROUP_LABELS.get(group, group)


def some_names(names: Sequence[str], limit: int, counted: str = "") -> str:
    """The first `limit` names joined with 、, and 等 when there are more: a list that a register of
    thousands would make a page long. Where the count is not shown beside it, `counted` names what
    is counted ("个单位", "项") and the list ends "等 12 个单位"."""
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + (f"等 {len(names)} {counted}" if counted else "等")
