"""Chapter 01: each self-check rejects deliberately wrong answers, naming what is wrong and why.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py. Here: the wrong answers the chapter's review tried, each with the
likely cause the checker must name, garbage of every kind, and legitimate alternatives that must pass.
"""

import numpy as np
import pytest
from nbtools import run_check, verdict, wrong

CHAPTER = "01"
EPS = np.finfo(float).eps
H0 = np.cbrt(3 * EPS)                    # the rule-of-thumb step of section 6, before scaling


def central(c, scale=lambda x: max(1.0, abs(x))):
    """A central difference with step c * scale(x), dividing by the step actually taken."""
    def fn(f, x):
        h = c * scale(x)
        xp, xm = x + h, x - h
        return (f(xp) - f(xm)) / (xp - xm)
    return fn


# ------------------------------------------------------------------------------------------- E9
def naive_bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)), p - y


def test_e9_naive_formula_is_told_where_it_loses_digits(checks):
    # no warning at z = 30, but 1 - sigmoid(30) has lost its digits: the first failure names that logit
    wrong(checks["check_e9"], naive_bce, "for z = 30, y = 0", "expected loss 30", "off by 1.0e-03",
          "1 - sigmoid(z) loses its digits", "softplus(z) - y z")


def test_e9_log_of_zero_names_the_logit_and_the_rounding(checks, sol):
    def naive_beyond_36(z, y):             # right up to |z| = 36, the naive formula beyond
        loss, grad = sol["bce_with_logits"](z, y)
        if np.any(np.abs(z) > 36):
            p = 1 / (1 + np.exp(-z))
            loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        return loss, grad

    # at z = 40 nothing overflows: 1 + e^-40 rounds to 1, so log(1 - p) = log(0)
    wrong(checks["check_e9"], naive_beyond_36, "([40.], [0.]) raised RuntimeWarning", "divide by zero",
          "1 + e^-|z| rounds to 1", "softplus(z) - y z")


def test_e9_overflow_names_the_logit_and_points_to_exp_of_minus_abs_z(checks, sol):
    def naive_for_negative(z, y):          # right everywhere except the naive formula for z < -100
        loss, grad = sol["bce_with_logits"](z, y)
        if np.any(z < -100):
            p = 1 / (1 + np.exp(-z))
            loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        return loss, grad

    line = wrong(checks["check_e9"], naive_for_negative, "([-1000.], [0.]) raised RuntimeWarning", "overflow",
                 "exp see only -|z|")
    assert "1000.  1000." not in line, line       # one logit named, not the whole batch


def test_e9_rejects_clipping(checks):
    def clipped(z, y):
        with np.errstate(over="ignore"):
            p = np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)), p - y

    wrong(checks["check_e9"], clipped, "expected")


def test_e9_rejects_a_flipped_gradient(checks, sol):
    def flipped(z, y):
        loss, grad = sol["bce_with_logits"](z, y)
        return loss, -grad

    wrong(checks["check_e9"], flipped, "gradient at z = ", "y = 0.0", "central difference of your loss",
          "your gradient is -", "opposite sign")


def test_e9_rejects_a_missing_term_in_the_loss(checks):
    def positives_only(z, y):
        softplus_minus_z = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))      # -ln sigmoid(z)
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return y * softplus_minus_z, p - y                                       # forgot (1 - y) ln(1 - p)

    wrong(checks["check_e9"], positives_only, "loss at z = ", "y = 0.0", "expected -[y ln p + (1-y) ln(1-p)]")


def test_e9_rejects_a_gradient_through_p_instead_of_z(checks, sol):
    def dloss_dp(z, y):
        loss, grad = sol["bce_with_logits"](z, y)
        p = grad + y
        return loss, (p - y) / (p * (1 - p))        # dL/dp, not dL/dz

    wrong(checks["check_e9"], dloss_dp, "gradient at z = ", "that is dL/dp")


