#!/usr/bin/env python3
"""Exports criterion's estimates of the benches to `results/bench/` (CSV per bench, and bench.md).

What it writes, from `target/criterion/<group>/<bench>/new/{benchmark,estimates,sample}.json`
(criterion 0.5's layout, written by `cargo bench`):

- `results/bench/<bench target>.csv`: one row per criterion benchmark: group, function,
  parameter, elements per iteration (the declared throughput), criterion's median and mean time
  per iteration with their 95% confidence intervals and its standard deviation (nanoseconds),
  the samples and iterations measured, the measured seconds, and, with a throughput, million
  elements per second at the median and at the ends of the median's interval;
- `results/bench/bench.md`: the machine (CPU model, cores, memory, kernel, rustc), the date,
  the git commit (and whether the benched code had uncommitted changes), the load average, the
  command that ran the benches, the throughput tables the top-level README quotes and one table
  per bench target; with `--log`, the batch bench's own lines (its problem and one fit).

Usage, from the workspace root:

    python3 experiments/tools/bench_results.py --run      # runs `cargo bench`, then exports
    python3 experiments/tools/bench_results.py --log LOG  # exports an earlier `cargo bench`

`--run` runs `nice cargo bench -p benches -- --warm-up-time 1 --measurement-time 3` (the
settings the benches' docs give), keeps its output in `target/criterion/bench_output.txt` and
records the load average before and after. Without `--run` the command recorded is
`--bench-command`'s (the same command by default): say what was run. Estimates older than the
newest by more than `--max-spread-hours` (default 2) are an error: they come from another run.
Needs only the Python standard library.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_COMMAND = ["nice", "cargo", "bench", "-p", "benches", "--", "--warm-up-time", "1",
                 "--measurement-time", "3"]
# criterion group -> the bench target (file in benches/benches/) that defines it.
TARGETS = {
    "synthetic_marginals_full_cross": "features_throughput",
    "online_k4": "online_throughput",
    "online_k8": "online_throughput",
    "online_k10": "online_throughput",
    "online_streaming_k10": "online_throughput",
    "batch_time": "batch_time",
}
COLUMNS = ["group", "function", "parameter", "elements_per_iteration",
           "median_ns", "median_ci_low_ns", "median_ci_high_ns",
           "mean_ns", "mean_ci_low_ns", "mean_ci_high_ns", "std_dev_ns",
           "confidence_level", "samples", "iterations", "measured_seconds",
           "million_per_second_median", "million_per_second_ci_low",
           "million_per_second_ci_high", "measured_utc"]


class ExportError(Exception):
    """A criterion file that is missing, unreadable or not what criterion 0.5 writes."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", action="store_true", help="run the benches first")
    parser.add_argument("--criterion", default=None,
                        help="criterion's directory (default: $CARGO_TARGET_DIR/criterion or "
                             "target/criterion of the workspace)")
    parser.add_argument("--out", default=str(ROOT / "results" / "bench"))
    parser.add_argument("--log", default=None,
                        help="the output of an earlier `cargo bench` (for the batch bench's lines)")
    parser.add_argument("--bench-command", default=" ".join(BENCH_COMMAND),
                        help="the command that produced the estimates, recorded in bench.md")
    parser.add_argument("--max-spread-hours", type=float, default=2.0)
    return parser.parse_args()


def read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise ExportError("%s: %s" % (path, err)) from err


def field(data, path, keys):
    """data[keys[0]][keys[1]]..., or an error naming the file and the missing field."""
    value = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise ExportError("%s: no field %s" % (path, ".".join(keys)))
        value = value[key]
    return value


