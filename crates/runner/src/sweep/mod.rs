//! Runs an experiment as three stages, each in its own file: [`prepare`] (plan, the checks
//! before any compute, fingerprints, what to resume), then [`dataset`] once per data set (its
//! units in parallel, the lambda search, the selected models exported, `runs.csv` rewritten
//! atomically), then [`finish`] (selection over every data set, refits, `runs.csv`, the report:
//! `summary.md`, plots, `metadata.json`). Rows come from a [`source::RowSource`]: trained here
//! (`runner run`) or taken from the shards (`runner merge`, see [`merge`]), which the stages ask
//! where the two differ.
//!
//! Beside the stages: [`options`] holds the options of a run (the command line's flags),
//! [`progress`] the progress display, [`counts`] the closing line's row counts, [`lock`] the one-writer lock on the report directory, [`train`] runs units in the worker pool, [`resume`] what
//! rows of an earlier run are reused (run id, code and data fingerprints all matching) and what
//! is redone, [`archive`] the `runs.archive.csv` that keeps every row leaving `runs.csv`,
//! [`selection`] the choice of one lambda per group on validation, [`search`] and [`searched`]
//! the lambda search and its earlier rows, [`preflight`] the checks made before any compute
//! (memory, estimated by [`memory`]; output directory), and [`failures`] what runs that ended in
//! `error` do (retried, listed, a non-zero exit). [`real_outputs`] writes what real data sets
//! add (`features.md`, saved models), [`hash_outputs`] and [`calibration_outputs`] the
//! `hash_stats.csv` and `calibration.csv` tables, [`refit`] the refits of the selected runs on
//! train + validation, [`model_files`] which model files are current. [`merge`] (`runner
//! merge`) checks shard directories copied back from other machines and writes the one report
//! through this same path with [`Merging`].
//!
//! Depends on every layer below it: `spec`, `plan`, `data`, `execute`, `report`, `record`,
//! `paths`.

pub mod archive;
pub mod calibration_outputs;
pub mod counts;
pub mod dataset;
pub mod failures;
pub mod finish;
pub mod hash_outputs;
pub mod kept_rows;
pub mod lock;
pub mod memory;
pub mod merge;
pub mod model_files;
pub mod options;
pub mod preflight;
pub mod prepare;
pub mod progress;
pub mod real_outputs;
pub mod refit;
pub mod resume;
pub mod search;
pub mod searched;
pub mod selection;
pub mod source;
pub mod train;

use std::path::Path;

pub use self::options::{RunArgs, Shard};
use self::prepare::Stage;
pub use self::source::{Merging, RowSource};
use crate::{plan, spec};

/// Runs the spec at `spec_path` with `args`.
pub fn run_spec(spec_path: &Path, args: &RunArgs) -> anyhow::Result<()> {
    let (loaded, spec) = spec_as_run(spec_path, args)?;
    run_loaded(&loaded, spec, args, RowSource::Train)
}

/// Reads the spec at `spec_path` and applies what `args` change in it (`--quick`, `--budget`):
/// the spec as run, beside the file as read.
pub fn spec_as_run(
    spec_path: &Path,
    args: &RunArgs,
) -> anyhow::Result<(spec::LoadedSpec, spec::ExperimentSpec)> {
    let loaded = spec::load(spec_path)?;
    let mut spec = if args.quick { plan::apply_quick(&loaded.spec) } else { loaded.spec.clone() };
    if args.budget.is_some() {
        spec.selection.budget = args.budget;
    }
    Ok((loaded, spec))
}

/// Runs `spec` (read from `loaded`, changed by `args`) with its rows from `source`: prepare,
/// each data set in plan order, finish.
pub fn run_loaded(
    loaded: &spec::LoadedSpec,
    spec: spec::ExperimentSpec,
    args: &RunArgs,
    mut source: RowSource,
) -> anyhow::Result<()> {
    let (setup, mut tally) = prepare::prepare(&spec, &loaded.path, args, &mut source)?;
    let stage = Stage { spec: &spec, setup: &setup, source: &source };
    for &key in &setup.plan.datasets {
        dataset::run_dataset(&stage, &mut tally, key)?;
    }
    finish::finish(&stage, tally, loaded, args)
}
