#!/usr/bin/env python3
"""Our online learners vs Vowpal Wabbit and scikit-learn's SGDClassifier, same rows, one run.

What it measures: for each k, the synthetic data (k marginal one-hots plus the full k^k cross)
are generated once by `cargo run --release -p benches --example peer_data`, which writes them as
LIBSVM and VW text and, in the same process, trains our FTRL-Proximal (L1, L2), cumulative
penalty (L1), truncated gradient (L1) and SGD (L2) on the rows read back from the LIBSVM file.
This script then trains the peers on those files: VW `--ftrl --l1/--l2`, VW `--l1` truncated
gradient (with `--sgd` to match our step sizes, and with VW's adaptive defaults), VW `--sgd --l2`,
each twice (below), and scikit-learn `SGDClassifier(loss='log_loss', penalty='l1'|'l2')` (with
our step sizes, and with its default 'optimal' schedule). Every row reports nonzero weights (bias
excluded), test log loss (natural log), test ROC AUC, training seconds and examples per second.

VW runs twice, on the same rows: tool `vw` reads the ids renumbered by rank (m consecutive names
for the m ids that occur in train or test) at the smallest `-b` whose 2^b slots hold them all
apart (checked: none shares a slot, none lands on the constant's), its smallest collision-free
table; tool `vw_b24` reads our
raw ids at `-b 24` (`--bits`), where the k^k cross's ids (spread over 0..k^k) do not collide up to
k = 8. VW's time grows with its table of 2^b slots, so both are reported.

Needs: Python 3 with `pip install vowpalwabbit scikit-learn` (numpy, scipy come with them), and
cargo. Checked with vowpalwabbit 9.11.9 and scikit-learn 1.9.1. Nothing in `cargo test` needs it.

Run from anywhere (both sides measured back to back in one session):

    python3 benches/peers/online_peers.py --k 8 --n-train 200000
    python3 benches/peers/online_peers.py --k 8 4          # several k, one section each

Real click logs: `--spec experiments/criteo_adkdd21.toml experiments/talkingdata.toml
--data-dir DIR` compares on the train and test splits of each spec's `[data.real]` table
(loaded by the `features` crate as the runner loads them, ids renumbered by rank), adds our
batch solvers and scikit-learn's `LogisticRegression` (liblinear L1, lbfgs L2), and writes
`peers_NAME.csv`/`.json`; see benches/peers/README.md.

Outputs: the table on stdout; results/peers/peers_k{K}.csv (ours and the peers' rows, one
schema), peers_k{K}.json (machine, versions, data facts) and peers.md, rebuilt from every
peers_k*.csv present. `--skip-ours` reuses an earlier export in `--dir`; `--no-results` writes
nothing under results/.

Strength conventions (details in benches/peers/README.md). The `lambda` column is always ours:
objective (1/n) sum_i logloss_i + lambda R(w), R = |w|_1 or |w|^2/2, bias unpenalized.
- scikit-learn minimizes the same objective with alpha: alpha = lambda (exact for both penalties).
- VW `--ftrl --l1 X` / `--l2 X` is McMahan's Algorithm 1 against the *sum* of per-example losses:
  X = lambda * n * passes (exact, as our FTRL in total mode; VW also penalizes the constant).
- VW `--l1 X`: gravity += eta_t * X per example, subtracted (clipped at 0) from the raw weights at
  prediction: X = lambda. With `--sgd`, eta_t = l / sqrt(t) is our schedule and the mapping is as
  exact as the algorithms allow (VW truncates lazily by the total, see README); with VW's default
  adaptive/normalized updates eta_t is not the per-coordinate step, so the mapping is nominal.
- VW `--sgd --l2 X`: every weight shrinks by (1 - eta_t X) per example: X = lambda.

Timing, same on every side: training from an already parsed representation, best of `--repeats`.
Ours: building the learner, the passes over in-memory rows, and the model export. VW: one
Workspace run from the binary cache file (it reads and decodes the cache while training) plus
`finish()` (writes the model). scikit-learn: `fit` on the CSR matrix (which allocates dense
arrays of the full dimension). Parsing the text is reported separately as `load_seconds`: ours
reads train.svm, scikit-learn runs load_svmlight_file, VW turns train.vw into its cache.
"""

import argparse
import csv
import json
import math
import os
import platform
import subprocess
import sys
import time
import warnings
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from statistics import median

import numpy as np
import vowpalwabbit
from sklearn.datasets import load_svmlight_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss, roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["k", "tool", "algorithm", "penalty", "lambda", "setting", "passes", "nnz",
           "test_log_loss", "test_auc", "train_seconds", "examples_per_second",
           "load_seconds", "bayes_log_loss"]
