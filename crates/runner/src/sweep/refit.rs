//! `[selection] refit = true`: each selected configuration retrained at its chosen lambda on the
//! training and validation rows together, and scored on the test split. Its row has the run id of
//! the selected row followed by `-refit` (`record::REFIT_SUFFIX`), no validation rows (so
//! selection never picks it) and the test metrics of the refit model; the summary reports refit
//! rows apart. The feature columns stay those fitted on the training split (the refit changes the
//! weights, not the buckets).
//!
//! Refit rows are derived from the selected rows, so they are recomputed by every run of the
//! spec rather than resumed (the previous ones are dropped when `runs.csv` is read).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::data::{self, Dataset};
use crate::execute::{self, RunContext};
use crate::plan::{DatasetKey, LambdaPlan, Plan, Unit};
use crate::record::{RunRecord, REFIT_SUFFIX};
use crate::report::export;
use crate::spec::{ExperimentSpec, Family};
use crate::sweep::real_outputs;

/// What the refits need besides the rows.
pub struct RefitInputs<'a> {
    /// The spec as run.
    pub spec: &'a ExperimentSpec,
    /// Its plan (the units the selected rows came from).
    pub plan: &'a Plan,
    /// Where the data files are.
    pub data_dir: &'a Path,
    /// Where to export the refit models (`--export-models`).
    pub models_dir: Option<&'a Path>,
    /// Reset the peak RSS before each run.
    pub reset_rss: bool,
    /// The real data files as the run found them.
    pub identity: Option<&'a data::DataIdentity>,
    /// The data fingerprint of each data set (`None`: its file is missing).
    pub fingerprints: &'a BTreeMap<DatasetKey, Option<String>>,
}

/// The unit of a selected row, narrowed to the row's lambda (or support size).
fn narrowed(unit: &Unit, row: &RunRecord) -> Unit {
    let mut unit = unit.clone();
    unit.lambdas = match (&unit.lambdas, unit.family) {
        (LambdaPlan::SupportSizes(_), _) => {
            let size = row.lambda as usize;
            unit.optimizer.set_support_sizes(vec![size]);
            LambdaPlan::SupportSizes(vec![size])
        }
        (_, Family::Online) => LambdaPlan::Single(row.lambda),
        (_, Family::Batch) => LambdaPlan::List(vec![row.lambda]),
    };
    unit
}

/// Appends one refit row per selected row of `rows` (after dropping earlier refit rows).
pub fn refit_selected(inputs: &RefitInputs<'_>, rows: &mut Vec<RunRecord>) -> anyhow::Result<()> {
    rows.retain(|r| !r.is_refit());
    let mut added = Vec::new();
    for &key in &inputs.plan.datasets {
        // A selected row's unit: its group's on this data set (the row may come from the
        // lambda search, whose points the plan does not list).
        let selected: Vec<(&RunRecord, &Unit)> = rows
            .iter()
            .filter(|r| r.selected && key.holds(r))
            .filter_map(|r| {
                inputs
                    .plan
                    .units
                    .iter()
                    .find(|u| {
                        u.dataset == key
                            && u.regularizer == r.regularizer
                            && u.optimizer_label == r.optimizer
                    })
                    .map(|u| (r, u))
            })
            .collect();
        if selected.is_empty() {
            continue;
        }
        let data = data::build(inputs.spec, key, inputs.data_dir, inputs.identity)?;
        let merged = train_and_validation(data)?;
        let fingerprint = inputs.fingerprints.get(&key).cloned().flatten().unwrap_or_default();
        let ctx = RunContext {
            spec: inputs.spec,
            dataset: &merged,
            reset_rss: inputs.reset_rss,
            // Training and validation rows merged and held: nothing to read ahead.
            read_ahead: false,
            keep_models: inputs.models_dir.is_some(),
            data_fingerprint: &fingerprint,
        };
        for (row, unit) in selected {
            let unit = narrowed(unit, row);
            let Some(mut output) = execute::run_unit(&unit, &ctx).into_iter().next() else {
                continue;
            };
            output.record.run_id = format!("{}{REFIT_SUFFIX}", row.run_id);
            output.record.selected = false;
            if let (Some(dir), Some(model)) = (inputs.models_dir, &output.model) {
                let csv = dir.join(format!("{}.csv", output.record.run_id));
                export::write_model(&csv, model, &merged.space)?;
                real_outputs::save_model(dir, &output.record, model, &merged)?;
            }
            added.push(output.record);
        }
    }
    eprintln!("refit: {} selected configurations retrained on train + validation", added.len());
    rows.extend(added);
    Ok(())
}

/// The data set with its validation rows moved into training (a streamed training split is
/// collected: the refit holds train + validation).
fn train_and_validation(data: Dataset) -> anyhow::Result<Dataset> {
    let mut train = data
        .train_examples()
        .context("reading the streamed training split for the refit")?
        .into_owned();
    let Dataset { name, key, space, validation, test, pipeline, warnings, .. } = data;
    train.extend(validation);
    let mut merged = Dataset::finish(name, key, space, [train, Vec::new(), test], Vec::new());
    merged.pipeline = pipeline;
    merged.warnings = warnings;
    Ok(merged)
}
