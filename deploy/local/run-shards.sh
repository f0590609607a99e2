#!/usr/bin/env bash
# Runs a sweep as N shard processes on this machine, then merges them into one report: the
# local recipe of deploy/README.md. GNU parallel runs the shards when it is installed, else
# `xargs -P`.
#
# Usage: deploy/local/run-shards.sh SPEC N [RUNNER_FLAGS...]
#
# Environment: OUT (parent of the report, default results/ of this checkout), SHARD_ROOT (where
# the shards write, default OUT/shards/<spec file name>), JOBS (shards at once, default N),
# THREADS (each shard's --threads, default 1), RUNNER (the runner binary, default the release
# build of this checkout, built first). RUNNER_FLAGS go to every shard and to the merge
# (--quick, --budget, --data-dir, --export-models, --no-plots; not --threads: use THREADS).
# A shard's console output goes to SHARD_ROOT/I-of-N.log. Rerunning resumes every shard.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    sed -n '2,14p' "$0" >&2
    exit 2
fi
spec=$1 n=$2
shift 2
case "$n" in
    '' | *[!0-9]* | 0) echo "N must be a positive number, not '$n'" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ -z "${RUNNER:-}" ]; then
    # Built once before the shards start: every shard and the merge must be the same build.
    (cd "$repo" && cargo build --release -p runner)
    RUNNER=$repo/target/release/runner
fi
out=${OUT:-$repo/results}
shard_root=${SHARD_ROOT:-$out/shards/$(basename "$spec" .toml)}
jobs=${JOBS:-$n}
threads=${THREADS:-1}
mkdir -p "$shard_root"
export RUNNER SPEC="$spec" SHARDS="$n" SHARD_ROOT="$shard_root" THREADS="$threads"

# One shard: `runner run SPEC --shard I/N` into SHARD_ROOT/I-of-N, its console to a log file.
run_shard() {
    local i=$1
    shift
    local log="$SHARD_ROOT/$i-of-$SHARDS.log"
    if "$RUNNER" run "$SPEC" --shard "$i/$SHARDS" --out "$SHARD_ROOT/$i-of-$SHARDS" \
        --threads "$THREADS" "$@" >"$log" 2>&1; then
        echo "shard $i/$SHARDS done ($log)"
    else
        echo "shard $i/$SHARDS failed, see $log" >&2
        return 1
    fi
}
export -f run_shard

echo "running $n shards of $spec, $jobs at a time, into $shard_root"
if command -v parallel >/dev/null 2>&1; then
    # -q keeps each argument whole; --halt soon,fail=1 starts no new shard after a failure.
    seq 0 $((n - 1)) | parallel -q -j "$jobs" --halt soon,fail=1 \
        bash -c 'run_shard "$@"' run_shard {} "$@"
else
    seq 0 $((n - 1)) | xargs -P "$jobs" -I{} bash -c 'run_shard "$@"' run_shard {} "$@"
fi
RUNNER=$RUNNER exec "$repo/deploy/merge-shards.sh" "$spec" "$n" "$shard_root" "$out" "$@"
