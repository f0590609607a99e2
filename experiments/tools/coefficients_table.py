#!/usr/bin/env python3
"""Prints the README's coefficient-width table (f64 -> f32 -> q2.13) from the runs.csv files of
k_sweep_long_tail (k = 10) and flights_delay, so that every figure of it is read from those
committed files, and the loss check beneath it.

Table: each label at its own selected lambda (the `selected` rows, one per seed), mean over seeds
of `train_state_bytes`, `nonzero_weights` and test `log_loss`. Check: at the f64 entry's selected
lambda of every (k, regularizer, method, seed), the largest |log loss of the twin - log loss of
f64| over every k and seed, beside the largest standard deviation over seeds of the f64 entry's
selected log loss (the seed-to-seed noise the difference is set against).

Usage: experiments/tools/coefficients_table.py results/k_sweep_long_tail results/flights_delay
"""
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

# (regularizer, f64 label) in the order of the table; the twins are label + "_f32", "_q2.13".
METHODS = [
    ("l1", "ftrl"),
    ("l2", "ftrl"),
    ("l2", "sgd"),
    ("l1", "truncated_gradient"),
    ("l0", "hard_threshold"),
    ("l0", "ftrl_count3"),
]
WIDTHS = ["", "_f32", "_q2.13"]
MIB = 1024.0 * 1024.0


def read_rows(report: Path) -> list:
    path = report / "runs.csv"
    try:
        with path.open(newline="") as f:
            return [r for r in csv.DictReader(f) if r["status"] == "ok"]
    except (OSError, KeyError) as e:
        raise SystemExit(f"{path}: {e}")


def table_rows(name: str, rows: list, k: str) -> list:
    """One Markdown row per method present in `rows` (at `k` if given)."""
    selected = defaultdict(list)
    for r in rows:
        if r["selected"] == "true" and (k is None or r["k"] == k):
            selected[(r["regularizer"], r["optimizer"])].append(r)
    out = []
    for reg, label in METHODS:
        runs = [selected.get((reg, label + w), []) for w in WIDTHS]
        if not all(runs):
            continue
        mean = lambda rs, col: statistics.mean(float(r[col]) for r in rs)
        state = [mean(rs, "train_state_bytes") for rs in runs]
        nonzero = [mean(rs, "nonzero_weights") for rs in runs]
        loss = [mean(rs, "log_loss") for rs in runs]
        saved = [f"{100.0 * (s / state[0] - 1.0):+.0f}%" for s in state[1:]]
        out.append(
            f"| {name} | {reg.upper()} / {label} "
            f"| {state[0] / MIB:.2f} → {state[1] / MIB:.2f} ({saved[0]}) → {state[2] / MIB:.2f} ({saved[1]}) MiB "
            f"| {' → '.join(f'{n:,.0f}' for n in nonzero)} "
            f"| {' → '.join(f'{x:.4f}' for x in loss)} |"
        )
    return out


def loss_check(name: str, rows: list) -> str:
    """Largest per-seed |twin - f64| log loss at the f64 entry's selected lambda, every k."""
    by_key = {}
    for r in rows:
        by_key[(r["k"], r["regularizer"], r["optimizer"], r["seed"], r["lambda"])] = float(r["log_loss"])
    worst = {w: 0.0 for w in WIDTHS[1:]}
    pairs = {w: 0 for w in WIDTHS[1:]}
    spread = 0.0
    groups = defaultdict(list)
    for r in rows:
        if r["selected"] != "true" or (r["regularizer"], r["optimizer"]) not in METHODS:
            continue
        groups[(r["k"], r["regularizer"], r["optimizer"])].append(float(r["log_loss"]))
        for w in WIDTHS[1:]:
            twin = by_key.get((r["k"], r["regularizer"], r["optimizer"] + w, r["seed"], r["lambda"]))
            if twin is not None:
                worst[w] = max(worst[w], abs(twin - float(r["log_loss"])))
                pairs[w] += 1
    for losses in groups.values():
        if len(losses) > 1:
            spread = max(spread, statistics.stdev(losses))
    parts = [f"{w[1:]}: {worst[w]:.1e} over {pairs[w]} pairs" for w in WIDTHS[1:]]
    return f"- {name}: largest per-seed |Δ log loss| against f64, {'; '.join(parts)}; largest f64 sd over seeds {spread:.4f}"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    long_tail, flights = read_rows(Path(sys.argv[1])), read_rows(Path(sys.argv[2]))
    print("| data | method | training state f64 → f32 → q2.13 | nonzero f64 → f32 → q2.13 | test log loss f64 → f32 → q2.13 |")
    print("|---|---|---:|---:|---:|")
    for line in table_rows("long tail, k = 10", long_tail, "10") + table_rows("flights", flights, None):
        print(line)
    print()
    print(loss_check("long tail (every k)", long_tail))
    print(loss_check("flights", flights))
    return 0


if __name__ == "__main__":
    sys.exit(main())
