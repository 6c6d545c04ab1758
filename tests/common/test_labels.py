"""Group keys and their printed names (credit.common.labels) — one definition for every layer."""

from __future__ import annotations

from credit.common.labels import GROUP_LABELS, GROUPS, group_label
from credit.model import units


def test_every_group_has_its_official_name() -> None:
    assert GROUPS == ("镇街", "部门")
    assert set(GROUP_LABELS) == set(GROUPS)
    assert group_label("镇街") == "镇（街道）、开发区"
    assert group_label("部门") == "部门（单位）"
    assert group_label("别的") == "别的"  # shown as is, never a KeyError in a page


def test_the_unit_register_uses_the_same_groups() -> None:
    assert units.GROUPS is GROUPS
