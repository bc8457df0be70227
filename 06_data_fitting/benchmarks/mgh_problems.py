"""The least-squares problems of Moré, Garbow and Hillstrom (1981), with exact Jacobians.

Moré, J. J., Garbow, B. S. and Hillstrom, K. E. (1981). Testing unconstrained optimization software.
ACM Transactions on Mathematical Software 7(1), 17–41. Each problem is a residual vector r(x) of
length m in n unknowns, the paper's standard starting point x0, and the values of
S = r^T r that the paper reports (the global one first; others are local minima or, like S = 1 on Brown's
almost-linear problem, stationary values).
The code is written from the paper's formulas; the data of Bard, Gaussian, Meyer, Kowalik–Osborne
and the two Osborne problems are the paper's.
"""

import numpy as np

PROBLEMS = []


def problem(name, n, m, x0, minima):
    """Register r(x) and J(x) = dr/dx (shape (m, n)) under a name, with x0 and the known minima of S."""
    def register(pair):
        r, J = pair()
        PROBLEMS.append({"name": name, "n": n, "m": m, "residual": r, "jacobian": J,
                         "x0": np.asarray(x0, dtype=float), "minima": list(minima)})
        return pair
    return register


# ---------------------------------------------------------------------- linear problems (MGH 32-34)
def _linear_full_rank(n, m):
    A = np.eye(m, n) - 2.0 / m
    return (lambda x: A @ x - 1.0), (lambda x: A)


def _linear_rank1(n, m):
    A = np.outer(np.arange(1, m + 1), np.arange(1, n + 1)).astype(float)
    return (lambda x: A @ x - 1.0), (lambda x: A)


def _linear_rank1_zero(n, m):
    c = np.r_[0.0, np.arange(1, m - 1), 0.0]
    d = np.r_[0.0, np.arange(2, n), 0.0]
    A = np.outer(c, d)
    return (lambda x: A @ x - 1.0), (lambda x: A)


for m in (10, 50):
    problem(f"linear full rank n=5 m={m}", 5, m, np.ones(5), [m - 5.0])(lambda m=m: _linear_full_rank(5, m))
    problem(f"linear rank 1 n=5 m={m}", 5, m, np.ones(5),
            [m * (m - 1) / (2 * (2 * m + 1))])(lambda m=m: _linear_rank1(5, m))
    problem(f"linear rank 1, zero columns n=5 m={m}", 5, m, np.ones(5),
            [(m * m + 3 * m - 6) / (2 * (2 * m - 3))])(lambda m=m: _linear_rank1_zero(5, m))


# ---------------------------------------------------------------------- small classics
@problem("Rosenbrock", 2, 2, [-1.2, 1.0], [0.0])
def _():
    return (lambda x: np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]]),
            lambda x: np.array([[-20 * x[0], 10.0], [-1.0, 0.0]]))


@problem("Freudenstein and Roth", 2, 2, [0.5, -2.0], [0.0, 48.9842])
def _():
    def r(x):
        return np.array([-13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1],
                         -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1]])

    def J(x):
        return np.array([[1.0, 10 * x[1] - 3 * x[1] ** 2 - 2], [1.0, 3 * x[1] ** 2 + 2 * x[1] - 14]])
    return r, J


@problem("Powell badly scaled", 2, 2, [0.0, 1.0], [0.0])
def _():
    return (lambda x: np.array([1e4 * x[0] * x[1] - 1, np.exp(-x[0]) + np.exp(-x[1]) - 1.0001]),
            lambda x: np.array([[1e4 * x[1], 1e4 * x[0]], [-np.exp(-x[0]), -np.exp(-x[1])]]))


@problem("Brown badly scaled", 2, 3, [1.0, 1.0], [0.0])
def _():
    return (lambda x: np.array([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2]),
            lambda x: np.array([[1.0, 0.0], [0.0, 1.0], [x[1], x[0]]]))


@problem("Beale", 2, 3, [1.0, 1.0], [0.0])
def _():
    y, i = np.array([1.5, 2.25, 2.625]), np.arange(1, 4)
    return (lambda x: y - x[0] * (1 - x[1] ** i),
            lambda x: np.column_stack([-(1 - x[1] ** i), x[0] * i * x[1] ** (i - 1)]))


