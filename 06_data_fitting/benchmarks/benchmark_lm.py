"""Benchmark: the chapter's levenberg_marquardt against MINPACK, side by side.

Not part of the notebook's Run All, and not a dependency of the course: SciPy is used here only as a
measuring instrument (MINPACK's lmder, through scipy.optimize.least_squares(method="lm")). To run it
from this folder, in a separate environment:

    python -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install numpy scipy
    /tmp/benchvenv/bin/python benchmark_lm.py [--nist-extra DIR] [--repeats 5] [--tolerances tight] [--perturb 6]

Test sets
- the least-squares problems of Moré, Garbow and Hillstrom (1981) in mgh_problems.py, each from the
  standard start x0 and from 10 x0 and 100 x0 (as in MINPACK's own tests, which start a problem whose x0 is
  0, Watson's, from 10 and 100 in every coordinate instead); success = reaching the
  global minimum value of S the paper reports (relative 1e-5, as it prints 6 digits; S <= 1e-20 where
  that minimum is 0);
- the NIST StRD nonlinear-regression problems: the nine in ../data, and any other NIST .dat files in
  DIR (--nist-extra; their models are defined below), each from NIST's two starts, scored by the
  significant digits of the worst parameter against the certified values.

Both solvers get exact Jacobians. By default (--tolerances mixed) MINPACK runs with tight tolerances
(ftol = xtol = gtol = 1e-15) and the course's solver with its own defaults; --tolerances tight gives
both 1e-15, --tolerances defaults gives both the course's defaults. MINPACK uses its own Jacobian
scaling (x_scale="jac") and up to 10 000 residual evaluations; the course's solver up to 10 000
iterations (a comparable budget). Both get the residual and Jacobian functions themselves: MINPACK's whole call
runs inside one np.errstate (a wrapper around every function call would cost it about 1 us a call, 7-15 % of
its time on these problems), the course's solver sets its own. Times are the best of --repeats runs per fit
(default 5), the two solvers taking turns, in one process, so the two columns are comparable with each other
but not across machines.
"""

import argparse
import json
import math
import re
import time
from pathlib import Path

import numpy as np
from mgh_problems import PROBLEMS
from scipy.optimize import least_squares

HERE = Path(__file__).resolve().parent
CHAPTER = HERE.parent
SHIPPED = ["Misra1a", "Chwirut2", "DanWood", "ENSO", "Gauss3", "Kirby2", "MGH09", "Rat43", "Thurber"]


def load_course(notebook=CHAPTER / "data_fitting.ipynb"):
    """Run the notebook's 'interface' cells (numpy only) and return their namespace."""
    ns = {"np": np, "math": math, "Path": Path, "re": re, "__name__": "course"}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if "interface" in cell.get("metadata", {}).get("tags", []):
            exec("".join(cell["source"]), ns)  # noqa: S102 - the course's own code
    return ns


# ---------------------------------------------------------------------- the other NIST models
def _exp3(x, b):
    return b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-b[3] * x) + b[4] * np.exp(-b[5] * x)


def _exp3_df(x, b):
    e = [np.exp(-b[k] * x) for k in (1, 3, 5)]
    return np.column_stack([e[0], -x * b[0] * e[0], e[1], -x * b[2] * e[1], e[2], -x * b[4] * e[2]])


def _eckerle_df(x, b):
    u = (x - b[2]) / b[1]
    g = np.exp(-0.5 * u**2)
    return np.column_stack([g / b[1], b[0] * g * (u**2 - 1) / b[1] ** 2, b[0] * g * u / b[1] ** 2])


def _rat42_df(x, b):
    e = np.exp(b[1] - b[2] * x)
    return np.column_stack([1 / (1 + e), -b[0] * e / (1 + e) ** 2, b[0] * x * e / (1 + e) ** 2])


def _roszman_df(x, b):
    q = (x - b[3]) ** 2 + b[2] ** 2
    return np.column_stack([np.ones_like(x), -x, -(x - b[3]) / (np.pi * q), -b[2] / (np.pi * q)])


def _bennett_df(x, b):
    p = (b[1] + x) ** (-1 / b[2])
    return np.column_stack([p, -b[0] * p / (b[2] * (b[1] + x)), b[0] * p * np.log(b[1] + x) / b[2] ** 2])


