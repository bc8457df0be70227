"""Chapter 04: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub, reports crashes and survives garbage is
tested for all chapters in test_self_checks.py.
"""

import numpy as np
from nbtools import run_check, verdict, wrong

CHAPTER = "04"


def _softmax(Z, axis=1):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


# ------------------------------------------------------------------------------------------- E3
def test_e3_rejects_the_symmetric_shortcut(checks):
    wrong(checks["check_e3"], lambda A, x: 2 * A @ x, "non-symmetric", "only when A is symmetric")


def test_e3_rejects_the_transposed_symmetric_shortcut(checks):
    wrong(checks["check_e3"], lambda A, x: 2 * A.T @ x, "non-symmetric", "only when A is symmetric")


def test_e3_rejects_a_sign_error_and_a_missing_term(checks):
    wrong(checks["check_e3"], lambda A, x: -(A + A.T) @ x, "wrong sign")
    wrong(checks["check_e3"], lambda A, x: A.T @ x, "x appears twice")


def test_e3_names_a_factor_two(checks):
    wrong(checks["check_e3"], lambda A, x: 0.5 * (A + A.T) @ x, "factor 2", "largest error")


def test_e3_rejects_a_column_vector_and_says_why(checks):
    wrong(checks["check_e3"], lambda A, x: ((A + A.T) @ x)[:, None], "shape (4, 1)", "expected shape (4,)",
          "1-D arrays of shape (n,)")


def test_e3_reports_other_exceptions(checks):
    def broken(A, x):
        raise ValueError("oops\nsecond line")

    line = wrong(checks["check_e3"], broken, "raised ValueError", "oops second line")
    assert "\n" not in line


# ------------------------------------------------------------------------------------------- E5
def test_e5_rejects_a_sign_error(checks):
    def flipped(Z):
        S = _softmax(np.asarray(Z))
        return S[:, None, :] * S[:, :, None] - S[:, :, None] * np.eye(Z.shape[1])

    wrong(checks["check_e5"], flipped, "Z of shape (3, 4)", "sign is flipped")


def test_e5_rejects_the_missing_outer_product(checks):
    def diagonal_only(Z):
        S = _softmax(np.asarray(Z))
        return S[:, :, None] * np.eye(Z.shape[1])

    wrong(checks["check_e5"], diagonal_only, "must sum to 0")


def test_e5_names_the_wrong_axis(checks):
    def columns(Z):
        S = _softmax(np.asarray(Z), axis=0)
        return S[:, :, None] * np.eye(Z.shape[1]) - S[:, :, None] * S[:, None, :]

    wrong(checks["check_e5"], columns, "Wrong axis", "axis=1")


def test_e5_names_the_missing_max_shift(checks):
    def naive(Z):
        E = np.exp(Z)  # overflows for logits near 1000
        S = E / E.sum(axis=1, keepdims=True)
        return S[:, :, None] * np.eye(Z.shape[1]) - S[:, :, None] * S[:, None, :]

    wrong(checks["check_e5"], naive, "logits near 1000", "subtract each row's maximum")


def test_e5_rejects_a_single_jacobian_instead_of_a_batch(checks):
    def unbatched(Z):
        s = _softmax(np.asarray(Z))[0]
        return np.diag(s) - np.outer(s, s)

    wrong(checks["check_e5"], unbatched, "shape (4, 4)", "expected shape (3, 4, 4)")


# ------------------------------------------------------------------------------------------- E11
def _backward(X, W1, W2, Y):
    Z = X @ W1
    A1 = np.tanh(Z)
    return Z, A1, (A1 @ W2 - Y) @ W2.T


def test_e11_rejects_the_missing_tanh_derivative(checks):
    def no_tanh_prime(X, W1, W2, Y):
        return X.T @ _backward(X, W1, W2, Y)[2]

    wrong(checks["check_e11"], no_tanh_prime, "X (5, 3)", "tanh'(X W1)", "largest error")


def test_e11_names_tanh_prime_of_the_pre_activation(checks):
    def one_minus_z_squared(X, W1, W2, Y):
        Z, _, back = _backward(X, W1, W2, Y)
        return X.T @ (back * (1 - Z**2))

    wrong(checks["check_e11"], one_minus_z_squared, "wrong quantity", "pre-activation")


