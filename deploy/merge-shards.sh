#!/usr/bin/env bash
# Merges the N shard directories of one sweep into its report, with `runner merge`: the step
# every recipe in deploy/ ends with (see deploy/README.md).
#
# Usage: deploy/merge-shards.sh SPEC N SHARD_ROOT RESULTS [RUNNER_FLAGS...]
#
# Shard I of N ran with `--out SHARD_ROOT/I-of-N`, so its directory is the one
# `SHARD_ROOT/I-of-N/<report>-shard-I-of-N` (`<report>` is the spec's name, `-quick` added with
# --quick). The report goes to RESULTS/<report>/. RUNNER_FLAGS are the flags the shards ran with
# (--quick, --budget, --data-dir, --export-models, --no-plots), so that the report is the one
# an unsharded run with them writes. RUNNER is the runner binary (default: the release build of
# this checkout, built if missing).
set -euo pipefail

if [ "$#" -lt 4 ]; then
    sed -n '2,14p' "$0" >&2
    exit 2
fi
spec=$1 n=$2 shard_root=$3 results=$4
shift 4
case "$n" in
    '' | *[!0-9]* | 0) echo "N must be a positive number, not '$n'" >&2; exit 2 ;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runner=${RUNNER:-$repo/target/release/runner}
if [ ! -x "$runner" ]; then
    (cd "$repo" && cargo build --release -p runner)
fi

shards=()
for ((i = 0; i < n; i++)); do
    found=()
    for dir in "$shard_root/$i-of-$n"/*-shard-"$i"-of-"$n"; do
        [ -d "$dir" ] && found+=("$dir")
    done
    if [ "${#found[@]}" -ne 1 ]; then
        echo "shard $i of $n: expected one directory $shard_root/$i-of-$n/<report>-shard-$i-of-$n, found ${#found[@]}" >&2
        exit 1
    fi
    shards+=("${found[0]}")
done
exec "$runner" merge "$spec" "${shards[@]}" --out "$results" "$@"
