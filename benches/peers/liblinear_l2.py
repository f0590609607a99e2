#!/usr/bin/env python3
"""liblinear's L2 (or L1) logistic regression against our batch solver: time to the same objective.

What it measures: on exactly the rows and columns our solver fits (the k = 6 crossed synthetic
matrix of the batch_time bench, 200,000 rows; California housing's training split with the
features of experiments/california_crash_course.toml), at each lambda, the time each side needs
to reach the same objective, from a cold start, one lambda at a time. Both sides run the same
algorithm family (trust-region Newton with conjugate gradient, Lin, Weng & Keerthi 2008) and the
same stopping rule (gradient norm relative to the gradient at zero, scaled by the smaller class's
share), so the same `tol` list is swept on both, and for each side the fastest fit whose
objective is within `--match` (default 1e-6) relative of the reference is reported.

Needs: Python 3 with `pip install scikit-learn` (numpy and scipy come with it). Checked with
scikit-learn 1.9.1. Nothing in `cargo test` needs Python.

Run from the workspace root (both sides in one session, back to back):

    python3 benches/peers/liblinear_l2.py --run --data-dir DATA_DIR

`--run` first runs `cargo run --release -p benches --example l2_peer_data -- --out DIR
--data-dir DATA ...`, which writes DIR/k6.svm and DIR/california.svm (LIBSVM, labels 0/1,
index = column + 1), times our solver at every (lambda, tol) and writes DIR/ours.csv and
DIR/meta.json; then this script times liblinear on the same files and writes
results/peers/liblinear_l2.csv (every fit of both sides) and results/peers/liblinear_l2.md.
Without `--run` it reads an earlier export from `--dir`.

Conventions (see `optimizers::batch`): we minimize
    F(w, b) = (1/n) sum_i logloss(b + x_i.w, y_i) + lambda |w|^2 / 2      (b not penalized),
liblinear minimizes |w|^2 / 2 + C sum_i logloss, which is (C n) times our F with
lambda = 1 / (C n): so C = 1 / (n lambda). liblinear has no unpenalized intercept: it appends a
constant column of value `intercept_scaling` and penalizes its weight, which adds
lambda b^2 / (2 intercept_scaling^2) to our F. With intercept_scaling in {10, 100}
(`--intercept-scalings`; both swept, the faster counts) that moves its optimum's value in our
F by well under 1e-6 relative here (1, the default, does not: about 1e-5 at k = 6); a large
value also inflates liblinear's gradient at zero, so its `tol` is looser than ours at the same
number, which the tol sweep absorbs. Every liblinear solution is evaluated with OUR F
(intercept unpenalized), so both sides are compared on the same objective. The reference
objective is the lowest F seen: our fit at tol 1e-10 or any fit of either side.

L1 and a9a (`--penalty l1 --datasets a9a`, the check of Yuan, Chang, Hsieh & Lin 2010): our
`coordinate_descent` against liblinear's L1 solver (`-s 6`, newGLMNET), objective mean log loss +
lambda |w|_1; liblinear's penalized intercept then adds lambda |b| / intercept_scaling. The
example also writes a9a's test file in the same columns (`a9a_test.svm`), and both sides' test
accuracy and nonzero weights are reported. Outputs are named by `--name` (default
`liblinear_l2` for the default data sets, else `liblinear_PENALTY_DATASETS`).

Timing: our figure is `fit_path` at one lambda (input checks, the column-major copy, the
solve); liblinear's is `LogisticRegression.fit` on the CSR matrix (int32 indices, loaded
beforehand; its input checks and copy to liblinear's format included). Fastest of `--repeats`.
"""

import argparse
import csv
import inspect
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression

RESULTS = Path("results/peers")
COLUMNS = ["dataset", "rows", "columns", "lambda", "C", "tool", "tol", "intercept_scaling",
           "seconds", "objective", "relative_gap", "iterations", "reaches", "nonzero",
           "test_accuracy"]
