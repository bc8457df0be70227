"""`ruff check` passes over the notebooks, the tests and everything else in Python."""

from __future__ import annotations

import subprocess
import sys

from nbtools import ROOT


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise", "."],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, (
        f"ruff found problems (fix them, or try `ruff check --fix`):\n{result.stdout}{result.stderr}"
    )
