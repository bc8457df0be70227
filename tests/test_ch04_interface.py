"""Chapter 04: numerical_gradient, numerical_jacobian, linear_forward/backward and load_galton behave as promised."""

import numpy as np
import pytest
from nbtools import chapter_dir

CHAPTER = "04"


@pytest.fixture
def rng():
    return np.random.default_rng(4)


# ------------------------------------------------------------------ numerical_gradient: known identities
def test_gradient_of_a_linear_function_of_a_vector(ns, rng):
    a, x = rng.normal(size=5), rng.normal(size=5)
    g = ns["numerical_gradient"](lambda x: a @ x, x)
    assert g.shape == (5,) and g.dtype == np.float64
    assert np.allclose(g, a, rtol=1e-8, atol=1e-10)


def test_gradient_of_a_nonsymmetric_quadratic_form(ns, rng):
    A, x = rng.normal(size=(4, 4)) + np.triu(np.ones((4, 4))), rng.normal(size=4)
    g = ns["numerical_gradient"](lambda x: x @ A @ x, x)
    assert ns["relative_error"]((A + A.T) @ x, g) < 1e-8
    assert ns["relative_error"](2 * A @ x, g) > 1e-2  # the transpose matters and is detected


def test_gradient_of_a_trace_has_the_shape_of_the_nonsquare_matrix(ns, rng):
    A, X = rng.normal(size=(2, 5)), rng.normal(size=(5, 2))
    g = ns["numerical_gradient"](lambda X: np.trace(A @ X), X)
    assert g.shape == (5, 2)
    assert ns["relative_error"](A.T, g) < 1e-8


def test_gradient_of_a_bilinear_form_and_of_matrix_least_squares(ns, rng):
    a, b, X = rng.normal(size=3), rng.normal(size=6), rng.normal(size=(3, 6))
    assert ns["relative_error"](np.outer(a, b), ns["numerical_gradient"](lambda X: a @ X @ b, X)) < 1e-8
    X, W, Y = rng.normal(size=(7, 4)), rng.normal(size=(4, 2)), rng.normal(size=(7, 2))
    g = ns["numerical_gradient"](lambda W: np.sum((X @ W - Y) ** 2), W)
    assert ns["relative_error"](2 * X.T @ (X @ W - Y), g) < 1e-8


def test_gradient_of_log_det_is_the_inverse_transpose(ns, rng):
    X = 3 * np.eye(4) + rng.normal(size=(4, 4))
    assert np.linalg.det(X) > 0
    g = ns["numerical_gradient"](lambda X: np.linalg.slogdet(X)[1], X)
    assert ns["relative_error"](np.linalg.inv(X).T, g) < 1e-7


def test_gradient_accepts_integers_lists_and_large_entries_and_leaves_the_input_alone(ns):
    x = [1, 2, 3]
    assert np.allclose(ns["numerical_gradient"](lambda x: np.sum(x**2), x), [2, 4, 6], rtol=1e-8, atol=0)
    X = np.array([[1e6, -2e6], [3e5, 7e5]])  # the step scales with |x|: large entries keep their accuracy
    before = X.copy()
    g = ns["numerical_gradient"](lambda X: np.sum(X**2), X)
    assert np.array_equal(X, before)
    assert np.allclose(g, 2 * X, rtol=1e-7, atol=0)


def test_gradient_with_an_explicit_step(ns):
    g = ns["numerical_gradient"](lambda x: np.sin(x[0]), np.array([0.3]), h=1e-4)
    assert abs(g[0] - np.cos(0.3)) < 1e-8


# ------------------------------------------------------------------ numerical_gradient: bad input
def test_gradient_rejects_a_vector_valued_function(ns):
    with pytest.raises(TypeError, match=r"must return a scalar.*shape \(2, 2\).*numerical_jacobian"):
        ns["numerical_gradient"](lambda X: X @ X.T, np.ones((2, 3)))


def test_gradient_rejects_a_one_by_one_array_and_says_how_to_fix_it(ns):
    with pytest.raises(TypeError, match=r"shape \(1, 1\).*float"):
        ns["numerical_gradient"](lambda x: x[:, None].T @ x[:, None], np.ones(3))


def test_gradient_rejects_non_finite_points(ns):
    for bad in (np.array([1.0, np.nan]), np.array([[np.inf, 0.0]])):
        with pytest.raises(ValueError, match="nan or inf"):
            ns["numerical_gradient"](np.sum, bad)


def test_gradient_rejects_empty_non_numeric_and_complex_points(ns):
    with pytest.raises(ValueError, match="empty"):
        ns["numerical_gradient"](np.sum, np.zeros((0, 3)))
    with pytest.raises(TypeError, match="real number"):
        ns["numerical_gradient"](np.sum, "1 2 3")
    with pytest.raises(TypeError, match="real number"):
        ns["numerical_gradient"](np.sum, np.array([1.0 + 2.0j]))


def test_gradient_rejects_a_function_that_is_not_finite_or_not_callable(ns):
    with pytest.raises(ValueError, match="finite"), np.errstate(divide="ignore"):
        ns["numerical_gradient"](lambda x: np.log(x[0]), np.array([0.0]))
    with pytest.raises(TypeError, match="f must be a function"):
        ns["numerical_gradient"](np.ones(3), np.ones(3))


