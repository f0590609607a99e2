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
script times liblinear. Without `--run-bench` it reads an earlier export from `--dir` (and
has no criterion median of ours: it reports the export's one timed fit).

Outputs: the table on stdout, and `results/peers/liblinear_l1.json` (every figure, machine,
versions, commit, command) and `liblinear_l1.md` (the same as a table); `--no-results` writes
nothing under results/.

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
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression

STEM = "k6_n200000"
ROOT = Path(__file__).resolve().parents[2]
# The batch bench's criterion id (benches/benches/batch_time.rs).
BENCH_ID = "cd_l1_logistic_k6_n200000_tol1e-6"


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
    parser.add_argument("--results", default=str(ROOT / "results" / "peers"))
    parser.add_argument("--no-results", action="store_true", help="write nothing under results/")
    return parser.parse_args()


def run_bench(directory):
    """Runs the criterion bench with the export on; returns criterion's time per fit in seconds
    as {"low", "median", "high"} (its 95% interval of the median), or None."""
    directory.mkdir(parents=True, exist_ok=True)
    command = ["cargo", "bench", "-p", "benches", "--bench", "batch_time", "--",
               "--warm-up-time", "1", "--measurement-time", "3"]
    env = dict(os.environ, BATCH_TIME_EXPORT=str(directory))
    print("$ BATCH_TIME_EXPORT=%s %s" % (directory, " ".join(command)), flush=True)
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    output = done.stderr + done.stdout
    if done.returncode != 0:
        sys.exit("the bench failed:\n" + output[-3000:])
    for line in output.splitlines():
        if line.startswith("batch_time:") or "time:" in line:
            print("  " + line.strip())
    # criterion's median and its 95% interval, from the estimates it has just written.
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    estimates = target / "criterion" / "batch_time" / BENCH_ID / "new" / "estimates.json"
    try:
        median = json.loads(estimates.read_text())["median"]
    except (OSError, ValueError, KeyError) as err:
        sys.exit("criterion's estimates %s: %s" % (estimates, err))
    interval = median["confidence_interval"]
    return {"low": interval["lower_bound"] * 1e-9, "median": median["point_estimate"] * 1e-9,
            "high": interval["upper_bound"] * 1e-9}


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
             "median %.3f s (criterion)" % ours_median["median"] if ours_median else
             "one fit %.3f s" % meta["seconds_one_fit"]))
    sweep = []
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
        sweep.append({"tol": tol, "seconds": best, "objective_ours_convention": objective,
                      "relative_difference": relative, "nonzero": int(np.count_nonzero(coef))})
        if matched is None and relative <= args.match:
            matched = (tol, best)
    print()
    if matched:
        print("liblinear reaches our objective (within %g relative) at tol %g in %.3f s"
              % (args.match, matched[0], matched[1]))
    else:
        print("liblinear did not reach our objective within %g relative at any tol" % args.match)
    if args.no_results:
        return
    report = {"matrix": {"rows": n, "columns": X.shape[1], "nonzeros": int(X.nnz)},
              "lambda": lam, "C": C, "intercept_scaling": args.intercept_scaling,
              "repeats": args.repeats, "match": args.match,
              "ours": {"objective": ours, "kkt_violation": meta["kkt_violation"],
                       "tol": meta["tol"], "nonzero": meta["nonzero"],
                       "seconds_one_fit": meta["seconds_one_fit"],
                       "criterion_seconds": ours_median},
              "liblinear": sweep,
              "matched": {"tol": matched[0], "seconds": matched[1]} if matched else None,
              "machine": machine(),
              "command": "python3 benches/peers/liblinear_l1.py " + " ".join(sys.argv[1:])}
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    (results / "liblinear_l1.json").write_text(json.dumps(report, indent=2) + "\n")
    (results / "liblinear_l1.md").write_text(render(report))
    print("wrote %s" % (results / "liblinear_l1.md"))


def command_output(command):
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    cpu, cores = "unknown", os.cpu_count()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    # Only the code the bench compiles counts (not tests, scripts, results or docs).
    dirty = command_output(["git", "status", "--porcelain", "--untracked-files=no", "--",
                            "crates/*/src", "crates/*/Cargo.toml", "benches/benches",
                            "benches/src", "benches/Cargo.toml", "Cargo.toml", "Cargo.lock"])
    return {"cpu": cpu, "cores": cores, "os": platform.platform(),
            "python": platform.python_version(), "scikit-learn": version("scikit-learn"),
            "rustc": command_output(["rustc", "--version"]),
            "commit": command_output(["git", "rev-parse", "HEAD"]),
            "code_dirty": "unknown" if dirty == "unknown" else str(dirty != "").lower(),
            "load_average": list(os.getloadavg()),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def render(report):
    """liblinear_l1.md: our fit beside liblinear's tolerance sweep."""
    ours, m = report["ours"], report["machine"]
    timing = ours["criterion_seconds"]
    ours_time = ("criterion median %.3f s (95%% interval %.3f-%.3f s) per fit"
                 % (timing["median"], timing["low"], timing["high"]) if timing else
                 "one timed fit %.3f s (no criterion run: without `--run-bench`)"
                 % ours["seconds_one_fit"])
    lines = ["# Batch L1 logistic regression: ours vs liblinear", "",
             "Generated by `%s`; do not edit by hand. Matrix: the batch bench's k = 6 crossed "
             "synthetic matrix, %d rows x %d columns, %d nonzeros; lambda = %.6e (C = 1/(n "
             "lambda) = %.6e for liblinear, intercept_scaling %g). Objectives in our "
             "convention: mean log loss + lambda |w|_1, intercept unpenalized."
             % (report["command"], report["matrix"]["rows"], report["matrix"]["columns"],
                report["matrix"]["nonzeros"], report["lambda"], report["C"],
                report["intercept_scaling"]), "",
             "Ours (coordinate descent to a KKT violation of %g): objective %.12f (KKT %.1e), "
             "%d nonzero weights, %s." % (ours["tol"], ours["objective"], ours["kkt_violation"],
                                          ours["nonzero"], ours_time), "",
             "| liblinear tol | fit seconds (best of %d) | objective | relative to ours | "
             "nonzero |" % report["repeats"], "|---:|---:|---:|---:|---:|"]
    for r in report["liblinear"]:
        lines.append("| %g | %.3f | %.12f | %.3e | %d |"
                     % (r["tol"], r["seconds"], r["objective_ours_convention"],
                        r["relative_difference"], r["nonzero"]))
    matched = report["matched"]
    lines += ["", "liblinear reaches our objective (within %g relative) at tol %g in %.3f s."
              % (report["match"], matched["tol"], matched["seconds"]) if matched else
              "liblinear does not reach our objective within %g relative at any tol."
              % report["match"], "",
              "Machine: %s, %s cores, %s; load average %s at the end (shared machine). Python "
              "%s, scikit-learn %s, %s. Commit %s (benched code with uncommitted changes: %s), "
              "%s." % (m["cpu"], m["cores"], m["os"],
                       "/".join("%.2f" % v for v in m["load_average"]), m["python"],
                       m["scikit-learn"], m["rustc"], m["commit"], m["code_dirty"], m["date"]),
              ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
