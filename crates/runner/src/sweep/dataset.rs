//! The sweep's middle stage, once per data set: its units to run (the data set built only when
//! some are), the lambda search (points past the grid's edges, then those of the budget; points
//! already measured come from the earlier rows, the rest from the row source), the selection
//! marks, the selected models exported and binned (`calibration.csv`), and `runs.csv` rewritten. Before the rows are written,
//! a real data set's files are hashed again: when they are not the ones fingerprinted at the
//! start, every row this data set trained now becomes an `error` row naming the file.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use optimizers::LinearModel;

use super::archive;
use super::prepare::{Setup, Stage, Tally};
use super::real_outputs;
use super::search::{self, Addition, Phase};
use super::selection;
use super::train::{keep_model, train};
use crate::data;
use crate::plan::{DatasetKey, Unit};
use crate::record::RunRecord;
use crate::report::export;

/// A data set being run: built once something needs training, and the models kept for export.
struct Current {
    key: DatasetKey,
    data: Option<data::Dataset>,
    models: HashMap<String, LinearModel>,
}

/// Runs data set `key`. Its data files were found before the sweep started
/// (`data::locate_data_dir`): one gone since is an error, not a skip.
pub fn run_dataset(stage: &Stage<'_>, tally: &mut Tally, key: DatasetKey) -> anyhow::Result<()> {
    let Stage { spec, setup, .. } = *stage;
    let units: Vec<&Unit> =
        setup.todo.iter().map(|&i| &setup.plan.units[i]).filter(|u| u.dataset == key).collect();
    let before: HashSet<String> = tally.rows.iter().map(|r| r.run_id.clone()).collect();
    let mut current = Current { key, data: None, models: HashMap::new() };
    if !units.is_empty() {
        current.data =
            Some(data::build(spec, key, &setup.data_dir, setup.identity.as_ref()).with_context(
                || {
                    format!(
                        "experiment `{}` (the rows of earlier data sets are in runs.csv)",
                        spec.name
                    )
                },
            )?);
    }
    if let Some(data) = &current.data {
        tally.feature_sections.add(data, &setup.dir, &spec.name)?;
        tally.hash_stats.add(data, &setup.dir)?;
        for (_, output) in train(spec, setup, &units, data) {
            keep_model(&mut current.models, &output);
            tally.rows.push(output.record);
            tally.grid_rows_run += 1;
        }
    }
    for phase in [Phase::Edges, Phase::Budget] {
        while search_step(stage, tally, &mut current, phase)? {}
    }
    if let (Some(_), Some(identity)) = (&current.data, &setup.identity) {
        if let Err(e) = identity.check_content() {
            fail_new_rows(&mut tally.rows, &before, &e);
            current.models.clear();
        }
    }
    // Selection, edges and the budget's choice first: the models exported are theirs.
    selection::mark_all(spec, &setup.plan, &mut tally.rows, Some(key));
    export_selected(setup, &tally.rows, &current)?;
    if let (Some(bins), Some(data)) = (setup.calibration_bins, &current.data) {
        tally.calibration.add(&setup.dir, bins, &tally.rows, &current.models, data)?;
    }
    archive::write_runs(&setup.dir, &mut tally.rows, &mut tally.to_archive)?;
    Ok(())
}

/// Makes every row not in `before` (those this data set added now) an `error` row for `error`.
fn fail_new_rows(rows: &mut [RunRecord], before: &HashSet<String>, error: &anyhow::Error) {
    for row in rows.iter_mut().filter(|r| !before.contains(&r.run_id)) {
        crate::execute::fail(row, format!("{error:#}"));
        row.selected = false;
        row.budget_selected = false;
    }
}

/// One step of a search phase: the points it asks for now, taken from the earlier runs' search
/// rows or trained. Whether it progressed (a point measured): the phase goes on until not.
fn search_step(
    stage: &Stage<'_>,
    tally: &mut Tally,
    current: &mut Current,
    phase: Phase,
) -> anyhow::Result<bool> {
    let Stage { spec, setup, source } = *stage;
    let key = current.key;
    selection::mark_selected(&mut tally.rows, &spec.selection);
    let additions = search::additions_now(phase, spec, &setup.plan, key, &tally.rows)?;
    let data_fingerprint = setup.fingerprints.get(&key).cloned().flatten();
    let mut to_run: Vec<&Addition> = Vec::new();
    let mut progressed = false;
    let known: HashSet<String> = tally.rows.iter().map(|r| r.run_id.clone()).collect();
    for addition in &additions {
        let ids = search::emitted_ids(&addition.unit);
        // A point already measured is never run twice (and ends the search).
        if ids.iter().any(|id| known.contains(id)) {
            continue;
        }
        match tally.searched.take(&ids, data_fingerprint.as_deref()) {
            Some((reused, restored)) => {
                tally.facts.reused += reused.len() - restored;
                tally.facts.restored += restored;
                tally.rows.extend(reused);
                progressed = true;
            }
            None => to_run.push(addition),
        }
    }
    source.check_search(key, &to_run)?;
    if !to_run.is_empty() && current.data.is_none() {
        // Every unit of this data set was resumed: build it now.
        current.data = Some(data::build(spec, key, &setup.data_dir, setup.identity.as_ref())?);
    }
    if let (false, Some(data)) = (to_run.is_empty(), &current.data) {
        progressed |= train_additions(stage, tally, &mut current.models, &to_run, data);
    }
    Ok(progressed)
}

/// Trains the search points `to_run` and keeps the rows each addition keeps; whether any did.
fn train_additions(
    stage: &Stage<'_>,
    tally: &mut Tally,
    models: &mut HashMap<String, LinearModel>,
    to_run: &[&Addition],
    data: &data::Dataset,
) -> bool {
    stage.setup.progress.add_units(to_run.len() as u64);
    tally.units_added += to_run.len();
    let units: Vec<&Unit> = to_run.iter().map(|a| &a.unit).collect();
    let mut by_unit: Vec<Vec<RunRecord>> = vec![Vec::new(); to_run.len()];
    for (i, output) in train(stage.spec, stage.setup, &units, data) {
        keep_model(models, &output);
        by_unit[i].push(output.record);
    }
    let mut progressed = false;
    for (addition, records) in to_run.iter().zip(by_unit) {
        let kept = search::keep_added(addition, records);
        progressed |= !kept.is_empty();
        tally.search_rows_run += kept.len();
        tally.rows.extend(kept);
    }
    progressed
}

/// Writes the models of this data set's selected rows (CSV, and the saved model of a real data
/// set), when they were kept.
fn export_selected(setup: &Setup, rows: &[RunRecord], current: &Current) -> anyhow::Result<()> {
    let Some(data) = current.data.as_ref().filter(|_| setup.export_models) else {
        return Ok(());
    };
    let models_dir = setup.dir.join("models");
    for row in rows.iter().filter(|r| r.selected || r.budget_selected) {
        if let Some(model) = current.models.get(&row.run_id) {
            export::write_model(
                &models_dir.join(format!("{}.csv", row.run_id)),
                model,
                &data.space,
            )?;
            real_outputs::save_model(&models_dir, row, model, data)?;
        }
    }
    Ok(())
}
