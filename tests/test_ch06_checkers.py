"""Chapter 06: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
from nbtools import chapter_dir, run_check, verdict

CHAPTER = "06"


# ------------------------------------------------------------------ E6: gradient of S, Gaussian model
def test_e6_sign_flipped(checks, sol):
    line = run_check(checks["check_e6"], lambda beta, h, y: -sol["cost_gradient_gaussian"](beta, h, y))
    assert verdict(line) == "wrong", line
    assert "beta = (A, h0, sigma)" in line and "sign" in line


def test_e6_missing_factor_two(checks, sol):
    line = run_check(checks["check_e6"], lambda beta, h, y: sol["cost_gradient_gaussian"](beta, h, y) / 2)
    assert verdict(line) == "wrong", line
    assert "factor 2" in line


def test_e6_wrong_shape(checks, sol):
    line = run_check(checks["check_e6"], lambda beta, h, y: sol["cost_gradient_gaussian"](beta, h, y)[:, None])
    assert verdict(line) == "wrong", line
    assert "shape (3, 1)" in line


def test_e6_wrong_derivative_in_sigma(checks, sol):
    def sigma_squared_instead_of_cubed(beta, h, y):
        g = sol["cost_gradient_gaussian"](beta, h, y)
        return g * np.array([1.0, 1.0, beta[2]])   # d/dsigma off by a factor sigma

    line = run_check(checks["check_e6"], sigma_squared_instead_of_cubed)
    assert verdict(line) == "wrong", line
    assert "central differences" in line


def test_e6_non_finite(checks):
    line = run_check(checks["check_e6"], lambda beta, h, y: np.full(3, np.nan))
    assert verdict(line) == "wrong", line
    assert "not finite" in line


# ------------------------------------------------------------------ E7: Jacobian of the CO2 model
def test_e7_sign_flipped(checks, sol):
    line = run_check(checks["check_e7"], lambda t, beta: -sol["co2_jacobian_e7"](t, beta))
    assert verdict(line) == "wrong", line
    assert "wrong sign" in line and "-df/dbeta" in line


def test_e7_transposed(checks, sol):
    line = run_check(checks["check_e7"], lambda t, beta: sol["co2_jacobian_e7"](t, beta).T)
    assert verdict(line) == "wrong", line
    assert "shape (7, 50)" in line and "expected (m, 7)" in line


def test_e7_phase_column_missing_amplitude(checks, sol):
    def phase_without_amplitude(t, beta):
        J = sol["co2_jacobian_e7"](t, beta).copy()
        J[:, 4] /= beta[3]                              # forgot the factor A1 in d/dtheta1
        return J

    line = run_check(checks["check_e7"], phase_without_amplitude)
    assert verdict(line) == "wrong", line
    assert "column 4" in line and "theta1" in line


# ------------------------------------------------------------------ E8: damped step
def test_e8_sign_flipped(checks, sol):
    line = run_check(checks["check_e8"], lambda J, r, mu, D: -sol["lm_step"](J, r, mu, D))
    assert verdict(line) == "wrong", line
    assert "uphill" in line


def test_e8_damping_with_D_not_D_squared(checks, sol):
    line = run_check(checks["check_e8"], lambda J, r, mu, D: sol["lm_step"](J, r, mu, np.sqrt(D)))
    assert verdict(line) == "wrong", line
    assert "D^2" in line and "mu = " in line


def test_e8_no_damping(checks):
    line = run_check(checks["check_e8"], lambda J, r, mu, D: np.linalg.lstsq(J, -r, rcond=None)[0])
    assert verdict(line) == "wrong", line
    assert "damped normal equations" in line


# ------------------------------------------------------------------ E9: Misra1a against NIST
def test_e9_uses_nist_data_starts_and_certified_values(checks):
    """The self-contained E9 check carries its own copy of Misra1a; it must match NIST's file."""
    lines = (chapter_dir(CHAPTER) / "data" / "Misra1a.dat").read_text(encoding="ascii").splitlines()
    data = np.array([[float(v) for v in line.split()] for line in lines[60:74]])      # columns y, x
    table = np.array([[float(v) for v in line.split()[2:6]] for line in lines[40:42]])  # b1, b2 rows
    certified = table[:, 2]
    seen = []

    def returns_certified(x, y, beta0):
        seen.append((x.copy(), y.copy(), beta0.copy()))
        return certified.copy()

    line = run_check(checks["check_e9"], returns_certified)
    assert verdict(line) == "correct", line
    assert len(seen) == 2
    for (x, y, beta0), start in zip(seen, (table[:, 0], table[:, 1]), strict=True):
        assert np.array_equal(x, data[:, 1]) and np.array_equal(y, data[:, 0])
        assert np.array_equal(beta0, start)
    line = run_check(checks["check_e9"], lambda x, y, beta0: certified * np.array([1.0, 1.0 + 2e-6]))
    assert verdict(line) == "wrong", line


