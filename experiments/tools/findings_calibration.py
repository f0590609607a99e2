#!/usr/bin/env python3
"""Prints the calibration table of a committed report: for each selected run in its
`calibration.csv` (written when the spec sets `[report] calibration_bins`), the test rows, the
expected calibration error (row-weighted mean |mean predicted - observed rate| over the
equal-count bins), and the top bin (highest predictions): its rows, mean prediction and observed
positive rate, beside the whole test split's mean prediction and positive rate.

Usage: findings_calibration.py REPORT      e.g. findings_calibration.py results/talkingdata
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def read_bins(report):
    path = Path(report) / "calibration.csv"
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as err:
        lib.fail(f"{path}: {err} (the spec needs `[report] calibration_bins`)")
    by_run = defaultdict(list)
    for row in rows:
        by_run[(row["regularizer"], row["optimizer"], row["seed"], row["lambda"])].append(row)
    return by_run


def summary(bins):
    bins = sorted(bins, key=lambda b: int(b["bin"]))
    rows = [int(b["rows"]) for b in bins]
    predicted = [float(b["mean_predicted"]) for b in bins]
    observed = [float(b["observed_rate"]) for b in bins]
    total = sum(rows)
    ece = sum(n * abs(p - o) for n, p, o in zip(rows, predicted, observed)) / total
    mean_p = sum(n * p for n, p in zip(rows, predicted)) / total
    mean_o = sum(n * o for n, o in zip(rows, observed)) / total
    return total, ece, mean_p, mean_o, rows[-1], predicted[-1], observed[-1]


def main():
    if len(sys.argv) != 2:
        lib.fail(__doc__)
    header = ["method", "seed", "lambda", "test rows", "ECE", "mean predicted", "positive rate",
              "top bin rows", "top bin predicted", "top bin observed"]
    lines = []
    for (reg, opt, seed, lam), bins in sorted(read_bins(sys.argv[1]).items()):
        total, ece, mean_p, mean_o, top_n, top_p, top_o = summary(bins)
        lines.append([lib.method_name(reg, opt), seed, f"{float(lam):.4g}", lib.count(total),
                      f"{ece:.5f}", f"{mean_p:.5f}", f"{mean_o:.5f}", lib.count(top_n),
                      f"{top_p:.4f}", f"{top_o:.4f}"])
    print(lib.table(header, lines, right=range(1, len(header))))


if __name__ == "__main__":
    main()
