"""`python -m credit …` run inside the test process: the same `credit.app.cli.main`, exit code,
stdout and stderr, without paying a new interpreter's imports (pandas, openpyxl) per command.

One test per CLI module still runs the real `python -m credit` in a subprocess (`run_subprocess`),
so the entry point itself stays covered.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

from tests.support.paths import ROOT


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI with `args` (and `stdin` as its standard input), as a CompletedProcess."""
    from credit.app import cli

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse refusing the arguments
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = old_stdin
    return subprocess.CompletedProcess(["credit", *args], code, out.getvalue(), err.getvalue())


def run_subprocess(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real `python -m credit ARGS` in a new interpreter (the entry point, argv, exit status)."""
    return subprocess.run([sys.executable, "-m", "credit", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin)
