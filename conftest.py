"""Test-session plumbing for the whole repository: one BLAS thread per worker, and notebook run times."""

from __future__ import annotations

import os
from collections import defaultdict

# pytest-xdist already runs one notebook per core; letting each notebook kernel's BLAS start as
# many threads again oversubscribes the cores and makes matrix-heavy notebooks several times
# slower. Kernels and workers inherit these settings; a learner's own Jupyter session does not.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

NOTEBOOK_BUDGET_S = 20.0  # a learner's "Run All" should take seconds; this is the ceiling
_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    """Add up the cell run times of each notebook (works with pytest-xdist too)."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook run times (all cells)")
    for path, seconds in sorted(_notebook_seconds.items()):
        flag = f"  <-- over the {NOTEBOOK_BUDGET_S:.0f} s budget" if seconds > NOTEBOOK_BUDGET_S else ""
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}{flag}")
