#!/usr/bin/env python3
"""Prints one row per method of a committed report's runs.csv: the selected runs (or, with
`--all`, every run) matching the filters, mean over seeds of the chosen columns.

Usage: findings_table.py REPORT [--where COL=VALUE]... [--methods reg/opt,...] [--columns C,...]
                         [--all]

Columns (default nonzero,model,state,log_loss): `nonzero` (nonzero_weights), `touched`
(features_touched), `model` (model_bytes_sparse), `state` (train_state_bytes), `rss`
(peak_rss_bytes), `heap` (peak_heap_bytes), `rate` (examples_per_second, millions),
`train_s` (train_seconds), `log_loss`, `auc`, `validation_log_loss` (mean ± sd over seeds), and
`outcome`: the test log loss of a run that ended `ok`, else how it ended, read from its message
(`memory cap after N rows`, `not started: about X GiB estimated`). `--methods` gives the rows'
order (default: every method present, sorted). `--all` keeps runs of any status and selection:
use it where each method has one run per seed (one lambda), as in n_sweep.
"""
import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402

NUMERIC = {
    "nonzero": ("nonzero weights", "nonzero_weights", lib.count),
    "touched": ("features touched", "features_touched", lib.count),
    "model": ("model bytes", "model_bytes_sparse", lib.human_bytes),
    "state": ("training state", "train_state_bytes", lib.human_bytes),
    "rss": ("peak RSS", "peak_rss_bytes", lib.human_bytes),
    "heap": ("heap peak", "peak_heap_bytes", lib.human_bytes),
    "rate": ("examples/s", "examples_per_second", lambda v: f"{float(v) / 1e6:.2f}M"),
    "train_s": ("train s", "train_seconds", lambda v: f"{float(v):.1f}"),
}
LOSSES = {"log_loss": "test log loss", "auc": "test AUC", "validation_log_loss": "validation log loss"}


def outcome(runs):
    ended = [r for r in runs if r["status"] != "ok"]
    if not ended:
        return lib.loss([r["log_loss"] for r in runs])
    message = ended[0]["message"]
    stopped = re.search(r"stopped after (\d+) of", message)
    if stopped:
        return f"memory cap after {int(stopped.group(1)):,} rows"
    estimate = re.search(r"hold about (\d+) bytes", message)
    if estimate and message.startswith("not started"):
        return f"not started: about {float(estimate.group(1)) / 2**30:.0f} GiB estimated"
    return ended[0]["status"]


def cell(column, runs):
    ok = [r for r in runs if r["status"] == "ok"]
    if column == "outcome":
        return outcome(runs)
    if column in LOSSES:
        return lib.loss([r[column] for r in ok]) if ok else "-"
    _, field, fmt = NUMERIC[column]
    # A batch fit refused before it started has only an estimate, shown in `outcome`.
    started = [r for r in runs if not r["message"].startswith("not started")]
    values = [float(r[field]) for r in started if r[field] not in ("", "NaN") and float(r[field]) > 0]
    return fmt(lib.mean(values)) if values else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--where", action="append", default=[])
    parser.add_argument("--methods", default=None)
    parser.add_argument("--columns", default="nonzero,model,state,log_loss")
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args()
    columns = args.columns.split(",")
    unknown = [c for c in columns if c not in NUMERIC and c not in LOSSES and c != "outcome"]
    if unknown:
        lib.fail(f"unknown column(s) {', '.join(unknown)}")
    rows = lib.read_runs(args.report, statuses=None if args.all else ("ok",))
    for condition in args.where:
        col, _, value = condition.partition("=")
        if rows and col not in rows[0]:
            lib.fail(f"{args.report}/runs.csv: no column `{col}`")
        rows = [r for r in rows if r[col] == value]
    if not args.all:
        rows = [r for r in rows if r["selected"] == "true"]
    present = sorted({(r["regularizer"], r["optimizer"]) for r in rows})
    methods = [lib.parse_method(m) for m in args.methods.split(",")] if args.methods else present
    out = []
    for reg, opt in methods:
        runs = [r for r in rows if (r["regularizer"], r["optimizer"]) == (reg, opt)]
        if not runs:
            lib.fail(f"{args.report}: no {'runs' if args.all else 'selected runs'} of {reg}/{opt} "
                     f"with {' '.join(args.where) or 'no filter'}")
        out.append([lib.method_name(reg, opt)] + [cell(c, runs) for c in columns])
    header = ["method"] + [NUMERIC[c][0] if c in NUMERIC else LOSSES.get(c, "test log loss, or how it ended")
                           for c in columns]
    print(lib.table(header, out, right=set(range(1, len(header)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