def extra_models(course):
    """NIST models that the chapter does not ship: f(x, b) and df/db, shape (m, n)."""
    M = course["NIST_MODELS"]
    return {
        "BoxBOD": M["Misra1a"], "Chwirut1": M["Chwirut2"], "Gauss1": M["Gauss3"], "Gauss2": M["Gauss3"],
        "Hahn1": M["Thurber"], "Lanczos1": (_exp3, _exp3_df), "Lanczos2": (_exp3, _exp3_df),
        "Lanczos3": (_exp3, _exp3_df),
        "Misra1b": (lambda x, b: b[0] * (1 - (1 + b[1] * x / 2) ** -2),
                    lambda x, b: np.column_stack([1 - (1 + b[1] * x / 2) ** -2, b[0] * x * (1 + b[1] * x / 2) ** -3])),
        "Misra1c": (lambda x, b: b[0] * (1 - (1 + 2 * b[1] * x) ** -0.5),
                    lambda x, b: np.column_stack([1 - (1 + 2 * b[1] * x) ** -0.5,
                                                  b[0] * x * (1 + 2 * b[1] * x) ** -1.5])),
        "Misra1d": (lambda x, b: b[0] * b[1] * x / (1 + b[1] * x),
                    lambda x, b: np.column_stack([b[1] * x / (1 + b[1] * x), b[0] * x / (1 + b[1] * x) ** 2])),
        "Eckerle4": (lambda x, b: b[0] / b[1] * np.exp(-0.5 * ((x - b[2]) / b[1]) ** 2), _eckerle_df),
        "Rat42": (lambda x, b: b[0] / (1 + np.exp(b[1] - b[2] * x)), _rat42_df),
        "MGH10": (lambda x, b: b[0] * np.exp(b[1] / (x + b[2])),
                  lambda x, b: np.column_stack([np.exp(b[1] / (x + b[2])),
                                                b[0] * np.exp(b[1] / (x + b[2])) / (x + b[2]),
                                                -b[0] * b[1] * np.exp(b[1] / (x + b[2])) / (x + b[2]) ** 2])),
        "MGH17": (lambda x, b: b[0] + b[1] * np.exp(-x * b[3]) + b[2] * np.exp(-x * b[4]),
                  lambda x, b: np.column_stack([np.ones_like(x), np.exp(-x * b[3]), np.exp(-x * b[4]),
                                                -x * b[1] * np.exp(-x * b[3]), -x * b[2] * np.exp(-x * b[4])])),
        "Roszman1": (lambda x, b: b[0] - b[1] * x - np.arctan(b[2] / (x - b[3])) / np.pi, _roszman_df),
        "Bennett5": (lambda x, b: b[0] * (b[1] + x) ** (-1 / b[2]), _bennett_df),
    }


# ---------------------------------------------------------------------- starting points
def scaled_start(x0, factor):
    """factor * x0; where x0 = 0 (Watson's problem) and factor != 1, factor in every coordinate, as MINPACK's tests."""
    return factor * x0 if factor == 1 or np.any(x0) else np.full_like(x0, float(factor))


def perturbed_start(x0, z):
    """Each coordinate times 1 + 0.1 z; a coordinate that is 0 becomes 0.1 z instead of staying 0."""
    return np.where(x0 != 0, x0 * (1 + 0.1 * z), 0.1 * z)


# ---------------------------------------------------------------------- running and timing
def timed(fn):
    """Wall-clock time of one call fn(), in seconds, and its result; an exception is the result too."""
    t0 = time.perf_counter()
    try:
        out = fn()
    except Exception as err:  # noqa: BLE001 - a solver that refuses or crashes has failed this fit
        out = err
    return time.perf_counter() - t0, out


# tolerances (gtol, xtol, ftol) of each solver in each setting
TIGHT = {"gtol": 1e-15, "xtol": 1e-15, "ftol": 1e-15}
COURSE_DEFAULTS = {"gtol": 1e-10, "xtol": 1e-12, "ftol": 1e-15}      # levenberg_marquardt's own defaults
SETTINGS = {"mixed": ({}, TIGHT), "tight": (TIGHT, TIGHT), "defaults": (COURSE_DEFAULTS, COURSE_DEFAULTS)}


