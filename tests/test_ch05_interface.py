"""Chapter 05: init_params, forward, loss_and_grads, train, load_digits and the autodiff engines behave as promised."""

import time

import numpy as np
import pytest
from nbtools import chapter_dir

CHAPTER = "05"
ACTIVATIONS = ("relu", "tanh", "sigmoid")


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def central_difference_gradient(ns, params, X, y, activation, h=1e-6):
    """Central differences of the loss for every weight and bias, in the structure of params."""
    out = []
    for k, (W, b) in enumerate(params):
        pair = []
        for which, arr in ((0, W), (1, b)):
            fd = np.zeros(arr.shape)
            for idx in np.ndindex(arr.shape):
                moved = [[Wj.copy(), bj.copy()] for Wj, bj in params]
                moved[k][which][idx] += h
                up = ns["loss_and_grads"]([tuple(p) for p in moved], X, y, activation)[0]
                moved[k][which][idx] -= 2 * h
                down = ns["loss_and_grads"]([tuple(p) for p in moved], X, y, activation)[0]
                fd[idx] = (up - down) / (2 * h)
            pair.append(fd)
        out.append(tuple(pair))
    return out


def flat(grads):
    return np.concatenate([a.ravel() for pair in grads for a in pair])


# ------------------------------------------------------------------ gradients agree with central differences
@pytest.mark.parametrize("sizes", [[4, 3], [5, 6, 3], [6, 5, 4, 5, 3], [3, 8, 8, 8, 2]],
                         ids=["no hidden layer", "1 hidden layer", "3 hidden layers", "3 wide hidden layers"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_central_differences(ns, rng, sizes, activation):
    params = ns["init_params"](sizes, rng, activation)
    params = [(W, 0.1 * rng.standard_normal(b.shape)) for W, b in params]  # nonzero biases too
    X, y = rng.standard_normal((9, sizes[0])), rng.integers(0, sizes[-1], 9)
    _, grads = ns["loss_and_grads"](params, X, y, activation)
    g_bp, g_fd = flat(grads), flat(central_difference_gradient(ns, params, X, y, activation))
    rel = np.linalg.norm(g_bp - g_fd) / (np.linalg.norm(g_bp) + np.linalg.norm(g_fd))
    assert rel <= 1e-6, f"{sizes} {activation}: relative error {rel:.2e}"


@pytest.mark.parametrize("sizes", [[64, 10], [64, 128, 64, 10], [7, 3, 3, 3, 3, 5]])
def test_grads_have_the_structure_and_shapes_of_params(ns, rng, sizes):
    params = ns["init_params"](sizes, rng)
    X, y = rng.standard_normal((6, sizes[0])), rng.integers(0, sizes[-1], 6)
    loss, grads = ns["loss_and_grads"](params, X, y)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert len(grads) == len(params)
    for (W, b), (dW, db) in zip(params, grads, strict=True):
        assert dW.shape == W.shape and db.shape == b.shape
        assert dW.dtype == np.float64 and db.dtype == np.float64


def test_init_params_shapes_and_variance(ns, rng):
    params = ns["init_params"]([300, 200, 10], rng)
    assert [(W.shape, b.shape) for W, b in params] == [((300, 200), (200,)), ((200, 10), (10,))]
    assert np.all(params[0][1] == 0.0)
    assert abs(params[0][0].var() / (2 / 300) - 1) < 0.05  # He for ReLU
    tanh_params = ns["init_params"]([300, 200], rng, activation="tanh")
    assert abs(tanh_params[0][0].var() / (1 / 300) - 1) < 0.05


def test_zero_network_predicts_uniformly(ns, rng):
    params = [(np.zeros((5, 4)), np.zeros(4)), (np.zeros((4, 7)), np.zeros(7))]
    X, y = rng.standard_normal((10, 5)), rng.integers(0, 7, 10)
    loss, grads = ns["loss_and_grads"](params, X, y)
    assert np.isclose(loss, np.log(7), rtol=1e-14)
    # (P - Y)/N with P uniform: the last bias gradient is 1/7 minus the label frequencies
    assert np.allclose(grads[-1][1], 1 / 7 - np.bincount(y, minlength=7) / 10)


def test_loss_and_grads_leave_their_inputs_alone(ns, rng):
    params = ns["init_params"]([5, 6, 3], rng)
    copies = [(W.copy(), b.copy()) for W, b in params]
    X, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    X0, y0 = X.copy(), y.copy()
    ns["loss_and_grads"](params, X, y)
    ns["forward"](params, X)
    assert all(np.array_equal(W, Wc) and np.array_equal(b, bc) for (W, b), (Wc, bc) in zip(params, copies, strict=True))
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_rows_of_a_batch_are_independent(ns, rng):
    params = ns["init_params"]([6, 9, 4], rng)
    X = rng.standard_normal((5, 6))
    assert np.allclose(ns["forward"](params, X)[2:3], ns["forward"](params, X[2:3]), rtol=1e-13, atol=1e-13)


def test_integer_pixels_are_accepted(ns, rng):
    params = ns["init_params"]([3, 2], rng)
    X = np.array([[0, 16, 3], [5, 1, 0]])
    assert np.allclose(ns["forward"](params, X), X.astype(float) @ params[0][0])


# ------------------------------------------------------------------ huge logits stay finite
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_loss_and_grads_are_finite_for_logits_of_size_1e4(ns, rng, activation):
    params = ns["init_params"]([6, 8, 5], rng, activation)
    W, b = params[-1]
    X, y = rng.standard_normal((20, 6)), rng.integers(0, 5, 20)
    logits = ns["forward"](params, X, activation)
    scale = 1e4 / np.abs(logits).max()
    params = [params[0], (W * scale, b * scale)]
    logits = ns["forward"](params, X, activation)
    assert np.isclose(np.abs(logits).max(), 1e4)
    loss, grads = ns["loss_and_grads"](params, X, y, activation)  # warnings are errors here
    assert np.isfinite(loss) and all(np.all(np.isfinite(a)) for pair in grads for a in pair)
    # at this scale softmax is (nearly) one-hot: the loss is the mean gap to the largest logit
    gap = np.mean(logits.max(axis=1) - logits[np.arange(20), y])
    assert np.isclose(loss, gap, rtol=1e-6, atol=1e-6)


def test_loss_is_finite_for_logits_of_size_1e4_with_correct_labels(ns):
    params = [(np.eye(3) * 1e4, np.zeros(3))]
    X, y = np.eye(3), np.array([0, 1, 2])
    loss, grads = ns["loss_and_grads"](params, X, y)
    assert loss == 0.0 and np.all(grads[0][0] == 0.0)


# ------------------------------------------------------------------ clear errors for bad input
@pytest.fixture
def small(ns, rng):
    return ns["init_params"]([4, 5, 3], rng), rng.standard_normal((6, 4))


@pytest.mark.parametrize("y, fragment", [([0, 1, 2, 3, 0, 1], "0..2"), ([0, 1, 2, -1, 0, 1], "0..2")])
def test_labels_out_of_range_raise_value_error(ns, small, y, fragment):
    params, X = small
    with pytest.raises(ValueError, match=fragment):
        ns["loss_and_grads"](params, X, np.array(y))


@pytest.mark.parametrize("y", [np.array([0.0, 1, 2, 0, 1, 2]), np.array([0.5, 1, 2, 0, 1, 2]),
                               np.array([True, False, True, False, True, False]), np.array(list("012012"))])
def test_non_integer_labels_raise_type_error(ns, small, y):
    params, X = small
    with pytest.raises(TypeError, match="integer class labels"):
        ns["loss_and_grads"](params, X, y)


def test_labels_of_the_wrong_length_raise_value_error(ns, small):
    params, X = small
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        ns["loss_and_grads"](params, X, np.array([0, 1, 2]))


@pytest.mark.parametrize("shape", [(6, 3), (6, 5), (4,), (2, 3, 4)])
def test_x_of_the_wrong_width_raises_value_error(ns, small, shape):
    params, _ = small
    with pytest.raises(ValueError, match=r"X must have shape \(N, 4\)"):
        ns["forward"](params, np.ones(shape))
    with pytest.raises(ValueError, match=r"X must have shape \(N, 4\)"):
        ns["loss_and_grads"](params, np.ones(shape), np.zeros(6, dtype=int))


@pytest.mark.parametrize("sizes", [[10], [], [4, 0, 3], [4, 2.5, 3], "64,10", [4, True]])
def test_bad_layer_sizes_raise_value_error(ns, rng, sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        ns["init_params"](sizes, rng)


def test_a_seed_instead_of_a_generator_raises_type_error(ns):
    with pytest.raises(TypeError, match="default_rng"):
        ns["init_params"]([4, 3], 0)


def test_unknown_activation_raises_value_error(ns, rng, small):
    params, X = small
    with pytest.raises(ValueError, match="activation must be one of"):
        ns["forward"](params, X, activation="softplus")
    with pytest.raises(ValueError, match="activation must be one of"):
        ns["init_params"]([4, 3], rng, activation="Relu")


def test_params_that_are_not_a_list_raise_type_error(ns):
    with pytest.raises(TypeError, match="list of \\(W, b\\) pairs"):
        ns["forward"](np.ones((4, 3)), np.ones((2, 4)))


def test_bad_training_settings_raise_value_error(ns, small, rng):
    params, X = small
    with pytest.raises(ValueError, match="batch_size"):
        ns["train"](params, X, np.zeros(6, dtype=int), rng, epochs=1, batch_size=0, lr=0.1)


# ------------------------------------------------------------------ data and training on the digits
def test_load_digits(ns, monkeypatch):
    monkeypatch.chdir(chapter_dir(CHAPTER))
    X, y = ns["load_digits"]()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.shape == (1797,)
    assert np.issubdtype(y.dtype, np.integer) and set(np.unique(y)) == set(range(10))
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))


def test_missing_data_file_says_where_and_how(ns, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        ns["load_digits"]()
    message = str(err.value)
    assert str(tmp_path / "data" / "digits.csv.gz") in message
    assert "05_neural_network_training" in message and "git clone" in message and "setup" in message


def test_malformed_data_file_raises_value_error(ns, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="65 comma-separated columns"):
        ns["load_digits"](bad)


def test_train_copies_params_and_records_history(ns, rng):
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    params = ns["init_params"]([3, 4, 2], rng)
    before = [(W.copy(), b.copy()) for W, b in params]
    trained, hist = ns["train"](params, X, y, rng, epochs=5, batch_size=8, lr=0.1, X_val=X, y_val=y,
                                snapshots=(0, 5))
    assert all(np.array_equal(W, Wb) for (W, _), (Wb, _) in zip(params, before, strict=True))
    assert len(hist["train_loss"]) == len(hist["val_acc"]) == 6
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert np.array_equal(hist["snapshots"][0][0][0], before[0][0])
    assert np.array_equal(hist["snapshots"][5][0][0], trained[0][0])


def test_digits_test_accuracy_is_at_least_97_percent(ns, monkeypatch):
    monkeypatch.chdir(chapter_dir(CHAPTER))
    X_all, y_all = ns["load_digits"]()
    perm = np.random.default_rng(0).permutation(len(y_all))  # the notebook's split: test, validation, train
    test_idx, val_idx, train_idx = perm[:450], perm[450:720], perm[720:]
    rng = np.random.default_rng(7)
    params = ns["init_params"]([64, 128, 64, 10], rng)
    params, hist = ns["train"](params, X_all[train_idx] / 16, y_all[train_idx], rng, epochs=60,
                               batch_size=32, lr=0.1, weight_decay=1e-3, X_val=X_all[val_idx] / 16,
                               y_val=y_all[val_idx])
    accuracy = np.mean(ns["forward"](params, X_all[test_idx] / 16).argmax(axis=1) == y_all[test_idx])
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f}"
    assert hist["train_acc"][-1] > 0.99 and hist["val_acc"][-1] > 0.95


def test_train_uses_the_gradient_it_is_given(ns, rng):
    X, y = rng.standard_normal((16, 3)), rng.integers(0, 2, 16)
    params = ns["init_params"]([3, 4, 2], rng)
    calls = []

    def counting(p, Xb, yb, activation):
        calls.append(len(yb))
        return ns["loss_and_grads"](p, Xb, yb, activation)

    trained, _ = ns["train"](params, X, y, np.random.default_rng(1), epochs=2, batch_size=8, lr=0.1, gradient=counting)
    reference, _ = ns["train"](params, X, y, np.random.default_rng(1), epochs=2, batch_size=8, lr=0.1)
    assert calls == [8, 8, 8, 8]
    assert all(np.array_equal(W, Wr) for (W, _), (Wr, _) in zip(trained, reference, strict=True))


# ------------------------------------------------------------------ exact Hessian-vector products (§8)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hessian_vector_product_matches_differences_of_the_gradient(ns, rng, activation):
    params = ns["init_params"]([5, 6, 4, 3], rng, activation)
    params = [(W, 0.1 * rng.standard_normal(b.shape)) for W, b in params]
    X, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    V = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
    Hv = flat(ns["hessian_vector_product"](params, X, y, V, activation))
    eps = 1e-5
    plus = [(W + eps * VW, b + eps * Vb) for (W, b), (VW, Vb) in zip(params, V, strict=True)]
    minus = [(W - eps * VW, b - eps * Vb) for (W, b), (VW, Vb) in zip(params, V, strict=True)]
    fd = (flat(ns["loss_and_grads"](plus, X, y, activation)[1])
          - flat(ns["loss_and_grads"](minus, X, y, activation)[1])) / (2 * eps)
    assert np.linalg.norm(Hv - fd) <= 1e-7 * np.linalg.norm(Hv)


def test_hessian_vector_product_is_symmetric(ns, rng):
    params = ns["init_params"]([4, 5, 3], rng, "tanh")
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    U = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
    V = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
    uHv = flat(U) @ flat(ns["hessian_vector_product"](params, X, y, V, "tanh"))
    vHu = flat(V) @ flat(ns["hessian_vector_product"](params, X, y, U, "tanh"))
    assert np.isclose(uHv, vHu, rtol=1e-12)


# ------------------------------------------------------------------ the autodiff engines of §9: Value, Tensor, Dual
def num_grad(f, x, h=1e-6):
    """Central differences of a scalar function of an array x, entry by entry."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_value_reproduces_the_hand_computed_neuron(ns):
    Value = ns["Value"]
    x, w, b = Value(1.5), Value(-0.8), Value(0.4)
    L = 0.5 * ((w * x + b).sigmoid() - 1.0) ** 2
    L.backward()
    a = 1 / (1 + np.exp(0.8))
    dz = (a - 1) * a * (1 - a)
    assert np.isclose(L.data, 0.5 * (a - 1) ** 2, rtol=1e-14)
    assert np.allclose([w.grad, b.grad, x.grad], [1.5 * dz, dz, -0.8 * dz], rtol=1e-13, atol=0)


def _scalar_graph(V, x, y):
    """A graph with fan-out (x and u used several times), reflected operators and every method."""
    u = x * y + 2                        # used three times below
    v = 3 / u - (1 - x) ** 2 + u * u
    w = (u / 4).tanh() + (x - 0.5 * y).sigmoid() + (u - 2.5).relu() + (-y).exp() + (u * x).log()
    return v * w + 10 - x / y


@pytest.mark.parametrize("x0, y0", [(0.7, 1.3), (1.9, -0.4), (2.5, 0.6)])
def test_value_gradient_on_a_graph_with_fan_out_matches_central_differences(ns, x0, y0):
    Value = ns["Value"]
    x, y = Value(x0), Value(y0)
    out = _scalar_graph(Value, x, y)
    out.backward()
    f = lambda p: _scalar_graph(Value, Value(p[0]), Value(p[1])).data
    fd = num_grad(f, [x0, y0])
    assert np.allclose([x.grad, y.grad], fd, rtol=1e-7, atol=1e-9), ((x.grad, y.grad), fd)


def test_value_x_times_x_collects_both_paths_and_backward_can_be_repeated(ns):
    Value = ns["Value"]
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0        # 2x: with "=" instead of "+=" it would be 3
    y.backward()
    assert x.grad == 6.0        # a second backward recomputes, it does not double


def test_value_reflected_operators_with_plain_and_numpy_numbers(ns):
    Value = ns["Value"]
    for left in (2, 2.0, np.float64(2.0), np.int64(2)):
        v = Value(0.5)
        r = (left - v) + (left / v) + (left * v) + (left + v) + v ** 3 + (-v)
        r.backward()
        assert isinstance(r, Value)
        assert np.isclose(r.data, 1.5 + 4 + 1 + 2.5 + 0.125 - 0.5)
        assert np.isclose(v.grad, -1 - 2 / 0.25 + 2 + 1 + 3 * 0.25 - 1)


def test_value_handles_a_long_chain_without_recursion_limits(ns):
    Value = ns["Value"]
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert np.isclose(x.grad, 1.0001 ** 5000, rtol=1e-10)


def test_value_rejects_what_it_cannot_differentiate(ns):
    Value = ns["Value"]
    with pytest.raises(TypeError):
        Value("3")
    with pytest.raises(TypeError):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError):
        Value(-1.0).log()


def test_tensor_broadcasting_fan_out_and_numbers_on_either_side(ns, rng):
    Tensor = ns["Tensor"]
    A0, b0, c0, M0 = (rng.standard_normal(s) for s in ((4, 3), (3,), (4, 1), (3, 5)))

    def graph(A, b, c, M):
        h = (A + b) * c - 2 * A + (1 - c) / 3      # (4,3) + (3,), (4,3) * (4,1), numbers both sides
        k = (h @ M).tanh() * (h @ M)               # h @ M used twice
        return (k.exp() + (h * h + 1).log() @ M * 0.5).mean() + (A * A).sum() * 0.1

    leaves = [Tensor(v) for v in (A0, b0, c0, M0)]
    out = graph(*leaves)
    out.backward()
    for i, leaf in enumerate(leaves):
        def f(v, i=i):
            args = [Tensor(a, requires_grad=False) for a in (A0, b0, c0, M0)]
            args[i] = Tensor(v, requires_grad=False)
            return float(graph(*args).data)
        fd = num_grad(f, leaf.data)
        assert leaf.grad.shape == leaf.data.shape
        assert np.allclose(leaf.grad, fd, rtol=1e-6, atol=1e-8), i


def test_tensor_numpy_arrays_on_the_left_and_constants_get_no_gradient(ns, rng):
    Tensor = ns["Tensor"]
    W = Tensor(rng.standard_normal((3, 2)))
    X = rng.standard_normal((5, 3))
    out = (X @ W).relu().sum() + (np.ones(2) * W).sum()
    out.backward()
    assert np.allclose(W.grad, X.T @ ((X @ W.data) > 0).astype(float) + 1.0)
    c = Tensor(X, requires_grad=False)
    loss = (c @ W).sum()
    loss.backward()
    assert c.grad is None and np.allclose(W.grad, X.sum(axis=0)[:, None] * np.ones((1, 2)))


def test_tensor_backward_needs_a_scalar(ns):
    Tensor = ns["Tensor"]
    with pytest.raises(ValueError, match="scalar"):
        (Tensor(np.ones((2, 2))) * 2).backward()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("sizes", [[4, 3], [5, 7, 3], [6, 5, 4, 5, 3]])
def test_tensor_loss_and_grads_agrees_with_loss_and_grads(ns, rng, sizes, activation, monkeypatch):
    params = ns["init_params"](sizes, rng, activation)
    params = [(W, 0.1 * rng.standard_normal(b.shape)) for W, b in params]
    X, y = rng.standard_normal((9, sizes[0])), rng.integers(0, sizes[-1], 9)
    loss, grads = ns["loss_and_grads"](params, X, y, activation)
    copies = [(W.copy(), b.copy()) for W, b in params]
    monkeypatch.setitem(ns, "loss_and_grads", None)  # the Tensor version must not call it
    t_loss, t_grads = ns["tensor_loss_and_grads"](params, X, y, activation)
    assert isinstance(t_loss, float) and abs(t_loss - loss) <= 1e-12 * abs(loss)
    for (dW, db), (tW, tb), (W, b), (Wc, bc) in zip(grads, t_grads, params, copies, strict=True):
        assert tW.shape == W.shape and tb.shape == b.shape
        assert np.linalg.norm(tW - dW) <= 1e-12 * np.linalg.norm(dW)
        assert np.linalg.norm(tb - db) <= 1e-12 * np.linalg.norm(db)
        assert np.array_equal(W, Wc) and np.array_equal(b, bc)


def test_tensor_loss_and_grads_costs_at_most_one_and_a_half_backprops(ns):
    rng = np.random.default_rng(0)
    params = ns["init_params"]([784, 512, 256, 10], rng)
    X, y = rng.standard_normal((512, 784)), rng.integers(0, 10, 512)
    fns = (ns["loss_and_grads"], ns["tensor_loss_and_grads"])
    for fn in fns:
        fn(params, X, y)
    times = {fn: [] for fn in fns}
    for r in range(7):  # interleaved, so that a busy moment of the machine hits both
        for fn in (fns if r % 2 == 0 else fns[::-1]):
            start = time.perf_counter()
            fn(params, X, y)
            times[fn].append(time.perf_counter() - start)
    ratios = np.array(times[fns[1]]) / np.array(times[fns[0]])
    assert np.median(ratios) <= 1.5, f"Tensor / hand-written: median ratio {np.median(ratios):.2f}"


def test_dual_tangent_is_the_derivative(ns):
    Dual = ns["Dual"]
    for x0 in (0.3, 1.7, 2.9):
        x = Dual(x0, 1.0)
        u = x * x + 2
        out = (3 / u - (1 - x) ** 2 + u * u) * ((u / 4).tanh() + x.sigmoid() + (u - 3).relu() + (-x).exp()
                                                 + (u * x).log()) + 10 - x / 2
        f = lambda t: (3 / (t * t + 2) - (1 - t) ** 2 + (t * t + 2) ** 2) * (
            np.tanh((t * t + 2) / 4) + 1 / (1 + np.exp(-t)) + max(t * t - 1, 0) + np.exp(-t) + np.log((t * t + 2) * t)
        ) + 10 - t / 2
        assert np.isclose(out.value, f(x0), rtol=1e-14)
        assert np.isclose(out.tangent, (f(x0 + 1e-6) - f(x0 - 1e-6)) / 2e-6, rtol=1e-7)


def test_dual_gives_the_directional_derivative_that_value_gives_as_a_dot_product(ns, rng):
    Value, Dual = ns["Value"], ns["Dual"]
    p0, v = rng.standard_normal(3), rng.standard_normal(3)

    def f(a, b, c):
        return (a * b - c).tanh() * (b * c + 1).sigmoid() + a * a * c

    leaves = [Value(t) for t in p0]
    out = f(*leaves)
    out.backward()
    dual = f(*(Dual(t, d) for t, d in zip(p0, v, strict=True)))
    assert np.isclose(dual.value, out.data, rtol=1e-15)
    assert np.isclose(dual.tangent, sum(leaf.grad * d for leaf, d in zip(leaves, v, strict=True)), rtol=1e-12)
