#!/usr/bin/env python3
"""Prints n_sweep's figures against n from its runs.csv: one row per method, one column per
training-set size, at one k (one seed and one lambda per method, so no selection is involved).

Usage: findings_n_sweep.py REPORT --k K --column COL [--methods reg/opt,...]
       findings_n_sweep.py REPORT --k K --cap

COL: `rate` (examples_per_second, millions), `state` (train_state_bytes), `rss`
(peak_rss_bytes), `log_loss`, `gap` (test log loss minus the test split's Bayes log loss, the
generator's true probabilities), `touched` (features_touched: distinct features seen). A run that ended `memory_exceeded` shows its figure when it
stopped, marked `(cap)`; a batch fit that was not started shows `-`. `--cap` lists instead every
run stopped by the memory cap: rows reached, its training state when it stopped, what it would
have held while its hash table doubles (old and new table at once) and the cap, from the run's
message.
"""
import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402

# Each column: the figure of one run, as text.
COLUMNS = {
    "rate": lambda run: f"{float(run['examples_per_second']) / 1e6:.2f}M",
    "state": lambda run: lib.human_bytes(run["train_state_bytes"]),
    "rss": lambda run: lib.human_bytes(run["peak_rss_bytes"]),
    "log_loss": lambda run: f"{float(run['log_loss']):.4f}",
    "gap": lambda run: f"{float(run['log_loss']) - float(run['bayes_log_loss']):+.4f}",
    "touched": lambda run: lib.count(run["features_touched"]),
}
CAP = re.compile(r"stopped after (\d+) of (\d+) examples: the training state \((\d+) bytes\) would hold "
                 r"(\d+) bytes while its table grows, more than memory_cap = (\d+) bytes")


def value(run, column):
    if run["message"].startswith("not started") or run["status"] not in ("ok", "memory_exceeded"):
        return "-"
    text = COLUMNS[column](run)
    return text + " (cap)" if run["status"] == "memory_exceeded" else text


def pivot(rows, k, column, methods):
    at_k = [r for r in rows if r["k"] == k]
    sizes = sorted({int(r["n_train"]) for r in at_k})
    present = sorted({(r["regularizer"], r["optimizer"]) for r in at_k})
    out = []
    for reg, opt in methods or present:
        runs = {int(r["n_train"]): r for r in at_k if (r["regularizer"], r["optimizer"]) == (reg, opt)}
        if not runs:
            lib.fail(f"no n_sweep runs of {reg}/{opt} at k = {k}")
        out.append([lib.method_name(reg, opt)] + [value(runs[n], column) if n in runs else "-" for n in sizes])
    header = ["method"] + [f"n = 10^{len(str(n)) - 1}" if str(n).strip("0") == "1" else f"n = {n:,}" for n in sizes]
    return lib.table(header, out, right=set(range(1, len(header))))


def capped(rows, k):
    out = []
    for r in sorted((r for r in rows if r["k"] == k and r["status"] == "memory_exceeded"),
                    key=lambda r: (int(r["n_train"]), r["regularizer"], r["optimizer"])):
        match = CAP.search(r["message"])
        if match is None:
            continue
        reached, total, _, would_hold, cap = (int(g) for g in match.groups())
        out.append([lib.method_name(r["regularizer"], r["optimizer"]), f"{total:,}", f"{reached:,}",
                    lib.gib(r["train_state_bytes"]), lib.gib(would_hold), lib.gib(cap)])
    if not out:
        lib.fail(f"no run stopped by the memory cap at k = {k}")
    header = ["method", "n", "rows reached", "training state when stopped",
              "held while its table doubles", "memory cap"]
    return lib.table(header, out, right={1, 2, 3, 4, 5})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--k", required=True)
    parser.add_argument("--column", choices=sorted(COLUMNS))
    parser.add_argument("--methods", default=None)
    parser.add_argument("--cap", action="store_true")
    args = parser.parse_args()
    rows = lib.read_runs(args.report, statuses=None)
    if args.cap:
        print(capped(rows, args.k))
    elif args.column:
        methods = [lib.parse_method(m) for m in args.methods.split(",")] if args.methods else None
        print(pivot(rows, args.k, args.column, methods))
    else:
        lib.fail("give --column COL or --cap")
    return 0


if __name__ == "__main__":
    sys.exit(main())