def run_both(course_lm, residual, jacobian, x0, repeats, setting="mixed", own_time=False):
    """Fit with the course's LM and with MINPACK; return one record per solver. With own_time, the residual and
    Jacobian functions are timed inside both solvers, and each record also has "own": the solver's time without
    theirs (the timers add about 0.2 us a call to both)."""
    ours_tol, minpack_tol = SETTINGS[setting]
    spent = [0.0]                                     # time inside the user's functions, this call
    if own_time:
        def clocked(fn):
            def wrapped(x):
                t0 = time.perf_counter()
                try:
                    return fn(x)
                finally:
                    spent[0] += time.perf_counter() - t0
            return wrapped
        residual, jacobian = clocked(residual), clocked(jacobian)

    def ours():
        beta, info = course_lm(residual, jacobian, x0, max_iter=10000, **ours_tol)
        return beta, info["cost"], info["nfev"], info["njev"], info.get("reason", info["message"])

    def minpack():
        with np.errstate(all="ignore"):               # once per call: per-call wrappers would slow MINPACK down
            res = least_squares(residual, x0, jac=jacobian, method="lm", max_nfev=10000,
                                x_scale="jac", **minpack_tol)
        return res.x, float(res.fun @ res.fun), res.nfev, res.njev or 0, res.status

    # the two solvers take turns, so that a slow spell of the machine falls on both; each keeps its best time
    # and its first result (a solver whose result moves between identical calls is flagged)
    best, result, nfevs = {"ours": np.inf, "MINPACK": np.inf}, {}, {"ours": set(), "MINPACK": set()}
    own = {"ours": np.nan, "MINPACK": np.nan}
    for _ in range(repeats):
        for label, fn in (("ours", ours), ("MINPACK", minpack)):
            spent[0] = 0.0
            t, res = timed(fn)
            result.setdefault(label, res)
            nfevs[label].add(-1 if isinstance(res, Exception) else res[2])
            if t < best[label]:
                best[label], own[label] = t, t - spent[0]
    out = {}
    for label, res in result.items():
        if isinstance(res, Exception):
            beta, cost, nfev, njev, why = np.full(x0.size, np.nan), np.inf, 1, 0, f"{type(res).__name__}: {res}"[:60]
        else:
            beta, cost, nfev, njev, why = res
        out[label] = {"beta": beta, "S": cost if np.isfinite(cost) else np.inf, "nfev": nfev, "njev": njev,
                      "why": why, "time": best[label], "moved": len(nfevs[label]) > 1,
                      "own": own[label] if own_time else None}
    return out


def digits(value, certified):
    """Significant digits of agreement (log relative error), capped at 11 like NIST's tables."""
    with np.errstate(all="ignore"):
        rel = np.abs(np.asarray(value) - certified) / np.abs(certified)
        d = np.minimum(11.0, -np.log10(np.maximum(rel, 1e-300)))
    return np.where(np.isfinite(d), d, 0.0)


def mgh_success(S, minima):
    """Reached the paper's global minimum value of S?"""
    S_star = minima[0]
    return bool(S <= 1e-20) if S_star == 0 else bool(S <= S_star * (1 + 1e-5))


def mgh_listed(S, minima):
    """Reached one of the values of S the paper lists (the global minimum, a local one or a stationary value)?"""
    return any(mgh_success(S, [S_star]) or abs(S - S_star) <= 1e-5 * S_star for S_star in minima)