def test_e9_rejects_wrong_output_structure(checks, sol):
    wrong(checks["check_e9"], lambda z, y: sol["bce_with_logits"](z, y)[0], "expected a tuple (loss, dloss_dz)")
    wrong(checks["check_e9"], lambda z, y: list(sol["bce_with_logits"](z, y)), "expected a tuple", "list")
    wrong(checks["check_e9"], lambda z, y: (*sol["bce_with_logits"](z, y), z), "tuple of length 3")
    wrong(checks["check_e9"], lambda z, y: (np.mean(sol["bce_with_logits"](z, y)[0]), z),
          "must have the shape of z", "elementwise")


# ------------------------------------------------------------------------------------------ E10
def test_e10_rejects_a_forward_difference(checks):
    def forward(f, x):
        h = H0 * max(1.0, abs(x))
        return (f(x + h) - f(x)) / h

    wrong(checks["check_e10"], forward, "for f = sin at x = -2", "expected", "only at x and x + h",
          "one-sided difference", "f(x + h) - f(x - h)")


def test_e10_rejects_a_missing_factor_2(checks):
    def no_two(f, x):
        h = H0 * max(1.0, abs(x))
        return (f(x + h) - f(x - h)) / h

    wrong(checks["check_e10"], no_two, "twice the derivative", "divide by h instead of 2h")


def test_e10_rejects_a_flipped_sign(checks):
    def flipped(f, x):
        h = H0 * max(1.0, abs(x))
        return (f(x - h) - f(x + h)) / (2 * h)

    wrong(checks["check_e10"], flipped, "for f = sin at x = -2", "expected -0.4161", "got 0.4161",
          "the opposite sign")


def test_e10_names_a_forward_difference_step_sqrt_eps(checks):
    wrong(checks["check_e10"], central(np.sqrt(EPS)), "far below the rule of thumb",
          "sqrt(eps) suits a forward difference")


def test_e10_names_a_step_drowned_in_round_off(checks):
    line = wrong(checks["check_e10"], lambda f, x: (f(x + 1e-12) - f(x - 1e-12)) / 2e-12, "far below the rule of thumb",
                 "round-off")
    assert "1.0e-12" in line, line


def test_e10_names_a_missing_cube_root(checks):
    wrong(checks["check_e10"], central(3 * EPS), "far below the rule of thumb", "forget the cube root")


def test_e10_names_a_step_that_is_too_large(checks):
    wrong(checks["check_e10"], central(1e-2), "far above the rule of thumb", "truncation error")


def test_e10_names_a_step_that_ignores_the_scale_of_x(checks):
    wrong(checks["check_e10"], central(H0, scale=lambda x: 1.0), "x = 10000", "does not grow with |x|")


def test_e10_names_a_step_that_is_zero_at_x_0(checks):
    wrong(checks["check_e10"], central(H0, scale=abs), "x = 0", "the step is 0", "max(1, |x|)")


def test_e10_reports_crashes_and_non_numbers(checks):
    wrong(checks["check_e10"], lambda f, x: f(x)[0], "raised", "IndexError")
    wrong(checks["check_e10"], lambda f, x: [f(x), f(x)], "expected one real number")
    wrong(checks["check_e10"], lambda f, x: np.nan, "non-finite")
    wrong(checks["check_e10"], lambda f, x: "0.54", "expected one real number", "'0.54'")
    wrong(checks["check_e10"], lambda f, x: complex(np.cos(x)), "expected one real number")
    wrong(checks["check_e10"], lambda f, x: {"derivative": 1.0}, "expected one real number")
    wrong(checks["check_e10"], lambda f, x: 0.0, "never calls f")


# ------------------------------------------------------------------------------------------ E13
def test_e13_rejects_a_sign_error(checks):
    def uphill(g, dg, x0, n_steps):
        xs = [x0]
        for _ in range(n_steps):
            xs.append(xs[-1] + g(xs[-1]) / dg(xs[-1]))
        return np.array(xs)

    wrong(checks["check_e13"], uphill, "g = x**2 - 2", "step 1", "x - g(x)/g'(x) = 1.5", "got 0.5")


def test_e13_rejects_a_result_without_x0(checks):
    def no_start(g, dg, x0, n_steps):
        xs, x = [], x0
        for _ in range(n_steps):
            x = x - g(x) / dg(x)
            xs.append(x)
        return np.array(xs)

    wrong(checks["check_e13"], no_start, "expected an array of shape (7,)", "got shape (6,)")


