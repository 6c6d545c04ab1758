"""Small helpers shared by the store and its mixins (kept apart to avoid circular imports)."""

from __future__ import annotations

import json
from datetime import datetime


def now() -> str:
    """Local wall-clock time with offset: officials read these stamps, so no UTC surprises."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
