"""Chapter 05: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
from nbtools import run_check, verdict, wrong

CHAPTER = "05"


# ------------------------------------------------------------------------------------------- E7
def test_e7_rejects_a_missing_half(checks):
    def no_half(params, lam):
        return lam * sum(np.sum(W * W) for W, _ in params), [(2 * lam * W, np.zeros_like(b)) for W, b in params]

    wrong(checks["check_e7"], no_half, "W = [[1, 2], [3, 4]]", "1.5", "got 3")


def test_e7_rejects_a_wrong_sign_in_the_gradient(checks):
    def minus(params, lam):
        return 0.5 * lam * sum(np.sum(W * W) for W, _ in params), [(-lam * W, np.zeros_like(b)) for W, b in params]

    wrong(checks["check_e7"], minus, "layer 1", "dW", "central differences")


def test_e7_rejects_penalised_biases(checks):
    def with_biases(params, lam):
        pen = 0.5 * lam * sum(np.sum(W * W) + np.sum(b * b) for W, b in params)
        return pen, [(lam * W, lam * b) for W, b in params]

    wrong(checks["check_e7"], with_biases, "biases are not penalised")


def test_e7_rejects_penalising_only_the_first_layer(checks):
    def first_layer_only(params, lam):
        W = params[0][0]
        grads = [(lam * Wk if k == 0 else np.zeros_like(Wk), np.zeros_like(bk)) for k, (Wk, bk) in enumerate(params)]
        return 0.5 * lam * np.sum(W * W), grads

    wrong(checks["check_e7"], first_layer_only, "two layers", "every layer")


def test_e7_rejects_a_transposed_gradient(checks):
    def transposed(params, lam):
        return 0.5 * lam * sum(np.sum(W * W) for W, _ in params), [(lam * W.T, np.zeros_like(b)) for W, b in params]

    wrong(checks["check_e7"], transposed, "layer 1", "shape (3, 4)", "got (4, 3)")


# ------------------------------------------------------------------------------------------- E8
def _heavy_ball_variant(sign=1.0, first_step_momentum=False, last_only=False):
    def hb(grad_f, x0, lr, beta, steps):
        x = np.array(x0, dtype=float)
        prev = x.copy()
        out = [x.copy()]
        for k in range(steps):
            step = -lr * grad_f(x) + sign * beta * (x - prev)
            if k == 0 and first_step_momentum:
                step = -lr * grad_f(x) * (1 + beta)
            prev, x = x, x + step
            out.append(x.copy())
        return out[-1] if last_only else np.array(out)

    return hb


def test_e8_accepts_the_equivalent_position_form(checks):
    line = run_check(checks["check_e8"], _heavy_ball_variant())
    assert verdict(line) == "correct", line


def test_e8_rejects_a_wrong_sign_of_momentum(checks):
    wrong(checks["check_e8"], _heavy_ball_variant(sign=-1.0), "x_2 should be", "beta*(x_1 - x_0)", "beta=0.9")


def test_e8_rejects_a_wrong_first_step(checks):
    wrong(checks["check_e8"], _heavy_ball_variant(first_step_momentum=True), "first step", "v = 0")


def test_e8_rejects_returning_only_the_last_point(checks):
    wrong(checks["check_e8"], _heavy_ball_variant(last_only=True), "shape (21, 2)", "got (2,)")


def test_e8_rejects_modifying_x0(checks):
    def in_place(grad_f, x0, lr, beta, steps):
        x, v, out = x0, np.zeros_like(x0), [x0.copy()]
        for _ in range(steps):
            v = beta * v + grad_f(x)
            x -= lr * v
            out.append(x.copy())
        return np.array(out)

    wrong(checks["check_e8"], in_place, "changed x0 in place")


# ------------------------------------------------------------------------------------------- E9
def test_e9_rejects_the_naive_formula(checks):
    def naive(Z):
        return np.log(np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))

    wrong(checks["check_e9"], naive, "logits of size 1e4", "RuntimeWarning")


def test_e9_rejects_a_missing_log_sum_exp(checks):
    def only_shift(Z):
        return Z - Z.max(axis=1, keepdims=True)

    wrong(checks["check_e9"], only_shift, "small logits", "sum to 1")


def test_e9_rejects_normalising_over_the_wrong_axis(checks):
    def columns(Z):
        m = Z.max(axis=0, keepdims=True)
        return Z - m - np.log(np.exp(Z - m).sum(axis=0, keepdims=True))

    wrong(checks["check_e9"], columns, "small logits", "sum to 1")


def test_e9_rejects_an_answer_that_turns_masks_into_nan(checks):
    def mean_shift(Z):  # shifting by the row mean is fine for finite rows but gives nan with -inf
        m = Z.mean(axis=1, keepdims=True)
        with np.errstate(all="ignore"):
            return (Z - m) - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))

    wrong(checks["check_e9"], mean_shift, "-inf")


def test_e9_rejects_modifying_z(checks):
    def in_place(Z):
        Z -= Z.max(axis=1, keepdims=True)
        Z -= np.log(np.exp(Z).sum(axis=1, keepdims=True))
        return Z

    wrong(checks["check_e9"], in_place, "changed its input Z in place")


# ------------------------------------------------------------------------------------------- E10
def test_e10_rejects_the_lecun_variance(checks):
    def lecun(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)

    wrong(checks["check_e10"], lecun, "he_init(400, 300, rng)", "2/n_in = 0.00500", "got 0.0025")


def test_e10_rejects_using_n_out(checks):
    def fan_out(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_out)

    wrong(checks["check_e10"], fan_out, "he_init(400, 300, rng)", "variance")


def test_e10_rejects_a_transposed_shape(checks):
    def transposed(n_in, n_out, rng):
        return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)

    wrong(checks["check_e10"], transposed, "(400, 300)", "got (300, 400)")


def test_e10_rejects_a_nonzero_mean(checks):
    def shifted(n_in, n_out, rng):
        return 0.05 + rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)

    wrong(checks["check_e10"], shifted, "mean 0")
