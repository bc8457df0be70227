"""Chapter 01: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
from nbtools import run_check, verdict, wrong

CHAPTER = "01"


# ------------------------------------------------------------------------------------------- E4
EPS = np.finfo(float).eps


def test_e4_rejects_a_forward_difference(checks):
    def forward(f, x):
        h = np.cbrt(3 * EPS) * max(1.0, abs(x))
        return (f(x + h) - f(x)) / h

    wrong(checks["check_e4"], forward, "for f = sin at x = -2.0", "expected", "central")


def test_e4_rejects_a_missing_factor_2(checks):
    def no_two(f, x):
        h = np.cbrt(3 * EPS) * max(1.0, abs(x))
        return (f(x + h) - f(x - h)) / h

    wrong(checks["check_e4"], no_two, "twice the derivative", "divide by h instead of 2h")


def test_e4_rejects_a_flipped_sign(checks):
    def flipped(f, x):
        h = np.cbrt(3 * EPS) * max(1.0, abs(x))
        return (f(x - h) - f(x + h)) / (2 * h)

    wrong(checks["check_e4"], flipped, "for f = sin at x = -2.0", "expected -0.4161", "got 0.4161",
          "the opposite sign")


def test_e4_rejects_a_step_drowned_in_round_off(checks):
    wrong(checks["check_e4"], lambda f, x: (f(x + 1e-13) - f(x - 1e-13)) / 2e-13, "expected", "got")


def test_e4_rejects_a_step_that_ignores_the_scale_of_x(checks):
    def unscaled(f, x):
        h = np.cbrt(3 * EPS)
        return (f(x + h) - f(x - h)) / ((x + h) - (x - h))

    wrong(checks["check_e4"], unscaled, "x = 10000.0", "does your step grow with |x|?")


def test_e4_reports_a_crash_and_a_non_number(checks):
    wrong(checks["check_e4"], lambda f, x: f(x)[0], "raised", "IndexError")
    wrong(checks["check_e4"], lambda f, x: [f(x), f(x)], "expected one number")
    wrong(checks["check_e4"], lambda f, x: np.nan, "non-finite")


# ------------------------------------------------------------------------------------------- E9
def test_e9_rejects_a_sign_error(checks):
    def uphill(g, dg, x0, n_steps):
        xs = [x0]
        for _ in range(n_steps):
            xs.append(xs[-1] + g(xs[-1]) / dg(xs[-1]))
        return np.array(xs)

    wrong(checks["check_e9"], uphill, "g = x**2 - 2", "step 1", "x - g(x)/g'(x) = 1.5", "got 0.5")


def test_e9_rejects_a_result_without_x0(checks):
    def no_start(g, dg, x0, n_steps):
        xs, x = [], x0
        for _ in range(n_steps):
            x = x - g(x) / dg(x)
            xs.append(x)
        return np.array(xs)

    wrong(checks["check_e9"], no_start, "expected an array of shape (7,)", "got shape (6,)")


def test_e9_rejects_a_derivative_off_by_a_factor(checks):
    def half_steps(g, dg, x0, n_steps):
        xs = [x0]
        for _ in range(n_steps):
            xs.append(xs[-1] - g(xs[-1]) / (2 * dg(xs[-1])))
        return np.array(xs)

    wrong(checks["check_e9"], half_steps, "step 1", "a Newton step gives")


def test_e9_rejects_a_scalar_answer(checks):
    def last_only(g, dg, x0, n_steps):
        x = x0
        for _ in range(n_steps):
            x = x - g(x) / dg(x)
        return x

    wrong(checks["check_e9"], last_only, "expected an array of shape", "got shape ()")


# ------------------------------------------------------------------------------------------ E11
def naive_bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)), p - y


def test_e11_rejects_the_naive_formula(checks):
    # moderate logits pass; z = +-1000 overflows (a warning, which the checker reports)
    wrong(checks["check_e11"], naive_bce, "naive_bce([-1000.", "raised RuntimeWarning", "overflow")


def test_e11_rejects_a_flipped_gradient(checks, sol):
    def flipped(z, y):
        loss, grad = sol["bce_with_logits"](z, y)
        return loss, -grad

    wrong(checks["check_e11"], flipped, "gradient at z = ", "y = 0.0", "central difference of your loss",
          "your gradient is -")


def test_e11_rejects_a_missing_term_in_the_loss(checks):
    def positives_only(z, y):
        softplus_minus_z = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))      # -ln sigmoid(z)
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return y * softplus_minus_z, p - y                                       # forgot (1 - y) ln(1 - p)

    wrong(checks["check_e11"], positives_only, "loss at z = ", "y = 0.0", "expected -[y ln p + (1-y) ln(1-p)]")


def test_e11_rejects_a_gradient_through_p_instead_of_z(checks, sol):
    def dloss_dp(z, y):
        loss, grad = sol["bce_with_logits"](z, y)
        p = grad + y
        return loss, (p - y) / (p * (1 - p))        # dL/dp, not dL/dz

    wrong(checks["check_e11"], dloss_dp, "gradient at z = ")


def test_e11_rejects_wrong_output_structure(checks, sol):
    wrong(checks["check_e11"], lambda z, y: sol["bce_with_logits"](z, y)[0], "expected a tuple (loss, dloss_dz)")
    wrong(checks["check_e11"], lambda z, y: (np.sum(sol["bce_with_logits"](z, y)[0]), z), "must have the shape of z")


# ------------------------------------------------------------------ legitimate alternative answers
def test_e4_accepts_other_reasonable_steps_and_denominators(checks):
    def make(c, actual_step):
        def fn(f, x):
            h = c * max(1.0, abs(x))
            xp, xm = x + h, x - h
            return (f(xp) - f(xm)) / ((xp - xm) if actual_step else 2 * h)
        return fn

    for c in (np.cbrt(3 * EPS), np.cbrt(EPS), 1e-5):
        for actual_step in (True, False):
            line = run_check(checks["check_e4"], make(c, actual_step))
            assert verdict(line) == "correct", (c, actual_step, line)


def test_e9_accepts_a_list_of_floats(checks):
    def as_list(g, dg, x0, n_steps):
        xs = [float(x0)]
        for _ in range(n_steps):
            xs.append(xs[-1] - g(xs[-1]) / dg(xs[-1]))
        return xs

    assert verdict(run_check(checks["check_e9"], as_list)) == "correct"


def test_e11_accepts_a_logaddexp_implementation(checks):
    def with_logaddexp(z, y):
        z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
        return np.logaddexp(0.0, z) - y * z, np.exp(-np.logaddexp(0.0, -z)) - y

    assert verdict(run_check(checks["check_e11"], with_logaddexp)) == "correct"
