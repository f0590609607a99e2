#!/usr/bin/env python3
"""Prints a Markdown table of how committed reports were made, read from each report's
`metadata.json` and `runs.csv`: wall time, host, machine, threads, start date, commit and code
version, units run or resumed, and the rows the lambda search added (`origin = edge_search`).

The guide and the front page quote a run's time only through this table, so an absolute time
always names its host, date and load (the 1/5/15-minute load averages `metadata.json` records
when the report was written; "not recorded" for reports made before it did).

Usage: experiments/tools/guide_run_facts.py results/k_sweep [results/OTHER ...]
"""
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results_lib as lib  # noqa: E402


def facts(report: Path) -> list:
    """The table's cells for one report directory."""
    meta, rows = lib.read_metadata(report), lib.read_runs(report, statuses=None)
    machine = meta.get("machine", {})
    started = datetime.fromtimestamp(meta["started_unix"], tz=timezone.utc)
    added = sum(1 for r in rows if r.get("origin") == "edge_search")
    wall = f"{meta['wall_seconds']:.0f} s"
    if meta.get("merged_shards"):
        # A merge trains nothing: its wall time is not the sweep's.
        wall += f" (the merge of {len(meta['merged_shards'])} shards)"
    return [
        f"`{report.as_posix()}`",
        wall,
        f"{meta.get('host', 'unknown')}: {machine.get('cpu_model', '?')}, "
        f"{machine.get('logical_cores', '?')} cores, {meta.get('threads', '?')} threads",
        started.strftime("%Y-%m-%d %H:%M UTC"),
        lib.load_text(meta),
        f"`{meta['git_commit'][:7]}` (code `{meta['code_version']}`)",
        f"{meta['units_run']:,} / {meta['units_resumed']:,}",
        f"{added:,}",
    ]


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    print("| report | wall time | host | started | load (1/5/15 min, at the end) | commit "
          "| units run / resumed | rows added by the lambda search |")
    print("|---|---:|---|---|---|---|---:|---:|")
    for name in sys.argv[1:]:
        print("| " + " | ".join(facts(Path(name))) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
