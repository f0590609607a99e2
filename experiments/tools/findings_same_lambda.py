#!/usr/bin/env python3
"""Prints methods against a base at the same lambda, seed by seed, from a report's runs.csv: the
ratio of a column (method / base; e.g. nonzero weights, training state) and the paired
difference of test log loss, per lambda and method, then one line per method with the range of
the ratio and the largest |difference| over every lambda and seed.

Usage: findings_same_lambda.py REPORT --base reg/opt --methods reg/opt,... [--column COL]
                               [--k K] [--origin grid] [--summary]

COL is a runs.csv column (default nonzero_weights). Only lambdas that the base and the method
both ran, with the same seed, are paired; `--origin grid` (the default) keeps the spec's grid
points and leaves out the points the lambda search added (`--origin any` keeps every point).
`--summary` prints only the closing lines, one per method.
"""
import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def by_lambda_seed(rows, reg, opt):
    found = defaultdict(dict)
    for r in rows:
        if (r["regularizer"], r["optimizer"]) == (reg, opt):
            found[float(r["lambda"])][r["seed"]] = r
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--base", required=True)
    parser.add_argument("--methods", required=True)
    parser.add_argument("--column", default="nonzero_weights")
    parser.add_argument("--k", default=None)
    parser.add_argument("--origin", default="grid")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    rows = [r for r in lib.read_runs(args.report)
            if (args.k is None or r["k"] == args.k) and (args.origin == "any" or r["origin"] == args.origin)]
    base = by_lambda_seed(rows, *lib.parse_method(args.base))
    table, summary = [], []
    for reg, opt in (lib.parse_method(m) for m in args.methods.split(",")):
        runs, ratios, diffs = by_lambda_seed(rows, reg, opt), [], []
        for lam in sorted(set(base) & set(runs)):
            seeds = sorted(set(base[lam]) & set(runs[lam]))
            ratio = [float(runs[lam][s][args.column]) / max(float(base[lam][s][args.column]), 1.0)
                     for s in seeds]
            diff = [float(runs[lam][s]["log_loss"]) - float(base[lam][s]["log_loss"]) for s in seeds]
            ratios += ratio
            diffs += diff
            table.append([f"{lam:g}", lib.method_name(reg, opt), f"{lib.mean(ratio):.2f}x",
                          f"{min(ratio):.2f}-{max(ratio):.2f}x", f"{lib.mean(diff):+.5f}",
                          f"{max(abs(d) for d in diff):.5f}", str(len(seeds))])
        if not ratios:
            lib.fail(f"{args.report}: {reg}/{opt} shares no (lambda, seed) with {args.base}")
        summary.append(f"- {lib.method_name(reg, opt)} against {lib.method_name(*lib.parse_method(args.base))}: "
                       f"`{args.column}` {min(ratios):.2f}x to {max(ratios):.2f}x, largest |Δ test log loss| "
                       f"{max(abs(d) for d in diffs):.5f}, over {len(ratios)} (lambda, seed) pairs")
    header = ["lambda", "method", f"{args.column}: method / base (mean)", "min-max over seeds",
              "Δ test log loss (mean)", "largest \\|Δ\\|", "seeds"]
    if not args.summary:
        print(lib.table(header, table, right={2, 3, 4, 5, 6}))
        print()
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
