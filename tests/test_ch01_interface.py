"""Chapter 01: central_difference(f, x, h=None) is accurate, vectorised, and rejects bad input clearly."""

import numpy as np
import pytest
from nbtools import load_interface

CHAPTER = "01"


@pytest.fixture(scope="module")
def central_difference():
    return load_interface(CHAPTER)["central_difference"]


def sigmoid(x):
    """Stable logistic sigmoid (the tests' own copy)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# name: (f, exact f', a grid of ordinary points)
SMOOTH = {
    "sin": (np.sin, np.cos, np.linspace(-10, 10, 57)),
    "exp": (np.exp, np.exp, np.linspace(-6, 6, 49)),
    "log": (np.log, lambda x: 1 / x, np.geomspace(0.2, 50, 45)),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, np.linspace(-5, 5, 51)),
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)), np.linspace(-10, 10, 51)),
    "x**3": (lambda x: x**3, lambda x: 3 * x**2, np.linspace(-4, 4, 49)),
}


def relative_errors(estimate, exact):
    """|estimate - exact| / max(1, |exact|): the accuracy measure the chapter promises."""
    return np.abs(estimate - exact) / np.maximum(1.0, np.abs(exact))


@pytest.mark.parametrize("name", SMOOTH)
def test_default_step_reaches_promised_accuracy(central_difference, name):
    f, df, xs = SMOOTH[name]
    err = relative_errors(central_difference(f, xs), df(xs))
    worst = int(np.argmax(err))
    assert err[worst] < 1e-8, f"{name}: relative error {err[worst]:.1e} at x = {xs[worst]:.4g} (promised < 1e-8)"


@pytest.mark.parametrize("name", SMOOTH)
def test_default_step_is_within_factor_10_of_the_best_step(central_difference, name):
    """Compare with every step of a log-spaced sweep, fixed or scaled with max(1, |x|).

    Single points can be lucky (round-off cancels for one particular h), so the comparison is of the
    root-mean-square error over the whole grid.
    """
    f, df, xs = SMOOTH[name]
    exact = df(xs)
    rms = lambda d: np.sqrt(np.mean(relative_errors(d, exact) ** 2))
    ours = rms(central_difference(f, xs))
    sweep = np.logspace(-10, -1, 91)
    best_fixed = min(rms(central_difference(f, xs, h)) for h in sweep)
    best_scaled = min(rms(central_difference(f, xs, h * np.maximum(1, np.abs(xs)))) for h in sweep)
    best = min(best_fixed, best_scaled)
    assert ours <= 10 * best, f"{name}: rms error {ours:.1e}, but a single step of the sweep achieves {best:.1e}"


@pytest.mark.parametrize("x", [1e-3, 0.01, 3e3, -7e5])
def test_points_near_a_domain_edge_or_far_out(central_difference, x):
    # ln near 0: the pilot stencil must not leave the domain; |x| large: the step must scale
    f, df = (np.log, lambda t: 1 / t) if x > 0 else (lambda t: np.log(-t), lambda t: 1 / t)
    got = central_difference(f, x)
    assert abs(got / df(x) - 1) < 1e-8, f"f'({x}) = {df(x)}, got {got}"


def test_scalar_in_float_out(central_difference):
    for x in (1.0, 2, np.float64(0.5), np.array(0.25)):
        d = central_difference(np.sin, x)
        assert type(d) is float, f"x = {x!r} gave {type(d).__name__}, expected a float"
        assert abs(d - np.cos(float(x))) < 1e-10


def test_array_in_array_out_with_the_same_shape(central_difference):
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    d = central_difference(np.exp, x)
    assert isinstance(d, np.ndarray) and d.shape == (3, 4) and d.dtype == np.float64
    assert np.allclose(d, np.exp(x), rtol=1e-9)
    d_list = central_difference(np.exp, [0.0, 1.0])
    assert d_list.shape == (2,) and np.allclose(d_list, np.exp([0.0, 1.0]), rtol=1e-9)
    assert central_difference(np.exp, np.array([])).shape == (0,)
    d_int = central_difference(lambda t: t**2, np.arange(-3, 4))       # integer points are fine
    assert d_int.dtype == np.float64 and np.allclose(d_int, 2 * np.arange(-3, 4), atol=1e-9)


def test_explicit_step_is_used(central_difference):
    # truncation error of the central difference: f'''(x) h^2 / 6 = -cos(1) h^2 / 6 for sin
    for h in (1e-2, 1e-3):
        err = central_difference(np.sin, 1.0, h) - np.cos(1.0)
        assert np.isclose(err, -np.cos(1.0) * h**2 / 6, rtol=1e-3), (h, err)
    xs = np.array([0.5, 1.0])
    steps = np.array([1e-2, 1e-3])                      # one step per point
    err = central_difference(np.sin, xs, steps) - np.cos(xs)
    assert np.allclose(err, -np.cos(xs) * steps**2 / 6, rtol=1e-3)


def test_exact_for_quadratics(central_difference):
    # the central difference of a quadratic has no truncation error, whatever the step
    q = lambda x: 3 * x**2 - 2 * x + 1
    xs = np.linspace(-3, 3, 13)
    assert np.allclose(central_difference(q, xs), 6 * xs - 2, atol=1e-9)
    assert np.allclose(central_difference(q, xs, 0.5), 6 * xs - 2, atol=1e-12)


@pytest.mark.parametrize("f", [3.0, "sin", None, [np.sin]])
def test_non_callable_f_is_a_type_error(central_difference, f):
    with pytest.raises(TypeError, match="f must be a function"):
        central_difference(f, 1.0)


@pytest.mark.parametrize("x", [np.nan, np.inf, -np.inf, [0.0, np.nan]])
def test_non_finite_x_is_a_value_error(central_difference, x):
    with pytest.raises(ValueError, match="x must be finite"):
        central_difference(np.sin, x)


@pytest.mark.parametrize("x", ["1.0", None, 1 + 2j, True, {"x": 1}])
def test_non_real_x_is_a_type_error(central_difference, x):
    with pytest.raises(TypeError, match="x must be a real number"):
        central_difference(np.sin, x)


@pytest.mark.parametrize("h", [0.0, -1e-3, np.nan, np.inf, [1e-3, -1e-3]])
def test_bad_step_is_a_value_error(central_difference, h):
    with pytest.raises(ValueError, match="h must be positive and finite"):
        central_difference(np.sin, np.array([0.0, 1.0]), h)


def test_step_of_the_wrong_type_or_shape(central_difference):
    with pytest.raises(TypeError, match="h must be a positive number"):
        central_difference(np.sin, 1.0, "1e-3")
    with pytest.raises(ValueError, match="h must be a number or an array of x's shape"):
        central_difference(np.sin, np.zeros(3), np.full(2, 1e-3))


def test_f_that_does_not_work_pointwise_is_a_value_error(central_difference):
    with pytest.raises(ValueError, match="one value per point"):
        central_difference(np.sum, np.linspace(0, 1, 5))


@pytest.mark.parametrize("x", [-1.0, 0.0])
def test_point_outside_the_domain_is_a_value_error_without_warnings(central_difference, x):
    # pytest turns warnings into errors here (pyproject.toml), so a numpy warning would fail this test
    with pytest.raises(ValueError, match="inside the domain of f"):
        central_difference(np.log, x)


def test_explicit_step_rescues_a_function_wiggling_far_from_the_origin(central_difference):
    # theory.md, section 6: far out the automatic step is held above h0/1000, so sin at 1e6 keeps only
    # about 5 digits; an explicit step gives about 11 (dividing by the step actually taken makes the
    # rounding of x +- h harmless)
    x = 1e6
    assert abs(central_difference(np.sin, x, 1e-5) - np.cos(x)) < 1e-10
