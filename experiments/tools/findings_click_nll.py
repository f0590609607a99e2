#!/usr/bin/env python3
"""Prints a click-log report's published-vs-ours table on the normalized log-likelihood (NLL =
1 - log loss / log loss of the constant predictor at the training click rate, the `train_nll`
and `nll` columns of runs.csv), from its refit rows (the chosen configuration of each method
retrained on the whole training file and scored on the test file), then each method's test log
loss against the reference method's, paired per seed.

Usage: findings_click_nll.py REPORT --reference REG/OPT --published NLL --tolerance REL

The verdict: the reference's train and test NLL each within REL (relative) of NLL, as the
published test asserts (`approx(NLL, rel=REL)`).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def refits_by_method(rows):
    """{(regularizer, optimizer): {seed: refit row}}."""
    methods = {}
    for r in rows:
        if r["run_id"].endswith("-refit"):
            methods.setdefault((r["regularizer"], r["optimizer"]), {})[r["seed"]] = r
    if not methods:
        lib.fail("no refit rows (run ids ending in -refit): the spec needs `[selection] refit = true`")
    return methods


def verdict(reference, published, tolerance):
    """Lines saying whether the reference's train and test NLL hold the published figure."""
    low, high = published * (1 - tolerance), published * (1 + tolerance)
    lines = []
    for column, split in (("train_nll", "train"), ("nll", "test (the published `valid` file)")):
        values = [float(r[column]) for r in reference.values()]
        holds = all(low <= v <= high for v in values)
        shown = ", ".join(sorted({f"{v:.4f}" for v in values}))
        lines.append(f"- NLL on {split}: {shown} against {published:g} (allowed {low:.4f} to "
                     f"{high:.4f}): **{'holds' if holds else 'does not hold'}**.")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--reference", required=True)
    parser.add_argument("--published", type=float, required=True)
    parser.add_argument("--tolerance", type=float, required=True)
    args = parser.parse_args()
    rows = lib.read_runs(args.report, statuses=("ok", "not_converged"))
    methods = refits_by_method(rows)
    ref_key = lib.parse_method(args.reference)
    if ref_key not in methods:
        lib.fail(f"{args.report}: no refit rows of {args.reference}")
    reference = methods[ref_key]
    out = []
    for key in sorted(methods):
        by_seed = methods[key]
        seeds = sorted(set(by_seed) & set(reference))
        diffs = [float(by_seed[s]["log_loss"]) - float(reference[s]["log_loss"]) for s in seeds]
        rs = list(by_seed.values())
        out.append([
            lib.method_name(*key),
            ", ".join(sorted({f"{float(r['lambda']):.4g}" for r in rs})),
            f"{lib.mean([float(r['nonzero_weights']) for r in rs]):,.0f}",
            lib.human_bytes(lib.mean([float(r["model_bytes_sparse"]) for r in rs])),
            lib.loss([r["train_nll"] for r in rs]),
            lib.loss([r["nll"] for r in rs]),
            lib.loss([r["log_loss"] for r in rs], 5),
            "-" if key == ref_key else f"{min(diffs):+.5f} to {max(diffs):+.5f} ({len(diffs)} seeds)",
        ])
    header = ["method (refit)", "lambda", "nonzero weights", "model bytes", "train NLL", "test NLL",
              "test log loss", f"test log loss minus {lib.method_name(*ref_key)}, per seed"]
    print(lib.table(header, out, right={2, 3, 4, 5, 6}))
    print()
    print("\n".join(verdict(reference, args.published, args.tolerance)))
    meta = lib.read_metadata(args.report)
    print()
    print(f"Report started {lib.utc(meta['started_unix'])}, {meta['wall_seconds'] / 60:.0f} min on host "
          f"`{meta.get('host', 'unknown')}` with {meta.get('threads', '?')} threads at load "
          f"{lib.load_text(meta)}, by commit `{meta.get('git_commit', 'unknown')[:12]}` (uncommitted changes: "
          f"{meta.get('git_dirty', 'unknown')}), code `{meta.get('code_version', 'unknown')}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