def estimate_row(directory):
    """One CSV row from a benchmark's `new/` directory."""
    bench_path, estimates_path = directory / "benchmark.json", directory / "estimates.json"
    sample_path = directory / "sample.json"
    bench, estimates = read_json(bench_path), read_json(estimates_path)
    sample = read_json(sample_path)
    group = field(bench, bench_path, ["group_id"])
    function = bench.get("function_id") or ""
    parameter = bench.get("value_str") or ""
    throughput = bench.get("throughput") or {}
    elements = throughput.get("Elements") if isinstance(throughput, dict) else None
    median = field(estimates, estimates_path, ["median", "point_estimate"])
    median_low = field(estimates, estimates_path, ["median", "confidence_interval", "lower_bound"])
    median_high = field(estimates, estimates_path,
                        ["median", "confidence_interval", "upper_bound"])
    times, iterations = field(sample, sample_path, ["times"]), field(sample, sample_path, ["iters"])
    row = {"group": group, "function": function, "parameter": parameter,
           "elements_per_iteration": elements if elements is not None else "",
           "median_ns": median, "median_ci_low_ns": median_low, "median_ci_high_ns": median_high,
           "mean_ns": field(estimates, estimates_path, ["mean", "point_estimate"]),
           "mean_ci_low_ns": field(estimates, estimates_path,
                                   ["mean", "confidence_interval", "lower_bound"]),
           "mean_ci_high_ns": field(estimates, estimates_path,
                                    ["mean", "confidence_interval", "upper_bound"]),
           "std_dev_ns": field(estimates, estimates_path, ["std_dev", "point_estimate"]),
           "confidence_level": field(estimates, estimates_path,
                                     ["median", "confidence_interval", "confidence_level"]),
           "samples": len(times), "iterations": int(sum(iterations)),
           "measured_seconds": sum(times) / 1e9,
           "_written": estimates_path.stat().st_mtime,
           "measured_utc": datetime.fromtimestamp(estimates_path.stat().st_mtime, timezone.utc)
           .strftime("%Y-%m-%d %H:%M:%S")}
    if elements:
        # elements per ns * 1000 = million elements per second; the slowest end of the time
        # interval is the low end of the rate's.
        row["million_per_second_median"] = elements / median * 1e3
        row["million_per_second_ci_low"] = elements / median_high * 1e3
        row["million_per_second_ci_high"] = elements / median_low * 1e3
    else:
        for key in ("million_per_second_median", "million_per_second_ci_low",
                    "million_per_second_ci_high"):
            row[key] = ""
    return row


def collect(criterion):
    """Every benchmark under `criterion` with a `new/benchmark.json`, grouped by bench target."""
    if not criterion.is_dir():
        raise ExportError("%s is not a directory: run `cargo bench` first (or --run)" % criterion)
    targets = {}
    for bench_json in sorted(criterion.glob("**/new/benchmark.json")):
        row = estimate_row(bench_json.parent)
        target = TARGETS.get(row["group"])
        if target is None:
            raise ExportError("%s: group %r belongs to no known bench target (%s); add it to "
                              "TARGETS in %s" % (bench_json, row["group"],
                                                 ", ".join(sorted(set(TARGETS.values()))),
                                                 Path(__file__).name))
        targets.setdefault(target, []).append(row)
    for rows in targets.values():
        # In the order the benches ran (each estimate is written when its benchmark ends).
        rows.sort(key=lambda row: row["_written"])
    if not targets:
        raise ExportError("no criterion estimates under %s: run `cargo bench` first" % criterion)
    return targets


def check_one_run(targets, max_spread_hours):
    """Refuses estimates whose write times lie further apart than one bench run plausibly takes."""
    stamps = sorted((row["measured_utc"], row["group"], row["function"], row["parameter"])
                    for rows in targets.values() for row in rows)
    first = datetime.strptime(stamps[0][0], "%Y-%m-%d %H:%M:%S")
    last = datetime.strptime(stamps[-1][0], "%Y-%m-%d %H:%M:%S")
    if (last - first).total_seconds() > max_spread_hours * 3600:
        raise ExportError("estimates span %s to %s (oldest: %s): more than %g hours, so not one "
                          "bench run; rerun `cargo bench` (or --run)"
                          % (stamps[0][0], stamps[-1][0], " / ".join(stamps[0][1:]),
                             max_spread_hours))
    return stamps[0][0], stamps[-1][0]


