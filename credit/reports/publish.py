"""Publishing a bulletin: pick the file format, render it, and record the export in the audit log.

This module sits above both renderers: `credit.reports.bulletin` (the model and the Excel file)
and `credit.reports.docx` (the Word file, which imports the model). Keeping the format dispatch
here is what lets the bulletin module not know about Word at all, without an import cycle.

The Word renderer (python-docx, lxml) is imported when a Word or PDF file is rendered, not with
this module: Home and every page with the download buttons import it, and no file is built until
a button is clicked (tests/test_architecture.py keeps Home free of python-docx).
"""

from __future__ import annotations

from credit.common.filetypes import XLSX_MIME
from credit.errors import CreditError
from credit.model.accounts import Actor
from credit.reports.bulletin import RED, YELLOW, BulletinData, file_stem, to_xlsx
from credit.reports.pdf import docx_to_pdf
from credit.store.facade import Store

FORMATS = {"docx", "xlsx", "pdf"}
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX_MIME,
}


def render_docx(data: BulletinData) -> bytes:
    """The Word file (`credit.reports.docx`, imported on first use)."""
    from credit.reports.docx import render_docx as render_word

    return render_word(data)


def to_pdf(data: BulletinData) -> bytes:
    """The Word file as PDF (LibreOffice headless, CJK fonts mapped; see credit.reports.pdf)."""
    return docx_to_pdf(render_docx(data), file_stem(data.month))


def render(data: BulletinData, fmt: str) -> bytes:
    """The bulletin as Word ("docx"), PDF ("pdf") or Excel ("xlsx"); any other format is refused in Chinese."""
    if fmt not in FORMATS:
        raise CreditError(f"不支持的通报格式「{fmt}」，可选 docx（Word）、pdf 或 xlsx（Excel 附件）")
    return {"docx": render_docx, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](data)


def export(store: Store, data: BulletinData, fmt: str, actor: Actor | None) -> bytes:
    """Render the bulletin; with an actor, record the export in the audit log (reading is open to all)."""
    blob = render(data, fmt)
    if actor is not None:
        store.exports.record_export(data.month, fmt, actor, size=len(blob),
                                    red=len(data.alerts_of(RED)), yellow=len(data.alerts_of(YELLOW)))
    return blob
