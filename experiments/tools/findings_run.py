#!/usr/bin/env python3
"""Prints what made each committed report: its spec, the command to rerun it, and the run's
provenance from `metadata.json` (code version, commit, host, cores, threads, start date, wall
time, runs), one table row per report, so a page's "what was run" and every wall time it quotes
come from the committed files.

Usage: findings_run.py REPORT [REPORT...]     e.g. findings_run.py results/k_sweep

The rerun command is `cargo run --release -p runner -- run SPEC` plus the options of the
recorded command line that change what runs (`--threads`, `--data-dir`), not `--out`. A report
written by `runner merge` is rerun shard by shard, then merged; it has no wall time of its own
(the merge trains nothing): the row says so and gives the sum of the runs' `train_seconds`.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402

KEPT_OPTIONS = {"--threads", "--data-dir"}


def rerun_command(meta):
    shards = meta.get("merged_shards") or []
    if shards:
        return (f"runner run {meta['spec_file']} --shard I/{shards[0]['count']} for each I, "
                f"then runner merge {meta['spec_file']} SHARD_DIR...")
    args = meta.get("command_line") or []
    kept, index = [], 0
    while index < len(args):
        if args[index] in KEPT_OPTIONS and index + 1 < len(args):
            value = args[index + 1] if args[index] != "--data-dir" else "DATA_DIR"
            kept += [args[index], value]
            index += 2
        else:
            index += 1
    return " ".join(["cargo run --release -p runner -- run", meta["spec_file"]] + kept)


def wall(meta, rows):
    if meta.get("merged_shards"):
        shards = meta["merged_shards"]
        trained = sum(float(r["train_seconds"]) for r in rows if r["train_seconds"] not in ("", "NaN"))
        return (f"merged from {len(shards)} shards (no wall time recorded; "
                f"sum of `train_seconds` {trained:,.0f} s)")
    return f"{float(meta['wall_seconds']):,.1f} s"


def row(report):
    meta, rows = lib.read_metadata(report), lib.read_runs(report, statuses=None)
    machine = meta.get("machine", {})
    selected = sum(r["selected"] == "true" for r in rows)
    return [f"`{Path(report).as_posix()}`", f"`{rerun_command(meta)}`",
            f"`{meta['code_version']}` at {meta['git_commit'][:7]}"
            + (" (uncommitted changes)" if meta.get("git_dirty") else ""),
            f"{meta.get('host', '?')}: {machine.get('cpu_model', '?')}, "
            f"{machine.get('logical_cores', '?')} cores; {meta.get('threads', '?')} thread(s)",
            lib.utc(meta["started_unix"]), lib.load_text(meta), wall(meta, rows),
            f"{len(rows):,} ({selected:,} selected)"]


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    header = ["report", "rerun", "code (commit)", "host", "started", "load (1/5/15 min, at the end)",
              "wall time", "runs"]
    print(lib.table(header, [row(report) for report in sys.argv[1:]], right={7}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