@problem("Jennrich and Sampson", 2, 10, [0.3, 0.4], [124.362])
def _():
    i = np.arange(1, 11.0)
    return (lambda x: 2 + 2 * i - np.exp(i * x[0]) - np.exp(i * x[1]),
            lambda x: np.column_stack([-i * np.exp(i * x[0]), -i * np.exp(i * x[1])]))


@problem("helical valley", 3, 3, [-1.0, 0.0, 0.0], [0.0])
def _():
    def theta(x):
        if x[0] == 0:
            return 0.25 * np.sign(x[1])
        return np.arctan(x[1] / x[0]) / (2 * np.pi) + (0.5 if x[0] < 0 else 0.0)

    def r(x):
        return np.array([10 * (x[2] - 10 * theta(x)), 10 * (np.hypot(x[0], x[1]) - 1), x[2]])

    def J(x):
        q = x[0] ** 2 + x[1] ** 2
        rho = np.sqrt(q)
        return np.array([[100 * x[1] / (2 * np.pi * q), -100 * x[0] / (2 * np.pi * q), 10.0],
                         [10 * x[0] / rho, 10 * x[1] / rho, 0.0], [0.0, 0.0, 1.0]])
    return r, J


@problem("Bard", 3, 15, [1.0, 1.0, 1.0], [8.21487e-3, 17.4286])
def _():
    y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39])
    u = np.arange(1, 16.0)
    v = 16 - u
    w = np.minimum(u, v)

    def J(x):
        q = v * x[1] + w * x[2]
        return np.column_stack([-np.ones(15), u * v / q**2, u * w / q**2])
    return (lambda x: y - (x[0] + u / (v * x[1] + w * x[2]))), J


@problem("Gaussian", 3, 15, [0.4, 1.0, 0.0], [1.12793e-8])
def _():
    y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
                  0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009])
    t = (8 - np.arange(1, 16.0)) / 2

    def J(x):
        e = np.exp(-x[1] * (t - x[2]) ** 2 / 2)
        return np.column_stack([e, -x[0] * e * (t - x[2]) ** 2 / 2, x[0] * e * x[1] * (t - x[2])])
    return (lambda x: x[0] * np.exp(-x[1] * (t - x[2]) ** 2 / 2) - y), J


@problem("Meyer", 3, 16, [0.02, 4000.0, 250.0], [87.9458])
def _():
    y = np.array([34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147,
                  4427, 3820, 3307, 2872], dtype=float)
    t = 45 + 5 * np.arange(1, 17.0)

    def J(x):
        e = np.exp(x[1] / (t + x[2]))
        return np.column_stack([e, x[0] * e / (t + x[2]), -x[0] * e * x[1] / (t + x[2]) ** 2])
    return (lambda x: x[0] * np.exp(x[1] / (t + x[2])) - y), J


@problem("box three-dimensional", 3, 10, [0.0, 10.0, 20.0], [0.0])
def _():
    t = 0.1 * np.arange(1, 11.0)
    c = np.exp(-t) - np.exp(-10 * t)
    return (lambda x: np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * c,
            lambda x: np.column_stack([-t * np.exp(-t * x[0]), t * np.exp(-t * x[1]), -c]))


@problem("Powell singular", 4, 4, [3.0, -1.0, 0.0, 1.0], [0.0])
def _():
    s5, s10 = np.sqrt(5.0), np.sqrt(10.0)
    return (lambda x: np.array([x[0] + 10 * x[1], s5 * (x[2] - x[3]), (x[1] - 2 * x[2]) ** 2,
                                s10 * (x[0] - x[3]) ** 2]),
            lambda x: np.array([[1.0, 10.0, 0.0, 0.0], [0.0, 0.0, s5, -s5],
                                [0.0, 2 * (x[1] - 2 * x[2]), -4 * (x[1] - 2 * x[2]), 0.0],
                                [2 * s10 * (x[0] - x[3]), 0.0, 0.0, -2 * s10 * (x[0] - x[3])]]))


@problem("Wood", 4, 6, [-3.0, -1.0, -3.0, -1.0], [0.0])
def _():
    a, b = np.sqrt(90.0), np.sqrt(10.0)
    return (lambda x: np.array([10 * (x[1] - x[0] ** 2), 1 - x[0], a * (x[3] - x[2] ** 2), 1 - x[2],
                                b * (x[1] + x[3] - 2), (x[1] - x[3]) / b]),
            lambda x: np.array([[-20 * x[0], 10, 0, 0], [-1, 0, 0, 0], [0, 0, -2 * a * x[2], a],
                                [0, 0, -1, 0], [0, b, 0, b], [0, 1 / b, 0, -1 / b]], dtype=float))


