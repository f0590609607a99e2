#!/usr/bin/env python3
"""Prints, from a report's `runs.csv`, the paired per-seed differences of the test log loss of the
headline methods against a reference method: per k, each method's selected run minus the
reference's selected run of the same seed, as the mean over seeds and the standard deviation of
those differences, beside the standard deviation over seeds of the reference's own log loss and
the number of seeds in which the method's log loss is the lower.

A difference between two methods is judged against the noise of that difference: both methods
see the same data set in a seed, so most of the seed-to-seed spread cancels in the pair.

Usage: experiments/tools/guide_paired.py results/k_sweep [K ...]   (default K: 4 8 10)
"""
import csv
import statistics
import sys
from pathlib import Path

# (regularizer, optimizer label, name): the first is the reference, as in headline_table.py.
METHODS = [
    ("l2", "sgd", "L2 · SGD (lazy L2)"),
    ("l1", "ftrl", "L1 · FTRL-Proximal"),
    ("l1", "coordinate_descent", "L1 · coordinate descent (batch)"),
    ("l0", "hard_threshold", "L0 · online hard threshold"),
    ("l0", "ftrl_count3", "L0-like · FTRL-L1 + count admission (n = 3)"),
    ("l0", "iht", "L0 · IHT (batch)"),
]


def selected_losses(report: Path) -> dict:
    """(k, regularizer, optimizer) -> {seed: test log loss} of the selected (not refit) runs."""
    path = report / "runs.csv"
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise SystemExit(f"{path}: {e}")
    out = {}
    for r in rows:
        if r["selected"] == "true" and not r["run_id"].endswith("-refit"):
            out.setdefault((r["k"], r["regularizer"], r["optimizer"]), {})[r["seed"]] = float(r["log_loss"])
    return out


def sd(values: list) -> float:
    return statistics.stdev(values) if len(values) > 1 else float("nan")


def signed(value: float) -> str:
    """Four decimals with a sign, and no sign on a value that rounds to zero."""
    text = f"{value:+.4f}"
    return "0.0000" if text in ("+0.0000", "-0.0000") else text


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    report = Path(sys.argv[1])
    ks = sys.argv[2:] or ["4", "8", "10"]
    losses = selected_losses(report)
    ref_reg, ref_opt, ref_name = METHODS[0]
    print(f"| k | method | minus {ref_name}, same seed: mean | sd of the differences "
          f"| sd over seeds of {ref_name} | seeds where lower |")
    print("|---:|---|---:|---:|---:|---:|")
    for k in ks:
        ref = losses.get((k, ref_reg, ref_opt))
        if not ref:
            raise SystemExit(f"{report}/runs.csv: no selected {ref_reg}/{ref_opt} rows at k = {k}")
        for reg, opt, name in METHODS[1:]:
            runs = losses.get((k, reg, opt), {})
            seeds = sorted(set(runs) & set(ref), key=int)
            if not seeds:
                raise SystemExit(f"{report}/runs.csv: no selected {reg}/{opt} rows at k = {k}")
            diffs = [runs[s] - ref[s] for s in seeds]
            lower = sum(1 for d in diffs if d < 0)
            print(f"| {k} | {name} | {signed(statistics.mean(diffs))} | {sd(diffs):.4f} "
                  f"| {sd([ref[s] for s in seeds]):.4f} | {lower} of {len(seeds)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
