#!/usr/bin/env python3
"""Times one runner build with and without `--read-ahead` on streamed runs, alternately, and
writes the result as Markdown: what reading and encoding on a second thread buys, same host,
same build, same run of this script.

Two workloads, each PAIRS times in turn (one thread, then read ahead, then one thread, ...),
every run `--fresh --threads 1`:
- `csv`: the whole process from a CSV file to a saved model (`runner run --export-models
  --no-plots`): ROWS rows of 10 numeric columns `x0..x9` (uniform on [0, 1), 4 decimals) and a
  0/1 `click` drawn from a logistic model of a few of them (numpy seed 7), streamed
  (`[data] stream = true`, split 98/1/1 in file order), each column bucketized into 10
  quantiles plus the full 10-way cross (10^10 cells), FTRL-L1 (`per_step`, lambda 1e-4), one
  pass. The file is written once into --data-dir (about 72 bytes a row) and reused when its
  size matches.
- `synthetic`: the generator's stream at k = 10, ROWS rows (marginals and the full cross),
  the same FTRL-L1: the reader thread generates, the trainer trains.

Per run: wall seconds of the whole process (from the parent), peak RSS (the child's own,
from wait4), and from runs.csv the training pass's seconds and examples/s. The model files the
csv runs export are compared byte for byte across every run: reading ahead must not change them.

Usage: experiments/tools/read_ahead_ab.py RUNNER --data-dir DIR [--rows N] [--pairs N]
                                          [--out FILE]
  e.g. RUNNER = ./target/release/runner (built from a clean commit), DIR outside the repository
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from speed_ab import FTRL_L1  # noqa: E402

CSV_SPEC = """name = "read_ahead_csv"
description = "Whole process: a CSV of numeric columns, bucketized and fully crossed, to an FTRL-L1 model"

[data]
stream = true

[data.real]
file = "FILE"

[data.real.schema]
label = { column = "click", rule = "> 0.5" }
columns = { COLUMNS }

[data.real.features]
bucketized = [BUCKETS]
crosses = [{ columns = [NAMES] }]

[data.real.split]
shuffle = false
fractions = { train = 0.98, validation = 0.01, test = 0.01 }
"""

SYNTHETIC_SPEC = """name = "read_ahead_synthetic"
description = "The generator's stream at k = 10 to an FTRL-L1 model"

[data]
n_validation = 10000
n_test = 10000
stream = true

[data.synthetic]
crosses = { marginals = true, full_cross = true, pairwise = false }

[grid]
k = [10]
n_train = [ROWS]
"""

# The FTRL-L1 entry speed_ab.py times, under a [grid] table of its own.
COMMON = "\n[grid]\n" + FTRL_L1

# What a run computed: equal across every run of a workload, read ahead or not.
RESULT_COLUMNS = ["nonzero_weights", "log_loss", "validation_log_loss", "train_state_bytes", "features_touched"]

COLUMNS = [f"x{i}" for i in range(10)]
BYTES_PER_ROW = 72  # ten "0.dddd," fields plus "c\n"


def write_csv(path: Path, rows: int) -> None:
    """The csv workload's file: numpy seed 7, one million rows at a time."""
    import numpy as np

    rng = np.random.default_rng(7)
    with path.open("w") as f:
        f.write(",".join(COLUMNS + ["click"]) + "\n")
        for start in range(0, rows, 1_000_000):
            m = min(1_000_000, rows - start)
            x = rng.random((m, 10))
            z = (-0.5 + 1.5 * (x[:, 0] - 0.5) - 1.0 * (x[:, 1] - 0.5) + 2.0 * (x[:, 2] > 0.7)
                 - 1.0 * ((x[:, 3] > 0.5) & (x[:, 4] < 0.3)))
            y = (rng.random(m) < 1.0 / (1.0 + np.exp(-z))).astype(int)
            cells = np.char.mod("%.4f", x).tolist()
            f.write("\n".join(",".join(r) + f",{c}" for r, c in zip(cells, y.tolist())) + "\n")


def csv_spec(file_name: str) -> str:
    spec = CSV_SPEC.replace("FILE", file_name)
    spec = spec.replace("COLUMNS", ", ".join(f'{c} = "numeric"' for c in COLUMNS))
    spec = spec.replace("BUCKETS", ", ".join(f'{{ column = "{c}", quantiles = 10 }}' for c in COLUMNS))
    spec = spec.replace("NAMES", ", ".join(f'"{c}"' for c in COLUMNS))
    return spec + COMMON


def synthetic_spec(rows: int) -> str:
    # The synthetic spec has its own [grid] table: merge COMMON's keys into it.
    common = COMMON.replace("\n[grid]\n", "\n", 1)
    return SYNTHETIC_SPEC.replace("ROWS", str(rows)) + common


