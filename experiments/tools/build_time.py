#!/usr/bin/env python3
"""Measures, and prints, how long a cold `cargo test --workspace` build takes.

    python3 experiments/tools/build_time.py measure COMMIT [COMMIT ...]   # appends to the CSV
    python3 experiments/tools/build_time.py table                         # Markdown, for the docs

`measure` checks each commit out into a temporary worktree with an empty target directory and
times `cargo test --workspace --no-run` there, as CI builds it (`CI=true`, `CARGO_INCREMENTAL=0`;
dependencies already downloaded, so the time is compilation and linking). It records wall and CPU
seconds with the host, date and load averages in `results/bench/test_build.csv`. Run it on an
otherwise idle machine; commits measured in one invocation are measured back to back.
"""
import csv
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSV_PATH = ROOT / "results" / "bench" / "test_build.csv"
FIELDS = ["commit", "wall_seconds", "cpu_seconds", "host", "cpu", "cores", "date_utc",
          "load_before", "load_after", "command"]
COMMAND = ["cargo", "test", "--workspace", "--no-run"]


def load():
    try:
        return "/".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure_one(commit):
    """Times one cold build of `commit`; returns its CSV row."""
    full = subprocess.run(["git", "-C", str(ROOT), "rev-parse", commit], check=True,
                          capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), full],
                       check=True, capture_output=True)
        try:
            env = dict(os.environ, CI="true", CARGO_INCREMENTAL="0",
                       CARGO_TARGET_DIR=str(Path(tmp) / "target"))
            before, usage = load(), resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.monotonic()
            done = subprocess.run(COMMAND, cwd=tree, env=env, capture_output=True, text=True)
            wall = time.monotonic() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise SystemExit(f"{commit}: the build failed:\n{done.stderr[-3000:]}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return {"commit": full[:10], "wall_seconds": f"{wall:.1f}", "cpu_seconds": f"{cpu:.1f}",
            "host": platform.node(), "cpu": cpu_model(), "cores": str(os.cpu_count()),
            "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "load_before": before, "load_after": load(),
            "command": "CI=true CARGO_INCREMENTAL=0 " + " ".join(COMMAND)}


def measure(commits):
    rows = [measure_one(c) for c in commits]
    new = not CSV_PATH.exists()
    CSV_PATH.parent.mkdir(parents=True, exist_ok=True)
    with CSV_PATH.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(row)


def table():
    try:
        with CSV_PATH.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as e:
        raise SystemExit(f"{CSV_PATH}: {e}")
    first = float(rows[0]["wall_seconds"])
    print("| commit | cold build, wall | CPU (user + system) | against the first | host | date (UTC) "
          "| load before / after |")
    print("|---|---:|---:|---:|---|---|---|")
    for r in rows:
        ratio = float(r["wall_seconds"]) / first
        print(f"| `{r['commit'][:7]}` | {float(r['wall_seconds']):.0f} s | "
              f"{float(r['cpu_seconds']):.0f} s | {ratio:.2f}x | {r['host']}: {r['cpu']}, "
              f"{r['cores']} cores | {r['date_utc']} | {r['load_before']} / {r['load_after']} |")
    print(f"\nCommand: `{rows[-1]['command']}`, from an empty target directory.")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "measure":
        measure(sys.argv[2:])
    elif sys.argv[1:] == ["table"]:
        table()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
