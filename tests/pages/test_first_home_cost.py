"""What a new server's first Home costs beyond drawing it (issue 28, 性能三: the first Home of a newly
started server at 5,000 units within 1.5× a bare page). Each test runs Home once in a fresh
interpreter, as the first visitor of a new server, on a production (not demo) database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from credit.app.service import open_store
from credit.model.accounts import SYSTEM
from tests.support.paths import ROOT

SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120)
at.run()
assert not at.exception, [e.value for e in at.exception]
assert at.dataframe and at.metric, "Home drew no ranking"
print(json.dumps(sorted(m for m in sys.argv[2:] if m in sys.modules)))
"""


def _first_home_imports(db: Path, *modules: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "Home.py"), *modules], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "CREDIT_DB": str(db)}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_first_home_compiles_no_emoji_catalogue(demo_db: Path) -> None:
    """The page icon is 📊 drawn as the SVG Streamlit makes of an emoji icon, from a file: an emoji
    icon made Streamlit import and compile its whole emoji catalogue on every new server's first
    page (0.1 s on a loaded 2-core server). A production database shows no emoji icon at all."""
    with open_store(demo_db) as store:
        store.settings.set("demo", "0", by=SYSTEM)
    assert _first_home_imports(demo_db, "streamlit.emojis") == []
    svg = (ROOT / "ui" / "favicon.svg").read_text(encoding="utf-8")
    assert "📊" in svg and svg.startswith("<svg ")
