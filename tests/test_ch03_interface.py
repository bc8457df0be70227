"""Chapter 03: the notebook's promised functions (cells tagged 'interface') behave as promised."""

import numpy as np
import pytest
from nbtools import load_interface

CHAPTER = "03"


@pytest.fixture(scope="module")
def nb():
    return load_interface(CHAPTER)


# Smooth test functions of a point x (shape (n,) or points as columns (n, k)) with hand-written gradients.
FUNCTIONS = {
    "bowl": (lambda x: x[0] ** 2 + 3 * x[1] ** 2, lambda x: np.array([2 * x[0], 6 * x[1]])),
    "trig_exp": (
        lambda x: np.sin(x[0]) * np.exp(x[1]) + x[0] * x[1] ** 2,
        lambda x: np.array([np.cos(x[0]) * np.exp(x[1]) + x[1] ** 2, np.sin(x[0]) * np.exp(x[1]) + 2 * x[0] * x[1]]),
    ),
    "cubic_3d": (
        lambda x: x[0] * x[1] * x[2] + x[2] ** 3,
        lambda x: np.array([x[1] * x[2], x[0] * x[2], x[0] * x[1] + 3 * x[2] ** 2]),
    ),
    "log_sum_exp_5d": (
        lambda x: np.log(np.sum(np.exp(x), axis=0)),
        lambda x: np.exp(x) / np.sum(np.exp(x)),
    ),
}
DIMS = {"bowl": 2, "trig_exp": 2, "cubic_3d": 3, "log_sum_exp_5d": 5}


def _kink(x):
    """x^2 y / (x^2 + y^2) with f(0) = 0: directional derivatives exist at 0, the gradient formula fails."""
    r2 = x[0] ** 2 + x[1] ** 2
    return np.divide(x[0] ** 2 * x[1], r2, out=np.zeros_like(r2, dtype=float), where=r2 > 0)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_directional_derivative_equals_grad_dot_v(nb, name):
    f, grad = FUNCTIONS[name]
    rng = np.random.default_rng(0)
    n = DIMS[name]
    for _ in range(5):
        x = rng.uniform(-1.5, 1.5, size=n)
        for _ in range(5):
            v = rng.normal(size=n)
            v /= np.linalg.norm(v)
            got = nb["directional_derivative"](f, x, v)
            assert isinstance(got, float)
            assert got == pytest.approx(grad(x) @ v, rel=1e-7, abs=1e-9), f"{name} at x={x}, v={v}"


