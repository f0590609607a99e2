//! Runs an experiment: plan, resume, one data set at a time with its units in parallel (rayon),
//! lambda selection, and the report (`runs.csv` rewritten atomically after every data set, then
//! `summary.md`, plots, `metadata.json`, model exports).
//!
//! [`options`] holds the options of a run (the command line's flags), [`progress`] the progress
//! display, [`resume`] what rows of an earlier run are reused (run id, code and data
//! fingerprints all matching) and what is redone, [`archive`] the `runs.archive.csv` that keeps
//! every row leaving `runs.csv`, [`selection`] the choice of one lambda per group on
//! validation, [`preflight`] the checks made before any compute (memory, estimated by
//! [`memory`]; output directory), and [`failures`] what runs that ended in `error` do (retried,
//! listed, a non-zero exit). [`real_outputs`] writes what real data sets add (`features.md`,
//! saved models), [`refit`] the refits of the selected runs on train + validation. [`merge`]
//! (`runner merge`) checks shard directories copied back from other machines and writes the one
//! report through this same path with [`Merging`]: the shards' rows are the earlier rows, and a
//! unit or a search point that would have to be trained is an error.
//!
//! Depends on every layer below it: `spec`, `plan`, `data`, `execute`, `report`, `record`,
//! `paths`.

pub mod archive;
pub mod failures;
pub mod memory;
pub mod merge;
pub mod options;
pub mod preflight;
pub mod progress;
pub mod real_outputs;
pub mod refit;
pub mod resume;
pub mod search;
pub mod searched;
pub mod selection;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use rayon::prelude::*;

pub use self::options::{RunArgs, Shard};
use self::progress::Progress;
use self::searched::Searched;
use crate::execute::{self, machine, RunContext, RunOutput};
use crate::plan::{self, DatasetKey, Plan, Unit};
use crate::record::{self, RunRecord};
use crate::report::atomic_write::{remove_leftovers, write_atomic};
use crate::report::{self, export};
use crate::{data, paths, spec};

/// Directory name of an experiment's report: `--quick` runs get their own (`<name>-quick`), so
/// they never mix with full runs.
fn report_name(name: &str, args: &RunArgs) -> String {
    if args.quick {
        format!("{name}-quick")
    } else {
        name.to_string()
    }
}

/// Report directory of an experiment (a shard gets its own, which a later run without
/// `--shard` reads back, see [`previous_rows`]).
fn report_dir(out: &Path, name: &str, args: &RunArgs) -> PathBuf {
    match args.shard {
        Some(s) => out.join(format!("{name}-shard-{}-of-{}", s.index, s.count)),
        None => out.join(name),
    }
}

/// Rows already measured: this report's `runs.csv`, plus (without `--shard`) the `runs.csv` of
/// every finished shard directory of the same experiment. Duplicate run ids keep the first.
fn previous_rows(
    out: &Path,
    name: &str,
    dir: &Path,
    args: &RunArgs,
) -> anyhow::Result<Vec<RunRecord>> {
    let mut rows = record::read_csv(&dir.join("runs.csv"))?;
    if args.shard.is_none() {
        let prefix = format!("{name}-shard-");
        if let Ok(entries) = std::fs::read_dir(out) {
            let mut shard_dirs: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(&prefix)))
                .collect();
            shard_dirs.sort();
            for shard in shard_dirs {
                rows.extend(record::read_csv(&shard.join("runs.csv"))?);
            }
        }
    }
    let mut seen = HashSet::new();
    // Refit rows are recomputed from the selected rows by every run (see `refit`).
    rows.retain(|r| !r.is_refit() && seen.insert(r.run_id.clone()));
    Ok(rows)
}

