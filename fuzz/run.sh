#!/usr/bin/env bash
# Runs one fuzz target under AFL++ (cargo-afl) for a given time, then prints its figures.
#
#   fuzz/run.sh TARGET [SECONDS]     # TARGET: csv_data | csv_spec | libsvm | spec; default 600 s
#
# Needs `cargo install cargo-afl` and `cargo afl config --build` once (see README.md). The run's
# directory is out/TARGET-<date>/ (queue/, crashes/, hangs/, fuzzer_stats, plot_data); its log is
# beside it. The binary is copied first, so rebuilding never replaces a running fuzzer's binary.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh csv_data|csv_spec|libsvm|spec [SECONDS]}
seconds=${2:-600}
case $target in
  csv_data | libsvm) dict=dict/csv.dict timeout=2000 ;;
  csv_spec | spec) dict=dict/toml.dict timeout=10000 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
cargo afl build --release --bin "$target"
stamp=$(date +%Y%m%d-%H%M%S)
out=out/$target-$stamp
mkdir -p out/bin
bin=out/bin/$target-$stamp
cp "target/release/$target" "$bin"
# -m 2048: a failed allocation past 2 GiB of address space is a crash (bounded memory on small
# inputs); -t: an input taking longer (2 s; 10 s for specs, whose largest legal synthetic
# problems take 5 s to check) is a hang.
AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  cargo afl fuzz -i "seeds/$target" -o "$out" -x "$dict" -V "$seconds" -m 2048 -t "$timeout" -- "$bin" \
  >"$out.log" 2>&1
echo "$target: $out"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs|stability) ' \
  "$out/default/fuzzer_stats"
