//! Writes the report files besides `runs.csv`: `summary.md` ([`summary`], from the per-cell
//! figures of [`aggregate`]), `published_vs_ours.md` and `.csv` (when the spec has `[[compare]]`
//! tables: computed by [`compare`] with [`compare_points`], [`compare_path`] and each method's
//! [`frontier`], rendered by [`compare_report`]), the plots ([`plots`], the frontier charts of
//! [`frontier_plot`]) and
//! `metadata.json` ([`metadata`]); [`paired`] the per-seed paired differences behind every "A vs B"
//! line. [`export`] writes model CSVs, [`saved_model`] the
//! self-describing model files of real data (pipeline + weights) that `runner predict` reads,
//! [`features`] the fitted feature columns (`features.md`); [`scaling`] the tables and charts
//! against n of a grid over the training rows (instead of those over k); [`beside`] sets two reports' charts
//! side by side (`runner beside`); every file goes through
//! [`atomic_write`].
//!
//! Depends on `spec`, `record`, `paths`, `provenance` (the build's code fingerprint and git
//! state) and `execute` (the machine and the allocator, for the metadata); it knows nothing of
//! the sweep or the command line.

pub mod aggregate;
pub mod atomic_write;
pub mod beside;
pub mod buckets;
pub mod compare;
pub mod compare_path;
pub mod compare_points;
pub mod compare_report;
pub mod export;
pub mod features;
pub mod frontier;
pub mod frontier_plot;
pub mod metadata;
pub mod paired;
pub mod plots;
pub mod saved_model;
pub mod scaling;
pub mod search_report;
pub mod summary;
pub mod unchanged;

use std::path::Path;
use std::time::Instant;

use crate::execute::{alloc_counter, machine};
use crate::record::{self, RunRecord};
use crate::report::atomic_write::write_atomic;
use crate::spec::{ExperimentSpec, LoadedSpec};
use crate::{paths, provenance};

/// What the report needs from the sweep.
pub struct ReportInputs<'a> {
    /// The report directory.
    pub dir: &'a Path,
    /// The spec as run (after `--quick`).
    pub spec: &'a ExperimentSpec,
    /// The spec file as read.
    pub loaded: &'a LoadedSpec,
    /// Whether `--quick` shrank the experiment.
    pub quick: bool,
    /// Whether `--no-plots` turned the plots off.
    pub no_plots: bool,
    /// The shard run, as `I/N`, if any.
    pub shard: Option<String>,
    /// The shards `runner merge` combined (empty for a run).
    pub merged_shards: &'a [metadata::MergedShard],
    /// Every row, selection marked.
    pub rows: &'a [RunRecord],
    /// Worker threads.
    pub threads: usize,
    /// Whether the peak RSS was reset before each run.
    pub reset_rss: bool,
    /// Units run in this invocation.
    pub units_run: usize,
    /// Units found in `runs.csv` (or restored from the archive).
    pub units_resumed: usize,
    /// What resume did with the rows found.
    pub resume: &'a metadata::ResumeFacts,
    /// When the invocation started.
    pub started: Instant,
    /// The same, as Unix time.
    pub started_unix: u64,
}

/// The sentence `summary.md` and `metadata.json` use to say how memory was measured.
pub fn memory_method(threads: usize, rss_reset: bool) -> String {
    // The model-bytes definition lives in `optimizers::model::SPARSE_ENTRY_BYTES`; this says it
    // in every report with the entry size taken from there.
    let model = format!(
        "model_bytes_sparse: {} B per nonzero weight, a u64 feature id and an f32 weight as a \
         served sparse model stores them (model_bytes_dense: {} B per weight of the dimension, an \
         f32 vector, computed, never allocated); not what training holds.",
        optimizers::model::SPARSE_ENTRY_BYTES,
        optimizers::model::DENSE_ENTRY_BYTES,
    );
    let heap = "peak_heap_bytes: a counting global allocator with per-thread counters, reset at \
        the start of each run; each run executes on one thread, so the figure is that run's own \
        (data sets are built before the runs and excluded; memory freed by another thread would \
        be missed, which the runner never does within a run). train_state_bytes: the online \
        optimizer's training state at its peak, the real allocation of its hash table (slots of \
        id and per-coordinate state, f64, or with an f32 or 16-bit q2.13 coefficient, empty \
        ones included, and control bytes) plus the admission filter (batch: the heap peak of the \
        fit, CSR matrix included).";
    let rss = match (threads == 1, rss_reset) {
        (true, true) => {
            "peak_rss_bytes: VmHWM of /proc/self/status, reset before each run (one thread), so \
             per run but including what the process held before it (the data set, memory the \
             allocator kept); rss_before_bytes is the RSS right after the reset, so peak minus \
             before is the run's own growth."
        }
        (true, false) => {
            "peak_rss_bytes: VmHWM of /proc/self/status, process-wide and never reset (one \
             thread, but the kernel refused the reset: writing 5 to /proc/self/clear_refs \
             failed): the peak of the whole process so far, not of one run."
        }
        (false, _) => {
            "peak_rss_bytes: VmHWM of /proc/self/status, process-wide and never reset (runs \
             overlap on several threads): the peak of the whole process so far, not of one run."
        }
    };
    format!("{model} {heap} {rss} Runs ran on {threads} thread(s).")
}