def test_gradient_rejects_bad_steps(ns):
    for h in (0.0, -1e-3, np.inf, "small"):
        with pytest.raises(ValueError, match="h must be a positive finite number"):
            ns["numerical_gradient"](np.sum, np.ones(2), h=h)


# ------------------------------------------------------------------ numerical_jacobian
def test_jacobian_is_in_numerator_layout(ns, rng):
    A, x = rng.normal(size=(3, 5)), rng.normal(size=5)
    J = ns["numerical_jacobian"](lambda x: A @ x, x)
    assert J.shape == (3, 5)
    assert ns["relative_error"](A, J) < 1e-8


def test_jacobian_of_softmax_of_a_linear_map(ns, rng):
    A, x = rng.normal(size=(4, 6)), rng.normal(size=6)
    softmax = lambda z: np.exp(z - z.max()) / np.sum(np.exp(z - z.max()))
    s = softmax(A @ x)
    J = ns["numerical_jacobian"](lambda x: softmax(A @ x), x)
    assert J.shape == (4, 6)
    assert ns["relative_error"]((np.diag(s) - np.outer(s, s)) @ A, J) < 1e-7


def test_jacobian_of_a_matrix_input_has_output_shape_plus_input_shape(ns, rng):
    X = rng.normal(size=(2, 3))
    J = ns["numerical_jacobian"](lambda X: X.sum(axis=0), X)  # (3,) from (2, 3)
    assert J.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for j in range(3):
        expected[j, :, j] = 1.0
    assert np.allclose(J, expected, rtol=0, atol=1e-9)


def test_jacobian_rejects_bad_input(ns):
    with pytest.raises(ValueError, match="nan or inf"):
        ns["numerical_jacobian"](np.tanh, np.array([np.nan]))
    with pytest.raises(ValueError, match="non-finite"), np.errstate(divide="ignore"):
        ns["numerical_jacobian"](lambda x: 1 / x, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="must not depend on x"):
        ns["numerical_jacobian"](lambda x: np.ones(2 if x[0] > 1 else 3), np.array([1.0]), h=0.5)
    with pytest.raises(TypeError, match="f must be a function"):
        ns["numerical_jacobian"]("tanh", np.ones(2))


# ------------------------------------------------------------------ relative_error
def test_relative_error(ns):
    assert ns["relative_error"](np.zeros(3), np.zeros(3)) == 0.0
    assert ns["relative_error"](np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="shapes differ"):
        ns["relative_error"](np.ones((2, 3)), np.ones((3, 2)))


# ------------------------------------------------------------------ linear layer
def test_linear_backward_matches_central_differences(ns, rng):
    X, W, b, C = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(5, 3))
    L = lambda X, W, b: np.sum(C * np.tanh(ns["linear_forward"](X, W, b)))
    G = C * (1 - np.tanh(ns["linear_forward"](X, W, b)) ** 2)
    dX, dW, db = ns["linear_backward"](X, W, G)
    assert dX.shape == X.shape and dW.shape == W.shape and db.shape == b.shape
    grad = ns["numerical_gradient"]
    assert ns["relative_error"](dW, grad(lambda W: L(X, W, b), W)) < 1e-7
    assert ns["relative_error"](dX, grad(lambda X: L(X, W, b), X)) < 1e-7
    assert ns["relative_error"](db, grad(lambda b: L(X, W, b), b)) < 1e-7


def test_linear_layer_rejects_mismatched_shapes(ns, rng):
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    with pytest.raises(ValueError, match=r"X has 3 columns but W has 4 rows"):
        ns["linear_forward"](X[:, :3], W, b)
    with pytest.raises(ValueError, match=r"b has shape \(4,\), expected \(3,\)"):
        ns["linear_forward"](X, W, np.ones(4))
    with pytest.raises(ValueError, match=r"W must have 2 dimension"):
        ns["linear_forward"](X, np.ones(4), b)
    with pytest.raises(ValueError, match=r"G has shape \(3, 5\), expected \(5, 3\)"):
        ns["linear_backward"](X, W, np.ones((3, 5)))
    with pytest.raises(TypeError, match="real numbers"):
        ns["linear_backward"](X, W, "G")


# ------------------------------------------------------------------ data
def test_load_galton(ns, monkeypatch):
    monkeypatch.chdir(chapter_dir(CHAPTER))
    d = ns["load_galton"]()
    assert set(d) == {"father", "mother", "child", "is_son"}
    assert d["child"].shape == (934,) and int(d["is_son"].sum()) == 481
    assert 60 < d["father"].mean() < 75 and 55 < d["mother"].mean() < 70
    assert d["father"][0] == 78.5 and d["child"][0] == 73.2


def test_load_galton_missing_file_says_where_it_looked(ns, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = r"GaltonFamilies\.csv not found.*04_matrix_calculus.*git clone.*in Colab, run the first cell"
    with pytest.raises(FileNotFoundError, match=expected):
        ns["load_galton"]()


def test_load_galton_rejects_an_unexpected_file(ns, tmp_path):
    bad = tmp_path / "other.csv"
    bad.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unexpected header"):
        ns["load_galton"](bad)
