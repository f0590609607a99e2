#!/usr/bin/env python3
"""liblinear's L1 logistic regression on the batch bench's matrix, at the same objective.

What it measures: scikit-learn's LogisticRegression with solver='liblinear' and a pure L1
penalty on exactly the rows and columns of `benches/benches/batch_time.rs` (the k = 6 crossed
synthetic matrix, 200,000 rows), at the bench's lambda, and reports each fit's time, its
objective in OUR convention and its nonzero weights next to our coordinate descent's.

Needs: Python 3 with `pip install scikit-learn` (numpy and scipy come with it). Checked with
scikit-learn 1.9.1. Nothing in `cargo test` needs Python.

Run from the workspace root (both sides measured in one session, back to back):

    python3 benches/peers/liblinear_l1.py --run-bench

`--run-bench` first runs
`BATCH_TIME_EXPORT=DIR cargo bench -p benches --bench batch_time -- --warm-up-time 1
--measurement-time 3`, which writes DIR/k6_n200000.svm (LIBSVM, labels 0/1, index = column
+ 1) and DIR/k6_n200000.json (lambda, our objective, nonzeros) and times our solver; then this
script times liblinear. Without `--run-bench` it reads an earlier export from `--dir`.

Conventions (see `optimizers::batch`): we minimize
    F(w, b) = (1/n) sum_i logloss(b + x_i.w, y_i) + lambda |w|_1     (b not penalized),
liblinear minimizes C sum_i logloss + |w|_1, so C = 1 / (n lambda). liblinear has no
unpenalized intercept: it appends a constant column of value `intercept_scaling` and penalizes
its weight, i.e. adds |b| / intercept_scaling to its objective. We use intercept_scaling = 100
(default; `--intercept-scaling`), which makes that extra penalty lambda |b| / 100 in our units,
and evaluate every liblinear solution with OUR F (intercept unpenalized), so both sides are
compared on the same objective. liblinear's `tol` is relative to its initial gradient, not our
KKT violation, so it is swept (`--tols`) and the report gives the time of the loosest tol whose
objective is within `--match` (default 1e-6) relative of ours, or at or below it.

Timing: `fit` only (the sparse matrix is loaded and cast to int32 indices beforehand, as
scikit-learn 1.9 requires), best of `--repeats` runs. Our figure is criterion's median of
`fit_path`, which includes input checks and the CSC copy of the matrix.
"""

import argparse
import inspect
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression

STEM = "k6_n200000"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default="/tmp/sparsecross_batch_time",
                        help="where the bench exports the matrix (default %(default)s)")
    parser.add_argument("--run-bench", action="store_true",
                        help="run the Rust bench first (exports the matrix, times our solver)")
    parser.add_argument("--tols", default="1e-2,1e-3,1e-4,1e-5,1e-6",
                        help="liblinear tolerances to sweep (default %(default)s)")
    parser.add_argument("--intercept-scaling", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--match", type=float, default=1e-6,
                        help="relative objective difference that counts as the same objective")
    return parser.parse_args()


def run_bench(directory):
    """Runs the criterion bench with the export on; returns its median time in seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    command = ["cargo", "bench", "-p", "benches", "--bench", "batch_time", "--",
               "--warm-up-time", "1", "--measurement-time", "3"]
    env = dict(os.environ, BATCH_TIME_EXPORT=str(directory))
    print("$ BATCH_TIME_EXPORT=%s %s" % (directory, " ".join(command)), flush=True)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    output = done.stderr + done.stdout
    if done.returncode != 0:
        sys.exit("the bench failed:\n" + output[-3000:])
    for line in output.splitlines():
        if line.startswith("batch_time:") or "time:" in line:
            print("  " + line.strip())
    found = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+)", output)
    if not found:
        return None
    value, unit = float(found.group(1)), found.group(2)
    return value * {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def l1_logistic(C, tol, intercept_scaling):
    """The estimator, in whichever spelling the installed scikit-learn wants."""
    common = dict(C=C, solver="liblinear", tol=tol, fit_intercept=True,
                  intercept_scaling=intercept_scaling, max_iter=1000, random_state=0)
    default_penalty = inspect.signature(LogisticRegression).parameters["penalty"].default
    if default_penalty == "deprecated":  # scikit-learn >= 1.8
        return LogisticRegression(l1_ratio=1.0, **common)
    return LogisticRegression(penalty="l1", **common)


def our_objective(X, y, coef, intercept, lam):
    """Mean log loss (natural log) + lambda |w|_1, intercept unpenalized."""
    margins = X @ coef + intercept
    mean_loss = np.mean(np.logaddexp(0.0, margins) - y * margins)
    return mean_loss + lam * np.abs(coef).sum()


def main():
    args = parse_args()
    directory = Path(args.dir)
    ours_median = run_bench(directory) if args.run_bench else None
    meta = json.loads((directory / (STEM + ".json")).read_text())
    X, y = load_svmlight_file(str(directory / (STEM + ".svm")), n_features=meta["columns"])
    X.indices = X.indices.astype(np.int32)
    X.indptr = X.indptr.astype(np.int32)
    n, lam = X.shape[0], meta["lambda"]
    C = 1.0 / (n * lam)
    print("matrix: %d rows x %d columns, %d nonzeros; lambda = %.6e, C = 1/(n lambda) = %.6e"
          % (n, X.shape[1], X.nnz, lam, C))
    ours = meta["objective"]
    print("ours (coordinate descent, KKT tol %g): objective %.12f, %d nonzero, %s"
          % (meta["tol"], ours, meta["nonzero"],
             "median %.3f s (criterion)" % ours_median if ours_median else
             "one fit %.3f s" % meta["seconds_one_fit"]))
    print("\n%-8s %10s %18s %14s %8s" % ("tol", "seconds", "objective (ours)", "rel. diff", "nnz"))
    matched = None
    for tol in [float(t) for t in args.tols.split(",")]:
        best = float("inf")
        for _ in range(args.repeats):
            model = l1_logistic(C, tol, args.intercept_scaling)
            start = time.perf_counter()
            model.fit(X, y)
            best = min(best, time.perf_counter() - start)
        coef, intercept = model.coef_.ravel(), float(model.intercept_[0])
        objective = our_objective(X, y, coef, intercept, lam)
        relative = (objective - ours) / abs(ours)
        print("%-8g %10.3f %18.12f %14.3e %8d"
              % (tol, best, objective, relative, np.count_nonzero(coef)))
        if matched is None and relative <= args.match:
            matched = (tol, best)
    print()
    if matched:
        print("liblinear reaches our objective (within %g relative) at tol %g in %.3f s"
              % (args.match, matched[0], matched[1]))
    else:
        print("liblinear did not reach our objective within %g relative at any tol" % args.match)


if __name__ == "__main__":
    main()
