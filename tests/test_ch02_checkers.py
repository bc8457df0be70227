"""Chapter 02: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
from nbtools import wrong

CHAPTER = "02"


# Each coding exercise: its checker, the solution's function name.
EXERCISES = {
    "e4": "jacobian_h",
    "e6": "log_softmax_jacobian",
    "e9": "backtracking_descent",
    "e10": "rosenbrock_grad_hess",
}


def test_a_crashing_answer_is_reported_on_one_line(checks):
    def broken(*args, **kwargs):
        raise KeyError("oops\nsecond line")

    for ex in EXERCISES:
        line = wrong(checks[f"check_{ex}"], broken, "raised KeyError")
        assert "\n" not in line


# ------------------------------------------------------------------------------------------- E4
def _parts_e4(x):
    x1, x2 = x
    u = np.array([x1 * x2, np.sin(x1), x2**2])
    J_k = np.array([[x2, x1], [np.cos(x1), 0.0], [0.0, 2 * x2]])
    J_g_at = lambda u: np.array([[1.0, u[2], u[1]], [np.exp(u[0]) * u[2], 0.0, np.exp(u[0])]])
    return u, J_k, J_g_at


def test_e4_rejects_the_transpose(checks, sol):
    wrong(checks["check_e4"], lambda x: sol["jacobian_h"](x).T, "x = [0.5, -1.2]", "transpose")


def test_e4_rejects_the_product_in_the_wrong_order(checks):
    def inner_times_outer(x):
        u, J_k, J_g_at = _parts_e4(x)
        return J_k @ J_g_at(u)  # (3, 2) @ (2, 3) -> (3, 3)

    wrong(checks["check_e4"], inner_times_outer, "shape (2, 2)", "got shape (3, 3)")


def test_e4_rejects_the_outer_jacobian_at_the_wrong_point(checks):
    def outer_at_x(x):
        _, J_k, J_g_at = _parts_e4(x)
        return J_g_at(np.array([x[0], x[1], x[0] * x[1]])) @ J_k  # J_g not evaluated at k(x)

    wrong(checks["check_e4"], outer_at_x, "at x = [0.5, -1.2]", "expected J_h")


# ------------------------------------------------------------------------------------------- E6
def _p(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_e6_rejects_the_transpose(checks):
    wrong(checks["check_e6"], lambda z: np.eye(z.size) - np.outer(_p(z), np.ones(z.size)),
          "z = [0.3, -1.2, 2]", "transpose")


def test_e6_rejects_the_softmax_jacobian(checks):
    wrong(checks["check_e6"], lambda z: np.diag(_p(z)) - np.outer(_p(z), _p(z)), "for z = [0.3, -1.2, 2]")


def test_e6_rejects_an_implementation_that_overflows(checks):
    def naive(z):
        p = np.exp(z) / np.sum(np.exp(z))  # overflows for logits near 1000
        return np.eye(z.size) - np.outer(np.ones(z.size), p)

    wrong(checks["check_e6"], naive, "log_softmax_jacobian([1000, 999, 998.5])", "overflow", "subtract max(z)")


def test_e6_rejects_a_wrong_shape(checks):
    wrong(checks["check_e6"], lambda z: 1 - _p(z), "should have shape (3, 3)", "got shape (3,)")


# ------------------------------------------------------------------------------------------- E9
def test_e9_rejects_a_fixed_learning_rate(checks):
    def no_backtracking(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        path = [np.array(x0, dtype=float)]
        for _ in range(steps):
            path.append(path[-1] - lr0 * grad(path[-1]))
        return np.array(path)

    wrong(checks["check_e9"], no_backtracking, "quadratic", "step 0", "breaks f(x - lr g)")


def test_e9_rejects_ascent(checks, sol):
    def ascent(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        return sol["backtracking_descent"](lambda x: -f(x), lambda x: -grad(x), x0, lr0, steps, c, shrink)

    wrong(checks["check_e9"], ascent, "step 0", "not a positive multiple of -grad")


def test_e9_rejects_a_learning_rate_that_is_never_reset(checks):
    def never_reset(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        x, lr, path = np.array(x0, dtype=float), lr0, [np.array(x0, dtype=float)]
        for _ in range(steps):
            g = grad(x)
            while f(x - lr * g) > f(x) - c * lr * (g @ g):
                lr *= shrink  # lr keeps shrinking over the whole run
            x = x - lr * g
            path.append(x)
        return np.array(path)

    wrong(checks["check_e9"], never_reset, "smaller than needed", "start every step from lr0")


def test_e9_rejects_plain_decrease_without_the_armijo_margin(checks):
    def any_decrease(f, grad, x0, lr0=1.0, steps=50, c=0.5, shrink=0.5):
        x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
        for _ in range(steps):
            g, lr = grad(x), lr0
            while f(x - lr * g) > f(x):  # forgets the c * lr * |g|^2 margin
                lr *= shrink
            x = x - lr * g
            path.append(x)
        return np.array(path)

    wrong(checks["check_e9"], any_decrease, "quadratic", "breaks f(x - lr g) <= f(x) - c lr |g|^2")


def test_e9_rejects_a_path_without_the_start(checks, sol):
    def no_start(*args, **kwargs):
        return sol["backtracking_descent"](*args, **kwargs)[1:]

    wrong(checks["check_e9"], no_start, "should have shape (31, 2)", "got shape (30, 2)")


def test_e9_rejects_rows_that_alias_one_array(checks):
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

    wrong(checks["check_e9"], aliased, "should start at x0")


# ------------------------------------------------------------------------------------------ E10
def _rosen_parts(p):
    x, y = p
    return x, y, np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def test_e10_rejects_the_classic_hessian_mistake(checks):
    def missing_term(p):
        x, y, g = _rosen_parts(p)
        return g, np.array([[2 + 800 * x**2, -400 * x], [-400 * x, 200.0]])  # forgot -400 (y - x^2)

    wrong(checks["check_e10"], missing_term, "at p = [-1.2, 1]", "expected Hessian")


def test_e10_rejects_a_sign_error_in_the_gradient(checks, sol):
    def sign(p):
        x, y, g = _rosen_parts(p)
        return np.array([2 * (1 - x) - 400 * x * (y - x**2), g[1]]), sol["rosenbrock_grad_hess"](p)[1]

    wrong(checks["check_e10"], sign, "at p = [-1.2, 1]", "expected gradient")


def test_e10_rejects_a_missing_factor_two(checks, sol):
    def half(p):
        g, H = sol["rosenbrock_grad_hess"](p)
        return g, H / 2

    wrong(checks["check_e10"], half, "expected Hessian")


def test_e10_rejects_a_sign_error_in_the_mixed_partial(checks, sol):
    def mixed_sign(p):
        g, H = sol["rosenbrock_grad_hess"](p)
        return g, H * np.array([[1.0, -1.0], [-1.0, 1.0]])  # +400 x instead of -400 x off the diagonal

    wrong(checks["check_e10"], mixed_sign, "at p = [-1.2, 1]", "expected Hessian")


def test_e10_rejects_a_list_instead_of_a_pair(checks, sol):
    wrong(checks["check_e10"], lambda p: list(sol["rosenbrock_grad_hess"](p)), "should return a tuple (g, H)")
