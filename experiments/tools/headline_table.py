#!/usr/bin/env python3
"""Prints the README's headline table (k = 4, 8, 10; L2, L1 and L0 methods) from a k_sweep
report's summary.md, so that every figure of it is read from that committed file.

Usage: experiments/tools/headline_table.py results/k_sweep
"""
import re
import sys
from pathlib import Path

# (regularizer, optimizer label) -> how the README names the method.
METHODS = [
    ("l2", "sgd", "L2 · SGD (lazy L2)"),
    ("l1", "ftrl", "L1 · FTRL-Proximal"),
    ("l1", "coordinate_descent", "L1 · coordinate descent (batch)"),
    ("l0", "hard_threshold", "L0 · online hard threshold"),
    ("l0", "ftrl_count3", "L0-like · FTRL-L1 + count admission (n = 3)"),
    ("l0", "iht", "L0 · IHT (batch)"),
]
KS = [4, 8, 10]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    summary = Path(sys.argv[1]) / "summary.md"
    try:
        text = summary.read_text()
    except OSError as e:
        print(f"cannot read {summary}: {e}", file=sys.stderr)
        return 1
    sections = re.split(r"^## k = (\d+)\n", text, flags=re.M)
    by_k = {int(sections[i]): sections[i + 1] for i in range(1, len(sections) - 1, 2)}
    print("| k | dimension (dense f32) | method | nonzero weights | zero weights | model bytes (sparse) "
          "| training state (peak) | test log loss | Bayes |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for k in KS:
        section = by_k.get(k)
        if section is None:
            print(f"{summary}: no section for k = {k}", file=sys.stderr)
            return 1
        head = re.search(r"Dimension (\d+) \(dense f32: ([^)]+)\).*?Bayes test log loss ([0-9.]+)",
                         section, flags=re.S)
        if head is None:
            print(f"{summary}: k = {k} has no dimension line", file=sys.stderr)
            return 1
        dimension, dense, bayes = head.groups()
        cells = {}
        for line in section.splitlines():
            parts = [p.strip() for p in line.strip().strip("|").split("|")]
            if len(parts) >= 10 and parts[0] in ("l0", "l1", "l2", "mcp"):
                cells[(parts[0], parts[1])] = parts
        for reg, opt, name in METHODS:
            c = cells.get((reg, opt))
            if c is None:
                print(f"{summary}: k = {k} has no row {reg} / {opt}", file=sys.stderr)
                return 1
            nonzero, zero, model, state, test_ll = c[2], c[3], c[4], c[5], c[9]

            def commas(v: str) -> str:
                return f"{float(v):,.0f}" if float(v).is_integer() else f"{float(v):,.1f}"

            print(f"| {k} | {int(dimension):,} ({dense}) | {name} | {commas(nonzero)} | "
                  f"{commas(zero)} | {model} | {state} | {test_ll} | {bayes} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