def test_many_directions_at_once_match_one_at_a_time(nb):
    f, grad = FUNCTIONS["trig_exp"]
    x = np.array([0.3, -0.4])
    angles = np.linspace(0, 2 * np.pi, 7, endpoint=False)
    V = np.stack([np.cos(angles), np.sin(angles)])  # shape (2, 7)
    batch = nb["directional_derivative"](f, x, V)
    assert batch.shape == (7,)
    single = [nb["directional_derivative"](f, x, V[:, j]) for j in range(7)]
    np.testing.assert_allclose(batch, single, rtol=1e-12)
    np.testing.assert_allclose(batch, grad(x) @ V, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("point", [(0.9, 0.5), (-1.2, 0.3), (0.2, -1.7)])
def test_the_largest_rate_over_a_fine_angle_grid_is_at_the_gradient(nb, point):
    f, grad = FUNCTIONS["trig_exp"]
    x = np.array(point)
    angles = np.linspace(0, 2 * np.pi, 3600, endpoint=False)  # 0.1 degree apart
    rates = nb["directional_derivative"](f, x, np.stack([np.cos(angles), np.sin(angles)]))
    g = grad(x)
    gap = np.angle(np.exp(1j * (angles[np.argmax(rates)] - np.arctan2(g[1], g[0]))))
    assert abs(gap) <= np.radians(0.05) + 1e-12, f"best angle is {np.degrees(gap):.3f} deg from the gradient"
    assert rates.max() == pytest.approx(np.linalg.norm(g), rel=1e-6)
    assert rates.min() == pytest.approx(-np.linalg.norm(g), rel=1e-6)


def test_it_uses_the_limit_definition_not_the_gradient(nb):
    # at a point where f is not differentiable, D_v f(0) = cos^2 sin, although the partials are 0
    angles = np.linspace(0, 2 * np.pi, 25)
    rates = nb["directional_derivative"](_kink, np.zeros(2), np.stack([np.cos(angles), np.sin(angles)]))
    np.testing.assert_allclose(rates, np.cos(angles) ** 2 * np.sin(angles), atol=1e-12)
    np.testing.assert_allclose(nb["numerical_gradient"](_kink, np.zeros(2)), [0.0, 0.0], atol=1e-12)


def test_a_non_unit_direction_is_an_error_that_explains_the_fix(nb):
    f, _ = FUNCTIONS["bowl"]
    with pytest.raises(ValueError, match=r"norm 2.*unit vector.*np.linalg.norm\(v\).*unit=False"):
        nb["directional_derivative"](f, np.array([1.0, 1.0]), np.array([1.2, 1.6]))
    with pytest.raises(ValueError, match="norm 3"):  # one bad column among several
        nb["directional_derivative"](f, np.array([1.0, 1.0]), np.array([[1.0, 3.0], [0.0, 0.0]]))


@pytest.mark.parametrize("c", [0.5, 2.0, 10.0, -1.0, -3.0])
def test_unit_false_shows_that_a_non_unit_direction_scales_the_rate(nb, c):
    f, _ = FUNCTIONS["bowl"]
    x, v = np.array([1.0, 1.0]), np.array([0.6, 0.8])
    assert nb["directional_derivative"](f, x, v) == pytest.approx(6.0, rel=1e-9)
    assert nb["directional_derivative"](f, x, c * v, unit=False) == pytest.approx(6.0 * c, rel=1e-8)


def test_partial_derivatives_are_directional_derivatives_along_the_axes(nb):
    f, grad = FUNCTIONS["cubic_3d"]
    x = np.array([0.5, -1.0, 2.0])
    g = nb["numerical_gradient"](f, x)
    assert g.shape == (3,)
    np.testing.assert_allclose(g, grad(x), rtol=1e-8)
    for i in range(3):
        assert nb["directional_derivative"](f, x, np.eye(3)[i]) == pytest.approx(grad(x)[i], rel=1e-8)


def test_lists_and_integers_are_accepted(nb):
    f, _ = FUNCTIONS["bowl"]
    assert nb["directional_derivative"](f, [1, 1], [0, 1]) == pytest.approx(6.0, rel=1e-9)


@pytest.mark.parametrize(
    "x, v, error, message",
    [
        (np.array([1.0, 1.0]), np.zeros(2), ValueError, "zero vector"),
        (np.array([1.0, 1.0]), np.array([[1.0, 0.0], [0.0, 0.0]]), ValueError, "zero vector"),
        (np.array([np.nan, 1.0]), np.array([1.0, 0.0]), ValueError, "finite"),
        (np.array([1.0, 1.0]), np.array([np.inf, 0.0]), ValueError, "finite"),
        (np.array([1.0, 1.0, 1.0]), np.array([1.0, 0.0]), ValueError, r"shape \(3,\)"),
        (np.array([[1.0, 1.0]]), np.array([1.0, 0.0]), ValueError, r"x must be a point of shape \(n,\)"),
        (np.array(1.0), np.array([1.0]), ValueError, "x must be a point"),
        (np.array([1.0, 1.0]), np.ones((2, 2, 1)), ValueError, r"v must have shape"),
        (["a", "b"], np.array([1.0, 0.0]), TypeError, "x must be an array of real numbers"),
        (np.array([1.0, 1.0]), np.array([1 + 1j, 0]), TypeError, "v must be an array of real numbers"),
    ],
)
def test_bad_points_and_directions_raise_clear_errors(nb, x, v, error, message):
    f, _ = FUNCTIONS["bowl"]
    with pytest.raises(error, match=message):
        nb["directional_derivative"](f, x, v)


def test_bad_functions_and_steps_raise_clear_errors(nb):
    dd = nb["directional_derivative"]
    x, v = np.array([1.0, 1.0]), np.array([1.0, 0.0])
    with pytest.raises(TypeError, match="f must be a function"):
        dd("x**2", x, v)
    for h in [0.0, -1e-5, float("nan"), float("inf")]:
        with pytest.raises(ValueError, match="h must be a positive finite number"):
            dd(FUNCTIONS["bowl"][0], x, v, h=h)
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        dd(FUNCTIONS["bowl"][0], x, v, h=True)
    with pytest.raises(ValueError, match="one number per point"):
        dd(lambda z: z, x, v)  # returns a vector
    for bad in [np.inf, -np.inf, np.nan]:
        with pytest.raises(ValueError, match="non-finite"):
            dd(lambda z, bad=bad: bad * z[0], x, v)  # e.g. an overflow or a log of a negative number
    with pytest.raises(ValueError, match="x must be a point"):
        nb["numerical_gradient"](FUNCTIONS["bowl"][0], np.ones((2, 2)))


# ---------------------------------------------------------------------------------- line searches
A = np.array([[3.0, 1.0], [1.0, 2.0]])
B = np.array([1.0, -1.0])


def quad(x):
    return 0.5 * x @ A @ x - B @ x


def grad_quad(x):
    return A @ x - B


@pytest.mark.parametrize("direction", ["steepest", "random"])
def test_exact_step_minimises_along_the_line(nb, direction):
    x = np.array([2.0, 1.0])
    d = -grad_quad(x) if direction == "steepest" else np.array([-1.0, 0.3])
    alpha = nb["exact_step_quadratic"](A, B, x, d)
    slope = (quad(x + (alpha + 1e-6) * d) - quad(x + (alpha - 1e-6) * d)) / 2e-6
    assert abs(slope) < 1e-6  # psi'(alpha*) = 0
    grid = np.linspace(alpha - 1, alpha + 1, 201)
    assert all(quad(x + alpha * d) <= quad(x + a * d) + 1e-12 for a in grid)


def test_exact_step_errors(nb):
    step = nb["exact_step_quadratic"]
    x, d = np.array([2.0, 1.0]), np.array([-1.0, 0.0])
    with pytest.raises(ValueError, match="symmetric"):
        step(np.array([[3.0, 1.0], [0.0, 2.0]]), B, x, d)
    with pytest.raises(ValueError, match="no minimum along d"):
        step(np.diag([1.0, -1.0]), B, x, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="no minimum along d"):
        step(A, B, x, np.zeros(2))
    with pytest.raises(ValueError, match=r"need A \(n, n\)"):
        step(A, B, np.ones(3), np.ones(3))


def test_backtracking_returns_the_first_armijo_step(nb):
    wavy = lambda x: x[0] ** 2 + 2 * x[1] ** 2 + 0.8 * x[1] * np.sin(2 * x[0])
    grad_wavy = lambda x: np.array([2 * x[0] + 1.6 * x[1] * np.cos(2 * x[0]), 4 * x[1] + 0.8 * np.sin(2 * x[0])])
    x = np.array([1.6, 0.9])
    d = -grad_wavy(x)
    for c in [1e-4, 0.3, 0.9]:
        for gamma in [0.5, 0.8]:
            alpha = nb["backtracking_line_search"](wavy, grad_wavy, x, d, alpha0=1.0, gamma=gamma, c=c)
            k = np.log(alpha) / np.log(gamma)
            assert k == pytest.approx(round(k), abs=1e-9), "alpha must be alpha0 * gamma**k"
            assert wavy(x + alpha * d) <= wavy(x) + c * alpha * (grad_wavy(x) @ d)
            if alpha < 1.0:  # the previous trial alpha / gamma failed the test
                assert wavy(x + alpha / gamma * d) > wavy(x) + c * alpha / gamma * (grad_wavy(x) @ d)


def test_backtracking_on_a_quadratic_accepts_up_to_twice_the_exact_step(nb):
    # theory.md section 5: on a quadratic, (5.2) holds exactly for alpha <= 2 (1 - c) alpha*
    x = np.array([2.0, 1.0])
    d = -grad_quad(x)
    a_star = nb["exact_step_quadratic"](A, B, x, d)
    assert nb["backtracking_line_search"](quad, grad_quad, x, d, alpha0=1.9 * a_star) == pytest.approx(1.9 * a_star)
    assert nb["backtracking_line_search"](quad, grad_quad, x, d, alpha0=2.1 * a_star) == pytest.approx(1.05 * a_star)


def test_backtracking_errors(nb):
    bt = nb["backtracking_line_search"]
    x = np.array([2.0, 1.0])
    with pytest.raises(ValueError, match="not a descent direction"):
        bt(quad, grad_quad, x, grad_quad(x))
    with pytest.raises(ValueError, match="not a descent direction"):
        bt(quad, grad_quad, x, np.array([-grad_quad(x)[1], grad_quad(x)[0]]))  # a level direction
    for kwargs in [{"alpha0": 0.0}, {"gamma": 1.0}, {"gamma": 0.0}, {"c": 1.0}, {"c": 0.0}]:
        with pytest.raises(ValueError, match="need alpha0 > 0"):
            bt(quad, grad_quad, x, -grad_quad(x), **kwargs)
    with pytest.raises(ValueError, match="shape"):
        bt(quad, grad_quad, x, np.ones(3))
    with pytest.raises(TypeError, match="functions"):
        bt(quad, None, x, -grad_quad(x))
    with pytest.raises(RuntimeError, match="Armijo"):  # a wrong gradient claims a slope that f does not have
        bt(quad, lambda z: -1e6 * (A @ z - B), x, grad_quad(x) * 1e-9, max_halvings=5)
