"""Issue 22 §1: a hostile TOML upload (双公示 rules, a framework) ends in a Chinese ConfigError, not a
traceback: nesting that makes tomllib recurse too deep, text far beyond any real file, bad syntax."""

from __future__ import annotations

import pytest

from credit.app.sgs import uploaded_rules
from credit.common.toml_text import MAX_TOML_CHARS, read_toml
from credit.errors import ConfigError, CreditError
from credit.model.framework import parse_framework
from tests.support import workbooks as wbk


@pytest.mark.parametrize(("text", "expect"), [
    ("a = " + "[" * 5000 + "]" * 5000, "嵌套层数过多"),
    ("a = \"" + "x" * (MAX_TOML_CHARS + 1) + "\"", "过长"),
    ("a = = 1", "不是有效的 TOML"),
], ids=["deep", "long", "syntax"])
def test_hostile_toml_is_a_config_error_naming_the_source(text: str, expect: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_toml(text, "上传的规则文件")
    assert str(caught.value).startswith("上传的规则文件") and expect in str(caught.value)


def test_the_rules_upload_and_a_framework_refuse_deep_nesting_in_chinese() -> None:
    deep = ("a = " + "[" * 5000 + "]" * 5000).encode()
    with pytest.raises(CreditError, match="嵌套层数过多"):
        uploaded_rules(deep, "规则.toml")
    with pytest.raises(ConfigError, match="嵌套层数过多"):
        parse_framework(deep.decode(), "框架.toml", wbk.register())


def test_a_real_document_reads() -> None:
    assert read_toml("a = 1\n[b]\nc = [1, 2]\n", "x") == {"a": 1, "b": {"c": [1, 2]}}