/// Runs the spec at `spec_path` with `args`.
pub fn run_spec(spec_path: &Path, args: &RunArgs) -> anyhow::Result<()> {
    let (loaded, spec) = spec_as_run(spec_path, args)?;
    run_loaded(&loaded, spec, args, None)
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

/// What `runner merge` hands to the run once it has checked the shards (see [`merge`]): their
/// rows stand in for the earlier rows, and nothing may be trained but the refits.
#[derive(Debug)]
pub struct Merging {
    /// Every row of every shard (refit rows left out: they are recomputed).
    pub rows: Vec<RunRecord>,
    /// The shards merged, for `metadata.json`.
    pub shards: Vec<report::metadata::MergedShard>,
    /// The data sets' fingerprints, computed once by the checks.
    pub fingerprints: BTreeMap<DatasetKey, Option<String>>,
    /// How the shards' runs were measured, for the report's memory sentence: their threads
    /// (the most of any shard), and whether every shard reset the peak RSS before each run.
    pub measured: (usize, bool),
}

/// Runs `spec` (read from `loaded`, changed by `args`); with `merging`, from the shards' rows
/// without training anything (see [`Merging`]).
pub fn run_loaded(
    loaded: &spec::LoadedSpec,
    spec: spec::ExperimentSpec,
    args: &RunArgs,
    merging: Option<Merging>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this runner was built without optimizations; runs are slower than with \
             `cargo run --release -p runner` (the report's figures are unaffected, its timings are)"
        );
    }
    let mut plan: Plan = plan::expand(&spec)?;
    if let Some(shard) = args.shard {
        plan = plan.shard(shard.index, shard.count);
    }
    let out = args.out.clone().unwrap_or_else(paths::default_results_dir);
    let report_name = report_name(&spec.name, args);
    let dir = report_dir(&out, &report_name, args);
    let data_dir = paths::data_dir(args.data_dir.as_deref());
    let threads =
        args.threads.map_or_else(|| machine::MachineInfo::detect().logical_cores, usize::from);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let reset_rss = threads == 1 && machine::reset_peak_rss();
    let export_models = args.export_models || spec.report.export_models;
    let (merged_rows, merged_shards, merged_fingerprints, measured) = match merging {
        Some(m) => (Some(m.rows), m.shards, Some(m.fingerprints), m.measured),
        None => (None, Vec::new(), None, (threads, reset_rss)),
    };
    let merge = merged_rows.is_some();
    let memory_cap = spec.grid.memory_cap_bytes();
    let over_cap = if merge && !spec.selection.refit {
        // A merge trains nothing without refits: only the directory needs checking.
        preflight::check_output_dir(&dir)?;
        preflight::OverCap::new()
    } else {
        preflight::check(&preflight::Preflight {
            spec: &spec,
            plan: &plan,
            dir: &dir,
            data_dir: &data_dir,
            threads,
            keep_models: export_models,
            max_memory: args.max_memory,
        })?
    };

    // Every data set's fingerprint, before deciding what to resume: a real data file is read
    // even when every unit is done, so a changed or damaged file is noticed.
    let fingerprints = match merged_fingerprints {
        Some(f) => f,
        None => data::fingerprint::fingerprints(&spec, &plan.datasets, &data_dir)?,
    };
    let (mut reconciled, mut to_archive, mut searched) = reconcile_previous(
        &plan,
        &fingerprints,
        Previous { out: &out, report_name: &report_name, dir: &dir, merged: merged_rows },
        args,
        started_unix,
    )?;
    let mut rows = std::mem::take(&mut reconciled.rows);
    let todo: Vec<&Unit> = reconciled.todo.iter().map(|&i| &plan.units[i]).collect();
    if merge && !todo.is_empty() {
        anyhow::bail!(
            "merge: {} units of the plan have no usable row in the shards and would have to be \
             run: {}; rerun the shards that hold them",
            todo.len(),
            listed(todo.iter().map(|u| u.run_id(0)))
        );
    }
    let resumed = reconciled.resumed;
    if merge {
        eprintln!(
            "merging: the {} units of the plan come from {} shard directories; nothing is trained{}",
            plan.units.len(),
            merged_shards.len(),
            if spec.selection.refit { " but the refits ([selection] refit)" } else { "" }
        );
    } else if resumed > 0 {
        eprintln!(
            "resuming: {} of {} units already in {} (made by this code from the same data: their \
             rows are reused, not rerun; `--fresh` reruns everything and moves the old rows to {})",
            resumed,
            plan.units.len(),
            dir.join("runs.csv").display(),
            archive::ARCHIVE_FILE
        );
    }
    eprintln!(
        "{}: {} data sets, {} units to run on {threads} thread(s), report in {}",
        spec.name,
        plan.datasets.len(),
        todo.len(),
        dir.display()
    );
    let progress = Progress::new(todo.len() as u64);
    let mut skipped: Vec<String> = Vec::new();
    let (mut units_done, mut units_skipped, mut units_added) = (0usize, 0usize, 0usize);
    let mut feature_sections = real_outputs::FeatureSections::default();
    for &key in &plan.datasets {
        let units: Vec<&Unit> = todo.iter().copied().filter(|u| u.dataset == key).collect();
        let data_fingerprint = fingerprints.get(&key).cloned().flatten();
        let mut data: Option<data::Dataset> = None;
        let mut models: HashMap<String, optimizers::LinearModel> = HashMap::new();
        if !units.is_empty() {
            data = match data::build(&spec, key, &data_dir)? {
                Ok(data) => Some(data),
                Err(missing) => {
                    // Every data set of a real-data experiment reads the same file: say it once
                    // and skip them all.
                    let message = format!(
                        "experiment `{}` skipped: data file {} not found. The README's \"Real \
                         data\" section says where each file comes from (with its checksum); put \
                         it in a directory and pass that with --data-dir or {}.",
                        spec.name,
                        missing.file.display(),
                        paths::DATA_DIR_ENV
                    );
                    skipped.push(message);
                    units_skipped = todo.len() - units_done;
                    break;
                }
            };
            units_done += units.len();
        }
        if let Some(data) = &data {
            feature_sections.add(data, &dir, &spec.name)?;
        }
        let run = |units: &[&Unit], data: &data::Dataset| -> Vec<(usize, RunOutput)> {
            let ctx = RunContext {
                spec: &spec,
                dataset: data,
                reset_rss,
                keep_models: export_models,
                data_fingerprint: data_fingerprint.as_deref().unwrap_or_default(),
            };
            pool.install(|| {
                units
                    .par_iter()
                    .enumerate()
                    .flat_map_iter(|(i, unit)| {
                        let outputs = match (over_cap.get(&unit.run_id(0)), memory_cap) {
                            (Some(&bytes), Some(cap)) => {
                                vec![execute::batch::over_cap(unit, &ctx, bytes, cap)]
                            }
                            _ => run_guarded(unit, &ctx),
                        };
                        let status: Vec<&str> =
                            outputs.iter().map(|o| o.record.status.as_str()).collect();
                        progress.finish_one(&format!("{} [{}]", unit.run_id(0), status.join(",")));
                        outputs.into_iter().map(move |o| (i, o))
                    })
                    .collect()
            })
        };
        if let Some(data) = &data {
            for (_, output) in run(&units, data) {
                keep_model(&mut models, &output);
                rows.push(output.record);
            }
        }
        // The lambda search: points past the grid's edges, then those of the budget.
        for phase in [search::Phase::Edges, search::Phase::Budget] {
            loop {
                selection::mark_selected(&mut rows, &spec.selection);
                let additions = search::additions_now(phase, &spec, &plan, key, &rows)?;
                let mut to_run: Vec<&search::Addition> = Vec::new();
                let mut progressed = false;
                let known: HashSet<String> = rows.iter().map(|r| r.run_id.clone()).collect();
                for addition in &additions {
                    let ids = search::emitted_ids(&addition.unit);
                    // A point already measured is never run twice (and ends the search).
                    if ids.iter().any(|id| known.contains(id)) {
                        continue;
                    }
                    match searched.take(&ids, data_fingerprint.as_deref()) {
                        Some(reused) => {
                            reconciled.facts.reused += reused.len();
                            rows.extend(reused);
                            progressed = true;
                        }
                        None => to_run.push(addition),
                    }
                }
                if merge && !to_run.is_empty() {
                    // The shard ran the same search on the same rows, so it measured these.
                    anyhow::bail!(
                        "merge: the lambda search on data set {} asks for points no shard \
                         measured: {}; were the shards run with other flags (--budget, \
                         --quick)?",
                        key.tag(),
                        listed(to_run.iter().flat_map(|a| search::emitted_ids(&a.unit)))
                    );
                }
                if !to_run.is_empty() && data.is_none() {
                    // Every unit of this data set was resumed: build it now (without its file,
                    // the search stops here and the choice stays flagged).
                    data = data::build(&spec, key, &data_dir)?.ok();
                }
                if let (false, Some(data)) = (to_run.is_empty(), &data) {
                    progress.add_units(to_run.len() as u64);
                    units_added += to_run.len();
                    let units: Vec<&Unit> = to_run.iter().map(|a| &a.unit).collect();
                    let mut by_unit: Vec<Vec<RunRecord>> = vec![Vec::new(); to_run.len()];
                    for (i, output) in run(&units, data) {
                        keep_model(&mut models, &output);
                        by_unit[i].push(output.record);
                    }
                    for (addition, records) in to_run.iter().zip(by_unit) {
                        let kept = search::keep_added(addition, records);
                        progressed |= !kept.is_empty();
                        rows.extend(kept);
                    }
                }
                if !progressed {
                    break;
                }
            }
        }
        // Selection, edges and the budget's choice first: the models exported are theirs.
        finish_selection(&spec, &plan, &mut rows, Some(key));
        if let Some(data) = &data {
            let models_dir = dir.join("models");
            for row in rows.iter().filter(|r| r.selected || r.budget_selected) {
                if let Some(model) = models.get(&row.run_id) {
                    export::write_model(
                        &models_dir.join(format!("{}.csv", row.run_id)),
                        model,
                        &data.space,
                    )?;
                    real_outputs::save_model(&models_dir, row, model, data)?;
                }
            }
        }
        write_runs(&dir, &mut rows, &mut to_archive)?;
    }
    progress.finish();
    to_archive.rows.extend(searched.leftovers());
    finish_selection(&spec, &plan, &mut rows, None);
    if spec.selection.refit {
        let models_dir = dir.join("models");
        let inputs = refit::RefitInputs {
            spec: &spec,
            plan: &plan,
            data_dir: &data_dir,
            models_dir: export_models.then_some(models_dir.as_path()),
            reset_rss,
            fingerprints: &fingerprints,
        };
        pool.install(|| refit::refit_selected(&inputs, &mut rows))?;
    }
    write_runs(&dir, &mut rows, &mut to_archive)?;

    report::write(&report::ReportInputs {
        dir: &dir,
        spec: &spec,
        loaded,
        quick: args.quick,
        no_plots: args.no_plots,
        shard: args.shard.map(|s| format!("{}/{}", s.index, s.count)),
        merged_shards: &merged_shards,
        rows: &rows,
        // The rows' memory figures were measured where they ran (the shards, for a merge).
        threads: measured.0,
        reset_rss: measured.1,
        skipped: &skipped,
        units_run: todo.len() - units_skipped + units_added,
        units_resumed: resumed,
        resume: &reconciled.facts,
        started,
        started_unix,
    })?;
    for message in &skipped {
        println!("{message}");
    }
    println!(
        "{}: {} runs in {} ({} run now{}, {} resumed) in {:.1} s",
        spec.name,
        rows.len(),
        dir.display(),
        todo.len() - units_skipped + units_added,
        if units_added > 0 {
            format!(", {units_added} of them added by the lambda search")
        } else {
            String::new()
        },
        resumed,
        started.elapsed().as_secs_f64()
    );
    failures::check(&rows)
}

