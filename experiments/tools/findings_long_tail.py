#!/usr/bin/env python3
"""Prints the uniform-vs-long-tail table: per k and method, the selected runs of two sweeps side
by side (nonzero weights of touched features, test log loss ± sd over seeds, the Bayes log loss),
mean over seeds, from the runs.csv of each.

Usage: findings_long_tail.py UNIFORM_REPORT LONG_TAIL_REPORT --k 6,10 --methods reg/opt,...
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def side(rows, reg, opt, k, where):
    runs = list(lib.selected_by_seed(rows, reg, opt, k).values())
    if not runs:
        lib.fail(f"{where}: no selected run of {reg}/{opt} at k = {k}")
    nonzero = lib.count(lib.mean(float(r["nonzero_weights"]) for r in runs))
    touched = lib.count(lib.mean(float(r["features_touched"]) for r in runs))
    bayes = lib.mean(float(r["bayes_log_loss"]) for r in runs)
    return [f"{nonzero} / {touched}", f"{lib.loss([r['log_loss'] for r in runs])} ({bayes:.4f})"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("uniform")
    parser.add_argument("long_tail")
    parser.add_argument("--k", required=True)
    parser.add_argument("--methods", required=True)
    args = parser.parse_args()
    uniform, long_tail = lib.read_runs(args.uniform), lib.read_runs(args.long_tail)
    out = []
    for k in args.k.split(","):
        for reg, opt in (lib.parse_method(m) for m in args.methods.split(",")):
            out.append([k, lib.method_name(reg, opt)] + side(uniform, reg, opt, k, args.uniform)
                       + side(long_tail, reg, opt, k, args.long_tail))
    header = ["k", "method", "uniform: nonzero / touched", "uniform: test log loss (Bayes)",
              "long tail: nonzero / touched", "long tail: test log loss (Bayes)"]
    print(lib.table(header, out, right={2, 3, 4, 5}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
