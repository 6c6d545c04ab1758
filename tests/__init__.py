"""Test suite; the layout mirrors `credit/` (see docs/architecture.md)."""
