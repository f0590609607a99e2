#!/usr/bin/env bash
# Submits a sweep to Slurm as a job array of N shards and, after it, the merge job that writes
# the one report (see deploy/README.md). Builds the runner first, once, on this node (unless
# RUNNER names a built one): every task runs the same binary from the shared checkout.
#
# Usage: deploy/slurm/submit.sh SPEC N [RUNNER_FLAGS...]     (run from the checkout)
#
# Extra sbatch options (partition, account) go in SBATCH_EXTRA, e.g. SBATCH_EXTRA="-p long".
set -euo pipefail

if [ "$#" -lt 2 ]; then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
spec=$1 n=$2
shift 2
case "$n" in
    '' | *[!0-9]* | 0) echo "N must be a positive number, not '$n'" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# RUNNER names a binary already built (the deploy test passes its own); else build it here.
if [ -z "${RUNNER:-}" ]; then
    (cd "$repo" && cargo build --release -p runner)
fi
export SPARSECROSS_REPO=$repo
read -r -a extra <<<"${SBATCH_EXTRA:-}"

# --parsable prints `jobid` or `jobid;cluster`.
array=$(sbatch --parsable ${extra[@]+"${extra[@]}"} --array="0-$((n - 1))" \
    "$repo/deploy/slurm/sweep.sbatch" "$spec" "$@")
array=${array%%;*}
# afterok on an array job waits for every task, and runs only if all ended with exit code 0.
merge=$(sbatch --parsable ${extra[@]+"${extra[@]}"} --dependency="afterok:$array" \
    "$repo/deploy/slurm/merge.sbatch" "$spec" "$n" "$@")
echo "submitted shards as job array $array (0-$((n - 1))) and the merge as job ${merge%%;*}"
