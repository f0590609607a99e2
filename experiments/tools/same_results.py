#!/usr/bin/env python3
"""Compares two `runs.csv` files (or two results directories) ignoring the timing columns.

Usage: same_results.py BEFORE AFTER [--ignore COLUMN ...] [--allow-new]

BEFORE and AFTER are `runs.csv` files or directories holding `<experiment>/runs.csv`. Rows are
matched by `run_id`; every other column must be equal byte for byte, except the columns listed
in `metadata.json` as `timing_columns` (peak_rss_bytes, rss_before_bytes, train_seconds,
examples_per_second), the
columns that describe the build (code_version, git_commit, git_dirty: they differ between two
builds by design) and any given with --ignore. With --allow-new, rows only in AFTER (methods
added since) are counted but not differences. A BEFORE written before the provenance columns
existed is compared on the columns it has (a note says which columns AFTER adds). Exits 1 and
prints the first differences when they differ.
"""
import csv
import os
import sys

TIMING = {"peak_rss_bytes", "rss_before_bytes", "train_seconds", "examples_per_second"}
# Describe the build that made a row, not its result.
BUILD = {"code_version", "git_commit", "git_dirty"}
# Appended to runs.csv after the files of earlier versions were written.
PROVENANCE = ["code_version", "git_commit", "git_dirty", "data_fingerprint", "stale"]
# Appended after the provenance columns (a timing column: nothing to compare).
RSS_BASELINE = ["rss_before_bytes"]


def load(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = {row["run_id"]: row for row in reader}
        return reader.fieldnames, rows


def compare(before, after, ignore, allow_new=False):
    cols_b, rows_b = load(before)
    cols_a, rows_a = load(after)
    problems = []
    notes = []
    if cols_b != cols_a:
        if cols_a == cols_b + RSS_BASELINE:
            notes.append(f"AFTER adds the column {RSS_BASELINE[0]}")
        elif cols_a == cols_b + PROVENANCE + RSS_BASELINE or cols_a == cols_b + PROVENANCE:
            notes.append(f"AFTER adds the provenance columns {', '.join(PROVENANCE)}")
        else:
            problems.append(f"columns differ:\n  {cols_b}\n  {cols_a}")
    for run_id in sorted(set(rows_b) ^ set(rows_a)):
        if allow_new and run_id in rows_a:
            continue
        side = "only before" if run_id in rows_b else "only after"
        problems.append(f"{run_id}: {side}")
    for run_id in sorted(set(rows_b) & set(rows_a)):
        rb, ra = rows_b[run_id], rows_a[run_id]
        for col in cols_b:
            if col in ignore or col not in ra:
                continue
            if rb[col] != ra[col]:
                problems.append(f"{run_id}: {col}: {rb[col]!r} -> {ra[col]!r}")
    return len(rows_b), problems, notes


def main(argv):
    args = argv[1:]
    ignore = set(TIMING) | BUILD
    allow_new = "--allow-new" in args
    args = [a for a in args if a != "--allow-new"]
    while "--ignore" in args:
        i = args.index("--ignore")
        ignore.add(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = args
    pairs = []
    if os.path.isdir(before):
        for name in sorted(os.listdir(before)):
            b = os.path.join(before, name, "runs.csv")
            if os.path.isfile(b):
                pairs.append((name, b, os.path.join(after, name, "runs.csv")))
    else:
        pairs.append((os.path.basename(os.path.dirname(before)) or before, before, after))
    failed = False
    for name, b, a in pairs:
        if not os.path.isfile(a):
            print(f"{name}: missing {a}")
            failed = True
            continue
        n, problems, notes = compare(b, a, ignore, allow_new)
        for note in notes:
            print(f"{name}: note: {note}")
        if problems:
            failed = True
            print(f"{name}: {len(problems)} difference(s) in {n} rows")
            for p in problems[:20]:
                print("  " + p)
        else:
            print(f"{name}: {n} rows identical (timing and build columns aside)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
