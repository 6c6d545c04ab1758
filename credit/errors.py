"""Errors the domain raises, each carrying a message an official can act on (in Chinese)."""

from __future__ import annotations

from dataclasses import dataclass


class CreditError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(CreditError):
    """The framework or unit register files are wrong; the message names file and key."""


class MonthError(CreditError, ValueError):
    """A month that is not "YYYY-MM" (see `credit.common.months.check_month`)."""


class StoreBusyError(CreditError):
    """Another import holds the write lock; the user should retry shortly."""

    def __init__(self, msg: str = "数据库正忙（另一项导入正在进行），请稍后重试。"):
        super().__init__(msg)


@dataclass(frozen=True)
class CellError:
    """One problem in an uploaded workbook, located by sheet, row and column.

    `row` is the row number as Excel shows it (1-based); None when the problem is the whole
    sheet or file. `hint` tells the official how to fix it.
    """

    sheet: str | None
    row: int | None
    column: str | None
    message: str
    hint: str = ""

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"「{self.column}」列")
        return "".join(parts) or "文件"

    def __str__(self) -> str:
        text = f"{self.where()}：{self.message}"
        return f"{text}（{self.hint}）" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "工作表": self.sheet or "",
            "行": self.row or "",
            "列": self.column or "",
            "问题": self.message,
            "修改建议": self.hint,
        }


class WorkbookError(CreditError):
    """An upload was refused; `errors` lists every problem found, not just the first."""

    def __init__(self, errors: list[CellError]):
        self.errors = list(errors)
        head = f"文件有 {len(self.errors)} 处问题，未导入任何数据："
        super().__init__(head + "\n" + "\n".join(str(e) for e in self.errors[:50]))
