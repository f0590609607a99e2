#!/usr/bin/env python3
"""Prints the whole-process comparison with Vowpal Wabbit from the committed
`results/peers/whole_process.csv` and `.json` (written by `benches/peers/whole_process.py`).

Usage: findings_whole_process.py [RESULTS_DIR] [--out FILE]

One table per (k, training rows): for each learner and pass count, the wall seconds of the
whole process (text file in, model out) on each side, the ratio VW / ours, training alone on
each side and its ratio, peak RSS, test log loss and nonzero weights. VW's times have its
child's start-up (Python, import, an empty workspace: `startup` in the `.json`) subtracted;
VW's training alone is its run from the cache minus a test-only pass over the same cache.
Targets (issue 24): whole process at least 3x VW's speed, training alone at least 5x.
"""
import argparse
import csv
import json
import sys
from pathlib import Path

WHOLE_TARGET = 3.0
TRAINING_TARGET = 5.0


def read(results):
    with open(results / "whole_process.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    facts = json.loads((results / "whole_process.json").read_text())
    return rows, facts


def index(rows):
    """(k, n, learner, passes) -> {(tool kind, mode): row}; tool kind `ours`, `vw`, `vw_raw`."""
    out = {}
    for r in rows:
        kind = "ours" if r["tool"] == "sparsecross" else ("vw_raw" if r["tool"].endswith("_raw") else "vw")
        key = (int(r["k"]), int(r["n_train"]), r["learner"], int(r["passes"]))
        out.setdefault(key, {})[(kind, r["mode"])] = r
    return out


def seconds(row, startup=0.0):
    return float(row["wall"]) - startup if row else None


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def verdict(ratio, target):
    return f"{ratio:.1f}x ({'met' if ratio >= target else 'missed'})"


def table(key_rows, startup):
    lines = [
        "| learner | passes | ours whole s, one thread / read ahead | VW whole s from text "
        "(`-b` smallest / raw ids) | VW from cache s (cache build) | whole: VW text / ours read ahead "
        "| training only s, ours / VW | training only: VW / ours | peak RSS MiB, ours read ahead / VW text "
        "| test log loss, ours / VW | nonzero weights, ours / VW |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (k, n, learner, passes), runs in key_rows:
        g = lambda kind, mode: runs.get((kind, mode))
        one, ahead, held = g("ours", "whole"), g("ours", "whole_ahead"), g("ours", "held")
        text, cache, build = g("vw", "text"), g("vw", "cache"), g("vw", "cache_build")
        raw_text, raw_cache = g("vw_raw", "text"), g("vw_raw", "cache")
        read_only = g("vw", "read_only")
        vw_text = seconds(text, startup)
        whole_ratio = vw_text / float(ahead["wall"])
        vw_training = float(cache["wall"]) - float(read_only["wall"])
        training_ratio = vw_training / float(held["train"])
        raw = fmt(seconds(raw_text, startup)) if raw_text else f"cache only: {fmt(seconds(raw_cache, startup))}"
        build_text = f" ({fmt(seconds(build, startup))})" if build else ""
        lines.append(
            f"| {learner} | {passes} | {fmt(float(one['wall']))} / {fmt(float(ahead['wall']))} "
            f"| {fmt(vw_text)} / {raw} | {fmt(seconds(cache, startup))}{build_text} "
            f"| {verdict(whole_ratio, WHOLE_TARGET)} "
            f"| {fmt(float(held['train']), 3)} / {fmt(vw_training, 3)} "
            f"| {verdict(training_ratio, TRAINING_TARGET)} "
            f"| {float(ahead['rss']) / 2**20:.0f} / {float(text['rss']) / 2**20:.0f} "
            f"| {float(ahead['test_log_loss']):.4f} / {float(cache['test_log_loss']):.4f} "
            f"| {int(float(ahead['nnz'])):,} / {int(float(cache['nnz'])):,} |")
    return lines


def render(rows, facts):
    m = facts["machine"]
    startup = facts["startup"]["wall"]
    out = [
        "# Whole process and training alone: ours against Vowpal Wabbit",
        "",
        f"Written by `benches/peers/whole_process.py` on {m['date']} at commit {m['commit']}; host: "
        f"{m['cpu']}, {m['cores']} logical cores, {m['memory']}; load average before "
        f"{facts['load_before']}, after {facts['load_after']}; vowpalwabbit {m['vowpalwabbit']}, "
        f"{m['rustc']}. One run per cell, one process at a time; lambda {facts['lambda']:g} on the "
        "mean-loss scale (FTRL in the total form, `--l1`/`--l2` = lambda x rows x passes). VW's "
        f"child start-up ({startup:.2f} s, {facts['startup']['rss'] / 2**20:.0f} MiB: Python, the "
        "import, an empty workspace) is subtracted from every VW time below; VW's RSS is its "
        "child's, start-up included.",
        "",
    ]
    by_data = {}
    for key, runs in sorted(index(rows).items()):
        by_data.setdefault(key[:2], []).append((key, runs))
    for (k, n), key_rows in by_data.items():
        data = facts["data"][f"k{k}_n{n}"]
        hashing = data["hashing"]
        out += [
            f"## k = {k}, {n:,} training rows",
            "",
            f"{data['distinct_ids']:,} distinct ids in train and test; train.svm "
            f"{data['train_svm_bytes'] / 1e6:.0f} MB, train_compact.vw "
            f"{data['train_vw_bytes'] / 1e6:.0f} MB. VW's smallest collision-free table: "
            f"`-b {data['compact_bits']}` (ids renumbered, none share a slot); on the raw ids at "
            f"`-b {hashing['raw']['bits']}` {hashing['raw']['ids_sharing_a_slot']:,} ids share a slot.",
            "",
        ]
        out += table(key_rows, startup)
        out.append("")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", default="results/peers", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows, facts = read(args.results)
    text = render(rows, facts)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