def command_output(command):
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    cpu, memory = "unknown", "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal"):
                memory = "%.1f GiB" % (int(text.split()[1]) / 2**20)
                break
    except OSError:
        pass
    # Only the code the benches compile counts as "uncommitted changes" (not tests, scripts,
    # results or docs).
    dirty = command_output(["git", "status", "--porcelain", "--untracked-files=no", "--",
                            "crates/*/src", "crates/*/Cargo.toml", "benches/benches",
                            "benches/src", "benches/Cargo.toml", "Cargo.toml", "Cargo.lock"])
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "os": platform.platform(),
            "rustc": command_output(["rustc", "--version"]),
            "commit": command_output(["git", "rev-parse", "HEAD"]),
            "code_dirty": "unknown" if dirty == "unknown" else str(dirty != "").lower()}


def run_benches(criterion):
    """Runs the benches; returns (output text, load average before, after, start, end)."""
    before, start = os.getloadavg(), datetime.now(timezone.utc)
    print("$ " + " ".join(BENCH_COMMAND), flush=True)
    done = subprocess.run(BENCH_COMMAND, cwd=ROOT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        sys.exit("cargo bench failed (exit %d):\n%s" % (done.returncode, output[-3000:]))
    criterion.mkdir(parents=True, exist_ok=True)
    (criterion / "bench_output.txt").write_text(output)
    return output, before, os.getloadavg(), start, datetime.now(timezone.utc)


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row[key] for key in COLUMNS})


def rate(row):
    return "%.2f (%.2f-%.2f)" % (row["million_per_second_median"],
                                 row["million_per_second_ci_low"],
                                 row["million_per_second_ci_high"])


def throughput_table(targets):
    """Million examples/s by k: the generator's `next_into` and every online optimizer."""
    ks = [4, 8, 10]
    lines = ["| million examples/s, median (95% CI) | " + " | ".join("k = %d" % k for k in ks)
             + " |", "|---|" + "---:|" * len(ks)]
    generator = {int(r["parameter"]): r for r in targets.get("features_throughput", [])
                 if r["function"] == "next_into"}
    if generator:
        lines.append("| generating crossed examples (`next_into`) | "
                     + " | ".join(rate(generator[k]) if k in generator else "-" for k in ks)
                     + " |")
    online = {}
    for r in targets.get("online_throughput", []):
        if r["group"].startswith("online_k"):
            online.setdefault(r["parameter"], {})[int(r["group"][len("online_k"):])] = r
    for name, by_k in online.items():
        lines.append("| `%s` | " % name
                     + " | ".join(rate(by_k[k]) if k in by_k else "-" for k in ks) + " |")
    return "\n".join(lines)


def streaming_table(targets):
    """Million examples/s of training on rows generated as they come (one core)."""
    rows = [r for r in targets.get("online_throughput", [])
            if r["group"] == "online_streaming_k10"]
    if not rows:
        return None
    lines = ["| k = 10, 200,000 rows generated and trained on one at a time | million examples/s, "
             "median (95% CI) |", "|---|---:|"]
    for r in rows:
        lines.append("| `%s` | %s |" % (r["parameter"], rate(r)))
    return "\n".join(lines)


def seconds_text(ns):
    if ns >= 1e9:
        return "%.3f s" % (ns / 1e9)
    if ns >= 1e6:
        return "%.1f ms" % (ns / 1e6)
    return "%.1f µs" % (ns / 1e3)