def summary(rows, label):
    """Print success counts, median evaluations and median time ratio for one test set."""
    ok = {s: sum(r[s]["ok"] for r in rows) for s in ("ours", "MINPACK")}
    ratio = np.array([r["ours"]["time"] / r["MINPACK"]["time"] for r in rows])
    calls = [(r["ours"]["nfev"] + r["ours"]["njev"]) / (r["MINPACK"]["nfev"] + r["MINPACK"]["njev"]) for r in rows]
    t_ours = np.median([r["ours"]["time"] for r in rows])
    t_mp = np.median([r["MINPACK"]["time"] for r in rows])
    print(f"{label}: {len(rows)} fits. successes: ours {ok['ours']}, MINPACK {ok['MINPACK']}. "
          f"median time ours {1e3 * t_ours:.2f} ms, MINPACK {1e3 * t_mp:.2f} ms "
          f"(ratio of medians {t_ours / t_mp:.2f}; median of per-fit ratios {np.median(ratio):.2f}, "
          f"range {ratio.min():.2f}-{ratio.max():.2f}). "
          f"median nfev ours {np.median([r['ours']['nfev'] for r in rows]):.0f}, "
          f"MINPACK {np.median([r['MINPACK']['nfev'] for r in rows]):.0f}; median of per-fit ratios of residual "
          f"and Jacobian evaluations together {np.median(calls):.2f}")
    if rows and rows[0]["ours"]["own"] is not None:
        per_call = {s: np.median([r[s]["own"] / (r[s]["nfev"] + r[s]["njev"]) for r in rows]) for s in ok}
        print(f"   the solver's own time per evaluation (residuals and Jacobians, their time taken out), median "
              f"over the fits: ours {1e6 * per_call['ours']:.1f} us, MINPACK {1e6 * per_call['MINPACK']:.1f} us")
    for s in ("ours", "MINPACK"):
        moved = [r.get("label", "") for r in rows if r[s]["moved"]]
        if moved:
            print(f"   {s}: identical calls took different numbers of evaluations on {len(moved)} fits "
                  f"(counted: the first call): {'; '.join(moved)}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nist-extra", type=Path, help="folder with more NIST StRD .dat files")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=["mgh", "nist"], help="run one test set only")
    parser.add_argument("--solver", type=Path, help="a .py file whose levenberg_marquardt replaces the notebook's")
    parser.add_argument("--tolerances", choices=list(SETTINGS), default="mixed",
                        help="mixed: ours at its defaults, MINPACK at 1e-15 (default); tight: both at 1e-15; "
                             "defaults: both at the course's defaults (gtol 1e-10, xtol 1e-12, ftol 1e-15)")
    parser.add_argument("--own-time", action="store_true",
                        help="also time the residual and Jacobian inside both solvers and print each solver's own "
                             "time per evaluation (slightly slows both)")
    parser.add_argument("--perturb", type=int, default=0, metavar="K",
                        help="also K perturbed copies of every MGH start: x0 * (1 + 0.1 z), or 0.1 z where x0 = 0; "
                             "z ~ N(0, 1), seed 0")
    args = parser.parse_args()
    course = load_course()
    lm = course["levenberg_marquardt"]
    if args.solver:
        alt = {"__name__": "alternative"}
        exec(args.solver.read_text(encoding="utf-8"), alt)  # noqa: S102 - a solver under test
        lm = alt["levenberg_marquardt"]

    if args.only != "nist":
        rows = []
        print(f"{'MGH problem':38s} {'x0':>4s} | {'S ours':>11s} {'nfev':>5s} {'ms':>6s} | "
              f"{'S MINPACK':>11s} {'nfev':>5s} {'ms':>6s} | S*")
        for p in PROBLEMS:
            for scale in (1, 10, 100):
                rec = run_both(lm, p["residual"], p["jacobian"], scaled_start(p["x0"], scale), args.repeats,
                               args.tolerances, args.own_time)
                for s in (rec["ours"], rec["MINPACK"]):
                    s["ok"] = mgh_success(s["S"], p["minima"])
                    s["listed"] = mgh_listed(s["S"], p["minima"])
                rows.append(rec)
                rec["label"] = f"{p['name']} from {scale} x0"
                o, m = rec["ours"], rec["MINPACK"]
                print(f"{p['name']:38s} {scale:4d} | {o['S']:11.4e} {o['nfev']:5d} {1e3 * o['time']:6.2f}"
                      f"{' ' if o['ok'] else '*'}| {m['S']:11.4e} {m['nfev']:5d} {1e3 * m['time']:6.2f}"
                      f"{' ' if m['ok'] else '*'}| {p['minima'][0]:.6g}")
        print("(* = did not reach the global minimum value)")
        summary(rows, "MGH")
        print(f"   reached a value of S the paper lists (global or local minimum, stationary value): "
              f"ours {sum(r['ours']['listed'] for r in rows)}, "
              f"MINPACK {sum(r['MINPACK']['listed'] for r in rows)} of {len(rows)}")
        for label, other in (("ours", "MINPACK"), ("MINPACK", "ours")):
            only = [r["label"] for r in rows if r[label]["ok"] and not r[other]["ok"]]
            print(f"   solved by {label} only ({len(only)}): {'; '.join(only) or '-'}")
        if args.perturb:
            rng, wins, only = np.random.default_rng(0), {"ours": 0, "MINPACK": 0}, {"ours": [], "MINPACK": []}
            for p in PROBLEMS:
                for scale in (1, 10, 100):
                    for _ in range(args.perturb):
                        x0 = perturbed_start(scaled_start(p["x0"], scale), rng.standard_normal(p["n"]))
                        rec = run_both(lm, p["residual"], p["jacobian"], x0, 1, args.tolerances)
                        ok = {label: mgh_success(rec[label]["S"], p["minima"]) for label in wins}
                        for label in wins:
                            wins[label] += ok[label]
                            if ok[label] and not all(ok.values()):
                                only[label].append(p["name"])
            print(f"MGH from {120 * args.perturb} perturbed starts: successes: ours {wins['ours']}, "
                  f"MINPACK {wins['MINPACK']}")
            for label, names in only.items():
                counts = {name: names.count(name) for name in dict.fromkeys(names)}
                print(f"   solved by {label} only ({len(names)}): "
                      + ("; ".join(f"{name} x{k}" for name, k in counts.items()) or "-"))

    if args.only != "mgh":
        sets = [("NIST, shipped", [(n, CHAPTER / "data" / f"{n}.dat") for n in SHIPPED])]
        if args.nist_extra:
            extra = sorted(p for p in args.nist_extra.glob("*.dat") if p.stem not in SHIPPED)
            sets.append(("NIST, not shipped", [(p.stem, p) for p in extra]))
        models = dict(course["NIST_MODELS"], **extra_models(course))
        for label, files in sets:
            rows = []
            print(f"\n{label:18s} {'start':>5s} | {'digits ours':>11s} {'nfev':>5s} {'ms':>6s} | "
                  f"{'digits MINPACK':>14s} {'nfev':>5s} {'ms':>6s}")
            for name, path in files:
                if name not in models:
                    print(f"{name}: no model defined here, skipped")
                    continue
                try:
                    data = course["read_nist"](path)
                except ValueError as err:
                    print(f"{name}: skipped ({err})")
                    continue
                f, df = models[name]
                x, y = data["x"], data["y"]
                residual = lambda b, f=f, x=x, y=y: y - f(x, b)     # noqa: E731
                jacobian = lambda b, df=df, x=x: -df(x, b)          # noqa: E731
                for start in ("start1", "start2"):
                    rec = run_both(lm, residual, jacobian, data[start], args.repeats, args.tolerances, args.own_time)
                    rec["label"] = f"{name} from {start}"
                    for s in (rec["ours"], rec["MINPACK"]):
                        s["digits"] = float(digits(s["beta"], data["certified"]).min())
                        s["ok"] = s["digits"] >= 6
                    rows.append(rec)
                    o, m = rec["ours"], rec["MINPACK"]
                    print(f"{name:18s} {start[-1]:>5s} | {o['digits']:11.1f} {o['nfev']:5d} {1e3 * o['time']:6.2f} | "
                          f"{m['digits']:14.1f} {m['nfev']:5d} {1e3 * m['time']:6.2f}")
            summary(rows, label + " (success = at least 6 digits in every parameter)")
            for level in (8, 10):
                print(f"   at least {level} digits: ours {sum(r['ours']['digits'] >= level for r in rows)}, "
                      f"MINPACK {sum(r['MINPACK']['digits'] >= level for r in rows)} of {len(rows)}; "
                      f"worst: ours {min(r['ours']['digits'] for r in rows):.1f}, "
                      f"MINPACK {min(r['MINPACK']['digits'] for r in rows):.1f}")


if __name__ == "__main__":
    main()