def test_e13_rejects_a_derivative_off_by_a_factor(checks):
    def half_steps(g, dg, x0, n_steps):
        xs = [x0]
        for _ in range(n_steps):
            xs.append(xs[-1] - g(xs[-1]) / (2 * dg(xs[-1])))
        return np.array(xs)

    wrong(checks["check_e13"], half_steps, "step 1", "a Newton step gives")


def test_e13_rejects_a_scalar_answer(checks):
    def last_only(g, dg, x0, n_steps):
        x = x0
        for _ in range(n_steps):
            x = x - g(x) / dg(x)
        return x

    wrong(checks["check_e13"], last_only, "expected an array of shape", "shape ()")


# ------------------------------------------------------------------- garbage of every kind, one line
GARBAGE = {
    "a string": lambda *a: "1.414",
    "None": lambda *a: None,
    "a dict": lambda *a: {"x": 1.0},
    "a ragged list": lambda *a: [1.0, [2.0, 3.0]],
    "a list of strings": lambda *a: ["a", "b"],
    "NaN": lambda *a: np.nan,
    "a 2-D array": lambda *a: np.ones((2, 3)),
    "a tuple of three": lambda *a: (1.0, 2.0, 3.0),
    "a tuple of strings": lambda *a: ("a", "b"),
    "a tuple of dicts": lambda *a: ({}, {}),
    "complex numbers": lambda *a: np.array([1 + 1j, 2 + 0j]),
    "an exception": lambda *a: 1 / 0,
}


@pytest.mark.parametrize("kind", GARBAGE)
@pytest.mark.parametrize("check", ["check_e9", "check_e10", "check_e13"])
def test_garbage_gets_one_not_yet_line(checks, check, kind):
    line = run_check(checks[check], GARBAGE[kind])
    assert verdict(line) == "wrong", line


# ------------------------------------------------------------------ legitimate alternative answers
def test_e10_accepts_other_reasonable_steps_and_denominators(checks):
    def make(c, actual_step):
        def fn(f, x):
            h = c * max(1.0, abs(x))
            xp, xm = x + h, x - h
            return (f(xp) - f(xm)) / ((xp - xm) if actual_step else 2 * h)
        return fn

    for c in (H0, np.cbrt(EPS), 1e-5):
        for actual_step in (True, False):
            line = run_check(checks["check_e10"], make(c, actual_step))
            assert verdict(line) == "correct", (c, actual_step, line)


def test_e13_accepts_a_list_of_floats(checks):
    def as_list(g, dg, x0, n_steps):
        xs = [float(x0)]
        for _ in range(n_steps):
            xs.append(xs[-1] - g(xs[-1]) / dg(xs[-1]))
        return xs

    assert verdict(run_check(checks["check_e13"], as_list)) == "correct"


def test_e9_accepts_a_logaddexp_implementation(checks):
    def with_logaddexp(z, y):
        z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
        return np.logaddexp(0.0, z) - y * z, np.exp(-np.logaddexp(0.0, -z)) - y

    assert verdict(run_check(checks["check_e9"], with_logaddexp)) == "correct"


def test_e9_accepts_the_cancelling_form_softplus_minus_yz(checks):
    def cancelling(z, y):
        z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
        e = np.exp(-np.abs(z))
        return np.maximum(z, 0) + np.log1p(e) - y * z, np.where(z >= 0, 1 / (1 + e), e / (1 + e)) - y

    assert verdict(run_check(checks["check_e9"], cancelling)) == "correct"


@pytest.mark.parametrize("switch_at", [6.5, 25.0, 29.0])
def test_e9_rejects_a_switch_to_the_limit_beyond_some_logit(checks, switch_at):
    """The naive formula up to |z| = T and the exact limit beyond passes every integer and large logit."""
    def switched(z, y):
        inside = np.abs(z) < switch_at
        zi = np.where(inside, z, 0.0)
        p = 1 / (1 + np.exp(-zi))
        naive = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        loss = np.where(inside, naive, np.maximum(z, 0) - y * z)
        return loss, np.where(inside, p - y, (z > 0) - y)

    wrong(checks["check_e9"], switched, "loss at z = ", "expected log(1 + e^z) - y z", "a switch of formula")