SOLVERS = {"l2": "trust_region_newton", "l1": "coordinate_descent"}
LIBLINEAR = "liblinear (scikit-learn)"
DEFAULT_DATASETS = "k6,california"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default="/tmp/sparsecross_l2_peer",
                        help="where the example exports the matrices (default %(default)s)")
    parser.add_argument("--run", action="store_true",
                        help="run the Rust example first (exports the matrices, times our solver)")
    parser.add_argument("--data-dir", default=os.environ.get("SPARSECROSS_DATA_DIR"),
                        help="directory of california_housing_train.csv (with --run; default "
                             "$SPARSECROSS_DATA_DIR)")
    parser.add_argument("--lambdas", default="1e-3,1e-4,1e-5")
    parser.add_argument("--tols", default="1e-1,1e-2,1e-3,1e-4,1e-6",
                        help="tolerances swept on both sides (default %(default)s)")
    parser.add_argument("--intercept-scalings", default="10,100",
                        help="liblinear intercept_scaling values swept (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--match", type=float, default=1e-6,
                        help="relative objective gap that counts as the same objective")
    parser.add_argument("--no-results", action="store_true",
                        help="print only; do not write results/peers/NAME.*")
    parser.add_argument("--datasets", default=DEFAULT_DATASETS,
                        help="matrices to export and fit: k6, california, a9a (default %(default)s)")
    parser.add_argument("--penalty", choices=sorted(SOLVERS), default="l2")
    parser.add_argument("--name", help="output file stem under results/peers/")
    args = parser.parse_args()
    if args.name is None:
        default = args.datasets == DEFAULT_DATASETS and args.penalty == "l2"
        args.name = "liblinear_l2" if default else "liblinear_%s_%s" % (
            args.penalty, args.datasets.replace(",", "_"))
    return args


def run_ours(args):
    if not args.data_dir:
        sys.exit("--run needs --data-dir DIR (or SPARSECROSS_DATA_DIR) naming the directory of "
                 "california_housing_train.csv or a9a/ (docs/guide/data_sources.md says where they come from)")
    command = ["cargo", "run", "--release", "-q", "-p", "benches", "--example", "l2_peer_data",
               "--", "--out", args.dir, "--data-dir", args.data_dir, "--lambdas", args.lambdas,
               "--tols", args.tols, "--repeats", str(args.repeats), "--datasets", args.datasets,
               "--penalty", args.penalty]
    print("$ " + " ".join(command), flush=True)
    done = subprocess.run(command)
    if done.returncode != 0:
        sys.exit("the example failed (exit code %d)" % done.returncode)
    return command


def logistic(penalty, C, tol, intercept_scaling):
    """The estimator, in whichever spelling the installed scikit-learn wants (L2 primal: -s 0;
    L1: -s 6)."""
    common = dict(C=C, solver="liblinear", tol=tol, fit_intercept=True,
                  intercept_scaling=intercept_scaling, max_iter=1000, random_state=0)
    default_penalty = inspect.signature(LogisticRegression).parameters["penalty"].default
    if default_penalty == "deprecated":  # scikit-learn >= 1.8
        return LogisticRegression(l1_ratio=1.0 if penalty == "l1" else 0.0, **common)
    if penalty == "l1":
        return LogisticRegression(penalty="l1", **common)
    return LogisticRegression(penalty="l2", dual=False, **common)


def our_objective(penalty, X, y, coef, intercept, lam):
    """Mean log loss (natural log) + lambda |w|^2 / 2 (or lambda |w|_1), intercept unpenalized."""
    margins = X @ coef + intercept
    mean_loss = np.mean(np.logaddexp(0.0, margins) - y * margins)
    if penalty == "l1":
        return mean_loss + lam * float(np.abs(coef).sum())
    return mean_loss + 0.5 * lam * float(coef @ coef)


