#!/usr/bin/env python3
"""Writes or checks the generated sections of README.md and docs/**/*.md.

A generated section is everything between a line
    <!-- generated: python3 experiments/tools/NAME.py ARG... -->
and the next line
    <!-- end generated -->
The command is run from the repository root (no shell; only `python3 experiments/tools/...`
commands, which read committed files) and its standard output replaces the section.

    python3 experiments/tools/docs_sections.py --write   # rewrite every section
    python3 experiments/tools/docs_sections.py --check   # exit 1 naming each stale section

`--root DIR` works on another checkout (the tests use it on a copy with a figure changed).
"""
import argparse
import shlex
import subprocess
import sys
from pathlib import Path

BEGIN = "<!-- generated: "
END = "<!-- end generated -->"


def documents(root):
    """README.md, then every Markdown file under docs/, in a stable order."""
    found = [root / "README.md"]
    found += sorted((root / "docs").rglob("*.md")) if (root / "docs").is_dir() else []
    return [path for path in found if path.is_file()]


def run(root, command, where):
    """The section's text: the command's standard output, ending in one newline."""
    argv = shlex.split(command)
    if len(argv) < 2 or argv[0] != "python3" or not argv[1].startswith("experiments/tools/"):
        raise SystemExit(f"{where}: a generated section runs `python3 experiments/tools/...`, not `{command}`")
    argv[0] = sys.executable
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{where}: `{command}` failed (exit {done.returncode}):\n{done.stderr}")
    return done.stdout.rstrip("\n") + "\n"


def sections(path, root):
    """Yields (first line index, end line index, command) of each generated section."""
    lines = path.read_text().splitlines(keepends=True)
    start = None
    for index, line in enumerate(lines):
        where = f"{path.relative_to(root)}:{index + 1}"
        if line.startswith(BEGIN):
            if start is not None:
                raise SystemExit(f"{where}: a generated section opens inside another")
            start, command = index, line[len(BEGIN):].rstrip().removesuffix("-->").strip()
        elif line.rstrip() == END:
            if start is None:
                raise SystemExit(f"{where}: `{END}` without an opening marker")
            yield start, index, command
            start = None
    if start is not None:
        raise SystemExit(f"{path.relative_to(root)}:{start + 1}: generated section never closed")


def refresh(path, root):
    """The file's text with every section rewritten, and the sections that changed."""
    lines = path.read_text().splitlines(keepends=True)
    stale, out, last = [], [], 0
    for start, end, command in list(sections(path, root)):
        where = f"{path.relative_to(root)}:{start + 1}"
        fresh = run(root, command, where)
        out += lines[last:start + 1]
        out.append(fresh)
        if "".join(lines[start + 1:end]) != fresh:
            stale.append(f"{where}: `{command}`")
        last = end
    out += lines[last:]
    return "".join(out), stale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args()
    root = args.root.resolve()
    all_stale, count = [], 0
    for path in documents(root):
        text, stale = refresh(path, root)
        count += len(list(sections(path, root)))
        all_stale += stale
        if args.write and stale:
            path.write_text(text)
    if args.check and all_stale:
        print("stale generated sections (run `python3 experiments/tools/docs_sections.py --write`):")
        print("\n".join(all_stale))
        sys.exit(1)
    print(f"{count} generated sections, {len(all_stale)} {'rewritten' if args.write else 'stale'}")


if __name__ == "__main__":
    main()
