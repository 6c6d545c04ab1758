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


@dataclass(frozen=True)
class MonthMismatch(CellError):
    """The file says it is for another month (`found`, YYYY-MM) than the one chosen: one error for
    the whole file — its dates would all be out of the month too — and the page offers to switch."""

    found: str = ""


class WorkbookError(CreditError):
    """An upload was refused; `errors` lists every problem found, not just the first."""

    def __init__(self, errors: list[CellError]):
        self.errors = list(errors)
        head = f"文件有 {len(self.errors)} 处问题，未导入任何数据："
        super().__init__(head + "\n" + "\n".join(str(e) for e in self.errors[:50]))

    def __reduce__(self):  # crosses the pipe from the reader worker (credit.workbook.isolation) whole
        return (type(self), (self.errors,))


class SurgeNotConfirmed(CreditError):
    """An import would write figures more than ten times last month's that nobody said were checked.

    `lines` names each one (sheet, unit, field, last month's and the new value); nothing was written.
    """

    def __init__(self, lines: list[str], how: str):
        self.lines = list(lines)
        head = (f"有 {len(self.lines)} 项数值比上月增长超过 10 倍，可能是多打了位数或单位填错（元/万元），"
                f"未导入任何数据。请逐项核对：")
        super().__init__(head + "\n" + "\n".join(self.lines[:50]) + f"\n核对无误后{how}。")
        self.how = how

    def __reduce__(self):
        return (type(self), (self.lines, self.how))


class StorageError(CreditError):
    """The database file could not be read or written (disk full, read-only, locked, corrupt).

    One plain message per kind instead of a raw `sqlite3` traceback; every write is a single
    transaction, so when this is raised nothing of the operation was stored and earlier data is
    intact (SQLite rolls the transaction back).
    """


_STORAGE_MESSAGES = {
    "full": "存储空间已满，本次操作未保存任何数据（已有数据完好）。请清理服务器磁盘空间后重试。",
    "readonly": "数据库文件或其所在目录为只读，无法保存，本次操作未保存任何数据（已有数据完好）。"
                "请检查数据库文件及目录的写入权限后重试。",
    "busy": StoreBusyError().args[0],
    "corrupt": "数据库文件已损坏或不是本平台的数据库，无法读取。请停止平台服务，"
               "用“python -m credit restore”从最近的备份恢复，或联系管理员。",
    "io": "读写数据库文件时发生磁盘错误，本次操作未完成。请检查服务器磁盘后重试。",
}
_SQLITE_KIND = {13: "full", 8: "readonly", 5: "busy", 6: "busy", 11: "corrupt", 26: "corrupt", 10: "io", 14: "readonly"}
_TEXT_KIND = (
    ("disk is full", "full"),
    ("readonly", "readonly"),
    ("read-only", "readonly"),
    ("unable to open database", "readonly"),
    ("locked", "busy"),
    ("malformed", "corrupt"),
    ("not a database", "corrupt"),
    ("disk i/o", "io"),
)


def _storage_kind(exc: BaseException) -> str | None:
    import sqlite3

    if isinstance(exc, StoreBusyError):
        return "busy"
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _SQLITE_KIND:
        return _SQLITE_KIND[code & 0xFF]
    text = str(exc).lower()
    return next((kind for needle, kind in _TEXT_KIND if needle in text), None)


def storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError for `exc` or anything in its cause chain, None when it is not a storage failure."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, StorageError):
            return seen
        kind = _storage_kind(seen)
        if kind is not None:
            return StorageError(_STORAGE_MESSAGES[kind])
        seen = seen.__cause__ or seen.__context__
    return None


OPEN_FAILED = "无法打开数据库文件"  # how credit.store.core.Core reports a file SQLite cannot open


def storage_failure(exc: BaseException) -> StorageError | None:
    """What the CLI and the UI show for `exc`: a StorageError, or None to handle it as usual.

    A raw `sqlite3` error is classified; of the CreditErrors only the store's "cannot open" one
    (which carries SQLite's English text) is, since the others (a restore refusing a damaged
    backup, say) already name the file in Chinese.
    """
    import sqlite3

    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, sqlite3.DatabaseError) or (isinstance(exc, CreditError) and str(exc).startswith(OPEN_FAILED)):
        return storage_error(exc)
    return None
