//! The sweep's first stage, before any unit runs: the plan (after `--shard`), where the report
//! goes, the worker threads, the checks before any compute ([`super::preflight`]), every data
//! set's fingerprint, and what to resume (the row source's earlier rows, see [`super::source`]
//! and [`super::resume`]), said on the console.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;

use super::archive::{self, Archiving};
use super::calibration_outputs::CalibrationFile;
use super::hash_outputs::HashStatsFile;
use super::lock::{lock_report_dir, ReportLock};
use super::options::RunArgs;
use super::preflight::{OverCap, Preflight};
use super::progress::Progress;
use super::real_outputs::FeatureSections;
use super::resume::{self, Reconciled};
use super::searched::Searched;
use super::source::{Previous, RowSource};
use crate::execute::machine;
use crate::plan::{self, DatasetKey, Plan};
use crate::record::{self, RunRecord};
use crate::report::atomic_write::remove_leftovers;
use crate::report::metadata::ResumeFacts;
use crate::{data, paths, spec};

/// What every later stage reads, settled before the first data set.
pub struct Setup {
    /// The plan (after `--shard`).
    pub plan: Plan,
    /// The report directory.
    pub dir: PathBuf,
    /// This process's lock on `dir`, held until the sweep ends.
    pub lock: ReportLock,
    /// Where real data files are.
    pub data_dir: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// The pool the units run in.
    pub pool: rayon::ThreadPool,
    /// Whether the peak RSS is reset before each run (one thread only).
    pub reset_rss: bool,
    /// Whether a streamed training split is read on a second thread (`--read-ahead`).
    pub read_ahead: bool,
    /// Whether selected models are exported (`models/`).
    pub export_models: bool,
    /// Bins of `calibration.csv` (`[report] calibration_bins`; `None`: no file).
    pub calibration_bins: Option<usize>,
    /// Batch units not to start (their estimate passes `[grid] memory_cap`).
    pub over_cap: OverCap,
    /// A real data set's files as they were when their fingerprint was taken (checked again
    /// while the run reads them).
    pub identity: Option<data::DataIdentity>,
    /// Every data set's fingerprint (`None`: its real data file is missing).
    pub fingerprints: BTreeMap<DatasetKey, Option<String>>,
    /// Indices (into `plan.units`) of the units to run, in plan order.
    pub todo: Vec<usize>,
    /// Units whose rows were kept or restored.
    pub resumed: usize,
    /// The digest of `runs.csv` before this run touched it (`None`: there was none).
    pub runs_before: Option<u64>,
    /// The progress display.
    pub progress: Progress,
    /// When the invocation started.
    pub started: Instant,
    /// The same, as Unix time.
    pub started_unix: u64,
}

/// The stages' shared inputs, read only.
pub struct Stage<'a> {
    /// The spec as run.
    pub spec: &'a spec::ExperimentSpec,
    /// What `prepare` settled.
    pub setup: &'a Setup,
    /// Where rows not yet measured come from.
    pub source: &'a RowSource,
}

/// What the stages add to as the sweep goes.
pub struct Tally {
    /// Every row so far (resumed, then run).
    pub rows: Vec<RunRecord>,
    /// What resume did (search rows reused are counted as they are taken).
    pub facts: ResumeFacts,
    /// Rows waiting for the archive until `runs.csv` is first written.
    pub to_archive: Archiving,
    /// Search rows of earlier runs, waiting for the search to ask for them.
    pub searched: Searched,
    /// Units the lambda search added and ran.
    pub units_added: usize,
    /// Rows of planned units trained in this run (see `counts`).
    pub grid_rows_run: usize,
    /// Rows of lambda-search points trained in this run and kept.
    pub search_rows_run: usize,
    /// The `features.md` sections written so far.
    pub feature_sections: FeatureSections,
    /// The `hash_stats.csv` rows so far.
    pub hash_stats: HashStatsFile,
    /// The `calibration.csv` rows so far.
    pub calibration: CalibrationFile,
}

/// Directory name of an experiment's report: `--quick` runs get their own (`<name>-quick`), so
/// they never mix with full runs.
pub fn report_name(name: &str, args: &RunArgs) -> String {
    if args.quick {
        format!("{name}-quick")
    } else {
        name.to_string()
    }
}

/// Report directory of an experiment (a shard gets its own, which a later run without
/// `--shard` reads back as earlier rows).
pub fn report_dir(out: &Path, name: &str, args: &RunArgs) -> PathBuf {
    match args.shard {
        Some(s) => out.join(format!("{name}-shard-{}-of-{}", s.index, s.count)),
        None => out.join(name),
    }
}

