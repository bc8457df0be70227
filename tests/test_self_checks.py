"""Every chapter's self-checks keep their promise to the learner.

For each ``check_eN(function)`` call in a notebook's "Your turn" section: the solution in
solutions.md is accepted; the shipped stub reads "not attempted yet" and names the function to
edit; a function that crashes or forgets to return gets a one-line "not yet" instead of a
traceback. Each chapter's own ``test_chNN_checkers.py`` adds the wrong answers a checker must
reject.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from nbtools import chapters, checker_calls, load_checkers, run_check, solution_namespace, verdict

CASES = [(ch, n, name) for ch in chapters() for n, name in checker_calls(ch)]
IDS = [f"{ch[:2]}-E{n}-{name}" for ch, n, name in CASES]


@lru_cache(maxsize=None)
def _checkers(chapter):
    return load_checkers(chapter)


@lru_cache(maxsize=None)
def _solutions(chapter):
    return solution_namespace(chapter)


def _named(name, body):
    body.__name__ = body.__qualname__ = name
    return body


@pytest.mark.parametrize(("chapter", "n", "name"), CASES, ids=IDS)
def test_solution_is_accepted(chapter, n, name):
    solutions = _solutions(chapter)
    assert name in solutions, f"{chapter}/solutions.md defines no function {name!r} for E{n}'s self-check"
    line = run_check(_checkers(chapter)[f"check_e{n}"], solutions[name])
    assert line.startswith(f"E{n}: correct"), line


@pytest.mark.parametrize(("chapter", "n", "name"), CASES, ids=IDS)
def test_stub_is_not_attempted(chapter, n, name):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"E{n}: your code here")

    line = run_check(_checkers(chapter)[f"check_e{n}"], _named(name, stub))
    assert verdict(line) == "not attempted" and line.startswith(f"E{n}:"), line
    assert name in line, f"the message should name the function to edit ({name}): {line!r}"


@pytest.mark.parametrize(("chapter", "n", "name"), CASES, ids=IDS)
def test_crash_is_reported_not_raised(chapter, n, name):
    def crashes(*args, **kwargs):
        raise ValueError("something inside went wrong")

    line = run_check(_checkers(chapter)[f"check_e{n}"], _named(name, crashes))
    assert verdict(line) == "wrong" and "ValueError" in line, line


@pytest.mark.parametrize(("chapter", "n", "name"), CASES, ids=IDS)
def test_forgotten_return_is_reported_not_raised(chapter, n, name):
    def returns_nothing(*args, **kwargs):
        return None

    line = run_check(_checkers(chapter)[f"check_e{n}"], _named(name, returns_nothing))
    assert verdict(line) == "wrong", line


GARBAGE = {
    "a string": "42",
    "a dict": {"value": 1.0},
    "a ragged list": [[1.0, 2.0], [3.0]],
    "nan": float("nan"),
    "an array of the wrong shape": np.zeros((7, 3)),
    "a tuple of the wrong length": (1.0, 2.0, 3.0, 4.0, 5.0),
    "a function": print,
    "a boolean": True,
}
RAISES = [TypeError, ZeroDivisionError, IndexError, KeyError, np.linalg.LinAlgError, RecursionError]


@pytest.mark.parametrize("garbage", sorted(GARBAGE))
@pytest.mark.parametrize(("chapter", "n", "name"), CASES, ids=IDS)
def test_garbage_is_one_line_never_correct(chapter, n, name, garbage):
    value = GARBAGE[garbage]
    line = run_check(_checkers(chapter)[f"check_e{n}"], _named(name, lambda *args, **kwargs: value))
    assert verdict(line) == "wrong" and line.startswith(f"E{n}:"), f"{garbage}: {line}"


@pytest.mark.parametrize("error", RAISES, ids=lambda e: e.__name__)
@pytest.mark.parametrize(("chapter", "n", "name"), CASES, ids=IDS)
def test_any_exception_is_reported_not_raised(chapter, n, name, error):
    def raises(*args, **kwargs):
        raise error("inside the learner's code")

    line = run_check(_checkers(chapter)[f"check_e{n}"], _named(name, raises))
    assert verdict(line) == "wrong" and error.__name__ in line, line