def test_e11_names_tanh_prime_without_the_square(checks):
    def one_minus_a(X, W1, W2, Y):
        _, A1, back = _backward(X, W1, W2, Y)
        return X.T @ (back * (1 - A1))

    wrong(checks["check_e11"], one_minus_a, "(squared), not 1 - A1")


def test_e11_rejects_a_sign_error(checks, sol):
    wrong(checks["check_e11"], lambda *args: -sol["grad_W1"](*args), "sign is flipped")


def test_e11_rejects_a_mean_instead_of_a_sum(checks, sol):
    wrong(checks["check_e11"], lambda X, *rest: sol["grad_W1"](X, *rest) / X.shape[0], "factor N")


def test_e11_rejects_a_forgotten_one_half(checks, sol):
    wrong(checks["check_e11"], lambda *args: 2 * sol["grad_W1"](*args), "factor 2")


def test_e11_rejects_the_transposed_gradient_by_shape(checks, sol):
    wrong(checks["check_e11"], lambda *args: sol["grad_W1"](*args).T, "shape (4, 3)", "transpose")


def test_e11_names_a_transpose_that_shapes_cannot_catch(checks, sol):
    def transposed_when_square(X, W1, W2, Y):
        g = sol["grad_W1"](X, W1, W2, Y)
        return g.T if g.shape[0] == g.shape[1] else g

    wrong(checks["check_e11"], transposed_when_square, "square W1", "transpose of dL/dW1")


def test_e11_reports_a_shape_error_inside_and_names_the_input(checks):
    def w2_not_transposed(X, W1, W2, Y):
        A1 = np.tanh(X @ W1)
        return X.T @ (((A1 @ W2 - Y) @ W2) * (1 - A1**2))  # R @ W2 instead of R @ W2.T

    wrong(checks["check_e11"], w2_not_transposed, "raised ValueError", "X (5, 3), W1 (3, 4), W2 (4, 2)")


# ------------------------------------------------------------------------------------------- E12
def test_e12_names_a_sign_error(checks, sol):
    wrong(checks["check_e12"], lambda *args: -sol["softmax_ce_grad"](*args), "sign is flipped")


def test_e12_names_a_sum_instead_of_a_mean(checks, sol):
    wrong(checks["check_e12"], lambda X, W, Y: X.shape[0] * sol["softmax_ce_grad"](X, W, Y), "factor N",
          "mean over the batch")


def test_e12_names_a_transpose_that_shapes_cannot_catch(checks, sol):
    def transposed_when_square(X, W, Y):
        g = sol["softmax_ce_grad"](X, W, Y)
        return g.T if g.shape[0] == g.shape[1] else g

    wrong(checks["check_e12"], transposed_when_square, "square W", "transpose")


def test_e12_names_the_wrong_axis(checks):
    def columns(X, W, Y):
        S = _softmax(X @ W, axis=0)
        return X.T @ (S - Y) / X.shape[0]

    wrong(checks["check_e12"], columns, "Wrong axis", "axis=1")


def test_e12_names_the_missing_max_shift(checks):
    def naive(X, W, Y):
        E = np.exp(X @ W)  # overflows for logits near 1000
        S = E / E.sum(axis=1, keepdims=True)
        return X.T @ (S - Y) / X.shape[0]

    wrong(checks["check_e12"], naive, "logits near 1000", "missing max-shift")


def test_e12_names_the_gradient_by_the_logits(checks):
    wrong(checks["check_e12"], lambda X, W, Y: (_softmax(X @ W) - Y) / X.shape[0], "shape (5, 4)", "X^T dL/dZ")


# ------------------------------------------------------------------------------------------- E14
def _penalised(matrix_of):
    def fit(X, y, mu):
        return np.linalg.solve(X.T @ X + matrix_of(X.shape[1], mu), X.T @ y)
    return fit


def test_e14_rejects_a_forgotten_penalty(checks):
    def no_penalty(X, y, mu):
        return np.linalg.lstsq(X, y, rcond=None)[0]

    wrong(checks["check_e14"], no_penalty, "mu = 0.5", "without the penalty")


def test_e14_names_a_penalty_off_by_a_factor_two(checks):
    wrong(checks["check_e14"], _penalised(lambda n, mu: 0.5 * mu * np.eye(n)), "X of shape (8, 3)", "half")
    wrong(checks["check_e14"], _penalised(lambda n, mu: 2 * mu * np.eye(n)), "twice")


