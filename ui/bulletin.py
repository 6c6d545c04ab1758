"""The bulletin's download buttons, shared by Home (月度排名) and the bulletin page.

Files are built only when a button is clicked (a callable as `data`); Streamlit runs that callable
in a worker thread outside the script run, so it opens its own store connection (sqlite
connections stay on their thread) and takes the actor captured at render time. Reading the
bulletin is open to everyone; each export by a logged-in account is written to the audit log.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from credit.app.service import open_store
from credit.model.accounts import Actor
from credit.reports.bulletin import BulletinData, build_bulletin_data, file_stem
from credit.reports.exports import MIME, export
from ui.auth import current_actor
from ui.context import db_path

BUTTONS = (("docx", "下载 Word 通报", ":material/description:"), ("xlsx", "下载 Excel 通报", ":material/table_chart:"),
           ("pdf", "下载 PDF 通报", ":material/picture_as_pdf:"))


def build_file(db: str, month: str, fmt: str, actor: Actor | None, data: BulletinData | None = None) -> bytes:
    """Render (building the data when not given) and audit the export; safe to run in any thread."""
    with open_store(db) as store:
        return export(store, data if data is not None else build_bulletin_data(store, month), fmt, actor)


def bulletin_downloads(month: str, key: str, data: BulletinData | None = None) -> None:
    actor = current_actor()
    db = db_path()
    row = st.container(horizontal=True)  # one block for the three buttons (columns were five)
    for fmt, label, icon in BUTTONS:
        row.download_button(
            label, data=partial(build_file, db, month, fmt, actor, data), file_name=f"{file_stem(month)}.{fmt}",
            mime=MIME[fmt], key=f"{key}-{fmt}", on_click="ignore", icon=icon,
        )
