"""Home in a new server process imports no file reader or writer (openpyxl, calamine, python-docx):
those took about two seconds of a new server's first page, and Home builds a file only when a
download button is clicked (the button's callable imports what it needs then)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

HEAVY = ("openpyxl", "python_calamine", "docx")
# A fresh interpreter (this test process has long imported them): Home run once, as the first
# visitor of a new server, anonymous or signed in as the office (which also sees 月度闭环 there).
SCRIPT = """
import json, sys, time
from streamlit.testing.v1 import AppTest
from credit.model.accounts import Actor
at = AppTest.from_file(sys.argv[1], default_timeout=120)
if sys.argv[2] == "office":
    at.session_state["actor"] = Actor("office", "editor", "信用办")
    at.session_state["actor_seen"] = time.time()
at.run()
assert not at.exception, [e.value for e in at.exception]
assert at.dataframe, "Home drew no ranking"
print(json.dumps(sorted(m for m in sys.argv[3:] if m in sys.modules)))
"""


@pytest.mark.parametrize("who", ["anonymous", "office"])
def test_home_imports_no_file_reader_or_writer(demo_db: Path, who: str) -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "Home.py"), who, *HEAVY], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "CREDIT_DB": str(demo_db)}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