# VW's constant (bias) feature hash, from its source (vw/core/constant.h).
VW_CONSTANT_HASH = 11650396
# The peer rows to set beside each of ours: (algorithm, penalty) -> [(tool, algorithm)]. VW's
# `--sgd --l1` is listed under our cumulative penalty too: it subtracts the total accrued penalty
# lazily, which is what our cumulative penalty does once caught up (see KNOWN_DIFFERENCES).
# `vw_raw` stands for the run on our raw ids, whatever its `-b` (tool `vw_b24` at `--bits 24`).
COUNTERPARTS = {
    ("ftrl", "l1"): [("vw", "ftrl"), ("vw_raw", "ftrl")],
    ("ftrl", "l2"): [("vw", "ftrl"), ("vw_raw", "ftrl")],
    ("cumulative_penalty", "l1"): [("sklearn", "cumulative_penalty"), ("vw", "truncated_gradient"),
                                   ("vw_raw", "truncated_gradient")],
    ("truncated_gradient", "l1"): [("vw", "truncated_gradient"), ("vw_raw", "truncated_gradient")],
    ("sgd", "l2"): [("sklearn", "sgd"), ("vw", "sgd"), ("vw_raw", "sgd")],
    ("coordinate_descent", "l1"): [("sklearn", "logistic_regression_liblinear")],
    ("trust_region_newton", "l2"): [("sklearn", "logistic_regression_lbfgs")],
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, nargs="*", default=None,
                        help="one or more k (default 8 when no --spec)")
    parser.add_argument("--spec", nargs="+", default=[],
                        help="specs whose [data.real] rows are compared instead (or besides)")
    parser.add_argument("--data-dir", default=os.environ.get("SPARSECROSS_DATA_DIR"),
                        help="where --spec's data files are (default: SPARSECROSS_DATA_DIR)")
    parser.add_argument("--n-train", type=int, default=200_000)
    parser.add_argument("--n-test", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lambdas", default="1e-6,1e-5,1e-4,1e-3",
                        help="strengths on our mean-loss scale (default %(default)s)")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, fastest kept")
    parser.add_argument("--bits", type=int, default=24,
                        help="VW -b of the run on our raw ids (tool vw_b<bits>; default 24)")
    parser.add_argument("--dir", default="/tmp/sparsecross_peers",
                        help="where the data are exported (default %(default)s)")
    parser.add_argument("--results", default=str(ROOT / "results" / "peers"))
    parser.add_argument("--no-results", action="store_true", help="write nothing under results/")
    parser.add_argument("--skip-ours", action="store_true",
                        help="reuse the export (and our rows) already in --dir")
    args = parser.parse_args()
    if args.k is None:
        args.k = [] if args.spec else [8]
    if args.spec and not args.data_dir:
        sys.exit("--spec needs --data-dir (or SPARSECROSS_DATA_DIR): where its data files are")
    return args


def run_ours(args, k, directory, spec=None):
    """Runs the Rust example: exports the data and times our learners on them."""
    source = (["--spec", str(spec), "--data-dir", str(args.data_dir)] if spec else
              ["--k", str(k), "--n-train", str(args.n_train), "--n-test", str(args.n_test)])
    command = ["cargo", "run", "--release", "-q", "-p", "benches", "--example", "peer_data", "--",
               *source, "--seed", str(args.seed), "--out", str(directory), "--lambdas",
               args.lambdas, "--passes", str(args.passes), "--repeats", str(args.repeats)]
    print("$ " + " ".join(command), flush=True)
    done = subprocess.run(command, cwd=ROOT)
    if done.returncode != 0:
        sys.exit("the peer_data example failed (exit %d)" % done.returncode)


def load_libsvm(path, dimension):
    """CSR matrix with 32-bit indices (scikit-learn 1.9 rejects 64-bit ones) and 0/1 labels."""
    X, y = load_svmlight_file(str(path), n_features=dimension, zero_based=False)
    X.indices = X.indices.astype(np.int32)
    X.indptr = X.indptr.astype(np.int32)
    return X, y


def timed(function, repeats):
    """(fastest seconds, last result) over `repeats` calls."""
    best, result = math.inf, None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def row(meta, tool, algorithm, penalty, lam, setting, nnz, y_test, p_test, seconds, load,
        passes=None):
    """One result row; `passes` defaults to the export's, 0 marks a batch fit (whose examples
    per second count the training rows once)."""
    passes = meta["passes"] if passes is None else passes
    steps = meta["n_train"] * max(passes, 1)
    return {"k": meta["k"], "tool": tool, "algorithm": algorithm, "penalty": penalty,
            "lambda": lam, "setting": setting, "passes": passes, "nnz": int(nnz),
            "test_log_loss": float(log_loss(y_test, p_test, labels=[0, 1])),
            "test_auc": float(roc_auc_score(y_test, p_test)),
            "train_seconds": seconds, "examples_per_second": steps / seconds,
            "load_seconds": load, "bayes_log_loss": nan_if_none(meta["bayes_log_loss"])}


def nan_if_none(value):
    """JSON has no NaN: a value the data cannot have (no Bayes line on real data) is null."""
    return float("nan") if value is None else value


