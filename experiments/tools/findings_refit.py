#!/usr/bin/env python3
"""Prints what `[selection] refit` gained: per refit run of a report's runs.csv (run id ending in
`-refit`), the test log loss of the selected run it retrains and its own, and their difference,
then the range of the gain over every refit run.

Usage: findings_refit.py REPORT
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = lib.read_runs(sys.argv[1])
    refits = [r for r in rows if r["run_id"].endswith("-refit")]
    if not refits:
        lib.fail(f"{sys.argv[1]}/runs.csv: no refit rows (run ids ending in -refit)")
    out, gains = [], []
    for refit in sorted(refits, key=lambda r: (r["regularizer"], r["optimizer"], int(r["seed"]))):
        chosen = lib.selected_by_seed(rows, refit["regularizer"], refit["optimizer"], None).get(refit["seed"])
        if chosen is None:
            lib.fail(f"{sys.argv[1]}: refit {refit['run_id']} has no selected run of its seed")
        gain = float(chosen["log_loss"]) - float(refit["log_loss"])
        gains.append(gain)
        out.append([lib.method_name(refit["regularizer"], refit["optimizer"]), refit["seed"],
                    f"{float(refit['lambda']):g}", lib.count(refit["nonzero_weights"]),
                    f"{float(chosen['log_loss']):.4f}", f"{float(refit['log_loss']):.4f}", f"{gain:.4f}"])
    header = ["method", "seed", "lambda", "nonzero weights (refit)", "test log loss: selected",
              "refit on train + validation", "gain"]
    print(lib.table(header, out, right={1, 2, 3, 4, 5, 6}))
    print()
    print(f"Refit lowers the test log loss by {min(gains):.4f} to {max(gains):.4f} over {len(gains)} refit runs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
