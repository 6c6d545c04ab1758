"""The wrong-type refusal on the page, the moment a file is chosen.

The uploaders pass no `type=` (Streamlit would refuse in English, "… files are not allowed"), so a
.pdf can be chosen where a workbook belongs; `credit.common.filetypes` words the refusal and the
domain refuses it again on any write. This only shows it at once and tells the caller to hold the
button, so nobody presses 提交 to learn the file was the wrong one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import streamlit as st

from credit.common.filetypes import type_error
from credit.workbook.isolation import warm


def refuse_wrong_types(files: object, types: Sequence[str], outcome: str) -> bool:
    """Show one Chinese error per chosen file whose name is not an accepted type; True if any.

    `files` is what `st.file_uploader` returned (None, one file or a list); `outcome` ends each
    message with what did not happen ("未提交", "未保存").
    """
    chosen = [] if files is None else list(files) if isinstance(files, list) else [files]
    messages = [m for f in chosen if (m := type_error(f.name, types)) is not None]
    for message in messages:
        st.error(f"{message}，{outcome}。")
    return bool(messages)


READERS_AFTER_S = 5.0  # after the first run of the process began: the readers start while its page is read
WARM_CHECK_S = 30.0  # then, how often a rerun looks whether the reader processes still run
_readers_due = threading.Lock()
_readers_ready = threading.Event()
_next_check = 0.0


def warm_readers() -> None:
    """Have the upload reader processes running before the first upload (`credit.workbook.isolation`).

    Starting one costs about a second of CPU (an interpreter importing the readers), and two start.
    Started with a new server's first page they took that page's time on a 2-core server (its
    reads ran at a third of their speed while the readers imported), so the first call of the
    process (Home.py, as its first run begins) starts them `READERS_AFTER_S` seconds later in the
    background, once that page is drawn; an upload sooner than that starts its reader itself.
    Looking whether they still run is a system call per worker (and a hand-over of the interpreter
    lock) on every rerun of every page, so from then on it is done at most every `WARM_CHECK_S`
    seconds: a worker that a hostile file ended is started again then, or by the next upload
    itself (`isolation` starts a dead worker before using it).
    """
    global _next_check
    if not _readers_ready.is_set():
        if _readers_due.acquire(blocking=False):
            timer = threading.Timer(READERS_AFTER_S, _start_readers)
            timer.daemon = True
            timer.name = "warm-readers"
            timer.start()
        return
    now = time.monotonic()
    if now < _next_check:
        return
    _next_check = now + WARM_CHECK_S
    warm()


def _start_readers() -> None:
    global _next_check
    try:
        warm()
    finally:
        _next_check = time.monotonic() + WARM_CHECK_S
        _readers_ready.set()
