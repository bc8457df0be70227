"""Chapter 03: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
import pytest
from nbtools import run_check, verdict, wrong

CHAPTER = "03"


# ------------------------------------------------------------------------------------------- E6
def _unit(g):
    g = np.asarray(g, dtype=float)
    return g / np.linalg.norm(g)


def test_e6_rejects_an_unnormalised_gradient(checks):
    wrong(checks["check_e6"], lambda g: (g, -g, np.array([-g[1], g[0]])), "grad = [3.0, 4.0]", "norm 5",
          "unit vector")


def test_e6_rejects_a_descent_with_the_wrong_sign(checks):
    wrong(checks["check_e6"], lambda g: (_unit(g), _unit(g), np.array([-_unit(g)[1], _unit(g)[0]])),
          "descent", "expected -|grad|")


def test_e6_rejects_a_level_direction_that_changes_f(checks):
    wrong(checks["check_e6"], lambda g: (_unit(g), -_unit(g), _unit(g)), "rate along level", "expected 0")


def test_e6_rejects_a_clockwise_turn(checks):
    wrong(checks["check_e6"], lambda g: (_unit(g), -_unit(g), np.array([_unit(g)[1], -_unit(g)[0]])),
          "clockwise")


def test_e6_rejects_a_wrong_shape(checks):
    wrong(checks["check_e6"], lambda g: (_unit(g)[None, :], -_unit(g), _unit(g)), "shape (2,)")


def test_e6_requires_a_value_error_for_a_zero_gradient(checks, sol):
    def no_check(g):
        g = np.asarray(g, dtype=float)
        norm = np.linalg.norm(g) or 1.0  # hides the zero gradient instead of reporting it
        u = g / norm
        return u, -u, np.array([-u[1], u[0]])

    wrong(checks["check_e6"], no_check, "[0, 0]", "ValueError")


# ------------------------------------------------------------------------------------------- E8
def _gradient(F, p, h=1e-5):
    p = np.asarray(p, dtype=float)
    return np.array([(F(p + h * e) - F(p - h * e)) / (2 * h) for e in np.eye(3)])


def _checked(g):
    if np.linalg.norm(g) == 0:
        raise ValueError("zero gradient")
    return g


def test_e8_rejects_an_unnormalised_normal(checks):
    def unnormalised(F, p, h=1e-5):
        g = _checked(_gradient(F, p, h))
        return g, float(g @ p)

    wrong(checks["check_e8"], unnormalised, "F = sphere", "p = [1.0, 2.0, 3.0]", "norm")


def test_e8_rejects_a_flipped_normal(checks):
    def flipped(F, p, h=1e-5):
        n = -_unit(_checked(_gradient(F, p, h)))
        return n, float(n @ p)

    wrong(checks["check_e8"], flipped, "-grad F")


def test_e8_rejects_a_plane_through_the_origin(checks):
    def through_origin(F, p, h=1e-5):
        return _unit(_checked(_gradient(F, p, h))), 0.0

    wrong(checks["check_e8"], through_origin, "c = 0", "n . p")


def test_e8_rejects_a_one_sided_difference_that_ignores_a_coordinate(checks):
    def forgot_z(F, p, h=1e-5):
        g = _checked(_gradient(F, p, h))
        g[2] = 0.0  # a missing partial derivative
        n = _unit(g)
        return n, float(n @ p)

    wrong(checks["check_e8"], forgot_z, "F = sphere", "grad F / |grad F|", "wrong or missing partial derivative")


def test_e8_names_a_forward_difference_as_the_likely_cause(checks):
    def forward(F, p, h=1e-5):
        p = np.asarray(p, dtype=float)
        g = _checked(np.array([(F(p + h * e) - F(p)) / h for e in np.eye(3)]))
        n = _unit(g)
        return n, float(n @ p)

    wrong(checks["check_e8"], forward, "differ by", "central difference", "one-sided")


def test_e8_names_a_tiny_step_as_the_likely_cause(checks):
    def tiny_step(F, p, h=1e-5):
        n = _unit(_checked(_gradient(F, p, 1e-12)))
        return n, float(n @ p)

    wrong(checks["check_e8"], tiny_step, "differ by", "h about 1e-5", "1e-12")


def test_e8_requires_a_value_error_where_the_gradient_vanishes(checks):
    def silent(F, p, h=1e-5):
        g = _gradient(F, p, h)
        n = g / (np.linalg.norm(g) or 1.0)
        return n, float(n @ p)

    wrong(checks["check_e8"], silent, "p = [0, 0, 0]", "ValueError")


# ------------------------------------------------------------------------------------------ E12
def _interpolating(sign=1.0, factor=2.0, clip=(0.1, 0.5), check_descent=True, lower_from_alpha0=False):
    """A family of backtracking line searches; the defaults give a correct one."""

    def search(f, grad_f, x, d, alpha0=1.0, c=1e-4):
        slope = float(grad_f(x) @ d)
        if check_descent and not slope < 0:
            raise ValueError("not a descent direction")
        f0, alpha = f(x), alpha0
        for _ in range(200):
            f_alpha = f(x + alpha * d)
            if f_alpha <= f0 + sign * c * alpha * slope:
                return alpha
            t = -slope * alpha**2 / (factor * (f_alpha - f0 - slope * alpha))
            lower = clip[0] * (alpha0 if lower_from_alpha0 else alpha)
            alpha = min(max(t, lower), clip[1] * alpha)
        raise RuntimeError("no step found")

    return search


def test_e12_helper_family_is_correct_by_default(checks):
    assert verdict(run_check(checks["check_e12"], _interpolating())) == "correct"


def test_e12_rejects_a_sign_error_in_the_armijo_test(checks):
    # f(x + alpha d) <= f(x) - c alpha psi'(0) accepts steps that increase f
    wrong(checks["check_e12"], _interpolating(sign=-1.0), "on the quadratic", "expected", "got")


def test_e12_rejects_a_missing_factor_two_in_the_parabola(checks):
    wrong(checks["check_e12"], _interpolating(factor=1.0), "on the quadratic", "exact minimiser",
          "the parabola m", "is psi itself", "a factor 2")


def test_e12_rejects_a_search_without_the_lower_clipping_bound(checks):
    # exact on quadratics either way; only a step much shorter than 0.1 alpha reveals the missing bound
    wrong(checks["check_e12"], _interpolating(clip=(0.0, 0.5)), "on steep_quartic", "expected 0.1", "got 0.01")


def test_e12_rejects_a_search_without_the_upper_clipping_bound(checks):
    wrong(checks["check_e12"], _interpolating(clip=(0.1, 1.0)), "on shallow_quadratic", "expected 0.5", "got 0.625")


def test_e12_rejects_plain_halving_because_it_is_not_exact_on_quadratics(checks):
    def halving(f, grad_f, x, d, alpha0=1.0, c=1e-4):
        slope = float(grad_f(x) @ d)
        if not slope < 0:
            raise ValueError("not a descent direction")
        alpha = alpha0
        while f(x + alpha * d) > f(x) + c * alpha * slope:
            alpha /= 2
        return alpha

    wrong(checks["check_e12"], halving, "on the quadratic", "exact minimiser")


def test_e12_rejects_an_ascent_direction_without_error(checks):
    def accepts_anything(f, grad_f, x, d, alpha0=1.0, c=1e-4):
        slope = float(grad_f(x) @ d)
        if slope >= 0:
            return 0.0
        return _interpolating()(f, grad_f, x, d, alpha0, c)

    wrong(checks["check_e12"], accepts_anything, "descent direction", "ValueError")


def test_e12_rejects_a_step_that_is_never_tested(checks):
    # correct for the first two trials, then gives up and returns the next step without testing it
    def gives_up(f, grad_f, x, d, alpha0=1.0, c=1e-4):
        slope = float(grad_f(x) @ d)
        if not slope < 0:
            raise ValueError("not a descent direction")
        f0, alpha = f(x), alpha0
        for _ in range(2):
            f_alpha = f(x + alpha * d)
            if f_alpha <= f0 + c * alpha * slope:
                return alpha
            t = -slope * alpha**2 / (2 * (f_alpha - f0 - slope * alpha))
            alpha = min(max(t, 0.1 * alpha), 0.5 * alpha)
        return alpha

    wrong(checks["check_e12"], gives_up, "on rosenbrock", "fails the Armijo condition")


def test_e12_rejects_clipping_relative_to_alpha0_instead_of_the_current_alpha(checks):
    # exact on quadratics and correct after one rejection; only a second rejection reveals it
    wrong(checks["check_e12"], _interpolating(lower_from_alpha0=True), "steeper_quartic", "expected 0.025", "got 0.05",
          "not 0.1 alpha0")


# ------------------------------------------------------------------ garbage, for each checker
GARBAGE = {
    "a string": "0.5",
    "None": None,
    "a dict": {"n": [1.0, 0.0, 0.0], "c": 1.0},
    "a ragged list": [[1.0, 2.0], [3.0]],
    "NaN": float("nan"),
    "an array of NaN": np.full(3, np.nan),
    "a (1, 3) array": np.ones((1, 3)),
    "a one-element array": np.array([0.5]),
    "a 4-tuple": (1.0, 2.0, 3.0, 4.0),
    "a 2-tuple of strings": ("n", "c"),
    "a 3-tuple with a None": (np.ones(2), None, np.ones(2)),
    "True": True,
    "a complex number": 1 + 2j,
}


@pytest.mark.parametrize("name", ["check_e6", "check_e8", "check_e12"])
@pytest.mark.parametrize("garbage", sorted(GARBAGE))
def test_garbage_gets_one_not_yet_line(checks, name, garbage):
    value = GARBAGE[garbage]
    line = run_check(checks[name], lambda *args, **kwargs: value)
    assert verdict(line) == "wrong" and line.startswith(f"E{name[7:]}: not yet"), f"{garbage}: {line}"


@pytest.mark.parametrize("name", ["check_e6", "check_e8", "check_e12"])
def test_a_warning_or_an_overflow_in_the_learners_code_is_not_a_crash(checks, name):
    def overflows(*args, **kwargs):
        return np.exp(np.full(3, 1000.0))  # inf, with a RuntimeWarning (an error under the test's filters)

    line = run_check(checks[name], overflows)
    assert verdict(line) == "wrong", line


def test_e12_rejects_psi_prime_taken_as_minus_grad_squared(checks):
    """Code that assumes d = -grad f (psi'(0) = -|grad f|^2) fails on a preconditioned direction."""
    def assumes_steepest(f, grad_f, x, d, alpha0=1.0, c=1e-4):
        g = grad_f(x)
        slope = -(g @ g)  # right only for d = -grad f
        if slope >= 0:
            raise ValueError("not a descent direction")
        psi0, alpha = f(x), alpha0
        while f(x + alpha * d) > psi0 + c * alpha * slope:
            psi_a = f(x + alpha * d)
            t = -slope * alpha**2 / (2 * (psi_a - psi0 - slope * alpha))
            alpha = min(max(t, 0.1 * alpha), 0.5 * alpha)
        return alpha

    line = run_check(checks["check_e12"], assumes_steepest)
    assert verdict(line) == "wrong" and "d = -P grad f" in line and "grad f . d" in line, line