class VowpalWabbit:
    """VW runs from a cache file built once; models saved predict-only (truncated) and counted.

    pyvw runs VW's own driver only when `-d`, `--data` or `--passes` is among the arguments, so
    every run names the data explicitly; `-d train.vw` with an existing cache reads the cache.
    """

    def __init__(self, meta, directory, bits, stem=""):
        self.meta, self.dir, self.bits = meta, directory, bits
        self.mask = (1 << bits) - 1
        self.train_text = directory / ("train%s.vw" % stem)
        self.test_text = directory / ("test%s.vw" % stem)
        self.cache = directory / ("train%s_b%d.cache" % (stem, bits))
        self.model = directory / ("vw_model%s_b%d.bin" % (stem, bits))
        self.readable = directory / ("vw_model%s_b%d.txt" % (stem, bits))
        self.predictions = directory / ("vw_test%s_b%d.pred" % (stem, bits))
        if self.cache.exists():
            self.cache.unlink()
        start = time.perf_counter()
        # Test-only pass over the text: parses and writes the cache, learns nothing.
        self._run("-d %s --cache_file %s -k -t -b %d --quiet" % (self.train_text, self.cache, bits))
        self.load_seconds = time.perf_counter() - start

    @staticmethod
    def _run(arguments):
        """Runs VW to completion; returns the number of examples it processed."""
        workspace = vowpalwabbit.Workspace(arguments)
        examples = workspace.get_weighted_examples()
        workspace.finish()
        return examples

    def namespace_hash(self):
        workspace = vowpalwabbit.Workspace("--quiet -b %d" % self.bits)
        hashed = workspace.hash_space("f")
        workspace.finish()
        return hashed

    def collisions(self, ids):
        """How VW's hashing treats the feature names `ids`: a numeric name hashes to name +
        hash('f'), masked to `bits`, so two names collide only when they are congruent modulo
        2^bits."""
        slots = (ids.astype(np.int64) + self.namespace_hash()) & self.mask
        return {"vw_bits": self.bits, "ids_seen": int(len(ids)),
                "ids_sharing_a_slot": int(len(ids) - len(np.unique(slots))),
                "ids_on_constant_slot": int(np.count_nonzero(slots == VW_CONSTANT_HASH & self.mask))}

    def _training_arguments(self, options, source):
        return ("%s -b %d --loss_function logistic --quiet --holdout_off --passes %d %s -f %s "
                "--predict_only_model" % (source, self.bits, self.meta["passes"], options,
                                          self.model))

    def train(self, options, repeats, from_cache=True):
        """Seconds (fastest of `repeats`) to train and save the binary model."""
        source = "-d %s" % self.train_text
        if from_cache:
            source += " --cache_file %s" % self.cache
        arguments = self._training_arguments(options, source)
        expected = self.meta["n_train"] * self.meta["passes"]
        seconds, examples = timed(lambda: self._run(arguments), repeats)
        if examples != expected:
            sys.exit("VW trained on %s examples, expected %d: %s" % (examples, expected, arguments))
        return seconds

    def reading_seconds(self, repeats):
        """Fastest pass over the cache that only predicts (zero weights, no learning): VW's cost
        of reading and setting up examples, a floor under its training times."""
        arguments = "-d %s --cache_file %s -b %d -t --quiet" % (self.train_text, self.cache,
                                                                self.bits)
        return timed(lambda: self._run(arguments), repeats)[0]

    def predict_and_count(self):
        """Test probabilities from the saved model, and its nonzero weights (constant excluded):
        the readable model, written while the model is loaded, lists nonzero weights only."""
        self._run("-i %s -t -d %s -p %s --link logistic --quiet --readable_model %s"
                  % (self.model, self.test_text, self.predictions, self.readable))
        count = count_readable_nonzeros(self.readable, self.bits)
        return np.loadtxt(self.predictions, usecols=0, ndmin=1), count


def count_readable_nonzeros(readable, bits):
    """Nonzero weights of a VW readable model (`index:weight` lines; VW writes nonzero weights
    only), the constant's slot at `-b bits` excluded."""
    constant = VW_CONSTANT_HASH & ((1 << bits) - 1)
    count = 0
    with open(readable) as lines:
        for text in lines:
            index, _, value = text.rstrip("\n").partition(":")
            if index.isdigit() and value and ":" not in value and int(index) != constant:
                count += 1
    return count


def namespace_hash(bits):
    """VW's hash of our namespace `f` (what a numeric feature name is added to)."""
    workspace = vowpalwabbit.Workspace("--quiet -b %d" % bits)
    hashed = workspace.hash_space("f")
    workspace.finish()
    return hashed


def compact_names(ids):
    """The smallest `-b` that holds `ids` apart, and each id's new feature name there.

    Renumbered by rank, names `offset + rank` hash to the consecutive slots after the constant's
    (`(offset + rank + hash('f')) mod 2^b = constant + 1 + rank`), so m ids need 2^b >= m + 1.
    """
    bits = max(1, math.ceil(math.log2(len(ids) + 1)))
    mask = (1 << bits) - 1
    offset = ((VW_CONSTANT_HASH & mask) + 1 - namespace_hash(bits)) & mask
    return bits, {int(i): offset + rank for rank, i in enumerate(ids)}


def write_renamed_vw(source, target, names):
    """Copies a VW text file (`label |f id[:value] ...`), renaming every id by `names`."""
    with open(source) as reader, open(target, "w") as writer:
        for text in reader:
            head, _, features = text.rstrip("\n").partition("|f")
            renamed = []
            for token in features.split():
                name, colon, value = token.partition(":")
                renamed.append("%d%s%s" % (names[int(name)], colon, value))
            writer.write("%s|f %s\n" % (head, " ".join(renamed)))


