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


def some_names(names: Sequence[str], limit: int) -> str:
    """The first `limit` names joined with 、, and 等 when there are more: a list that a register of
    thousands would make a page long (where the count is shown beside it)."""
    return "、".join(names[:limit]) + ("等" if len(names) > limit else "")