@problem("Kowalik and Osborne", 4, 11, [0.25, 0.39, 0.415, 0.39], [3.07505e-4, 1.02734e-3])
def _():
    y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246])
    u = np.array([4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])

    def J(x):
        N, Q = u**2 + u * x[1], u**2 + u * x[2] + x[3]
        return np.column_stack([-N / Q, -x[0] * u / Q, x[0] * N * u / Q**2, x[0] * N / Q**2])
    return (lambda x: y - x[0] * (u**2 + u * x[1]) / (u**2 + u * x[2] + x[3])), J


@problem("Brown and Dennis", 4, 20, [25.0, 5.0, -5.0, -1.0], [85822.2])
def _():
    t = np.arange(1, 21.0) / 5

    def parts(x):
        return x[0] + t * x[1] - np.exp(t), x[2] + x[3] * np.sin(t) - np.cos(t)

    def r(x):
        a, b = parts(x)
        return a**2 + b**2

    def J(x):
        a, b = parts(x)
        return np.column_stack([2 * a, 2 * a * t, 2 * b, 2 * b * np.sin(t)])
    return r, J


@problem("Osborne 1", 5, 33, [0.5, 1.5, -1.0, 0.01, 0.02], [5.46489e-5])
def _():
    y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718,
                  0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467,
                  0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406])
    t = 10.0 * np.arange(33)

    def J(x):
        e4, e5 = np.exp(-t * x[3]), np.exp(-t * x[4])
        return np.column_stack([-np.ones(33), -e4, -e5, x[1] * t * e4, x[2] * t * e5])
    return (lambda x: y - (x[0] + x[1] * np.exp(-t * x[3]) + x[2] * np.exp(-t * x[4]))), J


@problem("Biggs EXP6", 6, 13, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], [0.0, 5.65565e-3])
def _():
    t = 0.1 * np.arange(1, 14.0)
    y = np.exp(-t) - 5 * np.exp(-10 * t) + 3 * np.exp(-4 * t)

    def r(x):
        return x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) + x[5] * np.exp(-t * x[4]) - y

    def J(x):
        e1, e2, e5 = np.exp(-t * x[0]), np.exp(-t * x[1]), np.exp(-t * x[4])
        return np.column_stack([-t * x[2] * e1, t * x[3] * e2, e1, -e2, -t * x[5] * e5, e5])
    return r, J


@problem("Osborne 2", 11, 65, [1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5], [4.01377e-2])
def _():
    y = np.array([1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679,
                  0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644,
                  0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391,
                  0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668,
                  0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581,
                  0.428, 0.292, 0.162, 0.098, 0.054])
    t = np.arange(65) / 10

    def terms(x):
        d = t[:, None] - x[8:11]                                 # (65, 3): t - x9, t - x10, t - x11
        return np.exp(-t * x[4]), np.exp(-d**2 * x[5:8]), d

    def r(x):
        e5, g, _ = terms(x)
        return y - (x[0] * e5 + g @ x[1:4])

    def J(x):
        e5, g, d = terms(x)
        return np.column_stack([-e5, -g, x[0] * t * e5, x[1:4] * d**2 * g, -2 * x[1:4] * x[5:8] * d * g])
    return r, J


@problem("Penalty I n=4", 4, 5, [1.0, 2.0, 3.0, 4.0], [2.24997e-5])
def _():
    a = np.sqrt(1e-5)
    return (lambda x: np.r_[a * (x - 1), x @ x - 0.25], lambda x: np.vstack([a * np.eye(4), 2 * x]))


@problem("Penalty I n=10", 10, 11, np.arange(1, 11.0), [7.08765e-5])
def _():
    a = np.sqrt(1e-5)
    return (lambda x: np.r_[a * (x - 1), x @ x - 0.25], lambda x: np.vstack([a * np.eye(10), 2 * x]))


