"""The one text policy: what a piece of user text may hold before the platform keeps it.

Why at input and not at output: openpyxl raises for a C0 control in a cell, python-docx writes
it into XML Word refuses to open, so one `\\x07` in a 签发人 made a month impossible to issue; a
bidi override (U+202E) or a zero-width space shows a different text than the one stored (a name
that reads as another unit's, a 文号 that looks unique but is not). Stripping silently on output
would publish something other than what was entered, so such text is refused where it comes in,
with a Chinese message naming the place (the form field, or the sheet, row and column).

- `check_text(value, where, limit=…)` is the one check; every input path calls it (store writes,
  the workbook readers, file names). It returns the text unchanged, or raises `TextError`.
- `text_problem(value, limit=…)` is the same check as a message without the place (the workbook
  readers file it at their cell).
- Limits are named by what the text is (`NAME`, `NUMBER`, `LINE`, `NOTE`, `PROSE`, `CELL`,
  `FILE_NAME`); a field picks the one that fits instead of inventing a number.
- Tab, line feed and carriage return are allowed only where several lines make sense
  (`multiline=True`: reasons, notes, prose, workbook cells).
"""

from __future__ import annotations

import unicodedata

from credit.errors import CreditError

# How long each kind of text may be (characters). Generous for real use, far below what breaks a
# document (openpyxl refuses more than 255 characters in some places, Excel 32,767 in a cell).
NAME = 50  # a unit, account display name, 签发人, scenario name
NUMBER = 60  # 文号
LINE = 200  # one line: a title, an evidence name, a short reason
FILE_NAME = 200  # an uploaded file's name
CELL = 2000  # one workbook cell (事项说明 and the like)
NOTE = 2000  # 申诉理由, 更正说明, a scenario note, a review comment
PROSE = 10000  # one editable section of the 通报

_WHITESPACE_CONTROLS = frozenset("\t\n\r")
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_ZERO_WIDTH = {chr(c) for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E)}
_NAMES = {
    "\u202a": "从左到右嵌入", "\u202b": "从右到左嵌入", "\u202c": "方向格式结束", "\u202d": "从左到右覆盖",
    "\u202e": "从右到左覆盖", "\u2066": "从左到右隔离", "\u2067": "从右到左隔离", "\u2068": "首强隔离",
    "\u2069": "方向隔离结束", "\u200e": "从左到右标记", "\u200f": "从右到左标记", "\u061c": "阿拉伯字母标记",
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不换行",
    "\ufeff": "零宽不换行空格（BOM）", "\u180e": "蒙古文元音分隔符",
}


class TextError(CreditError):
    """User text that the platform does not keep (control or invisible characters, too long)."""


def _kind(ch: str, multiline: bool) -> str | None:
    """Why `ch` is refused ("控制字符", "方向控制字符", "零宽字符", …), or None if it is fine."""
    code = ord(ch)
    if ch in _WHITESPACE_CONTROLS:
        return None if multiline else "换行或制表符"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "控制字符"
    if ch in _BIDI:
        return "文字方向控制字符"
    if ch in _ZERO_WIDTH:
        return "零宽字符"
    if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF) or unicodedata.category(ch) == "Cs":
        return "无效字符"
    if ch in "\u2028\u2029":
        return "行/段分隔符"
    if unicodedata.category(ch) == "Cf":  # any other invisible format character (soft hyphen, tags …)
        return "不可见格式字符"
    return None


def text_problem(value: object, *, limit: int, multiline: bool = False) -> str | None:
    """What is wrong with `value` as user text (a Chinese sentence without the place), or None."""
    if value is None:
        return None
    text = str(value)
    for i, ch in enumerate(text, start=1):
        kind = _kind(ch, multiline)
        if kind is not None:
            name = _NAMES.get(ch, "")
            shown = f"U+{ord(ch):04X}{' ' + name if name else ''}"
            return f"含有不允许的{kind}（第 {i} 个字符，{shown}），请删除后重新填写"
    if len(text) > limit:
        return f"过长：共 {len(text)} 个字符，最多 {limit} 个"
    return None


def check_text(value: object, where: str, *, limit: int, multiline: bool = False, required: bool = False) -> str:
    """`value` as text if it may be kept; otherwise a `TextError` naming `where` (e.g. "文号", "申诉理由").

    None becomes "" (a blank optional field); `required=True` refuses a blank one.
    """
    text = "" if value is None else str(value)
    problem = text_problem(text, limit=limit, multiline=multiline)
    if problem is not None:
        raise TextError(f"{where}{problem}。未保存任何内容。")
    if required and not text.strip():
        raise TextError(f"请填写{where}。")
    return text


def check_fields(fields: dict[str, tuple[object, int]], *, multiline: frozenset[str] = frozenset()) -> None:
    """`check_text` for several form fields at once: {field name: (value, limit)}; the first bad one raises."""
    for where, (value, limit) in fields.items():
        check_text(value, where, limit=limit, multiline=where in multiline)
