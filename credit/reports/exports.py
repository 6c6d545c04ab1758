"""Publishing a bulletin: pick the file format, render it, and record the export in the audit log.

This module sits above both renderers: `credit.reports.bulletin` (the model and the Excel file)
and `credit.reports.docx` (the Word file, which imports the model). Keeping the format dispatch
here is what lets the bulletin module not know about Word at all, without an import cycle.

The Word renderer (python-docx, lxml) is imported when a Word or PDF file is rendered, not with
this module: Home and every page with the download buttons import it, and no file is built until
a button is clicked (tests/test_architecture.py keeps Home free of python-docx).

Files are built once per content: `render` keeps the last few files it made, keyed by a digest of
everything the file shows (the pickled `BulletinData`: figures, text, issue, row-level cut), so a
second 下载 of an unchanged month — by anyone, in any session of this process — hands out the file
already made instead of drawing the charts and starting LibreOffice again. Any change to what the
file shows changes the key; nothing is ever served for content it was not made from.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict

from credit.common.filetypes import XLSX_MIME
from credit.errors import CreditError
from credit.model.accounts import Actor
from credit.reports.bulletin import RED, YELLOW, BulletinData, file_stem, to_xlsx
from credit.reports.pdf import docx_to_pdf
from credit.reports.rowlevel import bulletin_for
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
    return docx_to_pdf(render(data, "docx"), file_stem(data.month))


RENDERED_KEEP = 12  # files kept per process: a month's three formats for a few months and cuts
_rendered: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_rendered_lock = threading.Lock()


def content_key(data: BulletinData) -> str | None:
    """A digest of everything a bulletin file shows (pickling is lossless: different content, different
    key); None when something in it cannot be pickled — that file is then simply not kept."""
    try:
        return hashlib.sha256(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def render(data: BulletinData, fmt: str) -> bytes:
    """The bulletin as Word ("docx"), PDF ("pdf") or Excel ("xlsx"); any other format is refused in Chinese.
    A file already made from the same content is handed out again (see the module's docstring)."""
    if fmt not in FORMATS:
        raise CreditError(f"不支持的通报格式「{fmt}」，可选 docx（Word）、pdf 或 xlsx（Excel 附件）")
    digest = content_key(data)
    key = (fmt, digest or "")
    with _rendered_lock:
        if digest and key in _rendered:
            _rendered.move_to_end(key)
            return _rendered[key]
    blob = {"docx": render_docx, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](data)
    if digest is None:
        return blob
    with _rendered_lock:
        _rendered[key] = blob
        while len(_rendered) > RENDERED_KEEP:
            _rendered.popitem(last=False)
    return blob


def export(store: Store, data: BulletinData, fmt: str, actor: Actor | None) -> bytes:
    """Render the bulletin as `actor` may take it away (`credit.reports.rowlevel`: a unit account gets
    its own detail only, an unissued month is marked as a draft); with an actor, record the export."""
    data = bulletin_for(store, data, actor)
    blob = render(data, fmt)
    if actor is not None:
        store.exports.record_export(data.month, fmt, actor, size=len(blob),
                                    red=len(data.alerts_of(RED)), yellow=len(data.alerts_of(YELLOW)))
    return blob
