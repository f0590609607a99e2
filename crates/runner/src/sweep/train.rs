//! Training a batch of units of one data set in the worker pool: each unit's runs (or, for a
//! batch unit whose estimate passes `[grid] memory_cap`, its `over_memory_cap` row), a panic
//! inside an optimizer turned into an `error` row so the sweep goes on, and a progress line per
//! unit.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use rayon::prelude::*;

use super::prepare::Setup;
use crate::execute::{self, RunContext, RunOutput};
use crate::plan::Unit;
use crate::{data, spec};

/// Runs `units` on `data` in the pool: each output with the index of its unit in `units`.
pub fn train(
    spec: &spec::ExperimentSpec,
    setup: &Setup,
    units: &[&Unit],
    data: &data::Dataset,
) -> Vec<(usize, RunOutput)> {
    let data_fingerprint = setup.fingerprints.get(&data.key).cloned().flatten();
    let ctx = RunContext {
        spec,
        dataset: data,
        reset_rss: setup.reset_rss,
        read_ahead: setup.read_ahead,
        keep_models: setup.export_models || setup.calibration_bins.is_some(),
        data_fingerprint: data_fingerprint.as_deref().unwrap_or_default(),
    };
    let memory_cap = spec.grid.memory_cap_bytes();
    setup.pool.install(|| {
        units
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, unit)| {
                let outputs = match (setup.over_cap.get(&unit.run_id(0)), memory_cap) {
                    (Some(&bytes), Some(cap)) => {
                        vec![execute::batch::over_cap(unit, &ctx, bytes, cap)]
                    }
                    _ => run_guarded(unit, &ctx),
                };
                let status: Vec<&str> = outputs.iter().map(|o| o.record.status.as_str()).collect();
                setup.progress.finish_one(&format!("{} [{}]", unit.run_id(0), status.join(",")));
                outputs.into_iter().map(move |o| (i, o))
            })
            .collect()
    })
}

/// Keeps a run's model when it may be exported (only kept models reach here).
pub fn keep_model(models: &mut HashMap<String, optimizers::LinearModel>, output: &RunOutput) {
    if let Some(model) = &output.model {
        models.insert(output.record.run_id.clone(), model.clone());
    }
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
