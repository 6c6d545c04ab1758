"""The project root, for tests that open `Home.py`, run the CLI or read source files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
