"""The two peer groups the county ranks separately, and how each is named to readers.

`GROUPS` are the internal keys (database, framework files, CLI `--group`); `GROUP_LABELS` the names
the bulletin, the pages and the exports print, in the wording of the county's 考核办法.
"""

from __future__ import annotations

GROUPS: tuple[str, ...] = ("镇街", "部门")
GROUP_LABELS: dict[str, str] = {"镇街": "镇（街道）、开发区", "部门": "部门（单位）"}


def group_label(group: str) -> str:
    """"镇街" → "镇（街道）、开发区"; an unknown key is shown as it is (never a KeyError in a page)."""
    return GROUP_LABELS.get(group, group)
