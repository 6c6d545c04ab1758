"""One way a page runs a write: call the domain, show its Chinese message, keep it across the rerun.

Every write button does the same three things: run one domain call (which checks the permission
and refuses bad input with a `CreditError` worded in Chinese), say what happened, and — since a
write changes what the page shows — usually rerun. A message set just before a rerun is lost
unless it is kept, so pages grew their own flash helpers and session keys. Here messages are kept
in ONE session entry, by slot (the place on the page that shows them, e.g. "whatif-save"), and
`show(slot)` draws them once. Button callbacks (`on_click`, run before the script) and inline
`if st.button(…)` branches use the same `run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

import streamlit as st

from credit.errors import CreditError
from ui.safe import md

T = TypeVar("T")
Kind = Literal["success", "error", "info", "warning"]
KEPT = "ui_actions_kept"  # slot → [(kind, message)], shown once by `show`

_DRAW: dict[str, Callable[[str], object]] = {
    "success": st.success, "error": st.error, "info": st.info, "warning": st.warning,
}


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `run` did: `ok` when the call went through, its `value`, and the refusal text if not."""

    ok: bool
    value: T | None = None
    error: str = ""

    def __bool__(self) -> bool:
        return self.ok


def keep(slot: str, message: str, kind: Kind = "success") -> None:
    """Keep `message` for `slot` until the next `show(slot)` (this run or the next)."""
    kept: dict[str, list[tuple[str, str]]] = st.session_state.setdefault(KEPT, {})
    kept.setdefault(slot, []).append((kind, message))


def show(slot: str) -> None:
    """Draw, once, what was kept for `slot`."""
    kept = st.session_state.get(KEPT) or {}
    for kind, message in kept.pop(slot, []):
        _DRAW[kind](message)


def run(slot: str, call: Callable[[], T], *, done: str | Callable[[T], str] | None = None,
        rerun: bool = False, now: bool = False, refused: str = "",
        on_refused: Callable[[CreditError], None] | None = None) -> Outcome[T]:
    """Run one domain call for `slot`.

    Refused (`CreditError`): its Chinese message is the error. Done: `done` (a text, or made from
    the call's value) is the success message. `now=True` draws the message at this point of the
    page (an inline branch that does not rerun); otherwise it is kept for `show(slot)`. `rerun`
    reruns the script after a success, so the page shows the new state (and the kept message).
    `refused` goes before a refusal's message ("导入失败，未写入任何数据："). `on_refused` draws a
    refusal itself instead (a file's problems as a table, one per row), at this point of the page.
    """
    try:
        value = call()
    except CreditError as exc:
        if on_refused is not None:
            on_refused(exc)
            return Outcome(False, None, str(exc))
        message = f"{refused}{md(str(exc))}"  # a refusal may quote what the user typed: shown as typed
        (_DRAW["error"](message) if now else keep(slot, message, "error"))
        return Outcome(False, None, message)
    text = done(value) if callable(done) else done
    text = md(text) if text else text  # names and numbers the user typed, shown as typed
    if text:
        (_DRAW["success"](text) if now and not rerun else keep(slot, text))
    if rerun:
        st.rerun()
    return Outcome(True, value)
