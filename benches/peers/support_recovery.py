#!/usr/bin/env python3
"""abess, L0Learn and scikit-learn's L1 on exactly the rows of the support_recovery specs.

What it measures: for every (p, seed) of each spec (`grid.k`, `grid.seeds`), the rows the runner
draws, exported by `cargo run --release -p benches --example support_recovery_data` as .npy files
(train, validation and test splits, the true support, each split's Bayes log loss), then, one
fit at a time on the training split:

- `abess`: abess's `LogisticRegression()` with its defaults (splicing over its default sizes,
  support size by its information criterion, `ic_type = "ebic"` in abess 0.4, one thread);
- `abess_cv5`: the same with `cv=5` (support size by 5-fold cross-validation, its default
  `cv_score = "roc_auc"`);
- `l0learn_cd`: L0Learn's `cvfit` with `penalty="L0L2"`, `algorithm="CD"`, 5 folds, 5 values
  of the L2 strength gamma (its default range 1e-4 to 10), supports up to 50, (lambda, gamma)
  at the lowest mean cross-validated error; run by Python 3.10 (`--python310`), as l0learn
  0.4.3 has wheels only for 3.7-3.10 and needs numpy < 2;
- `l0learn_cdpsi`: the same with `algorithm="CDPSI"` (coordinate descent followed by L0Learn's
  local combinatorial swaps, its default `max_swaps = 100`);
- `sklearn_l1_cv5`: `LogisticRegressionCV(solver="liblinear", l1_ratios=(1.0,), Cs=10, cv=5,
  scoring="neg_log_loss", random_state=0)`, pure L1 (a fixed `random_state`: liblinear's
  coordinate order is random).

The validation split is not used by the peers (each chooses by its own criterion on the training
rows, as in abess's simulation); our methods choose on it (see the specs' header comments). Per
fit it writes one row of `--out` (default `results/peers/support_recovery.csv`): spec, p, seed,
method, TPR, FPR (false positives / (p - true support size)), exact support, nonzeros, test AUC
and log loss, the test split's Bayes log loss, fit seconds (the `fit` call only, data already
in memory), and the 1-minute load average before and after the fit.

Setup: `python3 -m pip install abess scikit-learn` (Python 3.11) and
`python3.10 -m pip install l0learn "numpy<2"`.

Run from the workspace root:

    python3 benches/peers/support_recovery.py
    python3 benches/peers/support_recovery.py --specs experiments/support_recovery.toml \\
        --seeds 1 2 --methods abess sklearn_l1_cv5 --out /tmp/peers.csv

`--l0learn-worker DIR` is internal: the Python 3.10 side, fitting L0Learn on DIR's files.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ["experiments/support_recovery.toml", "experiments/support_recovery_high_corr.toml"]
METHODS = ["abess", "abess_cv5", "l0learn_cd", "l0learn_cdpsi", "sklearn_l1_cv5"]
COLUMNS = ["spec", "p", "seed", "method", "tpr", "fpr", "exact_support", "nonzeros", "auc",
           "log_loss", "bayes_log_loss", "fit_seconds", "load_before", "load_after", "n_train",
           "criterion", "versions", "host", "date_utc"]


def load1():
    return os.getloadavg()[0]


def l0learn_worker(data_dir, algorithm):
    """Python 3.10 side: fits L0Learn on DIR/train_*.npy, writes DIR/l0learn.json."""
    import numpy as np
    import l0learn

    x = np.load(data_dir / "train_x.npy")
    y = np.load(data_dir / "train_y.npy") * 2.0 - 1.0  # L0Learn's logistic loss takes -1/+1
    before = load1()
    start = time.perf_counter()
    fit = l0learn.cvfit(x, y, loss="Logistic", penalty="L0L2", algorithm=algorithm,
                        num_folds=5, seed=1, num_gamma=5, max_support_size=50)
    seconds = time.perf_counter() - start
    after = load1()
    best = (float("inf"), None, None)
    for g, means in enumerate(fit.cv_means):
        means = np.asarray(means, dtype=float).ravel()
        i = int(np.nanargmin(means))
        if means[i] < best[0]:
            best = (float(means[i]), g, i)
    _, g, i = best
    # The solution itself, by its indices: `coeff(include_intercept=True)` fails with scipy
    # 1.15 (it stacks a list of floats onto a sparse matrix), and `coeff` matches lambda and
    # gamma by nearness; the intercept is `intercepts[g][i]`.
    coef = np.asarray(fit.coeffs[g][:, i].todense(), dtype=float).ravel()
    gamma, lambda_0 = float(fit.gamma[g]), float(fit.lambda_0[g][i])
    result = {"intercept": float(fit.intercepts[g][i]), "coef": coef.tolist(),
              "seconds": seconds, "load_before": before, "load_after": after,
              "criterion": f"5-fold CV error over {len(fit.gamma)} gamma x lambda path; "
                           f"chosen gamma = {gamma:.3g}, lambda = {lambda_0:.3g}",
              "versions": f"l0learn {l0learn_version()}, numpy {np.__version__}"}
    (data_dir / "l0learn.json").write_text(json.dumps(result))


def l0learn_version():
    try:
        from importlib.metadata import version
        return version("l0learn")
    except Exception:  # noqa: BLE001 - a version string only
        return "unknown"


def fit_in_process(method, x, y):
    """(intercept, coefficients, seconds, load before, load after, criterion, versions)."""
    import numpy as np

    if method.startswith("abess"):
        import abess
        from abess.linear import LogisticRegression
        model = LogisticRegression(cv=5) if method == "abess_cv5" else LogisticRegression()
        criterion = "5-fold CV" if method == "abess_cv5" else f"ic_type = {model.ic_type}"
        versions = f"abess {abess.__version__}"
    else:
        import sklearn
        from sklearn.linear_model import LogisticRegressionCV
        # liblinear visits coordinates in a random order: a fixed random_state makes the fit
        # repeatable (without it the chosen support moves by a feature or two between runs).
        model = LogisticRegressionCV(Cs=10, l1_ratios=(1.0,), solver="liblinear", cv=5,
                                     scoring="neg_log_loss", use_legacy_attributes=False,
                                     random_state=0)
        criterion = "5-fold CV log loss over 10 C values"
        versions = f"scikit-learn {sklearn.__version__}"
    before = load1()
    start = time.perf_counter()
    model.fit(x, y)
    seconds = time.perf_counter() - start
    after = load1()
    coef = np.asarray(model.coef_, dtype=float).ravel()
    intercept = float(np.asarray(model.intercept_, dtype=float).ravel()[0])
    return intercept, coef, seconds, before, after, criterion, versions


def fit_l0learn(data_dir, python310, algorithm):
    done = subprocess.run([python310, __file__, "--l0learn-worker", str(data_dir),
                           "--l0learn-algorithm", algorithm], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"L0Learn {algorithm} under `{python310}` failed on {data_dir} "
                         f"(exit {done.returncode}):\n{done.stderr.strip()}")
    r = json.loads((data_dir / "l0learn.json").read_text())
    return (r["intercept"], r["coef"], r["seconds"], r["load_before"], r["load_after"],
            r["criterion"], r["versions"])


def auc(scores, labels):
    """ROC AUC by the rank-sum formula, ties given their mean rank."""
    import numpy as np
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    positives = labels > 0.5
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def scores(intercept, coef, data_dir, truth):
    """The row's metrics: support recovery against the truth, test AUC and log loss."""
    import numpy as np

    x, y = np.load(data_dir / "test_x.npy"), np.load(data_dir / "test_y.npy")
    coef = np.asarray(coef, dtype=float)
    logit = intercept + x @ coef
    p = np.clip(1.0 / (1.0 + np.exp(-logit)), 1e-15, 1 - 1e-15)
    log_loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    chosen = set(np.flatnonzero(coef != 0.0).tolist())
    support = set(truth["support"])
    s, dim = len(support), truth["p"]
    tp = len(chosen & support)
    fp = len(chosen) - tp
    return {"tpr": tp / s, "fpr": fp / (dim - s), "exact_support": int(chosen == support),
            "nonzeros": len(chosen), "auc": auc(logit, y), "log_loss": log_loss,
            "bayes_log_loss": truth["bayes_log_loss"]["test"]}


