#!/usr/bin/env python3
"""Prints a published comparison of several reports side by side, from their
`published_vs_ours.csv` (written by the runner beside `published_vs_ours.md`): for one table of
the paper and one point of it, each method's published figure and ours in each report (mean ±
sd over seeds of the change against the paper's reference method), then each published ordering
with whether it holds in each report and in how many seeds.

Usage: findings_published.py REPORT [REPORT...] --compare PREFIX --point POINT

PREFIX starts the `compare` field (the paper's table, e.g. "Table 1:"); POINT equals the `point`
field of the figure rows (e.g. "lambda = 1e-4", "at the best test log_loss all reach"). The check
rows kept are those whose point names POINT in parentheses.
"""
import argparse
import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def read(report, prefix):
    path = Path(report) / "published_vs_ours.csv"
    try:
        with path.open(newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["compare"].startswith(prefix)]
    except OSError as err:
        lib.fail(f"{path}: {err}")
    if not rows:
        lib.fail(f"{path}: no comparison starting with `{prefix}`")
    return rows


def ours(row):
    if row["ours_pct_vs_reference_mean"] in ("", "NaN"):
        return "-"
    sd = row["ours_pct_vs_reference_sd"]
    spread = f" ± {float(sd):,.0f}%" if sd not in ("", "NaN") and float(sd) > 0.5 else ""
    return f"{float(row['ours_pct_vs_reference_mean']):+,.0f}%{spread}"


def published(row):
    if row["published_pct"] in ("", "NaN"):
        return "-"
    text = f"{float(row['published_pct']):+.0f}%"
    return text + (f" ({row['published_text']})" if row["published_text"] else "")


def verdict(row):
    seeds = re.search(r"holds in (\d+ of \d+) seeds", row["detail"])
    word = "holds" if row["holds"] == "true" else "**fails**"
    return f"{word} ({seeds.group(1)} seeds)" if seeds else word


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+")
    parser.add_argument("--compare", required=True)
    parser.add_argument("--point", required=True)
    args = parser.parse_args()
    tables = [read(r, args.compare) for r in args.reports]
    names = [Path(r).name for r in args.reports]
    figures = [{r["method"]: r for r in rows if r["point"] == args.point and not r["holds"]} for rows in tables]
    if not figures[0]:
        lib.fail(f"{args.reports[0]}: no figure rows at point `{args.point}`")
    out = [[f"`{m}`", published(row)] + [ours(f[m]) if m in f else "-" for f in figures]
           for m, row in figures[0].items()]
    print(lib.table(["method", "published"] + [f"ours: {n}" for n in names], out,
                    right=set(range(1, 2 + len(names)))))
    checks = [{r["point"].split(" (")[0]: r for r in rows if r["holds"] and f"({args.point})" in r["point"]}
              for rows in tables]
    if checks[0]:
        print()
        lines = [[f"`{c}`"] + [verdict(ch[c]) if c in ch else "-" for ch in checks] for c in checks[0]]
        print(lib.table(["published ordering"] + names, lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
