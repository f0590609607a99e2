#!/usr/bin/env python3
"""Prints the online peer comparison from a committed `results/peers/peers_kK.csv` (written by
`benches/peers/online_peers.py`): the rows at one lambda, and the training speed of ours against
each peer on the same algorithm, median and range over the lambdas of the file.

Usage: findings_peers.py PEERS_CSV --lambda L      the rows at lambda L
       findings_peers.py PEERS_CSV --ratios        ours / peer examples per second

Rows kept: every tool's rows of the algorithms both sides run (scikit-learn's default-rate rows
and VW's default-rate rows, which show what an untuned user gets, are left out). The pairs of
`--ratios`, ours -> peer: FTRL-L1 and FTRL-L2 -> VW `--ftrl`; cumulative penalty -> VW `--sgd
--l1` (listed as `truncated_gradient`, which VW's implementation behaves like, see peers.md) and
scikit-learn's cumulative penalty; SGD-L2 -> VW `--sgd --l2` and scikit-learn's SGD; on a real
click log's file (`peers_NAME.csv`, `--spec`), batch L1 coordinate descent -> scikit-learn's
liblinear L1 and trust-region Newton -> its lbfgs L2 (each at the objective its `setting` shows,
not a matched one). `vw` is VW at its smallest collision-free table, `vw_bB` (`vw_b24`,
`vw_b18`) on our ids with a 2^B-slot table. Speeds are the file's (fastest of its repeats, on the
machine and load its `.json` records).
"""
import argparse
import csv
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402

KEPT = {"ftrl", "cumulative_penalty", "sgd", "truncated_gradient", "coordinate_descent",
        "trust_region_newton", "logistic_regression_liblinear", "logistic_regression_lbfgs"}
# `vw_raw` is the VW run on our ids at a fixed table, whatever its size (`vw_b24`, `vw_b18`).
PAIRS = [
    (("ftrl", "l1"), ("ftrl", "l1"), ["vw", "vw_raw"]),
    (("ftrl", "l2"), ("ftrl", "l2"), ["vw", "vw_raw"]),
    (("cumulative_penalty", "l1"), ("truncated_gradient", "l1"), ["vw", "vw_raw"]),
    (("cumulative_penalty", "l1"), ("cumulative_penalty", "l1"), ["sklearn"]),
    (("sgd", "l2"), ("sgd", "l2"), ["vw", "vw_raw", "sklearn"]),
    (("coordinate_descent", "l1"), ("logistic_regression_liblinear", "l1"), ["sklearn"]),
    (("trust_region_newton", "l2"), ("logistic_regression_lbfgs", "l2"), ["sklearn"]),
]


def read(path):
    try:
        with open(path, newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as err:
        lib.fail(f"{path}: {err}")


def at_lambda(rows, lam):
    kept = [r for r in rows if float(r["lambda"]) == lam and r["algorithm"] in KEPT
            and not (r["tool"] == "sparsecross" and r["algorithm"] == "truncated_gradient")]
    if not kept:
        lib.fail(f"no peer rows at lambda {lam:g}")
    out = [[r["tool"], f"{r['algorithm']} {r['penalty']}", f"`{r['setting']}`", lib.count(r["nnz"]),
            f"{float(r['test_log_loss']):.5f}", f"{float(r['train_seconds']):.3f}",
            f"{float(r['examples_per_second']) / 1e6:.2f} M"] for r in kept]
    header = ["tool", "algorithm", "settings", "nonzero weights", "test log loss", "train s", "examples/s"]
    return lib.table(header, out, right={3, 4, 5, 6})


def ratios(rows):
    index = {(r["tool"], r["algorithm"], r["penalty"], float(r["lambda"])): float(r["examples_per_second"])
             for r in rows}
    raw = next((t for (t, _, _, _) in index if t.startswith("vw_b")), "vw_b24")
    out = []
    for ours, theirs, tools in PAIRS:
        for tool in (raw if t == "vw_raw" else t for t in tools):
            found = [index[("sparsecross", *ours, lam)] / index[(tool, *theirs, lam)]
                     for (t, a, p, lam) in index if (t, a, p) == ("sparsecross", *ours)
                     and (tool, *theirs, lam) in index]
            if not found:
                continue
            out.append([f"{ours[0]} {ours[1]}", f"{tool} {theirs[0]} {theirs[1]}",
                        f"{statistics.median(found):.1f}x", f"{min(found):.1f}-{max(found):.1f}x",
                        str(len(found))])
    header = ["ours", "peer", "ours / peer, median", "range", "lambdas"]
    return lib.table(header, out, right={2, 3, 4})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--lambda", dest="lam", type=float, default=None)
    parser.add_argument("--ratios", action="store_true")
    args = parser.parse_args()
    rows = read(args.csv)
    if args.ratios:
        print(ratios(rows))
    elif args.lam is not None:
        print(at_lambda(rows, args.lam))
    else:
        lib.fail("give --lambda L or --ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