def target_table(rows):
    lines = ["| benchmark | median (95% CI) | mean (95% CI) | samples x iterations | "
             "million elements/s (median) |", "|---|---|---|---|---:|"]
    for r in rows:
        name = "/".join(part for part in (r["group"], r["function"], r["parameter"]) if part)
        lines.append("| `%s` | %s (%s-%s) | %s (%s-%s) | %d x %d | %s |"
                     % (name, seconds_text(r["median_ns"]), seconds_text(r["median_ci_low_ns"]),
                        seconds_text(r["median_ci_high_ns"]), seconds_text(r["mean_ns"]),
                        seconds_text(r["mean_ci_low_ns"]), seconds_text(r["mean_ci_high_ns"]),
                        r["samples"], r["iterations"] // max(r["samples"], 1),
                        "%.2f" % r["million_per_second_median"]
                        if r["million_per_second_median"] != "" else "-"))
    return "\n".join(lines)


def render(targets, host, span, command, log_lines, loads):
    out = ["# Bench results", "",
           "Written by `python3 experiments/tools/bench_results.py` from criterion's estimates "
           "(`target/criterion/**/new/estimates.json`); do not edit by hand. Times are per "
           "iteration (one iteration = the work the bench's doc names: a batch of rows for the "
           "throughput benches, one fit for the batch bench); intervals are criterion's 95% "
           "bootstrap confidence intervals. Per-bench CSVs beside this file hold every figure.",
           "", "- Command: `%s`" % command,
           "- Measured: %s to %s UTC (write times of the estimates)" % span,
           "- Machine: %s, %s cores, %s, %s; %s" % (host["cpu"], host["cores"], host["memory"],
                                                   host["os"], host["rustc"]),
           "- Commit: %s (benched code with uncommitted changes: %s)"
           % (host["commit"], host["code_dirty"])]
    if loads:
        out.append("- Load average (1/5/15 min) before and after: %s, %s (a shared machine: "
                   "other jobs may have run beside the benches)" % loads)
    else:
        out.append("- Load average: not recorded (exported after the run, without `--run`); "
                   "a shared machine: other jobs may have run beside the benches")
    out += ["", "## Throughput (one pass over pre-generated rows, batch 1)", "",
            "From `online_throughput.csv` and `features_throughput.csv`: rows per second "
            "(criterion throughput: rows per iteration / time per iteration).", "",
            throughput_table(targets)]
    streaming = streaming_table(targets)
    if streaming:
        out += ["", "## Throughput while streaming (generation included, one core, batch 1)", "",
                "From the `online_streaming_k10` rows of `online_throughput.csv`: each iteration "
                "generates 200,000 rows at k = 10 and trains on each as it comes, as a run with "
                "`[data] stream` does.", "", streaming]
    if log_lines:
        out += ["", "## The batch bench's problem and one fit (its own output)", "", "```"]
        out += log_lines + ["```"]
    for target in sorted(targets):
        out += ["", "## `%s` (`%s.csv`)" % (target, target), "", target_table(targets[target])]
    return "\n".join(out) + "\n"


def main():
    args = parse_args()
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    criterion = Path(args.criterion) if args.criterion else target_dir / "criterion"
    loads, log_text, command = None, None, args.bench_command
    if args.run:
        log_text, before, after, _, _ = run_benches(criterion)
        loads = ("/".join("%.2f" % v for v in before), "/".join("%.2f" % v for v in after))
        command = " ".join(BENCH_COMMAND)
    elif args.log:
        try:
            log_text = Path(args.log).read_text()
        except OSError as err:
            sys.exit("--log %s: %s" % (args.log, err))
    try:
        targets = collect(criterion)
        span = check_one_run(targets, args.max_spread_hours)
    except ExportError as err:
        sys.exit("bench_results: %s" % err)
    log_lines = [line.strip() for line in (log_text or "").splitlines()
                 if line.startswith("batch_time:")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for target, rows in targets.items():
        write_csv(out / ("%s.csv" % target), rows)
    (out / "bench.md").write_text(render(targets, machine(), span, command, log_lines, loads))
    print("wrote %s (%d benchmarks) at %s" % (out / "bench.md",
                                             sum(len(r) for r in targets.values()),
                                             time.strftime("%H:%M:%S")))


if __name__ == "__main__":
    main()
