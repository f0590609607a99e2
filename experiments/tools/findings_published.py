#!/usr/bin/env python3
"""Prints a published comparison of several reports side by side, from their
`published_vs_ours.csv` (written by the runner beside `published_vs_ours.md`): for one table of
the paper and one point of it, each method's published figure and ours in each report (mean ±
sd over seeds of the change against the paper's reference method), then each published ordering
with whether it holds in each report and in how many seeds.

Usage: findings_published.py REPORT [REPORT...] --compare PREFIX --point POINT [--point POINT...]
       findings_published.py REPORT [REPORT...] --compare PREFIX --sensitivity

PREFIX starts the `compare` field (the paper's table, e.g. "Table 1:"); POINT equals the `point`
field of the figure rows (e.g. "lambda = 1e-4", "T0 + 0.001"). Given several times, each report
uses the first POINT it has (so a section keeps working while reports move from one point name to
another). The check rows kept are those whose point names that POINT in parentheses.
`--sensitivity` prints instead, per report, each claim's verdict at every point of the table.
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


def first_point(rows, points):
    """The first of `points` that some figure row of `rows` is at (None when none is)."""
    present = {r["point"] for r in rows if not r["holds"]}
    return next((p for p in points if p in present), None)


def sensitivity(names, tables):
    """Per report, each claim's verdict at each point (claim rows are `claim (point)`)."""
    for name, rows in zip(names, tables):
        checks = [r for r in rows if r["method"] == "check" and r["point"].endswith(")")]
        split = [(r["point"][:r["point"].rindex(" (")], r["point"][r["point"].rindex(" (") + 2:-1], r)
                 for r in checks if " (" in r["point"]]
        claims = list(dict.fromkeys(c for c, _, _ in split))
        points = list(dict.fromkeys(p for _, p, _ in split))
        found = {(c, p): r for c, p, r in split}
        print(f"{name}:\n")
        lines = [[f"`{c}`"] + [verdict(found[(c, p)]) if (c, p) in found else "-" for p in points]
                 for c in claims]
        print(lib.table(["published ordering"] + points, lines))
        print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+")
    parser.add_argument("--compare", required=True)
    parser.add_argument("--point", action="append")
    parser.add_argument("--sensitivity", action="store_true")
    args = parser.parse_args()
    tables = [read(r, args.compare) for r in args.reports]
    names = [Path(r).name for r in args.reports]
    if args.sensitivity:
        sensitivity(names, tables)
        return 0
    if not args.point:
        lib.fail("give --point (or --sensitivity)")
    chosen = [first_point(rows, args.point) for rows in tables]
    figures = [{r["method"]: r for r in rows if r["point"] == point and not r["holds"]}
               for rows, point in zip(tables, chosen)]
    if not figures[0]:
        lib.fail(f"{args.reports[0]}: no figure rows at point(s) {args.point}")
    out = [[f"`{m}`", published(row)] + [ours(f[m]) if m in f else "-" for f in figures]
           for m, row in figures[0].items()]
    print(lib.table(["method", "published"] + [f"ours: {n}" for n in names], out,
                    right=set(range(1, 2 + len(names)))))
    checks = [{r["point"].split(" (")[0]: r for r in rows if r["holds"] and f"({point})" in r["point"]}
              for rows, point in zip(tables, chosen)]
    if checks[0]:
        print()
        lines = [[f"`{c}`"] + [verdict(ch[c]) if c in ch else "-" for ch in checks] for c in checks[0]]
        print(lib.table(["published ordering"] + names, lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