# ---------------------------------------------------------------------- problems of variable size
def _watson(n):
    t = np.arange(1, 30) / 29
    j = np.arange(n)
    P = t[:, None] ** j                                          # (29, n): t^(j-1) for j = 1..n
    dP = np.where(j > 0, j * t[:, None] ** np.maximum(j - 1, 0), 0.0)   # (j-1) t^(j-2)

    def r(x):
        s = P @ x
        return np.r_[dP @ x - s**2 - 1, x[0], x[1] - x[0] ** 2 - 1]

    def J(x):
        s = P @ x
        last = np.zeros((2, n))
        last[0, 0], last[1, 0], last[1, 1] = 1.0, -2 * x[0], 1.0
        return np.vstack([dP - 2 * s[:, None] * P, last])
    return r, J


for n, fmin in ((6, 2.28767e-3), (9, 1.39976e-6), (12, 4.72238e-10)):
    problem(f"Watson n={n}", n, 31, np.zeros(n), [fmin])(lambda n=n: _watson(n))


def _chebyquad(n):
    i = np.arange(1, n + 1)
    integral = np.zeros(n)                                       # integral of T_i over [0, 1]
    integral[1::2] = -1.0 / (i[1::2].astype(float) ** 2 - 1)

    def cheb(x):
        u = 2 * x - 1                                            # shifted to [0, 1]
        T, dT = [np.ones_like(u), u], [np.zeros_like(u), 2 * np.ones_like(u)]
        for _ in range(2, n + 1):
            T.append(2 * u * T[-1] - T[-2])
            dT.append(4 * T[-2] + 2 * u * dT[-1] - dT[-2])
        return np.array(T[1:n + 1]), np.array(dT[1:n + 1])     # (n, n): rows i = 1..n, columns x_j

    return (lambda x: cheb(x)[0].mean(axis=1) - integral), (lambda x: cheb(x)[1] / n)


for n, fmin in ((7, 0.0), (8, 3.51687e-3), (9, 0.0), (10, 6.50395e-3)):
    problem(f"Chebyquad n={n}", n, n, np.arange(1, n + 1) / (n + 1), [fmin])(lambda n=n: _chebyquad(n))


def _brown_almost_linear(n):
    def r(x):
        return np.r_[x[:-1] + x.sum() - (n + 1), np.prod(x) - 1]

    def J(x):
        left = np.r_[1.0, np.cumprod(x[:-1])]
        right = np.r_[np.cumprod(x[::-1][:-1])[::-1], 1.0]
        return np.vstack([np.eye(n - 1, n) + 1.0, left * right])
    return r, J


for n in (10, 30, 40):
    problem(f"Brown almost-linear n={n}", n, n, np.full(n, 0.5), [0.0, 1.0])(lambda n=n: _brown_almost_linear(n))


@problem("variably dimensioned n=10", 10, 12, 1 - np.arange(1, 11) / 10, [0.0])
def _():
    j = np.arange(1, 11.0)

    def r(x):
        s = j @ (x - 1)
        return np.r_[x - 1, s, s**2]

    return r, (lambda x: np.vstack([np.eye(10), j, 2 * (j @ (x - 1)) * j]))


@problem("trigonometric n=10", 10, 10, np.full(10, 0.1), [0.0, 2.79506e-5])
def _():
    i = np.arange(1, 11.0)
    return (lambda x: 10 - np.cos(x).sum() + i * (1 - np.cos(x)) - np.sin(x),
            lambda x: np.tile(np.sin(x), (10, 1)) + np.diag(i * np.sin(x) - np.cos(x)))


@problem("discrete boundary value n=10", 10, 10, (np.arange(1, 11) / 11) * (np.arange(1, 11) / 11 - 1), [0.0])
def _():
    h = 1 / 11
    t = np.arange(1, 11) * h
    off = np.eye(10, k=1) + np.eye(10, k=-1)
    return (lambda x: 2 * x - np.r_[0.0, x[:-1]] - np.r_[x[1:], 0.0] + h**2 * (x + t + 1) ** 3 / 2,
            lambda x: np.diag(2 + 1.5 * h**2 * (x + t + 1) ** 2) - off)


@problem("Broyden tridiagonal n=10", 10, 10, -np.ones(10), [0.0])
def _():
    return (lambda x: (3 - 2 * x) * x - np.r_[0.0, x[:-1]] - 2 * np.r_[x[1:], 0.0] + 1,
            lambda x: np.diag(3 - 4 * x) - np.eye(10, k=-1) - 2 * np.eye(10, k=1))
