"""Chapter 05: each self-check rejects deliberately wrong answers, naming what is wrong.

That every checker accepts its solution, names the stub and reports crashes is tested for all
chapters in test_self_checks.py.
"""

import numpy as np
import pytest
from nbtools import run_check, verdict, wrong

CHAPTER = "05"


# ------------------------------------------------------------------------------------------- E7
def test_e7_rejects_a_missing_half(checks):
    def no_half(params, mu):
        return mu * sum(np.sum(W * W) for W, _ in params), [(2 * mu * W, np.zeros_like(b)) for W, b in params]

    wrong(checks["check_e7"], no_half, "W = [[1, 2], [3, 4]]", "1.5", "got 3")


def test_e7_rejects_a_wrong_sign_in_the_gradient(checks):
    def minus(params, mu):
        return 0.5 * mu * sum(np.sum(W * W) for W, _ in params), [(-mu * W, np.zeros_like(b)) for W, b in params]

    wrong(checks["check_e7"], minus, "layer 1", "dW", "central differences")


def test_e7_rejects_penalised_biases(checks):
    def with_biases(params, mu):
        pen = 0.5 * mu * sum(np.sum(W * W) + np.sum(b * b) for W, b in params)
        return pen, [(mu * W, mu * b) for W, b in params]

    wrong(checks["check_e7"], with_biases, "biases are not penalised")


def test_e7_rejects_penalising_only_the_first_layer(checks):
    def first_layer_only(params, mu):
        W = params[0][0]
        grads = [(mu * Wk if k == 0 else np.zeros_like(Wk), np.zeros_like(bk)) for k, (Wk, bk) in enumerate(params)]
        return 0.5 * mu * np.sum(W * W), grads

    wrong(checks["check_e7"], first_layer_only, "two layers", "every layer")


def test_e7_rejects_a_transposed_gradient(checks):
    def transposed(params, mu):
        return 0.5 * mu * sum(np.sum(W * W) for W, _ in params), [(mu * W.T, np.zeros_like(b)) for W, b in params]

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


# ------------------------------------------------------------------------------------------- E7-E10: garbage
GARBAGE = ["a string", None, {"dW": 1}, [1, 2], (1, 2, 3, 4), float("nan"), np.ones((7, 7)), ("a", "b"),
           (1.0, "x"), (1.0, [("a", "b")] * 2), (1.0, [1, 2])]


@pytest.mark.parametrize("n", [7, 8, 9, 10, 13, 14, 15, 16, 17])
@pytest.mark.parametrize("returned", GARBAGE, ids=[f"garbage{i}" for i in range(len(GARBAGE))])
def test_any_return_value_gets_one_not_yet_line(checks, n, returned):
    line = run_check(checks[f"check_e{n}"], lambda *args: returned)
    assert verdict(line) == "wrong" and line.startswith(f"E{n}:"), line


def test_e7_names_a_missing_half_as_a_factor_2(checks):
    def no_half(params, mu):
        return mu * sum(np.sum(W * W) for W, _ in params), [(mu * W, np.zeros_like(b)) for W, b in params]

    wrong(checks["check_e7"], no_half, "factor 2", "1/2")


def test_e7_says_biases_are_not_in_the_penalty(checks):
    def decays_biases(params, mu):
        return 0.5 * mu * sum(np.sum(W * W) for W, _ in params), [(mu * W, mu * b) for W, b in params]

    wrong(checks["check_e7"], decays_biases, "db must be 0", "only the weights")


def test_e7_reports_a_list_instead_of_pairs(checks):
    def flat_list(params, mu):
        return 0.5 * mu * sum(np.sum(W * W) for W, _ in params), [mu * W for W, _ in params] + [0, 0]

    wrong(checks["check_e7"], flat_list, "pairs")


def test_e8_names_the_averaging_form(checks):
    def ema(grad_f, x0, lr, beta, steps):
        x, v, out = np.array(x0, dtype=float), np.zeros(len(x0)), [np.array(x0, dtype=float)]
        for _ in range(steps):
            v = beta * v + (1 - beta) * grad_f(x)
            x = x - lr * v
            out.append(x.copy())
        return np.array(out)

    wrong(checks["check_e8"], ema, "averaging form", "(1 - beta)")


def test_e9_names_the_missing_max_shift(checks):
    def naive(Z):
        return np.log(np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))

    wrong(checks["check_e9"], naive, "missing max-shift")


