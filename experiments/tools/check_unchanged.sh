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
# california_own_data reads files that `runner split` makes from the California file (the
# commands in its spec): made once, by this checkout's runner, for both sides.
mydata="$work/mydata"; mkdir -p "$mydata"
if [ -f "$data/california_housing_train.csv" ]; then
    "$root/target/release/runner" split "$data/california_housing_train.csv" --test-fraction 0.2 \
        --seed 1 --derive-label "price_class=median_house_value > 265000" \
        --label-texts expensive,affordable \
        --train-out "$mydata/california_rest.csv" --test-out "$mydata/california_test.csv" >/dev/null
    "$root/target/release/runner" split "$mydata/california_rest.csv" --test-fraction 0.2 --seed 2 \
        --train-out "$mydata/california_train.csv" \
        --test-out "$mydata/california_validation.csv" >/dev/null
fi
for spec in "$root"/experiments/*.toml; do
    name="$(basename "$spec" .toml)"
    dir_of_data="$data"; [ "$name" = california_own_data ] && dir_of_data="$mydata"
    for side in base head; do
        if [ "$side" = base ]; then dir="$work/base"; else dir="$root"; fi
        (cd "$dir" && ./target/release/runner run "$name" --quick --no-plots \
            --out "$work/$side" --data-dir "$dir_of_data" >"$work/$side-$name.log" 2>&1) \
            || { echo "$name failed on $side: see $work/$side-$name.log"; exit 1; }
    done
done
python3 "$root/experiments/tools/same_results.py" "$work/base" "$work/head" --allow-new