/// Items listed in full in an error message before "and N more".
const LISTED: usize = 8;

/// `items` for an error message: the first few, then how many more.
fn listed(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    let mut text = items.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > LISTED {
        text.push_str(&format!(" and {} more", items.len() - LISTED));
    }
    text
}

/// Keeps a run's model when it may be exported (only kept models reach here).
fn keep_model(models: &mut HashMap<String, optimizers::LinearModel>, output: &RunOutput) {
    if let Some(model) = &output.model {
        models.insert(output.record.run_id.clone(), model.clone());
    }
}

/// Marks the selected row of every group, where it lies in its group's lambdas (for the groups
/// of data set `only`, or of every data set), and the best row within the budget.
fn finish_selection(
    spec: &spec::ExperimentSpec,
    plan: &Plan,
    rows: &mut [RunRecord],
    only: Option<DatasetKey>,
) {
    selection::mark_selected(rows, &spec.selection);
    search::mark_edges(spec, plan, rows, only);
    selection::mark_budget_selected(rows, spec.selection.budget, spec.selection.metric);
}

/// Where the rows of earlier runs are.
struct Previous<'a> {
    /// Parent of the report directories (shards are looked for there).
    out: &'a Path,
    /// The report's directory name (before `-shard-...`).
    report_name: &'a str,
    /// The report directory.
    dir: &'a Path,
    /// `runner merge`: the shards' rows, read instead of the report's own `runs.csv` and of the
    /// shard directories beside it (whose rows the merge sets aside for the archive).
    merged: Option<Vec<RunRecord>>,
}