def test_e14_names_mu_added_to_every_entry(checks):
    wrong(checks["check_e14"], _penalised(lambda n, mu: mu * np.ones((n, n))), "every entry", "diagonal only")


def test_e14_names_an_unpenalised_intercept(checks):
    wrong(checks["check_e14"], _penalised(lambda n, mu: mu * np.diag(np.r_[0.0, np.ones(n - 1)])),
          "out of the penalty", "every weight")


def test_e14_catches_a_formed_inverse_on_the_ill_conditioned_case(checks):
    def with_inverse(X, y, mu):
        return np.linalg.inv(X.T @ X + mu * np.eye(X.shape[1])) @ (X.T @ y)

    def with_pinv(X, y, mu):
        return np.linalg.pinv(X.T @ X + mu * np.eye(X.shape[1])) @ (X.T @ y)

    wrong(checks["check_e14"], with_inverse, "ill-conditioned", "inverse")
    wrong(checks["check_e14"], with_pinv, "ill-conditioned", "inverse")


def test_e14_inverse_leaves_millions_of_times_a_solves_residual():
    """exercises.md E14: on the check's ill-conditioned X (two almost equal columns) a formed inverse leaves a
    relative residual in (8.2) about 1e7 times that of a solve, and above the check's threshold 1e-13."""
    t = np.linspace(0.0, 1.0, 12)
    X = np.column_stack([np.ones(12), t, t + 3e-7 * np.cos(5 * t)])
    M, rhs = X.T @ X, X.T @ np.sin(3 * t)

    def residual(w):
        return np.linalg.norm(M @ w - rhs) / (np.linalg.norm(M, 2) * np.linalg.norm(w) + np.linalg.norm(rhs))

    by_solve, by_inverse = residual(np.linalg.solve(M, rhs)), residual(np.linalg.inv(M) @ rhs)
    assert by_solve < 1e-15 and by_inverse > 1e-13 and 1e6 < by_inverse / by_solve < 1e8, (by_solve, by_inverse)


def test_e14_accepts_lstsq_on_an_augmented_system(checks):
    def augmented(X, y, mu):
        n = X.shape[1]
        return np.linalg.lstsq(np.vstack([X, np.sqrt(mu) * np.eye(n)]), np.r_[y, np.zeros(n)], rcond=None)[0]

    line = run_check(checks["check_e14"], augmented)
    assert verdict(line) == "correct", line


def test_e14_reports_an_exception_and_names_the_input(checks, sol):
    def fails_on_dependent_columns(X, y, mu):
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise np.linalg.LinAlgError("Singular matrix")
        return sol["ridge_fit"](X, y, mu)

    wrong(checks["check_e14"], fails_on_dependent_columns, "raised LinAlgError", "third column is the sum")


def test_e14_rejects_a_wrong_shape(checks, sol):
    wrong(checks["check_e14"], lambda X, y, mu: sol["ridge_fit"](X, y, mu)[:, None], "shape (3, 1)")


def _softmax_global_shift(Z):
    """Subtracts the batch's single maximum: fine for each row alone, 0/0 for a row far below it."""
    with np.errstate(all="ignore"):
        E = np.exp(Z - Z.max())
        return E / E.sum(axis=1, keepdims=True)


def test_e5_rejects_one_maximum_for_the_whole_batch(checks):
    def jacobians(Z):
        S = _softmax_global_shift(Z)
        return np.einsum("ni,ij->nij", S, np.eye(Z.shape[1])) - np.einsum("ni,nj->nij", S, S)

    wrong(checks["check_e5"], jacobians, "maxima are far apart", "subtract each row's maximum")


def test_e12_rejects_one_maximum_for_the_whole_batch(checks):
    def grad(X, W, Y):
        return X.T @ (_softmax_global_shift(X @ W) - Y) / X.shape[0]

    wrong(checks["check_e12"], grad, "maxima are far apart", "each row's maximum")


def test_e12_rejects_each_row_minimum_instead_of_maximum(checks):
    def grad(X, W, Y):
        Z = X @ W
        with np.errstate(all="ignore"):
            E = np.exp(Z - Z.min(axis=1, keepdims=True))
            S = E / E.sum(axis=1, keepdims=True)
        return X.T @ (S - Y) / X.shape[0]

    wrong(checks["check_e12"], grad, "spanning 1200", "each row's maximum")
