"""Chapter 02: numerical_gradient, numerical_jacobian and numerical_hessian behave as promised."""

import numpy as np
import pytest

CHAPTER = "02"


@pytest.fixture
def rng():
    return np.random.default_rng(2)


def rel(a, b):
    return np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b)


# ------------------------------------------------------------------ numerical_gradient
def test_gradient_of_a_linear_function_is_exact_up_to_rounding(ns, rng):
    a, x = rng.normal(size=6), rng.normal(size=6)
    g = ns["numerical_gradient"](lambda x: a @ x, x)
    assert g.shape == (6,) and g.dtype == np.float64
    assert rel(g, a) < 1e-9


def test_gradient_of_a_nonsymmetric_quadratic_form(ns, rng):
    B, x = rng.normal(size=(4, 4)), rng.normal(size=4)
    g = ns["numerical_gradient"](lambda x: x @ B @ x, x)
    assert rel(g, (B + B.T) @ x) < 1e-8
    assert rel(g, 2 * B @ x) > 1e-2  # the symmetric shortcut would be detected


def test_gradient_of_the_running_example(ns):
    f = lambda p: p[0] * np.exp(-(p[0] ** 2 + p[1] ** 2))
    for x, y in [(0.3, 0.8), (-1.7, 0.4), (1.2, -1.9)]:
        e = np.exp(-(x**2 + y**2))
        assert rel(ns["numerical_gradient"](f, [x, y]), [(1 - 2 * x**2) * e, -2 * x * y * e]) < 1e-8


def test_gradient_scales_its_step_with_large_coordinates(ns):
    x = np.array([2.0e3, 5.0e4, 7.0e5])
    g = ns["numerical_gradient"](lambda x: np.sum(np.log(x)), x)  # an absolute step of 6e-6 would be lost
    assert rel(g, 1 / x) < 1e-7


def test_gradient_accepts_lists_and_integers(ns):
    g = ns["numerical_gradient"](lambda x: x[0] ** 2 + 3 * x[1], [1, 2])
    assert g.dtype == np.float64 and np.allclose(g, [2.0, 3.0], rtol=1e-9)


def test_gradient_in_one_dimension(ns):
    g = ns["numerical_gradient"](lambda x: np.sin(x[0]), np.array([0.4]))
    assert g.shape == (1,) and abs(g[0] - np.cos(0.4)) < 1e-10


# ------------------------------------------------------------------ numerical_jacobian
def test_jacobian_of_a_linear_map_has_numerator_layout(ns, rng):
    A = rng.normal(size=(3, 5))  # R^5 -> R^3: the Jacobian is A itself, shape (outputs, inputs)
    J = ns["numerical_jacobian"](lambda x: A @ x, rng.normal(size=5))
    assert J.shape == (3, 5) and rel(J, A) < 1e-9


def test_jacobian_wide_and_tall_nonlinear_maps(ns):
    wide = lambda x: np.array([x[0] * x[1] * x[2], np.sin(x[0]) + x[2] ** 2])  # R^3 -> R^2
    x = np.array([0.4, -1.1, 2.0])
    J_wide = np.array([[x[1] * x[2], x[0] * x[2], x[0] * x[1]], [np.cos(x[0]), 0.0, 2 * x[2]]])
    assert ns["numerical_jacobian"](wide, x).shape == (2, 3)
    assert rel(ns["numerical_jacobian"](wide, x), J_wide) < 1e-8

    tall = lambda q: np.array([q[0] * np.cos(q[1]), q[0] * np.sin(q[1]), q[0] ** 2, np.exp(q[1])])  # R^2 -> R^4
    q = np.array([2.0, 0.7])
    J_tall = np.array([[np.cos(q[1]), -q[0] * np.sin(q[1])], [np.sin(q[1]), q[0] * np.cos(q[1])],
                       [2 * q[0], 0.0], [0.0, np.exp(q[1])]])
    assert ns["numerical_jacobian"](tall, q).shape == (4, 2)
    assert rel(ns["numerical_jacobian"](tall, q), J_tall) < 1e-8


def test_jacobian_of_softmax(ns):
    def softmax(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    z = np.array([1.0, -0.5, 2.0, 0.3])
    p = softmax(z)
    assert rel(ns["numerical_jacobian"](softmax, z), np.diag(p) - np.outer(p, p)) < 1e-8


def test_jacobian_of_a_one_output_function_is_a_row(ns):
    J = ns["numerical_jacobian"](lambda x: np.array([x @ x]), np.array([1.0, 2.0, 3.0]))
    assert J.shape == (1, 3) and np.allclose(J, [[2.0, 4.0, 6.0]], rtol=1e-9)


# ------------------------------------------------------------------ numerical_hessian
def test_hessian_of_quadratic_forms(ns, rng):
    A = rng.normal(size=(4, 4))
    A = A + A.T
    B = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    assert rel(ns["numerical_hessian"](lambda x: 0.5 * x @ A @ x, x), A) < 1e-8
    H = ns["numerical_hessian"](lambda x: x @ B @ x, x)
    assert rel(H, B + B.T) < 1e-8 and np.array_equal(H, H.T)


def test_hessian_of_rosenbrock_and_the_running_example(ns):
    rosen = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
    for x, y in [(-1.2, 1.0), (1.0, 1.0), (0.5, -0.3)]:
        H = np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])
        assert rel(ns["numerical_hessian"](rosen, [x, y]), H) < 1e-7
    f = lambda p: p[0] * np.exp(-(p[0] ** 2 + p[1] ** 2))
    for x, y in [(0.3, 0.8), (-1.7, 0.4), (1.2, -1.9)]:
        e = np.exp(-(x**2 + y**2))
        H = np.array([[(4 * x**3 - 6 * x) * e, (4 * x**2 * y - 2 * y) * e],
                      [(4 * x**2 * y - 2 * y) * e, (4 * x * y**2 - 2 * x) * e]])
        assert rel(ns["numerical_hessian"](f, [x, y]), H) < 1e-7


