#!/usr/bin/env bash
# Checks that the code in this checkout reproduces the results of an earlier commit: builds both,
# runs every experiment's `--quick` variant with each, and compares the runs.csv files ignoring
# the timing columns (experiments/tools/same_results.py). Rows of methods added since BASE are
# allowed (--allow-new); every other row must be identical.
#
# Usage: experiments/tools/check_unchanged.sh BASE_COMMIT [DATA_DIR]
set -euo pipefail
base="${1:?usage: $0 BASE_COMMIT [DATA_DIR]}"
data="${2:-${SPARSECROSS_DATA_DIR:-../shared/data}}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/base" "$base" >/dev/null
(cd "$work/base" && cargo build --release -q -p runner)
(cd "$root" && cargo build --release -q -p runner)
for spec in "$root"/experiments/*.toml; do
    name="$(basename "$spec" .toml)"
    for side in base head; do
        if [ "$side" = base ]; then dir="$work/base"; else dir="$root"; fi
        (cd "$dir" && ./target/release/runner run "$name" --quick --no-plots \
            --out "$work/$side" --data-dir "$data" >"$work/$side-$name.log" 2>&1) \
            || { echo "$name failed on $side: see $work/$side-$name.log"; exit 1; }
    done
done
python3 "$root/experiments/tools/same_results.py" "$work/base" "$work/head" --allow-new