/// Removes what interrupted writes left in the report directory, decides what to resume (see
/// [`resume`]; `--fresh` reuses nothing and archives every row) and says so on the console. The
/// rows leaving `runs.csv` wait in the returned [`Archiving`] until `runs.csv` is first written.
fn reconcile_previous(
    plan: &Plan,
    fingerprints: &BTreeMap<DatasetKey, Option<String>>,
    previous: Previous<'_>,
    args: &RunArgs,
    started_unix: u64,
) -> anyhow::Result<(resume::Reconciled, Archiving, Searched)> {
    let Previous { out, report_name, dir, merged } = previous;
    for leftover in remove_leftovers(dir) {
        eprintln!(
            "removed {}: a partial write left by an interrupted run (the file it was replacing \
             is intact)",
            leftover.display()
        );
    }
    let archive_path = dir.join(archive::ARCHIVE_FILE);
    let mut searched = Searched::default();
    let mut reconciled = if let Some(rows) = merged {
        // The report's own rows make way for the shards': those the shards repeat (same run
        // id, code and data, as resume would reuse them) and refits (recomputed) are dropped,
        // the others (other code, other data, no longer planned) go to the archive.
        let runs = dir.join("runs.csv");
        let empty = std::fs::metadata(&runs).is_ok_and(|m| m.len() == 0);
        let mut old = if empty { Vec::new() } else { record::read_csv(&runs)? };
        let repeated: HashSet<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.run_id.as_str(), r.code_version.as_str(), r.data_fingerprint.as_str()))
            .collect();
        old.retain(|r| {
            !r.is_refit()
                && !repeated.contains(&(
                    r.run_id.as_str(),
                    r.code_version.as_str(),
                    r.data_fingerprint.as_str(),
                ))
        });
        let mut rows = rows;
        searched = Searched::split_off(&mut rows);
        let archived = archive::read(&archive_path)?;
        let mut r = resume::reconcile(plan, rows, &archived, fingerprints, false);
        r.facts.merged_over = old.len();
        r.archived.extend(old.into_iter().map(|row| (row, resume::MERGED_OVER)));
        r.facts.archived = r.archived.len();
        r
    } else if args.fresh {
        // Nothing is reused, and nothing deleted: the old rows go to the archive.
        let runs = dir.join("runs.csv");
        // An empty runs.csv holds nothing to archive; --fresh is the way out the error names.
        let empty = std::fs::metadata(&runs).is_ok_and(|m| m.len() == 0);
        let old = if empty { Vec::new() } else { record::read_csv(&runs)? };
        let mut r = resume::Reconciled {
            todo: (0..plan.units.len()).collect(),
            archived: old.into_iter().map(|row| (row, resume::FRESH)).collect(),
            ..resume::Reconciled::default()
        };
        r.facts.fresh = r.archived.len();
        r.facts.archived = r.archived.len();
        r
    } else {
        // Runs that ended in `error` are retried: their rows go to the archive, not into resume.
        let mut rows = previous_rows(out, report_name, dir, args)?;
        let errored = failures::take_errors(&mut rows);
        searched = Searched::split_off(&mut rows);
        let archived = archive::read(&archive_path)?;
        let mut r = resume::reconcile(plan, rows, &archived, fingerprints, args.reuse_stale);
        r.archived.extend(errored.into_iter().map(|row| (row, resume::ERROR)));
        r.facts.archived = r.archived.len();
        r
    };
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

/// Runs a unit, turning a panic inside an optimizer into an `error` row so the sweep goes on.
fn run_guarded(unit: &Unit, ctx: &RunContext<'_>) -> Vec<RunOutput> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| execute::run_unit(unit, ctx))) {
        Ok(outputs) => outputs,
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let mut r = execute::base_record(unit, 0, ctx);
            execute::fail(&mut r, format!("panicked: {text}"));
            vec![RunOutput { record: r, model: None }]
        }
    }
}

/// Rows waiting to be appended to the archive.
struct Archiving {
    /// The archive file.
    path: PathBuf,
    /// The rows, each with its reason.
    rows: Vec<(RunRecord, &'static str)>,
    /// Their `archived_unix`.
    unix: u64,
}

/// Appends the rows waiting for the archive (the first time), then sorts and writes `runs.csv`
/// atomically.
fn write_runs(dir: &Path, rows: &mut [RunRecord], archiving: &mut Archiving) -> anyhow::Result<()> {
    archive::append(&archiving.path, &archiving.rows, archiving.unix)?;
    archiving.rows.clear();
    record::sort_rows(rows);
    write_atomic(&dir.join("runs.csv"), &record::to_csv(rows)?)
}
