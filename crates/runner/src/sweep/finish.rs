//! The sweep's last stage, after every data set: the search rows no search asked for leave for
//! the archive, the selection marks over all data sets, the refits of the selected runs on
//! train + validation (`[selection] refit`), `runs.csv` written a last time, model files of
//! runs no longer selected set aside ([`super::model_files`]), the report
//! (`summary.md`, plots, `metadata.json`), the closing line on the console, and the exit
//! status of runs that ended in `error`.

use super::archive;
use super::counts::RowCounts;
use super::failures;
use super::model_files;
use super::options::RunArgs;
use super::prepare::{Stage, Tally};
use super::refit;
use super::selection;
use crate::report::{self, unchanged};
use crate::spec;

/// Ends the sweep: selection over every data set, refits, `runs.csv`, the report.
pub fn finish(
    stage: &Stage<'_>,
    mut tally: Tally,
    loaded: &spec::LoadedSpec,
    args: &RunArgs,
) -> anyhow::Result<()> {
    let Stage { spec, setup, .. } = *stage;
    setup.progress.finish();
    let leftovers = std::mem::take(&mut tally.searched).leftovers();
    if !leftovers.is_empty() {
        eprintln!(
            "{}: {} rows an earlier lambda search added were not asked for again and move to {} \
             too; nothing is deleted",
            spec.name,
            leftovers.len(),
            archive::ARCHIVE_FILE
        );
    }
    tally.to_archive.rows.extend(leftovers);
    selection::mark_all(spec, &setup.plan, &mut tally.rows, None);
    if spec.selection.refit {
        let models_dir = setup.dir.join("models");
        let inputs = refit::RefitInputs {
            spec,
            plan: &setup.plan,
            data_dir: &setup.data_dir,
            models_dir: setup.export_models.then_some(models_dir.as_path()),
            reset_rss: setup.reset_rss,
            identity: setup.identity.as_ref(),
            fingerprints: &setup.fingerprints,
        };
        setup.pool.install(|| refit::refit_selected(&inputs, &mut tally.rows))?;
    }
    archive::write_runs(&setup.dir, &mut tally.rows, &mut tally.to_archive)?;
    let moved = model_files::set_aside_superseded(&setup.dir, &tally.rows)?;
    if moved > 0 {
        eprintln!(
            "{}: {moved} model file(s) of runs no longer selected moved to models/{}/",
            spec.name,
            model_files::SUPERSEDED_DIR
        );
    }
    let units_run = setup.todo.len() + tally.units_added;
    let kept = setup.runs_before.is_some()
        && setup.runs_before == unchanged::runs_digest(&setup.dir)
        && unchanged::report_is_current(&setup.dir, &loaded.text, args.quick)
        && (args.no_plots || !spec.report.plots || setup.dir.join("plots").is_dir());
    if kept {
        eprintln!(
            "{}: every row reused and runs.csv unchanged: the report in {} is left as it was \
             (its metadata.json describes the run that measured these rows)",
            spec.name,
            setup.dir.display()
        );
    } else {
        write_report(stage, &tally, loaded, args, units_run)?;
    }
    let refits = tally.rows.iter().filter(|r| r.is_refit()).count();
    let trained = (tally.grid_rows_run, tally.search_rows_run, refits);
    let counts = RowCounts::new(tally.rows.len(), trained, &tally.facts);
    println!(
        "{}: {} runs in {}: {} in {:.1} s",
        spec.name,
        counts.total,
        setup.dir.display(),
        counts.describe(),
        setup.started.elapsed().as_secs_f64()
    );
    failures::check(&tally.rows)
}

/// Writes the report: `summary.md`, comparisons, plots, `metadata.json`.
fn write_report(
    stage: &Stage<'_>,
    tally: &Tally,
    loaded: &spec::LoadedSpec,
    args: &RunArgs,
    units_run: usize,
) -> anyhow::Result<()> {
    let Stage { spec, setup, source } = *stage;
    let (threads, reset_rss) = source.measured(setup.threads, setup.reset_rss);
    report::write(&report::ReportInputs {
        dir: &setup.dir,
        spec,
        loaded,
        quick: args.quick,
        no_plots: args.no_plots,
        shard: args.shard.map(|s| format!("{}/{}", s.index, s.count)),
        merged_shards: source.merged_shards(),
        rows: &tally.rows,
        // The rows' memory figures were measured where they ran (the shards, for a merge).
        threads,
        reset_rss,
        units_run,
        units_resumed: setup.resumed,
        resume: &tally.facts,
        started: setup.started,
        started_unix: setup.started_unix,
    })
}