def exporter_path():
    """The exporter cargo builds: under `CARGO_TARGET_DIR` when set, else `target/`."""
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    return target / "release" / "examples" / "support_recovery_data"


def export(exporter, spec, k, seed, out):
    done = subprocess.run([str(exporter), "--spec", str(spec), "--k", str(k), "--seed",
                           str(seed), "--out", str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{spec}: exporting p = {k}, seed = {seed} failed "
                         f"(exit {done.returncode}):\n{done.stderr.strip()}")


def read_grid(spec):
    import tomllib

    try:
        with open(spec, "rb") as handle:
            grid = tomllib.load(handle).get("grid", {})
    except OSError as err:
        raise SystemExit(f"--specs: cannot read {spec}: {err.strerror}")
    except tomllib.TOMLDecodeError as err:
        raise SystemExit(f"{spec}: not valid TOML: {err}")
    if not grid.get("k") or not grid.get("seeds"):
        raise SystemExit(f"{spec}: `grid.k` and `grid.seeds` are required")
    if not isinstance(grid["seeds"], list):
        raise SystemExit(f"{spec}: `grid.seeds` must be a list of seeds")
    return grid["k"], grid["seeds"]


def wait_for_quiet(threshold, max_wait, poll=60):
    """Waits (polling every `poll` s, at most `max_wait` s) for a 1-minute load <= threshold;
    returns (load at the start, load at the end, seconds waited)."""
    first = load1()
    waited = 0
    while load1() > threshold and waited < max_wait:
        time.sleep(min(poll, max_wait - waited))
        waited += min(poll, max_wait - waited)
    last = load1()
    print(f"load {first:.2f} -> {last:.2f} after waiting {waited} s "
          f"(threshold {threshold})", flush=True)
    return first, last, waited


def read_rows(path):
    """The rows of a peer CSV written by this script (an error names the file)."""
    try:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as err:
        raise SystemExit(f"{path}: cannot read: {err.strerror}")
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if missing:
        raise SystemExit(f"{path}: not a support_recovery peer CSV (no {', '.join(missing)})")
    return rows


def runner_bayes(reports, spec_name):
    """{(p, seed): test Bayes log loss} of the report `REPORTS/<spec>/runs.csv`, or {} when
    there is none: a check that the exported rows are the runner's."""
    path = Path(reports) / spec_name / "runs.csv"
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        return {(int(r["k"]), int(r["seed"])): float(r["bayes_log_loss"])
                for r in csv.DictReader(handle) if r.get("bayes_log_loss")}


def check_rows(spec, k, seed, truth, committed, reports):
    """Stops when the exported test split's Bayes log loss differs from the committed runs'."""
    expected = committed.get((k, seed))
    got = truth["bayes_log_loss"]["test"]
    if expected is not None and abs(expected - got) > 1e-9:
        raise SystemExit(f"{spec}: p = {k}, seed = {seed}: the exported test split's Bayes log "
                         f"loss {got:.12f} differs from {reports}/{Path(spec).stem}/runs.csv's "
                         f"{expected:.12f}: the exporter does not draw the runner's rows")


def run(args):
    import numpy as np

    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        raise SystemExit(f"--methods: unknown {unknown}; known: {', '.join(METHODS)}")
    plans = [(spec, read_grid(spec)) for spec in args.specs]
    build = subprocess.run(["cargo", "build", "--release", "-q", "-p", "benches", "--example",
                            "support_recovery_data"], cwd=ROOT)
    if build.returncode != 0:
        raise SystemExit("building the exporter (`cargo build --release -p benches --example "
                         "support_recovery_data`) failed")
    exporter = exporter_path()
    if not exporter.is_file():
        raise SystemExit(f"the exporter is not at {exporter} (is CARGO_TARGET_DIR set as when "
                         "it was built?)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = read_rows(out) if args.resume and out.is_file() else []
    done = {(r["spec"], r["p"], r["seed"], r["method"]) for r in kept}
    host = os.uname().nodename
    work = Path(tempfile.mkdtemp(prefix="sparsecross_sr_peer_"))
    try:
        with out.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(kept)
            handle.flush()
            if args.quiet_load > 0:
                wait_for_quiet(args.quiet_load, args.max_wait)
            for spec, (ks, seeds) in plans:
                committed = runner_bayes(args.reports, Path(spec).stem)
                if committed:
                    print(f"{spec}: checking the exported rows against "
                          f"{args.reports}/{Path(spec).stem}/runs.csv", flush=True)
                for k in ks:
                    for seed in args.seeds or seeds:
                        todo = [m for m in args.methods
                                if (Path(spec).stem, str(k), str(seed), m) not in done]
                        if not todo:
                            continue
                        data_dir = work / f"{Path(spec).stem}_k{k}_s{seed}"
                        export(exporter, spec, k, seed, data_dir)
                        truth = json.loads((data_dir / "truth.json").read_text())
                        check_rows(spec, k, seed, truth, committed, args.reports)
                        x = np.load(data_dir / "train_x.npy")
                        y = np.load(data_dir / "train_y.npy")
                        for method in todo:
                            if method.startswith("l0learn"):
                                algorithm = "CDPSI" if method == "l0learn_cdpsi" else "CD"
                                fit = fit_l0learn(data_dir, args.python310, algorithm)
                            else:
                                fit = fit_in_process(method, x, y)
                            intercept, coef, seconds, before, after, criterion, versions = fit
                            row = {"spec": Path(spec).stem, "p": k, "seed": seed,
                                   "method": method, "fit_seconds": f"{seconds:.4f}",
                                   "load_before": f"{before:.2f}", "load_after": f"{after:.2f}",
                                   "n_train": len(y), "criterion": criterion,
                                   "versions": versions, "host": host,
                                   "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                             time.gmtime())}
                            row.update(scores(intercept, coef, data_dir, truth))
                            writer.writerow(row)
                            handle.flush()
                            print(f"{row['spec']} p={k} seed={seed} {method}: "
                                  f"tpr {row['tpr']:.2f} fpr {row['fpr']:.4f} "
                                  f"auc {row['auc']:.4f} {seconds:.2f} s "
                                  f"(load {before:.2f} -> {after:.2f})", flush=True)
                        shutil.rmtree(data_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out}")
    write_report(out, Path(args.md))


SETTINGS = {
    "abess": "abess `LogisticRegression()`: splicing, default sizes, support size by EBIC "
             "(`ic_type='ebic'`), 1 thread",
    "abess_cv5": "abess `LogisticRegression(cv=5)`: support size by 5-fold CV "
                 "(`cv_score='roc_auc'`)",
    "l0learn_cd": "L0Learn `cvfit(loss='Logistic', penalty='L0L2', algorithm='CD', num_folds=5, "
                  "num_gamma=5, max_support_size=50, seed=1)`, (lambda, gamma) at the lowest "
                  "mean CV error",
    "l0learn_cdpsi": "the same with `algorithm='CDPSI'` (local swaps, `max_swaps=100`)",
    "sklearn_l1_cv5": "scikit-learn `LogisticRegressionCV(Cs=10, l1_ratios=(1.0,), "
                      "solver='liblinear', cv=5, scoring='neg_log_loss', random_state=0)`",
}


def quantiles(values):
    """(median, first quartile, third quartile) by linear interpolation (NumPy's default)."""
    import numpy as np

    q = np.percentile(np.asarray(values, dtype=float), [50, 25, 75])
    return float(q[0]), float(q[1]), float(q[2])


def write_report(csv_path, md_path):
    """`md_path`: per (spec, p, method), medians and IQRs over the seeds, from the CSV."""
    rows = read_rows(csv_path)
    if not rows:
        raise SystemExit(f"{csv_path}: no rows to report")
    groups = {}
    for r in rows:
        groups.setdefault((r["spec"], int(r["p"])), {}).setdefault(r["method"], []).append(r)
    order = {m: i for i, m in enumerate(METHODS)}
    fmt = {"tpr": "{:.3f}", "fpr": "{:.4f}", "auc": "{:.4f}", "log_loss": "{:.4f}",
           "nonzeros": "{:g}", "fit_seconds": "{:.2f}"}
    lines = [
        "# Peers on the support_recovery rows",
        "",
        f"Generated by `python3 benches/peers/support_recovery.py --report` from "
        f"`{csv_path.name}` (do not edit). Each fit ran alone on the training split of the "
        "rows our runner draws for the spec's (p, seed) (exported by "
        "`benches/examples/support_recovery_data.rs`); test AUC and log loss on the test split; "
        "TPR = true positives / 10, FPR = false positives / (p - 10), exact = the share of seeds "
        "whose nonzeros are exactly the true support. Cells are the median over the seeds and, "
        "in brackets, the interquartile range (25th to 75th percentile); fit seconds are the "
        "`fit` call alone.",
        "",
        f"Host `{', '.join(sorted({r['host'] for r in rows}))}`; fits from "
        f"{min(r['date_utc'] for r in rows)} to {max(r['date_utc'] for r in rows)}; 1-minute "
        f"load before a fit {min(float(r['load_before']) for r in rows):.2f} to "
        f"{max(float(r['load_before']) for r in rows):.2f}, after "
        f"{min(float(r['load_after']) for r in rows):.2f} to "
        f"{max(float(r['load_after']) for r in rows):.2f} (2 logical cores).",
        "",
    ]
    for (spec, p), methods in sorted(groups.items()):
        n = sorted({int(r["n_train"]) for ms in methods.values() for r in ms})
        lines += [f"## {spec}, p = {p}, n = {', '.join(map(str, n))}", ""]
        lines.append("| method | seeds | TPR | FPR | exact | test AUC | test log loss | "
                     "nonzeros | fit s | load before (max) |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for method, members in sorted(methods.items(), key=lambda kv: order.get(kv[0], 99)):
            cells = [method, str(len(members))]
            for column in ["tpr", "fpr", "exact_support", "auc", "log_loss", "nonzeros",
                           "fit_seconds"]:
                values = [float(r[column]) for r in members]
                if column == "exact_support":
                    cells.append(f"{sum(values) / len(values):.2f}")
                    continue
                med, lo, hi = quantiles(values)
                f = fmt[column]
                cells.append(f"{f.format(med)} [{f.format(lo)}, {f.format(hi)}]")
            cells.append(f"{max(float(r['load_before']) for r in members):.2f}")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Versions and settings", ""]
    seen = {}
    for r in rows:
        seen.setdefault(r["method"], set()).add(r["versions"])
    for method in sorted(seen, key=lambda m: order.get(m, 99)):
        lines.append(f"- `{method}` ({'; '.join(sorted(seen[method]))}): "
                     f"{SETTINGS.get(method, 'see the script')}.")
    lines.append("")
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text("\n".join(lines))
    print(f"wrote {md_path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specs", nargs="+", default=SPECS)
    parser.add_argument("--seeds", nargs="+", type=int, help="default: the spec's grid.seeds")
    parser.add_argument("--methods", nargs="+", default=METHODS)
    parser.add_argument("--python310", default="python3.10",
                        help="the Python with l0learn and numpy < 2")
    parser.add_argument("--out", default=str(ROOT / "results" / "peers" / "support_recovery.csv"))
    parser.add_argument("--md", default=str(ROOT / "results" / "peers" / "support_recovery.md"),
                        help="the Markdown report written from --out")
    parser.add_argument("--reports", default=str(ROOT / "results"),
                        help="where REPORTS/<spec>/runs.csv, when present, checks the exported "
                             "rows (their test Bayes log loss per p and seed)")
    parser.add_argument("--resume", action="store_true",
                        help="keep --out's rows and fit only the (spec, p, seed, method) missing")
    parser.add_argument("--report", action="store_true",
                        help="only rewrite --md from --out, fitting nothing")
    parser.add_argument("--quiet-load", type=float, default=1.2,
                        help="before the first fit, wait for a 1-minute load at most this "
                             "(0: do not wait); every fit records its load either way")
    parser.add_argument("--max-wait", type=int, default=600,
                        help="the longest wait for --quiet-load, seconds")
    parser.add_argument("--l0learn-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--l0learn-algorithm", default="CD", choices=["CD", "CDPSI"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.l0learn_worker:
        l0learn_worker(args.l0learn_worker, args.l0learn_algorithm)
    elif args.report:
        write_report(Path(args.out), Path(args.md))
    else:
        run(args)


if __name__ == "__main__":
    main()