/// Writes `summary.md`, the comparisons, the plots (unless turned off) and `metadata.json`, each
/// atomically.
pub fn write(inputs: &ReportInputs<'_>) -> anyhow::Result<()> {
    let ReportInputs { dir, spec, loaded, quick, no_plots, rows, threads, reset_rss, .. } = *inputs;
    let memory_method = memory_method(threads, reset_rss);
    let root = paths::workspace_root();
    let commit = provenance::GIT_COMMIT;
    // Relative to the workspace when the spec is in it, so committed reports name no home path.
    let spec_path = loaded.path.canonicalize().unwrap_or_else(|_| loaded.path.clone());
    let root_path = root.canonicalize().unwrap_or_else(|_| root.clone());
    let spec_file = spec_path.strip_prefix(&root_path).unwrap_or(&spec_path).display().to_string();
    let varies_n = scaling::varies_n(rows);
    let varies_buckets = buckets::varies_buckets(rows);
    let summary_ctx = summary::SummaryContext {
        spec,
        spec_file: &spec_file,
        commit,
        code_version: provenance::CODE_VERSION,
        quick,
        memory_method: &memory_method,
        plots: spec.report.plots && !no_plots,
        per_k_tables: !varies_n && !varies_buckets,
    };
    let mut summary_md = summary::render(rows, &summary_ctx);
    if varies_n {
        scaling::section(&mut summary_md, rows);
    }
    if varies_buckets {
        buckets::section(&mut summary_md, rows, dir);
    }
    write_atomic(&dir.join("summary.md"), summary_md.as_bytes())?;
    compare_report::write(dir, spec, rows, quick)?;
    if spec.report.plots && !no_plots && !rows.is_empty() {
        let mut charts = match (varies_n, varies_buckets) {
            (true, _) => scaling::charts(rows),
            (false, true) => buckets::charts(rows),
            (false, false) => plots::charts(rows),
        };
        charts.extend(frontier_plot::charts(&spec.comparisons, rows));
        for chart in charts {
            plots::render(&dir.join("plots"), &chart)?;
        }
    }
    let meta = metadata::Metadata {
        experiment: &spec.name,
        code_version: provenance::CODE_VERSION,
        git_commit: commit,
        git_dirty: provenance::git_dirty(),
        spec_file,
        spec_text: &loaded.text,
        spec,
        seeds: &spec.grid.seeds,
        quick,
        shard: inputs.shard.clone(),
        runs_csv_digest: inputs
            .shard
            .as_ref()
            .and_then(|_| unchanged::runs_digest(dir))
            .map(|d| format!("{d:016x}")),
        host: metadata::host_name(),
        merged_shards: inputs.merged_shards,
        threads,
        machine: machine::MachineInfo::detect(),
        crate_versions: metadata::crate_versions(&root),
        optimized_build: !cfg!(debug_assertions),
        memory_method: &memory_method,
        counting_allocator_active: alloc_counter::is_active(),
        timing_columns: record::TIMING_COLUMNS,
        units_run: inputs.units_run,
        units_resumed: inputs.units_resumed,
        resume: inputs.resume,
        started_unix: inputs.started_unix,
        wall_seconds: inputs.started.elapsed().as_secs_f64(),
        load_average: machine::load_average(),
        command_line: std::env::args().collect(),
    };
    write_atomic(&dir.join("metadata.json"), serde_json::to_string_pretty(&meta)?.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_sentence_says_whether_peak_rss_is_per_run() {
        assert!(memory_method(1, true).contains("reset before each run (one thread), so per run"));
        let refused = memory_method(1, false);
        assert!(
            refused.contains("the kernel refused the reset") && refused.contains("not of one run")
        );
        // Several threads: never reset, whatever the probe said.
        for reset in [true, false] {
            let several = memory_method(2, reset);
            assert!(several.contains("runs overlap on several threads"), "{several}");
            assert!(several.contains("Runs ran on 2 thread(s)."), "{several}");
        }
    }
}
