"""Signed months are protected: what would change a signed month's result from outside its record.

A unit-register change (add, rename, retire) or a framework version taking effect in or before a
signed month changes what today's data gives for that month. The month's record does not change
(it is frozen), but the change must not pass silently: it is refused unless made as a correction
with a reason (更正说明), and then those months show a 更正候选 that the office signs as a 更正通报.
One check for every such write, called inside its write transaction (`Units`, `Frameworks`).
"""

from __future__ import annotations

from credit.common.text import NOTE, check_text
from credit.errors import CreditError
from credit.store.core import Core


def signed_from(core: Core, month: str) -> list[dict]:
    """The signed months ≥ `month`, each with the number of the publication in force."""
    return core.all(
        "SELECT p.month, p.number FROM publications p WHERE p.month >= ? AND p.id = "
        "(SELECT MAX(q.id) FROM publications q WHERE q.month = p.month) ORDER BY p.month", (month,))


def guard_signed(core: Core, month: str, what: str, correction: str) -> list[str]:
    """Refuse `what` (effective from `month`) when it reaches a signed month, unless `correction`
    (the 更正说明) is given; returns the signed months it reaches (for the audit entry)."""
    hit = signed_from(core, month)
    if not hit:
        return []
    check_correction(correction)
    if not (correction or "").strip():
        months = "、".join(f"{r['month']}（{r['number']}）" for r in hit)
        raise CreditError(
            f"{what}自 {month} 起生效，会改变已签发月份 {months}的结果。已签发的结果只能以更正的方式改变："
            "如确需更改，请作为更正填写更正说明，之后这些月份显示为更正候选，须签发更正通报。未写入任何数据。")
    return [r["month"] for r in hit]


MAX_CORRECTION = NOTE  # characters: the bound of a note (申诉理由, 更正说明) in the shared text policy


def check_correction(text: str | None) -> str:
    """Refuse a 更正说明 the platform would not keep: too long, or holding control, direction or
    zero-width characters (they show a text other than the one stored, and break the Excel and
    Word files the audit and notices end up in). Line breaks and tabs are fine in a reason.
    The shared text policy (`check_text`), as for every other text typed into the platform."""
    return check_text(text, "更正说明", limit=MAX_CORRECTION, multiline=True)