def run_once(runner: str, spec: Path, out: Path, data_dir: Path, ahead: bool, name: str) -> dict:
    """One fresh run: wall s, peak RSS (MiB), train s, examples/s, the exported model bytes."""
    cmd = [runner, "run", str(spec), "--fresh", "--threads", "1", "--out", str(out),
           "--data-dir", str(data_dir), "--export-models", "--no-plots"]
    if ahead:
        cmd.append("--read-ahead")
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    report = out / name
    with (report / "runs.csv").open(newline="") as f:
        row = next(csv.DictReader(f))
    models = sorted((report / "models").glob("*.json"))
    meta = json.loads((report / "metadata.json").read_text())
    results = tuple(row[c] for c in RESULT_COLUMNS)
    return {
        "build": f"`{meta['git_commit'][:7]}` (code `{meta['code_version']}`, dirty: {meta['git_dirty']})",
        "wall": wall,
        "rss": usage.ru_maxrss / 1024.0,
        "train": float(row["train_seconds"]),
        "eps": float(row["examples_per_second"]),
        "model": (results, models[0].read_bytes() if models else b""),
    }


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def median_range(values: list) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def workload_row(label: str, one: list, ahead: list) -> str:
    wall = [a["wall"] / o["wall"] for o, a in zip(one, ahead)]
    train = [a["train"] / o["train"] for o, a in zip(one, ahead)]
    same = all(r["model"] == one[0]["model"] for r in one + ahead)
    med = lambda runs, key: statistics.median(r[key] for r in runs)
    return (
        f"| {label} | {med(one, 'wall'):.2f} | {med(ahead, 'wall'):.2f} | {median_range(wall)} "
        f"| {med(one, 'eps') / 1e6:.2f} | {med(ahead, 'eps') / 1e6:.2f} | {median_range(train)} "
        f"| {med(one, 'rss'):.0f} / {med(ahead, 'rss'):.0f} | {'yes' if same else 'NO'} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runner")
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="where the csv workload's file is written (outside the repository)")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.pairs < 1 or args.rows < 1000:
        parser.error("--pairs must be at least 1 and --rows at least 1000")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    file_name = f"read_ahead_{args.rows}.csv"
    data = args.data_dir / file_name
    expected = len(",".join(COLUMNS + ["click"])) + 1 + BYTES_PER_ROW * args.rows
    if not data.exists() or data.stat().st_size != expected:
        print(f"writing {data} ({args.rows} rows)", file=sys.stderr)
        # In a child: the runs forked later would otherwise count this process's arrays in
        # their peak RSS (a forked child's maximum starts at its parent's size).
        code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); " \
            f"import read_ahead_ab; read_ahead_ab.write_csv(__import__('pathlib').Path({str(data)!r}), {args.rows})"
        subprocess.run([sys.executable, "-c", code], check=True)
    load_before = load()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        specs = {"csv": (tmp / "csv.toml", csv_spec(file_name), "read_ahead_csv"),
                 "synthetic": (tmp / "syn.toml", synthetic_spec(args.rows), "read_ahead_synthetic")}
        for key, (path, text, name) in specs.items():
            path.write_text(text)
            one, ahead = [], []
            for _ in range(args.pairs):
                one.append(run_once(args.runner, path, tmp / "one", args.data_dir, False, name))
                ahead.append(run_once(args.runner, path, tmp / "ahead", args.data_dir, True, name))
            results[key] = (one, ahead)
        commit = results["csv"][0][0]["build"]
    lines = [
        "# Reading ahead on a second thread",
        "",
        f"Written by `experiments/tools/read_ahead_ab.py` on {started}; load average before {load_before}, "
        f"after {load()}; host: {os.uname().nodename} ({os.cpu_count()} logical cores); runner: {commit}. "
        f"{args.pairs} alternating pairs per workload, one thread (`--threads 1`) against `--threads 1 --read-ahead`; "
        f"FTRL-L1 (`per_step`, lambda 1e-4), one pass over {args.rows:,} streamed rows. `csv`: the whole process "
        f"from a {data.stat().st_size / 1e6:.0f} MB CSV (10 numeric columns, 10 quantiles each, the full 10-way cross) "
        "to the exported model; `synthetic`: the generator's stream at k = 10.",
        "",
        "| workload | one thread: wall s | read ahead: wall s | wall, ahead / one thread (median, min-max) "
        "| training pass, one thread: M examples/s | read ahead: M examples/s "
        "| training pass s, ahead / one thread | peak RSS MiB, one / ahead | results and models identical |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, (one, ahead) in results.items():
        lines.append(workload_row(key, one, ahead))
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
