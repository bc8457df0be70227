"""The published lower bounds are the versions CI really tests, and the README's commands are CI's."""

from __future__ import annotations

import re

from nbtools import ROOT
from packaging.version import Version


def _pins(path, op):
    pins = {}
    for raw in (ROOT / path).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            m = re.fullmatch(rf"([A-Za-z0-9_.-]+)\s*{re.escape(op)}\s*([0-9][0-9A-Za-z.]*)", line)
            assert m, f"{path}: {raw!r} is not of the form 'name{op}version'"
            pins[m[1].lower()] = Version(m[2])
    return pins


def test_lower_bounds_are_the_oldest_tested_versions():
    lower = _pins("requirements.txt", ">=")
    oldest = _pins("tests/constraints-oldest.txt", "==")
    assert lower == oldest, (
        "requirements.txt lower bounds and tests/constraints-oldest.txt differ: "
        f"requirements.txt says {sorted((k, str(v)) for k, v in lower.items() if oldest.get(k) != v)}, "
        f"constraints say {sorted((k, str(v)) for k, v in oldest.items() if lower.get(k) != v)}"
    )


def test_requirements_cover_what_the_course_needs():
    needed = {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbval", "pytest", "pytest-xdist", "ruff",
              "markdown-it-py", "mdit-py-plugins"}
    missing = needed - set(_pins("requirements.txt", ">="))
    assert not missing, f"requirements.txt lacks {sorted(missing)}"


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("python -m pip install -r requirements.txt", "python -m pytest"):
        assert command in readme, f"README.md no longer shows {command!r}"
        assert command in ci, f".ci/run does not run the README's {command!r}"
    assert "tests/constraints-oldest.txt" in ci, ".ci/run must also test the oldest allowed versions"
