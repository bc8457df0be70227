"""Test-session plumbing for the whole repository: one BLAS thread per worker, notebook run times, a clean tree."""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from pathlib import Path

# pytest-xdist already runs one notebook per core; letting each notebook kernel's BLAS start as
# many threads again oversubscribes the cores and makes matrix-heavy notebooks several times
# slower. Kernels and workers inherit these settings; a learner's own Jupyter session does not.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

NOTEBOOK_BUDGET_S = 15.0  # a learner's "Run All" should take seconds; this is the ceiling
_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    """Add up the cell run times of each notebook (works with pytest-xdist too)."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def _notebook_times(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook run times (all cells)")
    for path, seconds in sorted(_notebook_seconds.items()):
        flag = f"  <-- over the {NOTEBOOK_BUDGET_S:.0f} s budget" if seconds > NOTEBOOK_BUDGET_S else ""
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}{flag}")


# Running the notebooks and the tests must leave the working tree as it was: figures are written
# only by `bash .ci/refresh-notebooks`. The controller (not the pytest-xdist workers) compares
# `git status` before and after the whole session and fails the run if anything changed.
_ROOT = Path(__file__).resolve().parent


def _git_status() -> str | None:
    try:
        return subprocess.run(["git", "status", "--porcelain"], cwd=_ROOT, capture_output=True, text=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout (e.g. an unpacked archive): nothing to compare


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):
        session.config._git_status_before = _git_status()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_git_status_before", None)
    after = _git_status() if before is not None else None
    if after is not None and after != before:
        session.config._tree_changed = sorted(set(after.splitlines()) ^ set(before.splitlines()))
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    _notebook_times(terminalreporter)
    changed = getattr(terminalreporter.config, "_tree_changed", None)
    if changed:
        terminalreporter.section("the test run changed the working tree", red=True)
        for line in changed:
            terminalreporter.write_line(f"  {line}")
        terminalreporter.write_line("Notebooks and tests must not write files in the repository: figures are "
                                    "written only by `bash .ci/refresh-notebooks`. This run fails.")