def test_accuracy(directory, data, coef, intercept):
    """Accuracy on the data set's test file (same columns), or '' without one."""
    if "test_file" not in data:
        return ""
    X, y = load_svmlight_file(str(directory / data["test_file"]), n_features=data["columns"])
    return "%.6f" % float(np.mean(((X @ coef + intercept) > 0) == (y == 1)))


def read_ours(directory):
    with open(directory / "ours.csv") as f:
        return list(csv.DictReader(f))


def main():
    args = parse_args()
    args.started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    args.load_before = load_average()
    directory = Path(args.dir)
    command = run_ours(args) if args.run else None
    meta = json.loads((directory / "meta.json").read_text())
    penalty = meta.get("penalty", "l2")
    if penalty != args.penalty:
        sys.exit("%s was exported with --penalty %s, not %s: rerun with --run"
                 % (directory / "meta.json", penalty, args.penalty))
    ours_tool = "sparsecross " + SOLVERS[penalty]
    ours = read_ours(directory)
    tols = [float(t) for t in args.tols.split(",")]
    rows, summary = [], []
    for data in meta["datasets"]:
        name = data["name"]
        X, y = load_svmlight_file(str(directory / data["file"]), n_features=data["columns"])
        X.indices = X.indices.astype(np.int32)
        X.indptr = X.indptr.astype(np.int32)
        n = X.shape[0]
        print("\n%s: %d rows x %d columns, %d nonzeros" % (name, n, X.shape[1], X.nnz))
        for lam in [float(v) for v in args.lambdas.split(",")]:
            C = 1.0 / (n * lam)
            fits = []
            for row in ours:
                if row["dataset"] == name and float(row["lambda"]) == lam:
                    fits.append((ours_tool, float(row["tol"]), "", float(row["seconds"]),
                                 float(row["objective"]), int(row["iterations"]),
                                 row.get("nonzero", ""), row.get("test_accuracy", "")))
            for scaling in [float(v) for v in args.intercept_scalings.split(",")]:
                for tol in tols:
                    best = float("inf")
                    for _ in range(args.repeats):
                        model = logistic(penalty, C, tol, scaling)
                        start = time.perf_counter()
                        model.fit(X, y)
                        best = min(best, time.perf_counter() - start)
                    coef, intercept = model.coef_.ravel(), float(model.intercept_[0])
                    objective = our_objective(penalty, X, y, coef, intercept, lam)
                    fits.append((LIBLINEAR, tol, "%g" % scaling, best, objective,
                                 int(np.max(model.n_iter_)), int(np.count_nonzero(coef)),
                                 test_accuracy(directory, data, coef, intercept)))
            reference = min(f[4] for f in fits)
            print("  lambda %g (C = %.6g): reference objective %.15f" % (lam, C, reference))
            print("  %-32s %8s %6s %10s %20s %11s %5s" % ("tool", "tol", "scale", "seconds",
                                                           "objective", "rel. gap", "iter"))
            reached = {}
            for tool, tol, scaling, seconds, objective, iterations, nonzero, accuracy in fits:
                gap = (objective - reference) / abs(reference)
                reaches = gap <= args.match
                print("  %-32s %8g %6s %10.4f %20.15f %11.2e %5d"
                      % (tool, tol, scaling, seconds, objective, gap, iterations))
                rows.append(dict(dataset=name, rows=n, columns=X.shape[1], **{"lambda": lam},
                                 C="%.6g" % C, tool=tool, tol=tol, intercept_scaling=scaling,
                                 seconds="%.6f" % seconds, objective="%.15f" % objective,
                                 relative_gap="%.3e" % gap, iterations=iterations,
                                 reaches=reaches, nonzero=nonzero, test_accuracy=accuracy))
                # The reference fit of ours (tol below every swept one) is not a timed candidate.
                if reaches and tol in tols and (tool not in reached or seconds < reached[tool][1]):
                    reached[tool] = (tol, seconds, scaling, nonzero, accuracy)
            summary.append((name, n, X.shape[1], lam, C, reached.get(ours_tool),
                            reached.get(LIBLINEAR)))
    lines = report(args, meta, command, summary, rows)
    print("\n" + "\n".join(lines))
    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        csv_path, md_path = RESULTS / (args.name + ".csv"), RESULTS / (args.name + ".md")
        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        md_path.write_text("\n".join(lines) + "\n")
        print("wrote %s and %s" % (csv_path, md_path))


