#!/usr/bin/env python3
"""Prints the support-recovery table of a `support_recovery*` report from its runs.csv: per
(p, method), over the seeds, the medians of TPR, FPR, test AUC, test log loss, nonzeros and fit
seconds of the selected runs, and the share of seeds whose selected support is exactly the true
one.

From each selected row (`selected = true`, `status = ok`), with s = `true_support_size` and
p = `k`: true positives TP = round(support_recall * s), false positives FP = nonzero_weights - TP,
TPR = TP / s, FPR = FP / (p - s), exact support when TP = s and FP = 0.

Usage: experiments/tools/support_recovery_table.py results/support_recovery
"""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_lib import fail, read_runs, table  # noqa: E402


def recovery(row):
    """(TPR, FPR, exact) of one selected row, from its support recall and nonzero count."""
    try:
        s, p = int(row["true_support_size"]), int(row["k"])
        recall, nonzeros = float(row["support_recall"]), int(row["nonzero_weights"])
    except (KeyError, ValueError) as err:
        fail(f"run {row.get('run_id', '?')}: cannot read the support columns ({err})")
    if s <= 0 or p <= s:
        fail(f"run {row['run_id']}: true_support_size = {s} with p = {p} has no false-positive rate")
    recall = 0.0 if recall != recall else recall  # NaN: nothing kept
    true_positives = round(recall * s)
    false_positives = nonzeros - true_positives
    exact = true_positives == s and false_positives == 0
    return true_positives / s, false_positives / (p - s), exact


def median(values):
    return statistics.median(values) if values else float("nan")


def summary_rows(rows):
    """One table row per (p, regularizer, optimizer), sorted."""
    groups = {}
    for r in rows:
        if r["selected"] == "true":
            groups.setdefault((int(r["k"]), r["regularizer"], r["optimizer"]), []).append(r)
    out = []
    for (p, reg, opt), members in sorted(groups.items()):
        rates = [recovery(r) for r in members]
        column = lambda name: [float(r[name]) for r in members]  # noqa: E731
        out.append([
            str(p), f"{reg} / {opt}", str(len(members)),
            f"{median([t for t, _, _ in rates]):.3f}",
            f"{median([f for _, f, _ in rates]):.4f}",
            f"{sum(e for _, _, e in rates) / len(rates):.2f}",
            f"{median(column('auc')):.4f}",
            f"{median(column('log_loss')):.4f}",
            f"{median(column('nonzero_weights')):g}",
            f"{median(column('train_seconds')):.3f}",
        ])
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = summary_rows(read_runs(sys.argv[1]))
    if not rows:
        fail(f"{sys.argv[1]}/runs.csv: no selected run with status ok")
    header = ["p", "method", "seeds", "TPR", "FPR", "exact", "test AUC", "test log loss",
              "nonzeros", "fit s"]
    print(table(header, rows, right=range(2, 10)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