def vw_settings(meta, lam):
    """(algorithm, penalty, VW options) at strength `lam` on our scale: FTRL (L1, L2), truncated
    gradient (with our step sizes via `--sgd`, and with VW's defaults), SGD with L2. `--sgd`
    needs `-l`: without it VW's non-adaptive default learning rate is 10, not 0.5."""
    steps = meta["n_train"] * meta["passes"]
    ftrl = "--ftrl_alpha %g --ftrl_beta %g" % (meta["ftrl_alpha"], meta["ftrl_beta"])
    sgd = "--sgd -l %g --power_t 0.5" % meta["eta0"]
    return [
        ("ftrl", "l1", "--ftrl --l1 %g %s" % (lam * steps, ftrl)),
        ("ftrl", "l2", "--ftrl --l2 %g %s" % (lam * steps, ftrl)),
        ("truncated_gradient", "l1", "%s --l1 %g" % (sgd, lam)),
        ("truncated_gradient_vw_defaults", "l1", "--l1 %g" % lam),
        ("sgd", "l2", "%s --l2 %g" % (sgd, lam)),
    ]


def vw_rows(meta, vw, tool, y_test, repeats):
    """VW at every lambda and setting of `vw_settings`; `setting` starts with its `-b`."""
    rows = []
    for lam in meta["lambdas"]:
        for algorithm, penalty, options in vw_settings(meta, lam):
            seconds = vw.train(options, repeats)
            probabilities, nonzero = vw.predict_and_count()
            rows.append(row(meta, tool, algorithm, penalty, lam, "-b %d %s" % (vw.bits, options),
                            nonzero, y_test, probabilities, seconds, vw.load_seconds))
            print(line(rows[-1]), flush=True)
    return rows


def sklearn_rows(meta, X, y, X_test, y_test, load_seconds, repeats):
    """SGDClassifier at every lambda: our step sizes (invscaling) for L1 and L2; defaults for L1."""
    common = dict(loss="log_loss", max_iter=meta["passes"], tol=None, shuffle=False,
                  random_state=0, fit_intercept=True)
    matched = dict(learning_rate="invscaling", eta0=meta["eta0"], power_t=0.5)
    rows = []
    for lam in meta["lambdas"]:
        settings = [
            ("cumulative_penalty", "l1", matched),
            ("sgd", "l2", matched),
            ("cumulative_penalty_sklearn_defaults", "l1", {}),
        ]
        for algorithm, penalty, schedule in settings:
            def fit():
                model = SGDClassifier(penalty=penalty, alpha=lam, **common, **schedule)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    return model.fit(X, y)
            seconds, model = timed(fit, repeats)
            text = "alpha=%g %s" % (lam, " ".join("%s=%s" % kv for kv in schedule.items())
                                    or "learning_rate=optimal")
            rows.append(row(meta, "sklearn", algorithm, penalty, lam, text,
                            np.count_nonzero(model.coef_), y_test,
                            model.predict_proba(X_test)[:, 1], seconds, load_seconds))
            print(line(rows[-1]), flush=True)
    return rows


def objective(model, X, y, lam, penalty):
    """Our training objective at `model`: mean log loss + lam R(w), R = |w|_1 or |w|^2 / 2,
    the intercept unpenalized (what our batch rows report, so the two can be compared)."""
    p = model.predict_proba(X)[:, 1]
    w = model.coef_.ravel()
    r = np.abs(w).sum() if penalty == "l1" else 0.5 * float(w @ w)
    return float(log_loss(y, p, labels=[0, 1])) + lam * r


def logistic_regression_rows(meta, X, y, X_test, y_test, load_seconds, repeats):
    """scikit-learn's batch `LogisticRegression` at every lambda, C = 1 / (n lambda): L1 by
    liblinear (`intercept_scaling=10`: liblinear penalizes its intercept column, a larger scale
    penalizes the bias less), L2 by lbfgs (bias unpenalized, as ours); default tolerances."""
    n = X.shape[0]
    settings = [("logistic_regression_liblinear", "l1",
                 dict(l1_ratio=1.0, solver="liblinear", intercept_scaling=10.0,
                      random_state=0)),
                ("logistic_regression_lbfgs", "l2", dict(l1_ratio=0.0, solver="lbfgs",
                                                         max_iter=1000))]
    rows = []
    for lam in meta["lambdas"]:
        for algorithm, penalty, options in settings:
            def fit():
                model = LogisticRegression(C=1.0 / (n * lam), **options)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    return model.fit(X, y)
            seconds, model = timed(fit, repeats)
            text = "C=1/(n lambda)=%g %s objective=%.10f" % (1.0 / (n * lam), " ".join(
                "%s=%s" % kv for kv in options.items()), objective(model, X, y, lam, penalty))
            rows.append(row(meta, "sklearn", algorithm, penalty, lam, text,
                            np.count_nonzero(model.coef_), y_test,
                            model.predict_proba(X_test)[:, 1], seconds, load_seconds, passes=0))
            print(line(rows[-1]), flush=True)
    return rows


def line(r):
    return ("%-11s %-34s %-3s %8.0e %8d %9.5f %7.4f %8.3f %10.0f"
            % (r["tool"], r["algorithm"], r["penalty"], float(r["lambda"]), int(r["nnz"]),
               float(r["test_log_loss"]), float(r["test_auc"]), float(r["train_seconds"]),
               float(r["examples_per_second"])))


