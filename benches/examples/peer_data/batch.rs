//! Our batch solvers on the same rows (real data only), the counterparts of scikit-learn's
//! `LogisticRegression`: `coordinate_descent` for L1 (liblinear's `-s 6`), `trust_region_newton`
//! for L2 (lbfgs). Timed: `fit_path` at one lambda from a cold start (input checks, the
//! column-major copy, the solve), the fastest of `repeats`, on the CSR built once beforehand
//! (as scikit-learn fits an already loaded CSR).

use std::time::Instant;

use anyhow::{Context, Result};
use features::{CompactMatrix, SparseExample};
use optimizers::batch::{fit_path, PathConfig};
use optimizers::eval::{evaluate, Metrics};
use optimizers::{LinearModel, LossKind};
use regularizers::Penalty;

/// What one batch fit achieved.
pub struct BatchFit {
    /// The solver's registry name.
    pub solver: &'static str,
    /// `l1` or `l2`.
    pub penalty: &'static str,
    /// Nonzero weights, bias excluded.
    pub nonzero: u64,
    /// Test metrics.
    pub test: Metrics,
    /// Fastest fit, seconds.
    pub seconds: f64,
    /// The training objective reached: mean log loss + lambda R(w), bias unpenalized.
    pub objective: f64,
}

/// Both solvers at `lambda` (mean log loss + lambda R(w), R = |w|_1 or |w|^2 / 2) to `tol`.
pub fn fits(
    matrix: &CompactMatrix,
    test: &[SparseExample],
    lambda: f64,
    tol: f64,
    repeats: usize,
) -> Result<Vec<BatchFit>> {
    let convention: toml::Table =
        [("convention".to_string(), toml::Value::from("tensorflow"))].into_iter().collect();
    let l2 = Penalty::new("l2", &convention).context("penalty l2")?;
    let l1 = Penalty::named("l1").context("penalty l1")?;
    let mut out = Vec::new();
    for (solver, penalty, name) in
        [("coordinate_descent", &l1, "l1"), ("trust_region_newton", &l2, "l2")]
    {
        let config = PathConfig { lambdas: Some(vec![lambda]), tol, ..PathConfig::default() };
        let mut best = f64::INFINITY;
        let mut point = None;
        for _ in 0..repeats.max(1) {
            let started = Instant::now();
            let mut path =
                fit_path(solver, matrix, LossKind::Logistic, penalty, &config, &toml::Table::new())
                    .with_context(|| format!("{solver} at lambda {lambda:e}"))?;
            best = best.min(started.elapsed().as_secs_f64());
            point = Some(path.remove(0));
        }
        let point = point.context("no fit ran")?;
        let objective = point.objective;
        let model: LinearModel = point.model;
        out.push(BatchFit {
            objective,
            solver,
            penalty: name,
            nonzero: model.nonzero(),
            test: evaluate(&model, test),
            seconds: best,
        });
    }
    Ok(out)
}
