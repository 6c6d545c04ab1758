"""Audit entries and timestamps as an official reads them (credit.reports.audit_view)."""

from __future__ import annotations

from credit.reports.audit_view import action_name, describe


def test_details_read_as_chinese_sentences() -> None:
    detail = {"month": "2022-10", "filename": "十月.xlsx", "created": [["镇街", 2], ["部门", 1]],
              "unchanged": [], "locked": True}
    assert describe(detail) == "月份：2022-10；文件：十月.xlsx；新版本：镇街 2、部门 1；未变化：无；已锁定：是"
    assert describe('{"username": "office"}') == "用户名：office"
    assert describe({"mystery": 1}) == "mystery：1"  # an unknown key still shows, untranslated


def test_action_names() -> None:
    assert action_name("weights.adopt") == "采纳为官方权重"
    assert action_name("something.new") == "something.new"
