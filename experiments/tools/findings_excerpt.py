#!/usr/bin/env python3
"""Prints one section of a committed Markdown file (a report's summary.md, published_vs_ours.md,
results/bench/bench.md, results/peers/*.md), so a findings page quotes it by a command instead
of a copy that goes stale.

Usage: findings_excerpt.py FILE HEADING [HEADING...] [--shift N] [--flat] [--tables]

HEADING... is a path: the first heading whose text starts with the first HEADING, then, inside it, the
first one starting with the second, and so on (`"k = 8" "Reading"` in peers.md). The section's body
is printed without its heading, down to the next heading of the same or a higher level (with
`--flat`, down to the next heading of any level). Headings inside it are pushed down N levels
(default 2, so a `##` of the report becomes a `####` under a page's `##`). `--tables` keeps only
the Markdown tables and the bullet lists (the figures), without the report's prose.
"""
import argparse
import re
import sys
from pathlib import Path

HEADING = re.compile(r"^(#{1,6}) +(.*?)\s*$")


def find(lines, path, where):
    """(start, end) line indexes of the body of the section at `path` of headings."""
    start, end, level = 0, len(lines), 0
    for wanted in path:
        for index in range(start, end):
            match = HEADING.match(lines[index])
            if match and len(match.group(1)) > level and match.group(2).startswith(wanted):
                level = len(match.group(1))
                start = index + 1
                end = next((j for j in range(start, end) if (m := HEADING.match(lines[j]))
                            and len(m.group(1)) <= level), end)
                break
        else:
            raise SystemExit(f"{where}: no heading `{wanted}` (path: {' > '.join(path)})")
    return start, end, level


def body(lines, start, end, flat):
    if flat:
        end = next((j for j in range(start, end) if HEADING.match(lines[j])), end)
    return lines[start:end]


def figures_only(lines):
    """Tables and bullet lists, one blank line between blocks."""
    kept, previous = [], False
    for line in lines:
        keep = line.startswith("|") or line.startswith("- ") or HEADING.match(line)
        if keep:
            if not previous and kept:
                kept.append("")
            kept.append(line)
        previous = bool(keep)
    return kept


def shifted(lines, shift):
    out = []
    for line in lines:
        match = HEADING.match(line)
        out.append("#" * min(6, len(match.group(1)) + shift) + " " + match.group(2) if match else line)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("heading", nargs="+")
    parser.add_argument("--shift", type=int, default=2)
    parser.add_argument("--flat", action="store_true")
    parser.add_argument("--tables", action="store_true")
    args = parser.parse_args()
    try:
        lines = args.file.read_text().splitlines()
    except OSError as err:
        raise SystemExit(f"{args.file}: {err}")
    start, end, _ = find(lines, args.heading, args.file)
    text = body(lines, start, end, args.flat)
    text = figures_only(text) if args.tables else text
    text = shifted(text, args.shift)
    while text and not text[0].strip():
        text.pop(0)
    while text and not text[-1].strip():
        text.pop()
    if not text:
        raise SystemExit(f"{args.file}: section `{' > '.join(args.heading)}` is empty")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