def report(args, meta, command, summary, rows):
    penalty = meta.get("penalty", "l2")
    solver = SOLVERS[penalty]
    term = "lambda |w|_1" if penalty == "l1" else "lambda |w|^2 / 2"

    def cell(hit):
        if not hit:
            return "not reached"
        scaling = ", intercept_scaling %s" % hit[2] if hit[2] else ""
        return "%.3f s (tol %g%s)" % (hit[1], hit[0], scaling)

    def extra(hit):
        if not hit:
            return "-"
        return "%s / %s" % (hit[3] or "-", hit[4] or "-")

    flags = "" if args.name == "liblinear_l2" else " --datasets %s --penalty %s" % (
        args.datasets, penalty)
    lines = [
        "# %s vs liblinear: %s logistic regression, time to the same objective"
        % (solver, penalty.upper()),
        "",
        "Generated by `python3 benches/peers/liblinear_l2.py --run --data-dir DATA_DIR%s`"
        " (see `benches/peers/README.md`); every fit is a row of `%s.csv`." % (flags, args.name),
        "",
        "Machine: %s (%s), %d logical CPUs, Python %s, scikit-learn %s, numpy %s; %s UTC, load"
        " average %s before and %s after. Our side: %s."
        % (platform.node(), platform.machine(), os.cpu_count() or 0, platform.python_version(),
           sklearn.__version__, np.__version__, args.started, args.load_before, load_average(),
           "`" + " ".join(command) + "`" if command else "an earlier export"),
        "",
        "Objective (ours): mean log loss + %s, bias unpenalized; liblinear's C ="
        " 1 / (n lambda), intercept_scaling in {%s} (its bias is penalized: 1 changes the"
        " optimum by more than the match), its solutions scored with our objective."
        " A side reaches the objective when it is within %g relative of the lowest seen;"
        " the time is its fastest such fit (fastest of %d runs each), from a cold start at"
        " one lambda; liblinear's best (tol, intercept_scaling) counts. Nonzeros and test"
        " accuracy are those of that fit (test accuracy only where the data set has a test"
        " file)." % (term, args.intercept_scalings.replace(",", ", "), args.match, args.repeats),
        "",
        "| data | rows x columns | lambda | C | ours | liblinear | ours / liblinear"
        " | nonzeros / test accuracy, ours | liblinear |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, n, m, lam, C, mine, theirs in summary:
        ratio = "%.2f" % (mine[1] / theirs[1]) if mine and theirs else "n/a"
        lines.append("| %s | %d x %d | %g | %.4g | %s | %s | %s | %s | %s |"
                     % (name, n, m, lam, C, cell(mine), cell(theirs), ratio, extra(mine),
                        extra(theirs)))
    ratios = [s[5][1] / s[6][1] for s in summary if s[5] and s[6]]
    if ratios:
        within = sum(r <= 2.0 for r in ratios)
        faster = sum(r <= 1.0 for r in ratios)
        lines += ["", "Within 2x of liblinear at %d of %d (data, lambda) points, no slower at %d;"
                  " ratio from %.2f to %.2f (geometric mean %.2f)."
                  % (within, len(ratios), faster, min(ratios), max(ratios),
                     float(np.exp(np.mean(np.log(ratios)))))]
    return lines


def load_average():
    try:
        return "/".join("%.2f" % v for v in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