def test_hessian_of_a_three_variable_function(ns):
    f = lambda p: np.sin(p[0] * p[1]) + p[1] * p[2] ** 3
    x, y, z = 0.7, -0.4, 1.3
    H = np.array([[-y * y * np.sin(x * y), np.cos(x * y) - x * y * np.sin(x * y), 0.0],
                  [np.cos(x * y) - x * y * np.sin(x * y), -x * x * np.sin(x * y), 3 * z**2],
                  [0.0, 3 * z**2, 6 * y * z]])
    Hn = ns["numerical_hessian"](f, [x, y, z])
    assert Hn.shape == (3, 3) and rel(Hn, H) < 1e-7


# ------------------------------------------------------------------ helpers used for every check
def test_relative_error_and_check_close(ns, capsys):
    assert ns["relative_error"]([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert np.isclose(ns["relative_error"]([3.0, 4.0], [0.0, 4.0]), 3 / 4)
    ns["check_close"]("demo", [1.0, 2.0 + 1e-12], [1.0, 2.0])
    assert "demo: relative error" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="relative error"):
        ns["check_close"]("demo", [1.0, 2.1], [1.0, 2.0])
    with pytest.raises(ValueError, match="shapes differ"):
        ns["relative_error"]([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="all zeros"):
        ns["relative_error"]([1.0], [0.0])


# ------------------------------------------------------------------ clear errors for bad input
NUMERICAL = ["numerical_gradient", "numerical_jacobian", "numerical_hessian"]


def _f_for(name):
    return (lambda x: np.array([x[0], x.sum()])) if name == "numerical_jacobian" else (lambda x: x @ x)


@pytest.mark.parametrize("name", NUMERICAL)
def test_x_must_be_one_dimensional(ns, name):
    with pytest.raises(ValueError, match=r"1-D array.*shape \(2, 2\)"):
        ns[name](_f_for(name), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"1-D array.*shape \(\)"):
        ns[name](_f_for(name), 3.0)
    with pytest.raises(ValueError, match="non-empty"):
        ns[name](_f_for(name), [])


@pytest.mark.parametrize("name", NUMERICAL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_x_must_be_finite(ns, name, bad):
    with pytest.raises(ValueError, match="finite"):
        ns[name](_f_for(name), [1.0, bad])


@pytest.mark.parametrize("name", NUMERICAL)
def test_x_must_be_numbers_and_f_callable(ns, name):
    with pytest.raises(TypeError, match="1-D array of numbers"):
        ns[name](_f_for(name), ["a", "b"])
    with pytest.raises(TypeError, match="1-D array of real numbers"):
        ns[name](_f_for(name), "12")
    with pytest.raises(TypeError, match="1-D array of real numbers"):
        ns[name](_f_for(name), np.array([1.0 + 2.0j, 3.0]))
    with pytest.raises(TypeError, match="f must be a function"):
        ns[name](np.ones(2), [1.0, 2.0])


@pytest.mark.parametrize("name", ["numerical_gradient", "numerical_hessian"])
def test_scalar_functions_must_return_a_scalar(ns, name):
    with pytest.raises(ValueError, match=r"f must return a scalar.*shape \(2,\).*numerical_jacobian"):
        ns[name](lambda x: 2 * x, [1.0, 2.0])


def test_jacobian_needs_a_vector_output(ns):
    with pytest.raises(ValueError, match=r"f must return a 1-D array, got shape \(\).*numerical_gradient"):
        ns["numerical_jacobian"](lambda x: x @ x, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"f must return a 1-D array, got shape \(2, 2\)"):
        ns["numerical_jacobian"](lambda x: np.outer(x, x), [1.0, 2.0])


@pytest.mark.parametrize("name", NUMERICAL)
def test_non_finite_values_of_f_are_reported(ns, name):
    with pytest.raises(ValueError, match="non-finite"):
        if name == "numerical_jacobian":
            ns[name](lambda x: np.array([np.sqrt(x[0]) if x[0] >= 0 else np.nan, x[1]]), [0.0, 1.0])
        else:
            ns[name](lambda x: np.sqrt(x[0]) if x[0] >= 0 else np.nan, [0.0, 1.0])
