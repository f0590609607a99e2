#!/usr/bin/env python3
"""Prints the "your own data" walk-through of docs/guide/own_data.md: the shell commands, with
the saved model of the selected run named by its run id, and what `runner predict` prints for
it, read from the committed report `results/california_own_data/` (its `runs.csv`), so that the
model file name and the metrics shown are the committed run's.

`runner predict` prints `N rows, log_loss = L, accuracy = A, auc = U` with the figures computed by
the report's code, so they are the test columns of the run's row in `runs.csv`, as written there.

Usage: experiments/tools/guide_own_data.py results/california_own_data SEED REGULARIZER OPTIMIZER
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402

COMMANDS = """\
DATA=/path/to/data   # the directory holding california_housing_train.csv
MY=/tmp/my-data; mkdir -p $MY
cargo run --release -p runner -- split $DATA/california_housing_train.csv \\
    --test-fraction 0.2 --seed 1 --train-out $MY/california_rest.csv --test-out $MY/california_test.csv \\
    --derive-label "price_class=median_house_value > 265000" --label-texts expensive,affordable
cargo run --release -p runner -- split $MY/california_rest.csv --test-fraction 0.2 --seed 2 \\
    --train-out $MY/california_train.csv --test-out $MY/california_validation.csv
cargo run --release -p runner -- run california_own_data --data-dir $MY --out /tmp/my-results
cargo run --release -p runner -- predict \\
    /tmp/my-results/california_own_data/models/{run_id}.json \\
    $MY/california_test.csv --out /tmp/predictions.csv"""


def selected_row(report: Path, seed: str, regularizer: str, optimizer: str) -> dict:
    """The selected (not refit) row of that method and seed."""
    rows = lib.read_runs(report, statuses=None)
    found = [r for r in rows if r["selected"] == "true" and r["seed"] == seed
             and r["regularizer"] == regularizer and r["optimizer"] == optimizer]
    if len(found) != 1:
        lib.fail(f"{report / 'runs.csv'}: {len(found)} selected rows of {regularizer}/{optimizer} "
                 f"seed {seed}")
    return found[0]


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    report = Path(sys.argv[1])
    row = selected_row(report, *sys.argv[2:])
    n_train, n_val, n_test = (int(row[c]) for c in ("n_train", "n_validation", "n_test"))
    print("```sh")
    print(COMMANDS.format(run_id=row["run_id"]))
    print("```")
    print()
    print(f"The first `split` writes {n_train + n_val:,} and {n_test:,} rows, the second "
          f"{n_train:,} and {n_val:,} (the training, validation and test files of `{report.as_posix()}`). "
          f"The `predict` line scores the selected `{row['regularizer']}` / `{row['optimizer']}` model "
          f"of seed {row['seed']} on the test file and prints the test columns of its `runs.csv` row:")
    print()
    print("```text")
    print(f"{n_test} rows, log_loss = {row['log_loss']}, accuracy = {row['accuracy']}, auc = {row['auc']}")
    print("```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
