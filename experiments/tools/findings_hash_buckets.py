#!/usr/bin/env python3
"""Prints, for the hash_buckets reports given, one row per (data set, method): the smallest bucket
count within 0.001 of the exact cross (the runner's "enough", read from each report's summary.md,
section "How many hash buckets a cross needs") with that count's collision rate, nonzero weights,
model bytes and paired test log loss difference from the exact cross, beside the exact cross's
nonzero weights and model bytes; then where each figure comes from.

Usage: findings_hash_buckets.py REPORT_DIR [REPORT_DIR...]
"""
import re
import sys
from pathlib import Path

SECTION = "## How many hash buckets a cross needs"
METHOD = re.compile(r"^### (.+?)(?:, k = (\d+))?: enough = (.+)$")


def rows_of(table_lines):
    """The table's rows as dicts keyed by header."""
    header = [c.strip() for c in table_lines[0].strip().strip("|").split("|")]
    out = []
    for line in table_lines[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        out.append(dict(zip(header, cells)))
    return out


def methods(summary):
    """(method, k, enough, rows) of each method section of the summary."""
    lines = summary.read_text().splitlines()
    try:
        start = lines.index(SECTION)
    except ValueError:
        raise SystemExit(f"{summary}: no section `{SECTION}` (not a hash_buckets report?)")
    found, i = [], start + 1
    while i < len(lines):
        if lines[i].startswith("## "):
            break
        match = METHOD.match(lines[i])
        if match:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("|"):
                j += 1
            table = []
            while j < len(lines) and lines[j].startswith("|"):
                table.append(lines[j])
                j += 1
            found.append((match.group(1), match.group(2), match.group(3), rows_of(table)))
            i = j
        else:
            i += 1
    return found


def main():
    dirs = [Path(a) for a in sys.argv[1:]]
    if not dirs:
        raise SystemExit(__doc__)
    print("| data set | method | enough buckets | collisions there | nonzero weights there | "
          "model bytes there | test log loss against exact there | exact: nonzero weights | "
          "exact: model bytes | seeds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for d in dirs:
        for method, k, enough, rows in methods(d / "summary.md"):
            exact = next((r for r in rows if r["buckets"] == "exact"), {})
            there = next((r for r in rows if r["buckets"] == enough), {})
            name = d.name + (f", k = {k}" if k else "")
            counts = [r["buckets"] for r in rows if r["buckets"] != "exact"]
            if counts and enough == counts[0]:
                # The grid's smallest count is already close enough: the answer is at most it.
                enough_text = f"<= {enough} (smallest tried)"
            else:
                enough_text = enough
            seeds = re.search(r"of (\d+) seeds", exact.get("seeds", ""))
            seeds_text = seeds.group(1) if seeds else exact.get("seeds", "-")
            print(f"| {name} | {method} | {enough_text} | {there.get('collisions', '-')} | "
                  f"{there.get('nonzero weights', '-')} | {there.get('model bytes', '-')} | "
                  f"{there.get('against exact', '-')} {there.get('interval', '')} | "
                  f"{exact.get('nonzero weights', '-')} | {exact.get('model bytes', '-')} | "
                  f"{seeds_text} |")
    print()
    print("Read from the `summary.md` of " + ", ".join(f"`{d}`" for d in dirs) +
          " (section \"How many hash buckets a cross needs\"): enough = the smallest count from "
          "which on every larger one the mean paired test log loss difference from the exact "
          "cross is at most 0.001; collisions measured on the training split (`hash_stats.csv`).")


if __name__ == "__main__":
    main()
