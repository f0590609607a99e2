//! `metadata.json`: how a report was made (the build's code fingerprint, git commit and dirty
//! flag, spec, seeds, shard, host, the shards a merge combined, machine, crate versions, build
//! profile, how memory was measured, what resume reused, redid and archived).

use std::path::Path;

use serde::Serialize;

use crate::execute::machine::MachineInfo;
use crate::spec::ExperimentSpec;

/// Dependencies whose versions are recorded (read from the workspace's `Cargo.lock`).
const RECORDED_DEPENDENCIES: &[&str] =
    &["rand", "rand_chacha", "sprs", "nalgebra", "rayon", "plotters", "serde", "toml", "csv"];

/// Everything `metadata.json` holds.
#[derive(Debug, Serialize)]
pub struct Metadata<'a> {
    /// Experiment name.
    pub experiment: &'a str,
    /// Fingerprint of the code this binary was built from (the `code_version` column of the rows
    /// it computes), from the build, not from the checkout at run time.
    pub code_version: &'a str,
    /// `git rev-parse HEAD` when the binary was built, or `unknown`.
    pub git_commit: &'a str,
    /// Whether the fingerprinted code had uncommitted changes when the binary was built (`null`
    /// without git).
    pub git_dirty: Option<bool>,
    /// The spec file read.
    pub spec_file: String,
    /// Its text.
    pub spec_text: &'a str,
    /// The spec as run (after `--quick`).
    pub spec: &'a ExperimentSpec,
    /// Seeds of the grid.
    pub seeds: &'a [u64],
    /// Whether `--quick` shrank the experiment.
    pub quick: bool,
    /// Shard `I/N`, if any.
    pub shard: Option<String>,
    /// A shard's `runs.csv` digest (FNV-1a 64 of its bytes, 16 hex digits), checked by
    /// `runner merge` so that an edited shard is refused; absent for a report that is no shard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_csv_digest: Option<String>,
    /// The machine's host name (`/proc/sys/kernel/hostname`), so that shards run on several
    /// machines say where they ran; `null` when unknown.
    pub host: Option<String>,
    /// The shards `runner merge` combined into this report (empty for a run).
    pub merged_shards: &'a [MergedShard],
    /// Worker threads.
    pub threads: usize,
    /// The machine.
    pub machine: MachineInfo,
    /// Versions of the workspace crates and of the main dependencies.
    pub crate_versions: Vec<(String, String)>,
    /// Whether the binary was built with optimizations (`cfg!(debug_assertions)` off).
    pub optimized_build: bool,
    /// How `peak_heap_bytes`, `train_state_bytes` and `peak_rss_bytes` were taken.
    pub memory_method: &'a str,
    /// Whether the counting allocator saw a probe allocation (so heap figures are real).
    pub counting_allocator_active: bool,
    /// Columns of `runs.csv` that vary between identical runs (timings, process-wide RSS).
    pub timing_columns: &'a [&'a str],
    /// Units run in this invocation, and units skipped because `runs.csv` had them.
    pub units_run: usize,
    /// Units found in `runs.csv` (or restored from the archive) and not rerun.
    pub units_resumed: usize,
    /// What resume did with the rows found (see [`ResumeFacts`]).
    pub resume: &'a ResumeFacts,
    /// Unix time the invocation started.
    pub started_unix: u64,
    /// Wall seconds of the invocation.
    pub wall_seconds: f64,
    /// The machine's 1, 5 and 15-minute load averages when the report was written (the 15-minute
    /// figure spans most of a run), so a reader can tell a busy host's times from an idle one's.
    pub load_average: Option<[f64; 3]>,
    /// The command line.
    pub command_line: Vec<String>,
}

/// One shard directory combined by `runner merge`, as its own `metadata.json` describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedShard {
    /// The directory, as given on the command line.
    pub dir: String,
    /// Its shard index I (0-based).
    pub index: usize,
    /// The number of shards N.
    pub count: usize,
    /// `git_commit` of the build that ran it.
    pub git_commit: String,
    /// Whether that build's code had uncommitted changes (`null` without git).
    pub git_dirty: Option<bool>,
    /// The host it ran on, when its `metadata.json` records one.
    pub host: Option<String>,
    /// Rows taken from its `runs.csv` (refit rows aside).
    pub rows: usize,
}

/// The host name of this machine (`/proc/sys/kernel/hostname`, else `$HOSTNAME`); `None` when
/// neither is there.
pub fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// What resume did with the rows of an earlier run (counts of rows). A row is reused when its
/// run id, `code_version` and `data_fingerprint` match this run; rows that do not are redone
/// (or kept and marked `stale` with `--reuse-stale`), and rows that leave `runs.csv` are
/// appended to the archive file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResumeFacts {
    /// Rows reused: run id, code and data fingerprints all match.
    pub reused: usize,
    /// Rows brought back from the archive (same run id, code and data fingerprints).
    pub restored: usize,
    /// Rows made by other code (another `code_version`) than this build.
    pub stale_code: usize,
    /// Rows made from other data (another `data_fingerprint`) than this run's.
    pub changed_data: usize,
    /// Of the stale rows (other code or data), those replaced: archived, and their units run
    /// again (or restored from the archive when it has them with this code and data).
    pub replaced: usize,
    /// Of the stale rows, those kept and marked `stale = true` (`--reuse-stale`).
    pub kept_stale: usize,
    /// Rows kept unchecked because their real data file is missing (nothing can be redone).
    pub unverified: usize,
    /// Rows the spec no longer plans (moved to the archive).
    pub not_planned: usize,
    /// Rows set aside by `--fresh` (moved to the archive).
    pub fresh: usize,
    /// Rows of the report's earlier `runs.csv` that `runner merge` replaced with the shards'
    /// rows (moved to the archive).
    pub merged_over: usize,
    /// Rows of runs that ended in `error`, moved to the archive so that their runs are retried
    /// (left out of `metadata.json` when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub errors_retried: usize,
    /// Rows appended to the archive in this run.
    pub archived: usize,
    /// The archive file (beside `runs.csv`), when rows were appended to it.
    pub archive_file: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Versions of the workspace crates (compiled in) and of `RECORDED_DEPENDENCIES` (from
/// `Cargo.lock` when it is readable).
pub fn crate_versions(root: &Path) -> Vec<(String, String)> {
    let mut versions = vec![
        ("runner".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("features".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("optimizers".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("regularizers".to_string(), env!("CARGO_PKG_VERSION").to_string()),
    ];
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let Ok(parsed) = lock.parse::<toml::Table>() else {
        return versions;
    };
    let packages = parsed.get("package").and_then(|p| p.as_array()).cloned().unwrap_or_default();
    for package in packages {
        let name = package.get("name").and_then(|v| v.as_str()).unwrap_or_default();
        let version = package.get("version").and_then(|v| v.as_str()).unwrap_or_default();
        if RECORDED_DEPENDENCIES.contains(&name) {
            versions.push((name.to_string(), version.to_string()));
        }
    }
    versions
}