def test_e9_names_a_global_instead_of_a_per_row_maximum(checks):
    def global_max(Z):
        S = Z - Z.max()
        return S - np.log(np.exp(S).sum(axis=1, keepdims=True))

    wrong(checks["check_e9"], global_max, "its own maximum")


def test_e10_rejects_uniform_weights_of_the_right_variance(checks):
    def uniform(n_in, n_out, rng):
        a = np.sqrt(3 * 2 / n_in)
        return rng.uniform(-a, a, (n_in, n_out))

    wrong(checks["check_e10"], uniform, "normal", "kurtosis")


def test_e10_rejects_ignoring_the_generator(checks):
    def global_state(n_in, n_out, rng):
        return np.random.default_rng().standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)

    wrong(checks["check_e10"], global_state, "rng")


# ------------------------------------------------------------------------------------------- E13 linear layer
def _linear(dX=lambda X, W, G: G @ W.T, dW=lambda X, W, G: X.T @ G, db=lambda X, W, G: G.sum(axis=0)):
    return lambda X, W, G: (dX(X, W, G), dW(X, W, G), db(X, W, G))


@pytest.mark.parametrize("bug, fragments", [
    (dict(dW=lambda X, W, G: G.T @ X), ["dW is transposed"]),
    (dict(dW=lambda X, W, G: G.T @ X if X.shape[1] == G.shape[1] else X.T @ G), ["square", "transposed"]),
    (dict(dX=lambda X, W, G: G @ W if W.shape[0] == W.shape[1] else G @ W.T), ["dX", "W must be transposed"]),
    (dict(db=lambda X, W, G: G.sum(axis=1)), ["db", "wrong axis"]),
    (dict(db=lambda X, W, G: G.mean(axis=0)), ["db", "averaged instead of summed"]),
    (dict(dW=lambda X, W, G: X.T @ G / len(X)), ["dW", "too small", "already carries the 1/N"]),
    (dict(dW=lambda X, W, G: -X.T @ G), ["dW", "sign"]),
], ids=["transposed", "transposed-square", "dX-no-transpose", "bias-wrong-axis", "bias-mean", "divided-by-N",
        "sign"])
def test_e13_names_each_classic_bug(checks, bug, fragments):
    wrong(checks["check_e13"], _linear(**bug), *fragments)


# ------------------------------------------------------------------------------------------- E14 activation
def _act(fn):
    def activation_backward(dA, Z, activation):
        return fn(dA, Z, activation)
    return activation_backward


def _phi(Z, activation):
    return {"relu": np.maximum(Z, 0), "tanh": np.tanh(Z), "sigmoid": 1 / (1 + np.exp(-Z))}[activation]


@pytest.mark.parametrize("fn, fragments", [
    (lambda dA, Z, a: dA.copy(), ["missing phi'"]),
    (lambda dA, Z, a: dA * (Z > 0) if a == "relu" else dA * (1 - Z**2), ["tanh", "output a = tanh(Z)"]),
    (lambda dA, Z, a: dA * _phi(Z, a), ["phi(Z) instead of its slope"]),
    (lambda dA, Z, a: -dA * (Z > 0), ["sign"]),
    (lambda dA, Z, a: dA @ (Z > 0).astype(float), ["elementwise product"]),
], ids=["missing-slope", "tanh-of-Z", "value-not-slope", "sign", "matrix-product"])
def test_e14_names_each_classic_bug(checks, fn, fragments):
    wrong(checks["check_e14"], _act(fn), *fragments)


# ------------------------------------------------------------------------------------------- E15 softmax-CE
def _softmax(Z, axis=1):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("fn, fragments", [
    (lambda Z, y: _softmax(Z) - np.eye(Z.shape[1])[y], ["off by exactly N", "forgot to divide by N"]),
    (lambda Z, y: (_softmax(Z) - np.eye(Z.shape[1])[y]) / len(y) ** 2, ["divided by N twice"]),
    (lambda Z, y: (np.eye(Z.shape[1])[y] - _softmax(Z)) / len(y), ["sign"]),
    (lambda Z, y: _softmax(Z) / len(y), ["one-hot Y is missing"]),
    (lambda Z, y: (_softmax(Z) - np.eye(Z.shape[1])[y]).T / len(y), ["transposed"]),
    (lambda Z, y: (np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True) - np.eye(Z.shape[1])[y]) / len(y),
     ["logits of size 1000", "missing max-shift"]),
], ids=["forgot-N", "N-twice", "sign", "no-Y", "transposed", "no-max-shift"])
def test_e15_names_each_classic_bug(checks, fn, fragments):
    wrong(checks["check_e15"], fn, *fragments)


