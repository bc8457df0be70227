"""Fixtures for the chapter test files: a module sets CHAPTER = "NN" and asks for these."""

from __future__ import annotations

import pytest
from nbtools import load_checkers, load_interface, solution_namespace


@pytest.fixture(scope="module")
def checks(request):
    """The namespace of the chapter notebook's self-contained 'checkers' cell (check_e1, ...)."""
    return load_checkers(request.module.CHAPTER)


@pytest.fixture(scope="module")
def sol(request):
    """The names defined by running the chapter's solutions.md."""
    return solution_namespace(request.module.CHAPTER)


@pytest.fixture(scope="module")
def ns(request):
    """The chapter's promised functions: the notebook's first code cell after setup, and its 'interface' cells."""
    return load_interface(request.module.CHAPTER)
