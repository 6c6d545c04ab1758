"""Small helpers shared by the store's parts: time stamps, JSON, and the argument checks.

The checks raise `CreditError` in Chinese, so a bad month or group typed in the CLI or a page
reads as a message an official can act on, not a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from credit.common.clock import now
from credit.common.months import check_month, make_month
from credit.errors import CreditError
from credit.model.contract import SHEETS, Sheet
from credit.model.units import GROUPS

__all__ = ["check_group", "check_month", "dumps", "month_range", "now", "private", "sheet_spec"]  # now, check_month: credit.common


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise CreditError(f"分组应为 {' 或 '.join(GROUPS)}，实际为「{group}」")
    return group


def sheet_spec(name: str) -> Sheet:
    try:
        return SHEETS[name]
    except KeyError:
        raise CreditError(f"未知的工作表「{name}」，可用的工作表：{'、'.join(SHEETS)}") from None


def month_range(year: int, upto_month: int) -> tuple[str, str]:
    """('YYYY-01', 'YYYY-mm'): the months of a year-to-date read."""
    if not 1 <= upto_month <= 12:
        raise CreditError(f"截止月份应在 1 到 12 之间，实际为 {upto_month}")
    return make_month(year, 1), make_month(year, upto_month)


def private(path: Path) -> None:
    """Owner-only permissions for a file holding password hashes (a database or a backup of one).
    On Windows the file keeps its folder's permissions (os.chmod there sets only the read-only flag)."""
    if os.name == "posix":
        os.chmod(path, 0o600)