HEADER = ("%-11s %-34s %-3s %8s %8s %9s %7s %8s %10s"
          % ("tool", "algorithm", "pen", "lambda", "nnz", "logloss", "auc", "train_s",
             "examples/s"))


def command_output(command):
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    cpu = "unknown"
    memory = "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal"):
                memory = "%.1f GiB" % (int(text.split()[1]) / 2**20)
                break
    except OSError:
        pass
    dirty = command_output(["git", "status", "--porcelain", "--untracked-files=no"])
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory,
            "os": platform.platform(), "python": platform.python_version(),
            "vowpalwabbit": version("vowpalwabbit"), "scikit-learn": version("scikit-learn"),
            "numpy": version("numpy"), "scipy": version("scipy"),
            "rustc": command_output(["rustc", "--version"]),
            "commit": command_output(["git", "rev-parse", "--short", "HEAD"])
            + (" (with uncommitted changes)" if dirty not in ("", "unknown") else ""),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def compare(args, section, k=None, spec=None):
    """Both sides on one data set: synthetic at `k`, or `spec`'s real rows."""
    directory = Path(args.dir) / section
    if not args.skip_ours:
        run_ours(args, k, directory, spec)
    meta = json.loads((directory / "meta.json").read_text())
    raw = "vw_b%d" % args.bits
    ours = read_rows(directory / "ours.csv")
    load_start = time.perf_counter()
    X, y = load_libsvm(directory / "train.svm", meta["dimension"])
    sklearn_load = time.perf_counter() - load_start
    X_test, y_test = load_libsvm(directory / "test.svm", meta["dimension"])
    prob_path = directory / "test.prob"
    bayes_here = (float(log_loss(y_test, np.loadtxt(prob_path), labels=[0, 1]))
                  if prob_path.exists() else None)
    ids = np.unique(np.concatenate([X.indices, X_test.indices]))
    # VW twice: ids renumbered for its smallest collision-free table, and our raw ids at --bits.
    compact_bits, names = compact_names(ids)
    for split in ("train", "test"):
        write_renamed_vw(directory / ("%s.vw" % split), directory / ("%s_compact.vw" % split),
                         names)
    renamed = np.array(sorted(names.values()), dtype=np.int64)
    runs = {"vw": VowpalWabbit(meta, directory, compact_bits, "_compact"),
            raw: VowpalWabbit(meta, directory, args.bits)}
    hashing = {"vw": runs["vw"].collisions(renamed), raw: runs[raw].collisions(ids)}
    hashing["vw"]["ids_renumbered"] = True
    hashing[raw]["ids_renumbered"] = False
    if hashing["vw"]["ids_sharing_a_slot"] or hashing["vw"]["ids_on_constant_slot"]:
        sys.exit("renumbered ids collide at -b %d: %s" % (compact_bits, hashing["vw"]))
    facts = {"k": meta["k"], "name": meta.get("name", section), "spec": meta.get("spec"),
             "batch_tol": meta.get("batch_tol"), "raw_tool": raw,
             "dimension": meta["dimension"], "n_train": meta["n_train"],
             "n_test": meta["n_test"], "seed": meta["seed"], "passes": meta["passes"],
             "repeats": args.repeats, "touched_train_ids": meta["touched_train_ids"],
             "bayes_log_loss_ours": meta["bayes_log_loss"], "bayes_log_loss_sklearn": bayes_here,
             "load_seconds": {"sparsecross": meta["load_seconds"], "sklearn": sklearn_load,
                              "vw": runs["vw"].load_seconds, raw: runs[raw].load_seconds},
             "vw_hashing": hashing, "eta0": meta["eta0"],
             "ftrl_alpha": meta["ftrl_alpha"], "ftrl_beta": meta["ftrl_beta"],
             "truncation_period": meta["truncation_period"],
             "load_average_before": os.getloadavg()}
    print("\n%s: dimension %d, %d distinct ids in training; Bayes test log loss %s (ours), "
          "%s (sklearn.metrics on the same probabilities)"
          % (section, meta["dimension"], meta["touched_train_ids"], meta["bayes_log_loss"],
             bayes_here))
    print("load: ours %.3f s, sklearn %.3f s, VW cache %.3f s (renumbered), %.3f s (raw ids); "
          "VW hashing: %s"
          % (meta["load_seconds"], sklearn_load, runs["vw"].load_seconds,
             runs[raw].load_seconds, hashing))
    print(HEADER)
    for r in ours:
        print(line(r))
    rows = list(ours)
    for tool, vw in runs.items():
        rows += vw_rows(meta, vw, tool, y_test, args.repeats)
    vw = runs["vw"]
    ftrl_options = vw_settings(meta, max(meta["lambdas"]))[0][2]
    facts["vw_timing_checks"] = {
        "bits": vw.bits,
        "options": ftrl_options,
        "from_cache_seconds": vw.train(ftrl_options, args.repeats),
        "from_text_seconds": vw.train(ftrl_options, args.repeats, from_cache=False),
        "cache_read_and_predict_only_seconds": vw.reading_seconds(args.repeats)}
    print("VW timing checks: %s" % facts["vw_timing_checks"])
    rows += sklearn_rows(meta, X, y, X_test, y_test, sklearn_load, args.repeats)
    if spec:
        rows += logistic_regression_rows(meta, X, y, X_test, y_test, sklearn_load, args.repeats)
    facts["load_average_after"] = os.getloadavg()
    return rows, facts


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for r in rows:
            writer.writerow({key: r[key] for key in COLUMNS})


