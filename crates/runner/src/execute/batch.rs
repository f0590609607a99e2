//! One batch unit: builds the CSR matrix of the training split and fits the solver's whole path
//! (warm starts), one row per path point. Time and heap are those of the whole path, matrix
//! included (and, for a streamed training split, the split collected first: a batch solver
//! needs it whole), and are written on every row of the path. A unit whose estimate passes the
//! memory cap is not started: [`over_cap`] writes its one `memory_exceeded` row.

use anyhow::Context;
use features::CompactMatrix;
use optimizers::batch::{self, PathConfig, PathPoint};

use crate::execute::machine;
use crate::execute::measure::measured;
use crate::execute::row::{base_record, fail, fill_model, RunContext, RunOutput};
use crate::plan::{LambdaPlan, Unit};
use crate::record;

/// The settings every solver shares, from the unit's spec entry (library defaults for unset
/// keys); the solver's own settings are passed to it as written.
fn path_config(unit: &Unit) -> PathConfig {
    let opt = &unit.optimizer;
    let defaults = PathConfig::default();
    let mut config = PathConfig {
        convention: unit.penalty.convention(),
        tol: opt.tol().unwrap_or(defaults.tol),
        max_iter: opt.max_iter().unwrap_or(defaults.max_iter),
        support_sizes: opt.support_sizes().cloned(),
        ..defaults
    };
    match &unit.lambdas {
        LambdaPlan::List(lambdas) => config.lambdas = Some(lambdas.clone()),
        LambdaPlan::Path(path) => {
            config.n_lambdas = path.n;
            config.lambda_min_ratio = path.min_ratio;
        }
        LambdaPlan::Single(lambda) => config.lambdas = Some(vec![*lambda]),
        LambdaPlan::SupportSizes(_) => {}
    }
    config
}

/// Fits the unit's path; a refused fit gives one `error` row.
pub fn run(unit: &Unit, ctx: &RunContext<'_>) -> Vec<RunOutput> {
    let data = ctx.dataset;
    let config = path_config(unit);
    let entry = match batch::lookup(&unit.optimizer_kind) {
        Ok(entry) => entry,
        Err(e) => return vec![failed(unit, ctx, e)],
    };
    let loss = ctx.spec.data.loss;
    let (result, measurement) = measured(ctx.reset_rss, || {
        let train = data.train_examples().context("reading the streamed training split")?;
        let matrix = CompactMatrix::from_examples(&train);
        drop(train);
        Ok::<_, anyhow::Error>(entry.fit_path_owned(
            &matrix,
            loss,
            &unit.penalty,
            config,
            &unit.settings,
        )?)
    });
    let points: Vec<PathPoint> = match result {
        Ok(points) => points,
        Err(e) => return vec![failed(unit, ctx, format!("{e:#}"))],
    };
    let peak_rss = machine::peak_rss_bytes();
    points
        .into_iter()
        .enumerate()
        .map(|(i, point)| {
            let mut r = base_record(unit, i, ctx);
            r.lambda = point.target_support.map_or(point.lambda, |s| s as f64);
            r.epochs = 0.0;
            r.iterations = point.iterations as u64;
            r.kkt_violation = point.kkt_violation;
            r.duality_gap = point.duality_gap.unwrap_or(f64::NAN);
            r.train_seconds = measurement.seconds;
            r.examples_per_second = r.n_train as f64 / measurement.seconds.max(1e-12);
            r.peak_heap_bytes = measurement.peak_heap_bytes;
            r.train_state_bytes = measurement.peak_heap_bytes;
            r.peak_rss_bytes = peak_rss;
            r.rss_before_bytes = measurement.rss_before_bytes;
            fill_model(&mut r, &point.model, data);
            if !point.converged && r.status == record::STATUS_OK {
                r.status = record::STATUS_NOT_CONVERGED.to_string();
                r.message = format!(
                    "KKT violation {:e} above tol after {} iterations",
                    point.kkt_violation, point.iterations
                );
            }
            RunOutput { record: r, model: ctx.keep_models.then_some(point.model) }
        })
        .collect()
}

/// The one row of a unit not started because its estimated `bytes` pass the memory `cap`.
pub fn over_cap(unit: &Unit, ctx: &RunContext<'_>, bytes: u64, cap: u64) -> RunOutput {
    let mut r = failed(unit, ctx, "").record;
    r.status = record::STATUS_MEMORY_EXCEEDED.to_string();
    r.train_state_bytes = bytes;
    r.message = format!(
        "not started: the fit would hold about {bytes} bytes ({} training rows held, their CSR \
         matrix and column copy, the solver's vectors), more than memory_cap = {cap} bytes",
        r.n_train
    );
    RunOutput { record: r, model: None }
}

/// The one `error` row of a unit whose fit was refused.
fn failed(unit: &Unit, ctx: &RunContext<'_>, e: impl std::fmt::Display) -> RunOutput {
    let mut r = base_record(unit, 0, ctx);
    r.lambda = match &unit.lambdas {
        LambdaPlan::List(l) => l.first().copied().unwrap_or(f64::NAN),
        LambdaPlan::Single(l) => *l,
        _ => f64::NAN,
    };
    fail(&mut r, e);
    RunOutput { record: r, model: None }
}
