#!/usr/bin/env python3
"""Times two runner builds on the same streamed FTRL runs, alternately, and writes the result as
Markdown: whether a change of throughput between two committed runs is the code or the host.

Both runners train FTRL-L1 with and without Poisson admission on 3,000,000 streamed rows at
k = 10 (one thread, the same spec, `--fresh` each time), PAIRS times in turn (A B A B ...); the
table gives each side's examples/s per optimizer (median over pairs, from its runs.csv) and the
median of the per-pair ratio A/B.

Usage: experiments/tools/speed_ab.py RUNNER_A RUNNER_B [--pairs N] [--out FILE]
                                     [--label-a TEXT] [--label-b TEXT]
  e.g. RUNNER_A = a build of the previous commit (git worktree + cargo build --release -p runner),
       RUNNER_B = ./target/release/runner
"""
import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The grid keys after k and n_train, the selection and the FTRL-L1 entry: shared with
# read_ahead_ab.py, which times the same learner.
FTRL_L1 = """seeds = [1]
epochs = 1
batch_size = 1
schedule = { kind = "inv_sqrt", eta0 = 0.5 }

[selection]
metric = "log_loss"
tolerance = 0.0
search = { max_steps = 0 }

[[regularizer]]
kind = "l1"
lambdas = [1e-4]

  [[regularizer.optimizer]]
  online = "ftrl"
  ftrl_penalty = "per_step"

"""

SPEC = """name = "speed_ab"
description = "Two runner builds on the same streamed FTRL runs"

[data]
n_validation = 10000
n_test = 10000
stream = true

[data.synthetic]
interactions = 4
effect_scale = 0.5
interaction_scale = 1.0
crosses = { marginals = true, full_cross = true, pairwise = false }

[grid]
k = [10]
n_train = [3000000]
""" + FTRL_L1 + """  [[regularizer.optimizer]]
  online = "ftrl"
  label = "ftrl_poisson"
  ftrl_penalty = "per_step"
  admission = { poisson = 0.03 }
"""


def run_once(runner: str, spec: Path, out: Path) -> dict:
    """examples/s per optimizer of one fresh run of `spec` by `runner`."""
    done = subprocess.run(
        [runner, "run", str(spec), "--fresh", "--threads", "1", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{runner} failed ({done.returncode}):\n{done.stderr}")
    with (out / "speed_ab" / "runs.csv").open(newline="") as f:
        return {r["optimizer"]: float(r["examples_per_second"]) for r in csv.DictReader(f)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runner_a")
    parser.add_argument("runner_b")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--label-a", help="what RUNNER_A is, for the report (default: its path)")
    parser.add_argument("--label-b", help="what RUNNER_B is, for the report (default: its path)")
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "speed_ab.toml"
        spec.write_text(SPEC)
        a_runs, b_runs = [], []
        for _ in range(args.pairs):
            a_runs.append(run_once(args.runner_a, spec, Path(tmp) / "a"))
            b_runs.append(run_once(args.runner_b, spec, Path(tmp) / "b"))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    lines = [
        "# Two runner builds, same streamed runs",
        "",
        f"Written by `experiments/tools/speed_ab.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"load average after: {load}. A = {args.label_a or args.runner_a}, B = {args.label_b or args.runner_b}; "
        f"{args.pairs} alternating pairs; FTRL-L1 (`per_step`, lambda 1e-4) at k = 10 on 3,000,000 streamed rows, one thread.",
        "",
        "| optimizer | A: million examples/s (median) | B: million examples/s (median) | A/B per pair (median, min-max) |",
        "|---|---:|---:|---:|",
    ]
    for name in sorted(a_runs[0]):
        a = [r[name] for r in a_runs]
        b = [r[name] for r in b_runs]
        ratios = [x / y for x, y in zip(a, b)]
        lines.append(
            f"| {name} | {statistics.median(a) / 1e6:.2f} | {statistics.median(b) / 1e6:.2f} "
            f"| {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}) |"
        )
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