/// Plans `spec`, runs the checks, computes the fingerprints and decides what to resume.
pub fn prepare(
    spec: &spec::ExperimentSpec,
    spec_path: &Path,
    args: &RunArgs,
    source: &mut RowSource,
) -> anyhow::Result<(Setup, Tally)> {
    let started = Instant::now();
    let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    warn_if_unoptimized();
    let mut plan: Plan = plan::expand(spec)?;
    if let Some(shard) = args.shard {
        plan = plan.shard(shard.index, shard.count);
    }
    super::preflight::check_grid(&plan)?;
    let out = args.out.clone().unwrap_or_else(paths::default_results_dir);
    let report_name = report_name(&spec.name, args);
    let dir = report_dir(&out, &report_name, args);
    let data_dir =
        data::locate_data_dir(spec, &paths::data_dir(args.data_dir.as_deref()), spec_path)?;
    let (threads, pool, reset_rss) = worker_threads(args)?;
    let export_models = args.export_models || spec.report.export_models;
    let calibration_bins = spec.report.calibration_bins.map(|b| b as usize);
    let over_cap = source.preflight(&Preflight {
        spec,
        plan: &plan,
        dir: &dir,
        data_dir: &data_dir,
        threads,
        keep_models: export_models || calibration_bins.is_some(),
        max_memory: args.max_memory,
    })?;
    let identity = data::check_files(spec, &data_dir)?;
    let fingerprints = source.fingerprints(spec, &plan, &data_dir, identity.as_ref())?;
    // Before reading runs.csv: a second writer would otherwise read the same rows and replace
    // the first one's.
    let lock = lock_report_dir(&dir)?;
    let runs_before = crate::report::unchanged::runs_digest(&dir);
    let previous = Previous { out: &out, report_name: &report_name, dir: &dir, args };
    let (mut reconciled, to_archive, searched) =
        reconcile_previous(&plan, &fingerprints, &previous, source, started_unix)?;
    let todo = std::mem::take(&mut reconciled.todo);
    source.check_todo(&todo.iter().map(|&i| &plan.units[i]).collect::<Vec<_>>())?;
    source.announce(spec, &plan, reconciled.resumed, &dir);
    eprintln!(
        "{}: {} data sets, {} units to run on {threads} thread(s), report in {}",
        spec.name,
        plan.datasets.len(),
        todo.len(),
        dir.display()
    );
    let search = &spec.selection.search;
    let may_grow =
        search.max_steps > 0 || (search.budget_steps > 0 && spec.selection.budget.is_some());
    let progress = Progress::new(todo.len() as u64, may_grow);
    let tally = Tally {
        rows: std::mem::take(&mut reconciled.rows),
        facts: std::mem::take(&mut reconciled.facts),
        to_archive,
        searched,
        units_added: 0,
        grid_rows_run: 0,
        search_rows_run: 0,
        feature_sections: FeatureSections::default(),
        hash_stats: HashStatsFile::default(),
        calibration: CalibrationFile::default(),
    };
    let setup = Setup {
        plan,
        dir,
        lock,
        data_dir,
        threads,
        pool,
        reset_rss,
        read_ahead: args.read_ahead,
        export_models,
        calibration_bins,
        over_cap,
        identity,
        fingerprints,
        todo,
        resumed: reconciled.resumed,
        runs_before,
        progress,
        started,
        started_unix,
    };
    Ok((setup, tally))
}

/// Says when this runner is a debug build: its timings are not those of the reports.
fn warn_if_unoptimized() {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this runner was built without optimizations; runs are slower than with \
             `cargo run --release -p runner` (the report's figures are unaffected, its timings are)"
        );
    }
}

/// The worker threads (`--threads`, else every core), their pool, and whether the peak RSS is
/// reset before each run (possible with one thread only).
fn worker_threads(args: &RunArgs) -> anyhow::Result<(usize, rayon::ThreadPool, bool)> {
    let threads =
        args.threads.map_or_else(|| machine::MachineInfo::detect().logical_cores, usize::from);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let reset_rss = threads == 1 && machine::reset_peak_rss();
    Ok((threads, pool, reset_rss))
}

/// Removes what interrupted writes left in the report directory, decides what to resume (the
/// row source's earlier rows; `--fresh` reuses nothing and archives every row) and says so on
/// the console. The rows leaving `runs.csv` wait in the returned [`Archiving`] until
/// `runs.csv` is first written.
fn reconcile_previous(
    plan: &Plan,
    fingerprints: &BTreeMap<DatasetKey, Option<String>>,
    previous: &Previous<'_>,
    source: &mut RowSource,
    started_unix: u64,
) -> anyhow::Result<(Reconciled, Archiving, Searched)> {
    let dirs =
        [previous.dir.to_path_buf(), previous.dir.join("plots"), previous.dir.join("models")];
    for leftover in dirs.iter().flat_map(|d| remove_leftovers(d)) {
        eprintln!(
            "removed {}: a partial write left by an interrupted run (the file it was replacing \
             is intact)",
            leftover.display()
        );
    }
    let archive_path = previous.dir.join(archive::ARCHIVE_FILE);
    let (mut reconciled, searched) = source.earlier(plan, fingerprints, previous)?;
    // Rows leaving runs.csv are appended to the archive just before runs.csv is first rewritten
    // without them (an interruption in between leaves them in both, never in neither; a run that
    // fails before writing anything leaves both files as they were).
    let mut to_archive = Archiving {
        path: archive_path.clone(),
        rows: std::mem::take(&mut reconciled.archived),
        unix: started_unix,
    };
    to_archive.rows.sort_by(|(a, _), (b, _)| record::compare_rows(a, b));
    if !to_archive.rows.is_empty() {
        reconciled.facts.archive_file = Some(archive_path.display().to_string());
    }
    for line in resume::describe(&reconciled.facts, &archive_path.display().to_string()) {
        eprintln!("{line}");
    }
    Ok((reconciled, to_archive, searched))
}
