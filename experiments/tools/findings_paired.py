#!/usr/bin/env python3
"""Prints paired per-seed comparisons of selected runs against a base method: how many times
fewer nonzero weights a method keeps, and its test log loss minus the base's, seed by seed, set
beside the base's own spread over seeds (the noise the difference is read against).

Usage: findings_paired.py REPORT --base reg/opt --methods reg/opt,... [--k K,...]
       findings_paired.py REPORT_A REPORT_B --methods reg/opt,... [--k K,...]

One report: each method at its own selected lambda against the base's, per (k, seed); both must
have a selected run at that (k, seed). Two reports (same seeds, e.g. uniform and long-tailed
data): the same method in each, B against A. Columns: nonzero weights (mean over seeds) of both,
their ratio, the paired difference of test log loss (mean ± sd over seeds, and the largest
|difference| of one seed), the base's sd of test log loss over seeds, and in how many seeds the
method's test log loss is the lower.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def compare(name, k, base_runs, runs, where):
    seeds = sorted(set(base_runs) & set(runs))
    if not seeds:
        lib.fail(f"{where}: no seed with a selected run of both sides at k = {k}")
    diffs = [float(runs[s]["log_loss"]) - float(base_runs[s]["log_loss"]) for s in seeds]
    ours = lib.mean(float(runs[s]["nonzero_weights"]) for s in seeds)
    base = lib.mean(float(base_runs[s]["nonzero_weights"]) for s in seeds)
    ratio = base / ours if ours else float("inf")
    return [k if k is not None else "-", name, lib.count(base), lib.count(ours),
            f"{ratio:,.1f}x fewer" if ratio >= 1 else f"{1 / ratio:,.1f}x more",
            f"{lib.mean(diffs):+.4f} ± {lib.spread(diffs):.4f}", f"{max(abs(d) for d in diffs):.4f}",
            f"{lib.spread(float(base_runs[s]['log_loss']) for s in seeds):.4f}",
            f"{sum(1 for d in diffs if d < 0)} of {len(seeds)}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+")
    parser.add_argument("--base", default=None)
    parser.add_argument("--methods", required=True)
    parser.add_argument("--k", default=None)
    args = parser.parse_args()
    ks = args.k.split(",") if args.k else [None]
    methods = [lib.parse_method(m) for m in args.methods.split(",")]
    out = []
    if len(args.reports) == 1 and args.base:
        rows = lib.read_runs(args.reports[0])
        base = lib.parse_method(args.base)
        header_base, header_ours = lib.method_name(*base), "method"
        for k in ks:
            base_runs = lib.selected_by_seed(rows, *base, k)
            for reg, opt in methods:
                out.append(compare(lib.method_name(reg, opt), k, base_runs,
                                   lib.selected_by_seed(rows, reg, opt, k), args.reports[0]))
    elif len(args.reports) == 2 and not args.base:
        first, second = (lib.read_runs(r) for r in args.reports)
        header_base, header_ours = Path(args.reports[0]).name, Path(args.reports[1]).name
        for k in ks:
            for reg, opt in methods:
                out.append(compare(lib.method_name(reg, opt), k, lib.selected_by_seed(first, reg, opt, k),
                                   lib.selected_by_seed(second, reg, opt, k), " and ".join(args.reports)))
    else:
        lib.fail("give one report with --base, or two reports without it")
    header = ["k", header_ours if len(args.reports) == 1 else "method",
              f"nonzero: {header_base}", "nonzero: " + ("method" if len(args.reports) == 1 else header_ours),
              "ratio", "Δ test log loss (paired, mean ± sd)", "largest \\|Δ\\| of a seed",
              f"sd over seeds ({header_base})", "seeds where lower"]
    print(lib.table(header, out, right=set(range(2, 9))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
