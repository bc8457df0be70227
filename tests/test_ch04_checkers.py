"""Chapter 04: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
from nbtools import wrong

CHAPTER = "04"


# ------------------------------------------------------------------------------------------- E3
def test_e3_rejects_the_symmetric_shortcut(checks):
    wrong(checks["check_e3"], lambda A, x: 2 * A @ x, "non-symmetric", "only when A is symmetric")


def test_e3_rejects_the_transposed_symmetric_shortcut(checks):
    wrong(checks["check_e3"], lambda A, x: 2 * A.T @ x, "non-symmetric", "only when A is symmetric")


def test_e3_rejects_a_sign_error_and_a_missing_term(checks):
    wrong(checks["check_e3"], lambda A, x: -(A + A.T) @ x, "wrong sign")
    wrong(checks["check_e3"], lambda A, x: A.T @ x, "x appears twice")


def test_e3_rejects_a_column_vector(checks):
    wrong(checks["check_e3"], lambda A, x: ((A + A.T) @ x)[:, None], "shape (4, 1)", "expected shape (4,)")


def test_e3_reports_other_exceptions(checks):
    def broken(A, x):
        raise ValueError("oops\nsecond line")

    line = wrong(checks["check_e3"], broken, "raised ValueError", "oops second line")
    assert "\n" not in line


# ------------------------------------------------------------------------------------------- E6
def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def test_e6_rejects_a_sign_error(checks):
    def flipped(Z):
        S = _softmax(np.asarray(Z))
        return S[:, None, :] * S[:, :, None] - S[:, :, None] * np.eye(Z.shape[1])

    wrong(checks["check_e6"], flipped, "Z of shape (3, 4)", "sign is flipped")


def test_e6_rejects_the_missing_outer_product(checks):
    def diagonal_only(Z):
        S = _softmax(np.asarray(Z))
        return S[:, :, None] * np.eye(Z.shape[1])

    wrong(checks["check_e6"], diagonal_only, "must sum to 0")


def test_e6_rejects_an_overflowing_softmax(checks):
    def naive(Z):
        E = np.exp(Z)  # overflows for logits near 1000
        S = E / E.sum(axis=1, keepdims=True)
        return S[:, :, None] * np.eye(Z.shape[1]) - S[:, :, None] * S[:, None, :]

    wrong(checks["check_e6"], naive, "logits near 1000", "subtract each row's maximum")


def test_e6_rejects_a_single_jacobian_instead_of_a_batch(checks):
    def unbatched(Z):
        s = _softmax(np.asarray(Z))[0]
        return np.diag(s) - np.outer(s, s)

    wrong(checks["check_e6"], unbatched, "shape (4, 4)", "expected shape (3, 4, 4)")


# ------------------------------------------------------------------------------------------- E9
def test_e9_rejects_the_missing_tanh_derivative(checks):
    def no_tanh_prime(X, W1, W2, T):
        return X.T @ ((np.tanh(X @ W1) @ W2 - T) @ W2.T)

    wrong(checks["check_e9"], no_tanh_prime, "X (5, 3)", "tanh'(X W1)")


def test_e9_rejects_a_sign_error(checks, sol):
    wrong(checks["check_e9"], lambda *args: -sol["grad_W1"](*args), "sign is flipped")


def test_e9_rejects_a_mean_instead_of_a_sum(checks, sol):
    wrong(checks["check_e9"], lambda X, *rest: sol["grad_W1"](X, *rest) / X.shape[0], "factor N")


def test_e9_rejects_a_forgotten_one_half(checks, sol):
    wrong(checks["check_e9"], lambda *args: 2 * sol["grad_W1"](*args), "factor 2")


def test_e9_rejects_the_transposed_gradient(checks, sol):
    wrong(checks["check_e9"], lambda *args: sol["grad_W1"](*args).T, "shape (4, 3)", "shape of W1")


def test_e9_reports_a_shape_error_inside_and_names_the_input(checks):
    def w2_not_transposed(X, W1, W2, T):
        H = np.tanh(X @ W1)
        return X.T @ (((H @ W2 - T) @ W2) * (1 - H**2))  # R @ W2 instead of R @ W2.T

    wrong(checks["check_e9"], w2_not_transposed, "raised ValueError", "X (5, 3), W1 (3, 4), W2 (4, 2)")


# ------------------------------------------------------------------------------------------- E11
def test_e11_rejects_a_forgotten_penalty(checks):
    def no_penalty(X, y, lam):
        return np.linalg.lstsq(X, y, rcond=None)[0]

    wrong(checks["check_e11"], no_penalty, "lam = 0.5", "without the penalty")


def test_e11_rejects_a_penalty_off_by_a_factor_two(checks):
    def half_penalty(X, y, lam):
        return np.linalg.solve(X.T @ X + 0.5 * lam * np.eye(X.shape[1]), X.T @ y)

    wrong(checks["check_e11"], half_penalty, "X of shape (8, 3)", "not 0")


def test_e11_reports_an_exception_and_names_the_input(checks, sol):
    def fails_on_dependent_columns(X, y, lam):
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise np.linalg.LinAlgError("Singular matrix")
        return sol["ridge_fit"](X, y, lam)

    wrong(checks["check_e11"], fails_on_dependent_columns, "raised LinAlgError", "third column is the sum")


def test_e11_rejects_a_wrong_shape(checks, sol):
    wrong(checks["check_e11"], lambda X, y, lam: sol["ridge_fit"](X, y, lam)[:, None], "shape (3, 1)")
