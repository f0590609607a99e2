#!/usr/bin/env python3
"""Prints the README's table of the batch methods added to k_sweep (MCP, splicing, L0L2 CD beside
L1 coordinate descent and IHT) at k = 8 and 10, read from a k_sweep report directory:
`summary.md` for the model figures (selected runs, mean over seeds) and `runs.csv` for the path
times (one per seed; a timing column, so it varies from run to run).

Usage: methods_table.py results/k_sweep
"""
import csv, re, sys, statistics
summary = open(sys.argv[1] + '/summary.md').read()
rows = list(csv.DictReader(open(sys.argv[1] + '/runs.csv')))
want = [('l1','coordinate_descent'),('mcp','coordinate_descent'),('l0','iht'),('l0','splicing'),('l0','l0l2_cd')]
out = ["| k | method | nonzero weights | model bytes | heap peak of the fit | test log loss | path time (s, mean of seeds) |","|---:|---|---:|---:|---:|---:|---:|"]
for k in ('8','10'):
    sec = summary.split(f"## k = {k}\n")[1].split("\n## ")[0]
    for reg, opt in want:
        line = next(l for l in sec.splitlines() if l.startswith(f"| {reg} | {opt} |"))
        c = [x.strip() for x in line.strip('|').split('|')]
        times = {}
        for r in rows:
            if r['k']==k and r['regularizer']==reg and r['optimizer']==opt:
                times[r['seed']] = float(r['train_seconds'])
        out.append(f"| {k} | {reg} · {opt} | {c[2]} | {c[4]} | {c[6]} | {c[9]} | {statistics.mean(times.values()):.1f} |")
print("\n".join(out))
