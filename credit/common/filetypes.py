"""Which file types each upload accepts, and the one Chinese refusal for any other.

Streamlit's uploader can check the extension itself (`type=`), but it then tells the user in
English ("… files are not allowed") and no setting changes that text. So the pages pass no
`type=` and every upload path asks this module first: the refusal names the file and the accepted
types in Chinese, before a byte of the content is read. It is only the friendly first message:
a name can be renamed, so the content checks behind it (magic bytes in `credit.workbook.safety`,
`credit.workbook.registers.sniff_evidence`) still decide what a file really is.

Types are written with their dot, lower case (".xlsx"); a name matches case-insensitively by its
last suffix only, so "报表.XLSX" is accepted and "报表.xlsx.exe" is an .exe.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from credit.errors import CreditError

FileTypes = tuple[str, ...]

WORKBOOK_TYPES: FileTypes = (".xlsx", ".xls")  # the monthly workbook, a unit's own 填报 file
TABLE_TYPES: FileTypes = (".xlsx", ".xls", ".csv")  # 双公示 exports, entity and code lists
EVIDENCE_TYPES: FileTypes = (".pdf", ".doc", ".docx")  # 证明材料, 申诉附件
RULES_TYPES: FileTypes = (".toml",)  # the 双公示 rules file

# The media type of every .xlsx the platform hands out (downloads, bulletin files): said once.
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileTypeError(CreditError):
    """An upload whose name is not one of the accepted types; nothing was read or written."""


def extension(filename: str) -> str:
    """The last suffix, lower case with its dot: "报表.XLSX" → ".xlsx"; "" when there is none.

    Only the base name counts (a browser may send a path), and a leading dot is a hidden file's
    name, not a suffix (".xlsx" alone has no extension), as `posixpath.splitext` reads it.
    """
    base = posixpath.basename(str(filename or "").replace("\\", "/")).strip()
    return posixpath.splitext(base)[1].lower()


def accepted_text(types: Sequence[str]) -> str:
    """The accepted types as the refusal and the labels write them: ".xlsx、.xls"."""
    return "、".join(types)


def type_error(filename: str, types: Sequence[str]) -> str | None:
    """The Chinese refusal when `filename` is not one of `types`, else None."""
    if extension(filename) in types:
        return None
    name = str(filename or "").strip() or "（未命名）"
    return f"「{name}」不是可上传的文件类型：这里只接受 {accepted_text(types)}"


def check_type(filename: str, types: Sequence[str]) -> None:
    """Raise `FileTypeError` with `type_error`'s message when the name is not an accepted type."""
    message = type_error(filename, types)
    if message is not None:
        raise FileTypeError(message)
