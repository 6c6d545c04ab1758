"""Accounts the permission tests act as (the demo database's names), and a file fingerprint that
proves a refused write wrote nothing at all."""

from __future__ import annotations

import hashlib
from pathlib import Path

from credit.model.accounts import ROLE_ADMIN, ROLE_EDITOR, ROLE_VIEWER, Actor
from credit.store.facade import Store

VIEWER = Actor("leader", ROLE_VIEWER)
EDITOR = Actor("office", ROLE_EDITOR)
ADMIN = Actor("admin", ROLE_ADMIN)


def file_digest(store: Store) -> str:
    """sha256 of the database file after folding the WAL in: equal digests, nothing written."""
    store.checkpoint()
    return hashlib.sha256(Path(store.path).read_bytes()).hexdigest()
