"""Chapter 02: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub, reports crashes and survives garbage is
tested for all chapters in test_self_checks.py.
"""

import numpy as np
import pytest
from nbtools import run_check, verdict, wrong

CHAPTER = "02"


# Each coding exercise: its checker, the solution's function name.
EXERCISES = {
    "e6": "log_softmax_jacobian",
    "e7": "jacobian_h",
    "e12": "backtracking_descent",
    "e13": "rosenbrock_grad_hess",
}


def test_a_crashing_answer_is_reported_on_one_line(checks):
    def broken(*args, **kwargs):
        raise KeyError("oops\nsecond line")

    for ex in EXERCISES:
        line = wrong(checks[f"check_{ex}"], broken, "raised KeyError")
        assert "\n" not in line


def test_a_callable_without_a_name_is_reported(checks):
    class Odd:
        def __call__(self, *args, **kwargs):
            return "not a number"

    for ex in EXERCISES:
        line = wrong(checks[f"check_{ex}"], Odd())
        assert "\n" not in line


# ------------------------------------------------------------------------------------------- E6
def _p(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_e6_rejects_the_transpose(checks):
    wrong(checks["check_e6"], lambda z: np.eye(z.size) - np.outer(_p(z), np.ones(z.size)),
          "z = [0.3, -1.2, 2]", "transpose", "entry (")


def test_e6_rejects_the_softmax_jacobian(checks):
    wrong(checks["check_e6"], lambda z: np.diag(_p(z)) - np.outer(_p(z), _p(z)), "for z = [0.3, -1.2, 2]",
          "but should be")


def test_e6_rejects_a_missing_identity(checks):
    wrong(checks["check_e6"], lambda z: -np.outer(np.ones(z.size), _p(z)), "delta_ij - p_j")


def test_e6_rejects_an_implementation_that_overflows(checks):
    def naive(z):
        p = np.exp(z) / np.sum(np.exp(z))  # overflows for logits near 1000
        return np.eye(z.size) - np.outer(np.ones(z.size), p)

    wrong(checks["check_e6"], naive, "log_softmax_jacobian([1000, 999, 998.5])", "overflow", "subtract max(z)")


def test_e6_rejects_nan_from_an_overflow_that_warns_nothing(checks):
    def silent_nan(z):
        with np.errstate(all="ignore"):
            p = np.exp(z) / np.sum(np.exp(z))
        return np.eye(z.size) - np.outer(np.ones(z.size), p)

    wrong(checks["check_e6"], silent_nan, "inf or nan", "subtract max(z)")


def test_e6_rejects_a_wrong_shape(checks):
    wrong(checks["check_e6"], lambda z: 1 - _p(z), "should have shape (3, 3)", "got shape (3,)")


# ------------------------------------------------------------------------------------------- E7
def _parts_e7(x):
    x1, x2 = x
    u = np.array([x1 * x2, np.sin(x1), x2**2])
    J_k = np.array([[x2, x1], [np.cos(x1), 0.0], [0.0, 2 * x2]])
    J_g_at = lambda u: np.array([[1.0, u[2], u[1]], [np.exp(u[0]) * u[2], 0.0, np.exp(u[0])]])
    return u, J_k, J_g_at


def test_e7_rejects_the_transpose(checks, sol):
    wrong(checks["check_e7"], lambda x: sol["jacobian_h"](x).T, "x = [0.5, -1.2]", "transpose", "entry (")


def test_e7_rejects_the_product_in_the_wrong_order(checks):
    def inner_times_outer(x):
        u, J_k, J_g_at = _parts_e7(x)
        return J_k @ J_g_at(u)  # (3, 2) @ (2, 3) -> (3, 3)

    wrong(checks["check_e7"], inner_times_outer, "shape (2, 2)", "got shape (3, 3)", "J_g(k(x)) @ J_k(x)")


def test_e7_rejects_the_outer_jacobian_at_the_wrong_point(checks):
    def outer_at_x(x):
        _, J_k, J_g_at = _parts_e7(x)
        return J_g_at(np.array([x[0], x[1], x[0] * x[1]])) @ J_k  # J_g not evaluated at k(x)

    wrong(checks["check_e7"], outer_at_x, "at x = [0.5, -1.2]", "expected J_h", "evaluate J_g at u = k(x)",
          "but should be")


# ------------------------------------------------------------------------------------------ E12
def _backtracking(f, grad, x0, lr0, steps, c, shrink, reset=True, shrink_first=False, margin=True):
    """A configurable backtracking descent, right by default and wrong in the ways the flags say."""
    x, lr, path = np.array(x0, dtype=float), lr0, [np.array(x0, dtype=float)]
    for _ in range(steps):
        g = grad(x)
        if reset:
            lr = lr0
        if shrink_first:
            lr *= shrink
        need = c * (g @ g) if margin else 0.0
        while f(x - lr * g) > f(x) - lr * need and lr > 1e-30:
            lr *= shrink
        x = x - lr * g
        path.append(x)
    return np.array(path)


def test_e12_rejects_a_fixed_learning_rate(checks):
    def no_backtracking(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        path = [np.array(x0, dtype=float)]
        for _ in range(steps):
            path.append(path[-1] - lr0 * grad(path[-1]))
        return np.array(path)

    wrong(checks["check_e12"], no_backtracking, "quadratic", "step 0", "breaks f(x - lr g)", "with c = 0.5")


def test_e12_rejects_ascent(checks, sol):
    def ascent(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        return sol["backtracking_descent"](lambda x: -f(x), lambda x: -grad(x), x0, lr0, steps, c, shrink)

    wrong(checks["check_e12"], ascent, "step 0", "not a positive multiple of -grad")


# Wrong backtracking loops: what each changes in the right one, and what the checker must say.
# The first two are easy to write and pass naive checks: lr0, c and shrink ignored (1, 0.5, 0.5 hard-coded), and a
# shrink before the first test, so that lr0 itself is never tried.
E12_WRONG = {
    "hard-coded lr0, c and shrink": (dict(lr0=1.0, c=0.5, shrink=0.5), ["lr0=0.8", "parameters were ignored"]),
    "a shrink before the first test": (dict(shrink_first=True),
                                       ["lr0 itself passes", "smaller than needed", "test lr = lr0 itself first"]),
    "a learning rate never reset": (dict(reset=False), ["smaller than needed", "start every step from lr0"]),
    "no Armijo margin": (dict(margin=False),
                         ["quadratic", "breaks f(x - lr g) <= f(x) - c lr |g|^2", "not by the Armijo margin"]),
    "an ignored c": (dict(c=0.5), ["c=0.3", "use the c = 0.3 passed to your function"]),
    "an ignored shrink": (dict(shrink=0.5), ["shrink=0.3", "is not lr0 * shrink^j"]),
}


@pytest.mark.parametrize("case", sorted(E12_WRONG))
def test_e12_rejects_a_wrong_loop(checks, case):
    override, fragments = E12_WRONG[case]

    def answer(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        settings = {"lr0": lr0, "c": c, "shrink": shrink, **override}
        return _backtracking(f, grad, x0, steps=steps, **settings)

    wrong(checks["check_e12"], answer, *fragments)


def test_e12_rejects_a_path_without_the_start(checks, sol):
    def no_start(*args, **kwargs):
        return sol["backtracking_descent"](*args, **kwargs)[1:]

    wrong(checks["check_e12"], no_start, "should have shape (31, 2)", "got shape (30, 2)")


def test_e12_rejects_rows_that_alias_one_array(checks):
    def aliased(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        x, path = np.array(x0, dtype=float), []
        path.append(x)
        for _ in range(steps):
            g, lr = grad(x), lr0
            while f(x - lr * g) > f(x) - c * lr * (g @ g):
                lr *= shrink
            x -= lr * g  # in place: every row of the path is the same array
            path.append(x)
        return np.array(path)

    wrong(checks["check_e12"], aliased, "should start at x0")


def test_e12_accepts_a_correct_loop_written_differently(checks):
    def other_style(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        out = np.empty((steps + 1, len(x0)))
        out[0] = x0
        for k in range(steps):
            g = grad(out[k])
            j = 0
            while f(out[k] - lr0 * shrink**j * g) > f(out[k]) - c * lr0 * shrink**j * np.dot(g, g):
                j += 1
            out[k + 1] = out[k] - lr0 * shrink**j * g
        return out

    line = run_check(checks["check_e12"], other_style)
    assert verdict(line) == "correct", line


# ------------------------------------------------------------------------------------------ E13
def _rosen_parts(p):
    x, y = p
    return x, y, np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def test_e13_rejects_the_classic_hessian_mistake(checks):
    def missing_term(p):
        x, y, g = _rosen_parts(p)
        return g, np.array([[2 + 800 * x**2, -400 * x], [-400 * x, 200.0]])  # forgot -400 (y - x^2)

    wrong(checks["check_e13"], missing_term, "at p = [-1.2, 1]", "entry (0, 0) is 1154 but should be 1330",
          "product rule on -400 x (y - x^2)")


def test_e13_rejects_a_sign_error_in_the_gradient(checks, sol):
    def sign(p):
        x, y, g = _rosen_parts(p)
        return np.array([2 * (1 - x) - 400 * x * (y - x**2), g[1]]), sol["rosenbrock_grad_hess"](p)[1]

    wrong(checks["check_e13"], sign, "at p = [-1.2, 1]", "gradient's entry 0", "sign of the first term")


def test_e13_rejects_a_missing_factor_two(checks, sol):
    def half(p):
        g, H = sol["rosenbrock_grad_hess"](p)
        return g, H / 2

    wrong(checks["check_e13"], half, "Hessian's entry", "factor 2")


def test_e13_rejects_a_sign_error_in_the_mixed_partial(checks, sol):
    def mixed_sign(p):
        g, H = sol["rosenbrock_grad_hess"](p)
        return g, H * np.array([[1.0, -1.0], [-1.0, 1.0]])  # +400 x instead of -400 x off the diagonal

    wrong(checks["check_e13"], mixed_sign, "at p = [-1.2, 1]", "sign of the mixed partial")


def test_e13_rejects_the_pair_in_the_wrong_order(checks, sol):
    def swapped(p):
        g, H = sol["rosenbrock_grad_hess"](p)
        return H, g

    wrong(checks["check_e13"], swapped, "order (g, H)")


def test_e13_accepts_a_list_as_the_pair(checks, sol):
    line = run_check(checks["check_e13"], lambda p: list(sol["rosenbrock_grad_hess"](p)))
    assert verdict(line) == "correct", line


def test_e13_rejects_a_single_array(checks, sol):
    wrong(checks["check_e13"], lambda p: sol["rosenbrock_grad_hess"](p)[0],
          "the gradient at [-1.2, 1] should have shape (2,)")
