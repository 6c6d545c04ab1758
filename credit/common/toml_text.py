"""The one way to read TOML text that may come from an upload (框架 files, 双公示 rules, 权重方案).

`tomllib` is pure Python, so no file can abort the process, but a hostile file can still end a
request in a traceback instead of a Chinese message: 5,000 nested `[` raise `RecursionError`
(not `TOMLDecodeError`), and a few megabytes of text cost seconds. So the text is bounded first
and every failure becomes a `ConfigError` naming the source.
"""

from __future__ import annotations

import tomllib
from typing import Any

from credit.errors import ConfigError

MAX_TOML_CHARS = 1_000_000  # the shipped framework and rules files are a few tens of KB


def read_toml(text: str, source: str, *, max_chars: int = MAX_TOML_CHARS) -> dict[str, Any]:
    """The parsed document, or `ConfigError`: "{source}不是有效的 TOML：…" / too long / too deep."""
    if len(text) > max_chars:
        raise ConfigError(f"{source}过长（{len(text):,} 个字符，上限 {max_chars:,}），未读取")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}不是有效的 TOML：{exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{source}嵌套层数过多，不是正常的配置文件，未读取") from exc