# ---- peers.md: rebuilt from every peers_k*.csv / .json under the results directory ----------

# Rows whose test log loss is within this of the best row count as "the same accuracy".
SAME_ACCURACY = 1e-3

KNOWN_DIFFERENCES = """\
Known differences between the implementations (why equal `lambda` need not give equal counts):

- **VW `--l1`** keeps raw weights untruncated during a pass and subtracts the *total* gravity
  `sum_t eta_t lambda` (clipped at 0) only when a weight is read, and for good at `sync_weights`
  (end of pass, or once gravity exceeds 1000). A weight thus pays the whole penalty accrued
  since the last sync at once, which is what our `cumulative_penalty` amounts to once every
  weight is caught up at export; it is not Langford et al.'s clip-at-zero every `K` steps (our
  `truncated_gradient`, `K` = {K}), where a weight that hits zero is forgiven the rest of its
  penalty. With VW's default adaptive, normalized updates the gravity grows with the global
  step while weights move with smaller per-coordinate steps, so `--l1 lambda` acts far more
  strongly than our `lambda`. VW also regularizes its constant; we never penalize the bias.
- **scikit-learn's cumulative penalty** is applied to a weight only when its feature occurs; a
  feature's weight keeps whatever it had at its last occurrence. Ours applies the same rule and
  then, at model export, catches every weight up on the penalty accrued since it was last seen
  (the lazy-update convention of the rest of the project), so it reports fewer nonzeros at equal
  `lambda`. scikit-learn also decays its intercept updates by 0.01 on sparse input.
- **FTRL** is the same algorithm on both sides (McMahan et al. 2013, Algorithm 1, same alpha, beta
  and total-scale lambda); VW computes in float32 and penalizes its constant.
- **scikit-learn's default** `learning_rate='optimal'` takes `eta_t = 1 / (alpha (t0 + t))`, huge
  at small alpha: the `_sklearn_defaults` rows show what a user gets without tuning.
- **Cost model**: VW allocates `2^b` slots (4 floats each with `--ftrl` or its adaptive
  defaults) and touches them page by page, scikit-learn dense arrays of the full
  dimension (coefficients, and the cumulative-penalty record for L1); ours holds a hash-map entry
  per touched coordinate.
"""


def read_rows(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for r in rows:
        for key in ("k", "passes", "nnz"):
            r[key] = int(r[key])
        for key in ("lambda", "test_log_loss", "test_auc", "train_seconds",
                    "examples_per_second", "load_seconds", "bayes_log_loss"):
            r[key] = float(r[key]) if r[key] != "" else float("nan")
    return rows


def label(r):
    return "%s %s %s lambda=%g" % (r["tool"], r["algorithm"], r["penalty"], r["lambda"])


def markdown_table(header, body):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in cells) + " |" for cells in body]
    return "\n".join(lines)


def pairs(rows):
    """Each of our rows beside the peer row running the same algorithm at the same lambda."""
    index = {(r["tool"], r["algorithm"], r["penalty"], r["lambda"]): r for r in rows}
    raw = next((r["tool"] for r in rows if r["tool"].startswith("vw_b")), "vw_b24")
    matched = []
    for r in rows:
        if r["tool"] != "sparsecross":
            continue
        for tool, algorithm in COUNTERPARTS[(r["algorithm"], r["penalty"])]:
            tool = raw if tool == "vw_raw" else tool
            peer = index.get((tool, algorithm, r["penalty"], r["lambda"]))
            if peer:
                matched.append((r, peer))
    return matched


