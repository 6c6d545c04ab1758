"""The project's Streamlit settings that performance depends on."""

from __future__ import annotations

import tomllib

from tests.support.paths import ROOT


def test_no_full_garbage_collection_after_each_script_run() -> None:
    # Streamlit's default gc.collect() after every run holds the GIL for 50–300 ms on a loaded
    # server before the browser learns the run is over (benchmarks/bench_browser: upload preview).
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