def test_e9_returns_start(checks):
    line = run_check(checks["check_e9"], lambda x, y, beta0: np.array(beta0, dtype=float))
    assert verdict(line) == "wrong", line
    assert "beta0 = [500, 0.0001]" in line and "NIST certifies" in line


def test_e9_stops_too_early(checks):
    def three_gauss_newton_steps(x, y, beta0):
        beta = np.array(beta0, dtype=float)
        for _ in range(3):
            r = y - beta[0] * (1 - np.exp(-beta[1] * x))
            J = -np.column_stack([1 - np.exp(-beta[1] * x), beta[0] * x * np.exp(-beta[1] * x)])
            beta = beta + np.linalg.lstsq(J, -r, rcond=None)[0]
        return beta

    line = run_check(checks["check_e9"], three_gauss_newton_steps)
    assert verdict(line) == "wrong", line
    assert "worst relative error" in line


def test_e9_off_in_the_fifth_digit(checks, sol):
    def fits_the_wrong_model(x, y, beta0):
        return sol["fit_misra1a"](x, y, beta0) * np.array([1.0, 1.0 + 1e-4])

    line = run_check(checks["check_e9"], fits_the_wrong_model)
    assert verdict(line) == "wrong", line


def test_e9_wrong_shape(checks, sol):
    line = run_check(checks["check_e9"], lambda x, y, beta0: np.append(sol["fit_misra1a"](x, y, beta0), 0.0))
    assert verdict(line) == "wrong", line
    assert "2 finite numbers" in line


# ------------------------------------------------------------------ hints for likely mistakes
def test_e6_h0_sign(checks, sol):
    line = run_check(checks["check_e6"], lambda beta, h, y: sol["cost_gradient_gaussian"](beta, h, y) * [1, -1, 1])
    assert verdict(line) == "wrong", line
    assert "dS/dh0 has the wrong sign" in line


def test_e6_sigma_power(checks, sol):
    def sigma_squared(beta, h, y):
        return sol["cost_gradient_gaussian"](beta, h, y) * np.array([1.0, 1.0, beta[2]])

    line = run_check(checks["check_e6"], sigma_squared)
    assert verdict(line) == "wrong", line
    assert "dS/dsigma is off by a factor sigma" in line


def test_e6_missing_amplitude(checks, sol):
    def no_amplitude(beta, h, y):
        return sol["cost_gradient_gaussian"](beta, h, y) / np.array([1.0, beta[0], beta[0]])

    line = run_check(checks["check_e6"], no_amplitude)
    assert verdict(line) == "wrong", line
    assert "factor A is missing" in line


def test_e7_seasonal_columns_sign(checks, sol):
    def seasonal_sign(t, beta):
        return sol["co2_jacobian_e7"](t, beta) * np.array([1, 1, 1, -1, -1, -1, -1])

    line = run_check(checks["check_e7"], seasonal_sign)
    assert verdict(line) == "wrong", line
    assert "A1, theta1, A2, theta2 have the wrong sign" in line


def test_e8_mu_instead_of_sqrt_mu(checks):
    def stacked_with_mu(J, r, mu, D):
        A = np.vstack([J, mu * np.diag(D)])
        return np.linalg.lstsq(A, np.concatenate([-r, np.zeros(D.size)]), rcond=None)[0]

    line = run_check(checks["check_e8"], stacked_with_mu)
    assert verdict(line) == "wrong", line
    assert "sqrt(mu)" in line


def test_e8_identity_instead_of_D(checks):
    def identity_damping(J, r, mu, D):
        A = np.vstack([J, np.sqrt(mu) * np.eye(D.size)])
        return np.linalg.lstsq(A, np.concatenate([-r, np.zeros(D.size)]), rcond=None)[0]

    line = run_check(checks["check_e8"], identity_damping)
    assert verdict(line) == "wrong", line
    assert "identity where D^2 belongs" in line


def test_e8_gauss_newton_names_missing_damping(checks):
    line = run_check(checks["check_e8"], lambda J, r, mu, D: np.linalg.lstsq(J, -r, rcond=None)[0])
    assert verdict(line) == "wrong", line
    assert "damping mu |D delta|^2 is missing" in line


def test_e8_normal_equations_rejected_on_ill_conditioned_J(checks, sol):
    """Forbidden but numerically different: the normal equations lose digits when J is ill conditioned."""
    def normal_equations(J, r, mu, D):
        return np.linalg.solve(J.T @ J + mu * np.diag(D**2), -J.T @ r)

    def explicit_inverse(J, r, mu, D):
        return -np.linalg.inv(J.T @ J + mu * np.diag(D**2)) @ J.T @ r

    for fn in (normal_equations, explicit_inverse):
        line = run_check(checks["check_e8"], fn)
        assert verdict(line) == "wrong", line
        assert "condition number 1e8" in line and "lstsq" in line
    assert verdict(run_check(checks["check_e8"], sol["lm_step"])) == "correct"


def test_e9_swapped_axes_no_warning(checks, sol):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        line = run_check(checks["check_e9"], lambda x, y, beta0: sol["fit_misra1a"](x, y, beta0)[::-1])
    assert verdict(line) == "wrong", line
