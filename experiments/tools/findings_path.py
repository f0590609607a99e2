#!/usr/bin/env python3
"""Prints one method's lambda path from a report's runs.csv: per lambda, mean ± sd over seeds of
the nonzero weights, validation and test log loss (a data set without a test split shows
no test column), where the point came from (`origin`: the
spec's grid, the lambda search past an edge, the budget search) and in how many seeds it was the
selected one; optionally how many seeds meet a task (fewer nonzero weights than N and a
validation log loss below X, as the Crash Course exercise asks).

Usage: findings_path.py REPORT --method reg/opt [--k K] [--origin grid,edge_search]
                        [--task-nonzero-below N --task-validation-below X]

`--origin` keeps the points of the listed origins (default: every origin).
"""
import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def point(lam, runs, task):
    nonzero = [float(r["nonzero_weights"]) for r in runs]
    row = [f"{lam:g}", ", ".join(sorted({r["origin"] for r in runs})),
           f"{lib.count(lib.mean(nonzero))} ± {lib.spread(nonzero):.0f}" if len(runs) > 1 else lib.count(nonzero[0]),
           lib.loss([r["validation_log_loss"] for r in runs]), lib.loss([r["log_loss"] for r in runs]),
           f"{sum(r['selected'] == 'true' for r in runs)} of {len(runs)}"]
    if task:
        below, loss_below = task
        met = sum(float(r["nonzero_weights"]) < below and float(r["validation_log_loss"]) < loss_below
                  for r in runs)
        row.append(f"{met} of {len(runs)}")
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--method", required=True)
    parser.add_argument("--k", default=None)
    parser.add_argument("--origin", default=None)
    parser.add_argument("--task-nonzero-below", type=float, default=None)
    parser.add_argument("--task-validation-below", type=float, default=None)
    args = parser.parse_args()
    reg, opt = lib.parse_method(args.method)
    origins = set(args.origin.split(",")) if args.origin else None
    path = defaultdict(list)
    for r in lib.read_runs(args.report):
        if (r["regularizer"], r["optimizer"]) != (reg, opt) or (args.k and r["k"] != args.k):
            continue
        if origins is None or r["origin"] in origins:
            path[float(r["lambda"])].append(r)
    if not path:
        lib.fail(f"{args.report}: no runs of {reg}/{opt}" + (f" at k = {args.k}" if args.k else ""))
    task = None
    if args.task_nonzero_below is not None and args.task_validation_below is not None:
        task = (args.task_nonzero_below, args.task_validation_below)
    header = ["lambda", "origin", "nonzero weights", "validation log loss", "test log loss", "selected in"]
    if task:
        header.append(f"task met (nonzero < {task[0]:g}, validation log loss < {task[1]:g})")
    rows = [point(lam, path[lam], task) for lam in sorted(path)]
    # A data set without a test split (the Crash Course's) has no test column to show.
    unscored = [i for i in range(len(header)) if all(row[i] == "-" for row in rows)]
    header = [h for i, h in enumerate(header) if i not in unscored]
    rows = [[c for i, c in enumerate(row) if i not in unscored] for row in rows]
    print(lib.table(header, rows, right=set(range(2, len(header)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