# ------------------------------------------------------------------------------------------- E16 whole network
def _mlp(scale=1.0, transpose=False, slope=True, sign=1.0, bias_axis=0, mean_loss=True, pass_back_plain=False):
    def mlp_loss_and_grads(params, X, y):
        H = [X]
        for W, b in params[:-1]:
            H.append(np.maximum(H[-1] @ W + b, 0.0))
        Z = H[-1] @ params[-1][0] + params[-1][1]
        P = _softmax(Z)
        N = len(y)
        loss = float(np.mean(-np.log(P[np.arange(N), y])))
        G = (P - np.eye(Z.shape[1])[y]) / N * scale * sign
        grads = [None] * len(params)
        for k in range(len(params) - 1, -1, -1):
            dW = G.T @ H[k] if transpose else H[k].T @ G
            grads[k] = (dW, G.sum(axis=bias_axis))
            G = G @ (params[k][0] if pass_back_plain else params[k][0].T)
            if slope:
                G = G * (H[k] > 0)
        return (loss if mean_loss else loss * N), grads
    return mlp_loss_and_grads


@pytest.mark.parametrize("kwargs, fragments", [
    (dict(scale=6.0), ["off by exactly N = 6", "forgot to divide by N"]),
    (dict(scale=1 / 6), ["divided by N twice"]),
    (dict(transpose=True), ["layer 3 dW", "transposed", "square"]),
    (dict(sign=-1.0), ["layer 3 dW", "sign"]),
    (dict(slope=False), ["layer 2", "missing phi'"]),
    (dict(bias_axis=1), ["layer 3 db", "wrong axis"]),
    (dict(mean_loss=False), ["mean cross-entropy", "divide by N"]),
    (dict(pass_back_plain=True), ["layer 2", "passed back"]),
], ids=["forgot-N", "N-twice", "transposed", "sign", "missing-slope", "bias-axis", "summed-loss", "W-not-transposed"])
def test_e16_names_each_classic_bug(checks, kwargs, fragments):
    wrong(checks["check_e16"], _mlp(**kwargs), *fragments)


# ------------------------------------------------------------------------------------------- E17 backward pass
def _topological(out):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for p in node.parents:
                visit(p)
            order.append(node)

    visit(out)
    return order


def test_e17_names_assignment_instead_of_accumulation(checks):
    def assigns(out):
        order = _topological(out)
        for node in order:
            node.grad = 0.0
        out.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad = local * node.grad  # "=": the second use overwrites the first

    wrong(checks["check_e17"], assigns, "x*x", "got 3", "+=")


def test_e17_names_a_visit_order_that_is_not_topological(checks):
    def depth_first(out):  # passes a node's gradient on before all its uses have contributed
        out.grad = 1.0
        stack = [out]
        while stack:
            node = stack.pop()
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad
                stack.append(parent)

    wrong(checks["check_e17"], depth_first, "used twice", "reverse topological order")


def test_e17_names_a_missing_seed(checks):
    def no_seed(out):
        for node in reversed(_topological(out)):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad

    wrong(checks["check_e17"], no_seed, "out.grad = 1")


def test_e15_rejects_one_maximum_for_the_whole_batch(checks):
    def global_shift(Z, y):
        E = np.exp(Z - Z.max())
        P = E / E.sum(axis=1, keepdims=True)
        return (P - np.eye(Z.shape[1])[y]) / len(y)

    line = run_check(checks["check_e15"], global_shift)
    assert verdict(line) == "wrong", line


def _breadth_first(out, reset=True):
    """Visit nodes level by level from out (not a topological order), adding with +=."""
    from collections import deque

    order, seen, queue = [], {id(out)}, deque([out])
    while queue:
        node = queue.popleft()
        order.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    if reset:
        for node in order:
            node.grad = 0.0
    out.grad = 1.0
    for node in order:
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            parent.grad += local * node.grad


def test_e17_rejects_a_breadth_first_walk(checks):
    wrong(checks["check_e17"], _breadth_first, "paths of different lengths", "reverse topological order")


def test_e17_rejects_gradients_that_are_never_reset(checks, sol):
    def no_reset(out):
        out.grad = 1.0
        for node in reversed(_topological(out)):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad

    wrong(checks["check_e17"], no_reset, "calling backward_pass twice", "set every node's .grad to 0")
