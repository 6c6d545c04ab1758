"""The 年度通报's files: the format chosen, the Word renderer loaded only when a Word or PDF file is
made (python-docx is heavy and the 年度 page imports this module), PDF from Word by LibreOffice.

Separate from `credit.reports.annual_bulletin` (the content and the Excel file), which the Word
renderer imports: the dispatch lives above both, as `credit.reports.exports` does for a month.
"""

from __future__ import annotations

from credit.errors import CreditError
from credit.reports.annual_bulletin import AnnualBulletin, annual_stem, build_annual_bulletin, to_xlsx
from credit.reports.pdf import docx_to_pdf
from credit.store.facade import Store


def render_docx(data: AnnualBulletin) -> bytes:
    """The Word file (`credit.reports.annual_docx`, imported on first use)."""
    from credit.reports.annual_docx import render_annual_docx

    return render_annual_docx(data)


def render(data: AnnualBulletin, fmt: str) -> bytes:
    """The 年度通报 as Word ("docx"), PDF ("pdf") or Excel ("xlsx"); any other format is refused in Chinese."""
    if fmt == "docx":
        return render_docx(data)
    if fmt == "pdf":
        return docx_to_pdf(render_docx(data), annual_stem(data.year))
    if fmt == "xlsx":
        return to_xlsx(data)
    raise CreditError(f"不支持的通报格式「{fmt}」，可选 docx（Word）、pdf 或 xlsx（Excel 附件）")


def draft_file(store: Store, year: int, fmt: str) -> bytes:
    """The year's 年度通报 as it stands (no 文号 yet), in `fmt`."""
    return render(build_annual_bulletin(store, year), fmt)