def reading(rows, facts, matched):
    """The paragraph reading one k's results, computed from the rows."""
    best = min(rows, key=lambda r: r["test_log_loss"])
    close = [r for r in rows if r["test_log_loss"] <= best["test_log_loss"] + SAME_ACCURACY]
    far = sorted((r for r in rows if r not in close), key=lambda r: r["test_log_loss"])
    bayes = facts["bayes_log_loss_ours"]
    text = ["Best test log loss %.5f (%s)%s. %d of %d rows are within %g of the best"
            % (best["test_log_loss"], label(best),
               "; Bayes %.5f" % bayes if bayes is not None else " (real data: no Bayes line)",
               len(close), len(rows), SAME_ACCURACY)]
    if far:
        groups = {}
        for r in far:
            groups.setdefault((r["tool"], r["algorithm"], r["penalty"]), []).append(r)
        text[-1] += "; the others: " + "; ".join(
            "%s %s %s at lambda %s (up to %.4f)"
            % (tool, algorithm, penalty, ", ".join("%g" % r["lambda"] for r in group),
               max(r["test_log_loss"] for r in group))
            for (tool, algorithm, penalty), group in groups.items())
    text[-1] += "."
    sparsest = []
    raw = facts.get("raw_tool", "vw_b24")
    for tool in ("sparsecross", "vw", raw, "sklearn"):
        candidates = [r for r in close if r["tool"] == tool]
        if candidates:
            r = min(candidates, key=lambda r: (r["nnz"], r["test_log_loss"]))
            sparsest.append("%s %s at lambda %g: %d (log loss %.5f)"
                            % (tool, r["algorithm"], r["lambda"], r["nnz"], r["test_log_loss"]))
    l2_counts = [r["nnz"] for r in rows if r["penalty"] == "l2"]
    text.append("Fewest nonzero weights at that accuracy, per tool: " + "; ".join(sparsest)
                + ". The L2 rows keep %d to %d nonzero weights; %d ids occur in training."
                % (min(l2_counts), max(l2_counts), facts["touched_train_ids"]))
    agreement = {}
    for ours_row, peer in matched:
        key = (ours_row["algorithm"], ours_row["penalty"], peer["tool"], peer["algorithm"])
        agreement.setdefault(key, []).append(
            (peer["nnz"] / max(ours_row["nnz"], 1),
             abs(peer["test_log_loss"] - ours_row["test_log_loss"])))
    text.append("Same algorithm at the same lambda, peer nonzeros / ours and largest log-loss "
                "gap: " + "; ".join(
                    "%s %s vs %s %s: %.2f-%.2f, %.1e"
                    % (algorithm, penalty, tool, peer_algorithm, min(r for r, _ in values),
                       max(r for r, _ in values), max(gap for _, gap in values))
                    for (algorithm, penalty, tool, peer_algorithm), values in agreement.items())
                + ".")
    ratios = {}
    for ours_row, peer in matched:
        key = (ours_row["algorithm"], ours_row["penalty"], peer["tool"], peer["algorithm"])
        ratios.setdefault(key, []).append(
            (ours_row["examples_per_second"], peer["examples_per_second"]))
    speeds = ["%s %s %.1fx %s %s (%.2f vs %.2f M examples/s)"
              % (algorithm, penalty, median([o / p for o, p in pairs_]), tool, peer_algorithm,
                 median([o for o, _ in pairs_]) / 1e6, median([p for _, p in pairs_]) / 1e6)
              for (algorithm, penalty, tool, peer_algorithm), pairs_ in ratios.items()]
    text.append("Speed, same algorithm, median over the lambdas (ours / peer): %s."
                % "; ".join(speeds))
    load = facts["load_seconds"]
    text.append("Parsing the training text (not in the training times): ours %.3f s, "
                "scikit-learn `load_svmlight_file` %.3f s, VW text to cache %.3f s (renumbered "
                "ids, `-b %d`) and %.3f s (raw ids, `-b %d`)."
                % (load["sparsecross"], load["sklearn"], load["vw"],
                   facts["vw_hashing"]["vw"]["vw_bits"], load[raw],
                   facts["vw_hashing"][raw]["vw_bits"]))
    checks = facts.get("vw_timing_checks")
    if checks:
        text.append("VW `-b %d %s` (renumbered ids) took %.3f s from its cache and %.3f s from "
                    "the text file; a pass over the cache that only predicts (no learning) took "
                    "%.3f s."
                    % (checks["bits"], checks["options"], checks["from_cache_seconds"],
                       checks["from_text_seconds"], checks["cache_read_and_predict_only_seconds"]))
    return " ".join(text)


