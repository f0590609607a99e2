"""Shared reading and formatting for the findings generators (experiments/tools/findings_*.py).

Reads a committed report directory (`results/NAME/`: `runs.csv`, `metadata.json`, Markdown
files) and formats figures the way the runner's own reports do (bytes in B/KiB/MiB/GiB with one
decimal, counts with thousands separators), so a generated table reads like `summary.md`.
Standard library only: CI has plain python3.
"""
import csv
import json
import statistics
from datetime import datetime, timezone
from pathlib import Path


def load_text(meta):
    """The 1/5/15-minute load averages a report recorded when it was written, or 'not recorded'."""
    load = meta.get("load_average")
    return "/".join(f"{v:.2f}" for v in load) if load else "not recorded"


def fail(message):
    """Stops the generator with a message naming what is missing (docs_sections shows it)."""
    raise SystemExit(message)


def read_runs(report, statuses=("ok",)):
    """The rows of `report/runs.csv` whose status is in `statuses` (all rows if None)."""
    path = Path(report) / "runs.csv"
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as err:
        fail(f"{path}: {err}")
    if rows and "status" not in rows[0]:
        fail(f"{path}: no status column")
    return [r for r in rows if statuses is None or r["status"] in statuses]


def read_metadata(report):
    path = Path(report) / "metadata.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        fail(f"{path}: {err}")


def parse_method(text):
    """`reg/opt` -> (regularizer, optimizer label)."""
    if "/" not in text:
        fail(f"method `{text}`: write it as regularizer/optimizer, e.g. l1/ftrl")
    reg, opt = text.split("/", 1)
    return reg.strip(), opt.strip()


def method_name(reg, opt):
    return f"{reg.upper()} / {opt}"


def selected_by_seed(rows, reg, opt, k=None):
    """{seed: row} of the selected runs of one method (at k if given)."""
    found = {}
    for r in rows:
        if r["selected"] == "true" and r["regularizer"] == reg and r["optimizer"] == opt:
            if k is None or r["k"] == str(k):
                found[r["seed"]] = r
    return found


def mean(values):
    values = list(values)
    return statistics.mean(values) if values else float("nan")


def spread(values):
    """Standard deviation over seeds (0 for one seed)."""
    values = list(values)
    return statistics.stdev(values) if len(values) > 1 else 0.0


def count(value):
    """A count as the reports print it: thousands separators, one decimal unless whole."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"


def human_bytes(value):
    """Bytes in B, KiB, MiB or GiB with one decimal, as the runner's reports."""
    value = float(value)
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def gib(value):
    return f"{float(value) / 2**30:.2f} GiB"


def loss(values, digits=4):
    """Mean ± sd over seeds, or the single value; `-` where the split was not scored."""
    values = [float(v) for v in values]
    if not values or any(v != v for v in values):
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{mean(values):.{digits}f} ± {spread(values):.{digits}f}"


def utc(unix_seconds):
    return datetime.fromtimestamp(float(unix_seconds), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def table(header, rows, right=()):
    """A Markdown table; columns whose index is in `right` are right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
