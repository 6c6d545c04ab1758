"""The heavy libraries of the pages, imported once per server process after its first page is drawn.

A new server pays each page's library imports at that page's first visit: plotly.express and its
first figure (about 1.1 s idle) and the 拼音 dictionaries of the unit search (0.3 s) made the first
单位详情 take 8 s on a loaded machine, where every later visit took one. Imported in a background
thread once the first run of the server has finished drawing (while the person is still reading or
typing a password), the first visit finds them loaded. The imports hold Python's import locks, so a
page that needs a module meanwhile simply waits for the same import rather than doing it twice.
"""

from __future__ import annotations

import threading
import time

_started = threading.Lock()
_done = threading.Event()
_thread: threading.Thread | None = None


def warm_libraries() -> None:
    """Start the background imports (once per process; later calls return at once)."""
    global _thread
    if not _started.acquire(blocking=False):
        return
    _thread = threading.Thread(target=_warm, name="warm-libraries", daemon=True)
    _thread.start()


def warmed(timeout: float | None = None) -> bool:
    """Whether the background imports have finished (waiting up to `timeout` seconds)."""
    return _done.wait(timeout)


AFTER_S = 1.5  # the page's own drawing first: the browser is still fetching and laying out its parts


def _warm() -> None:
    # Begun the moment the run ended, the imports took the interpreter lock from the server's loop
    # while it sent that page's parts: a new server's first Home took 0.3 s longer to draw.
    time.sleep(AFTER_S)
    try:
        import pandas as pd
        import plotly.express as px

        from credit.common.search import NameIndex

        px.imshow(pd.DataFrame([[0.0]]), text_auto=".0f").to_json()  # px loads its submodules on first use
        NameIndex.build([("0", "平阴县")])  # the 拼音 dictionaries
    except Exception:  # noqa: BLE001 - a warm-up that fails costs nothing: the page imports as before
        pass
    finally:
        _done.set()