def render_k(rows, facts):
    m = facts["machine"]
    if facts.get("spec"):
        out = ["## %s (real data)" % facts["name"], "",
               "Data: the train and test splits of `%s`'s `[data.real]` table (its features, "
               "crosses and split, loaded as the runner loads them; split seed %d): %d training "
               "and %d test rows, %d distinct feature ids (renumbered by rank: same features, "
               "compact names), %d of them in training. Online rows: %d pass(es), batch size 1, "
               "rows in file order. Batch rows (`passes` 0): ours `coordinate_descent` (L1) and "
               "`trust_region_newton` (L2) to tol %g from a cold start on the CSR, scikit-learn "
               "`LogisticRegression` at C = 1/(n lambda) with its default tolerance; the `setting` "
               "column gives each batch row's training objective in our convention (mean log "
               "loss + lambda R(w), bias unpenalized), so the batch times are at the objectives "
               "shown, not at a matched one (`liblinear_l2.py` matches objectives). No `-q`: VW "
               "reads our crossed ids, so every tool has the same features. Times are the best "
               "of %d runs."
               % (facts["spec"], facts["seed"], facts["n_train"], facts["n_test"],
                  facts["dimension"], facts["touched_train_ids"], facts["passes"],
                  facts["batch_tol"], facts["repeats"]), ""]
    else:
        out = ["## k = %d" % facts["k"], ""]
        out.append("Data: %d training and %d test rows (seed %d), marginals plus the full k^k "
                   "cross: dimension %d, %d distinct ids in training. Bayes test log loss %.6f "
                   "(`optimizers::eval`), %.6f (`sklearn.metrics.log_loss`, same probabilities). "
                   "%d pass(es), batch size 1, rows in file order; times are the best of %d runs."
                   % (facts["n_train"], facts["n_test"], facts["seed"], facts["dimension"],
                      facts["touched_train_ids"], facts["bayes_log_loss_ours"],
                      facts["bayes_log_loss_sklearn"], facts["passes"], facts["repeats"]))
        out.append("")
    for tool, hashing in facts["vw_hashing"].items():
        out.append("VW hashing, tool `%s` (`-b %d`, %s): %d ids occur in train or test; %d of "
                   "them share a slot with another id, %d falls on the constant's slot."
                   % (tool, hashing["vw_bits"],
                      "ids renumbered by rank, the smallest collision-free table"
                      if hashing["ids_renumbered"] else "our raw ids",
                      hashing["ids_seen"], hashing["ids_sharing_a_slot"],
                      hashing["ids_on_constant_slot"]))
        out.append("")
    out.append("Machine: %s, %s cores, %s, %s; load average %s before, %s after (shared machine). "
               "Python %s, vowpalwabbit %s, scikit-learn %s, numpy %s, scipy %s, %s. Commit %s, "
               "%s. Command: `%s`."
               % (m["cpu"], m["cores"], m["memory"], m["os"],
                  "/".join("%.2f" % v for v in facts["load_average_before"]),
                  "/".join("%.2f" % v for v in facts["load_average_after"]),
                  m["python"], m["vowpalwabbit"], m["scikit-learn"], m["numpy"], m["scipy"],
                  m["rustc"], m["commit"], m["date"], facts["command"]))
    out += ["", "### All rows", ""]
    body = [(r["tool"], r["algorithm"], r["penalty"], "%g" % r["lambda"],
             "`%s`" % r["setting"], r["nnz"], "%.5f" % r["test_log_loss"],
             "%.4f" % r["test_auc"], "%.3f" % r["train_seconds"],
             "%.0f" % r["examples_per_second"]) for r in rows]
    out.append(markdown_table(["tool", "algorithm", "penalty", "lambda", "setting", "nnz",
                               "test log loss", "AUC", "train s", "examples/s"], body))
    matched = pairs(rows)
    out += ["", "### Same algorithm, same strength", ""]
    body = [("%s %s" % (o["algorithm"], o["penalty"]), "%g" % o["lambda"],
             "%s %s" % (p["tool"], p["algorithm"]),
             o["nnz"], p["nnz"], "%.5f" % o["test_log_loss"], "%.5f" % p["test_log_loss"],
             "%.0f" % o["examples_per_second"], "%.0f" % p["examples_per_second"],
             "%.1f" % (o["examples_per_second"] / p["examples_per_second"]))
            for o, p in matched]
    out.append(markdown_table(["ours", "lambda", "peer", "nnz ours", "nnz peer",
                               "log loss ours", "log loss peer", "ex/s ours", "ex/s peer",
                               "speed ratio"], body))
    out += ["", "### Reading", "", reading(rows, facts, matched), ""]
    return "\n".join(out)


def render(results):
    sections, periods = [], set()
    def order(path):
        number = path.stem[len("peers_k"):]
        return (0, int(number), "") if number.isdigit() else (1, 0, path.stem)
    for path in sorted(results.glob("peers_*.csv"), key=order):
        facts = json.loads(path.with_suffix(".json").read_text())
        periods.add(facts["truncation_period"])
        sections.append(render_k(read_rows(path), facts))
    head = ["# Online learners vs Vowpal Wabbit and scikit-learn, on identical data", "",
            "Generated by `benches/peers/online_peers.py` (see `benches/peers/README.md` for how "
            "to run it and the strength conventions); do not edit by hand. `lambda` is always on "
            "our scale: mean log loss + lambda R(w), R = |w|_1 or |w|^2/2, bias unpenalized. "
            "scikit-learn gets alpha = lambda; VW `--ftrl --l1/--l2` gets lambda * n * passes; "
            "VW `--l1`/`--l2` get lambda. `nnz` excludes the bias; log loss and AUC are on the "
            "test split; training time excludes parsing (reported separately). VW runs twice on "
            "the same rows: `vw` reads the ids renumbered by rank at its smallest collision-free "
            "`-b` (2^b > m, the ids that occur in train or test), `vw_b24` reads our raw ids at "
            "`-b 24`; both `-b` are in the `setting` column.", "",
            KNOWN_DIFFERENCES.format(K="/".join(str(p) for p in sorted(periods)) or "10")]
    return "\n".join(head + sections)


def main():
    args = parse_args()
    if args.passes < 1 or args.repeats < 1:
        sys.exit("--passes and --repeats must be >= 1")
    results = Path(args.results)
    host = machine()
    sections = [("k%d" % k, k, None) for k in args.k]
    sections += [(Path(spec).stem, None, Path(spec).resolve()) for spec in args.spec]
    for section, k, spec in sections:
        rows, facts = compare(args, section, k, spec)
        facts["machine"] = host
        if spec:
            facts["spec"] = os.path.relpath(spec, ROOT)
        facts["command"] = "python3 benches/peers/online_peers.py " + " ".join(sys.argv[1:])
        if not args.no_results:
            results.mkdir(parents=True, exist_ok=True)
            write_csv(results / ("peers_%s.csv" % section), rows)
            (results / ("peers_%s.json" % section)).write_text(json.dumps(facts, indent=2) + "\n")
    if not args.no_results:
        (results / "peers.md").write_text(render(results))
        print("\nwrote %s" % (results / "peers.md"))


if __name__ == "__main__":
    main()
