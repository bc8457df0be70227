"""Chapter 05: init_params, forward, loss_and_grads, train and load_digits behave as promised."""

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
    assert "data/README.md" in message and "05_neural_network_training" in message


def test_malformed_data_file_raises_value_error(ns, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="65 comma-separated columns"):
        ns["load_digits"](bad)


def test_train_copies_params_and_records_history(ns, rng):
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    params = ns["init_params"]([3, 4, 2], rng)
    before = [(W.copy(), b.copy()) for W, b in params]
    trained, hist = ns["train"](params, X, y, rng, epochs=5, batch_size=8, lr=0.1, X_test=X, y_test=y,
                                snapshots=(0, 5))
    assert all(np.array_equal(W, Wb) for (W, _), (Wb, _) in zip(params, before, strict=True))
    assert len(hist["train_loss"]) == len(hist["test_acc"]) == 6
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert np.array_equal(hist["snapshots"][0][0][0], before[0][0])
    assert np.array_equal(hist["snapshots"][5][0][0], trained[0][0])


def test_digits_test_accuracy_is_at_least_97_percent(ns, monkeypatch):
    monkeypatch.chdir(chapter_dir(CHAPTER))
    rng = np.random.default_rng(0)
    X_all, y_all = ns["load_digits"]()
    perm = rng.permutation(len(y_all))
    test_idx, train_idx = perm[:450], perm[450:]
    params = ns["init_params"]([64, 128, 64, 10], rng)
    params, hist = ns["train"](params, X_all[train_idx] / 16, y_all[train_idx], rng, epochs=60,
                               batch_size=32, lr=0.1, weight_decay=1e-3)
    accuracy = np.mean(ns["forward"](params, X_all[test_idx] / 16).argmax(axis=1) == y_all[test_idx])
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f}"
    assert hist["train_acc"][-1] > 0.99
