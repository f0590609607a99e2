//! Our batch solvers on the same rows (real data only), the counterparts of scikit-learn's
//! `LogisticRegression`: `coordinate_descent` for L1 (liblinear's `-s 6`), `trust_region_newton`
//! for L2 (lbfgs). Timed by `peer_fit::timed_fit` (the fastest of `repeats` cold-start fits at
//! one lambda), on the CSR built once beforehand (as scikit-learn fits an already loaded CSR).

use anyhow::Result;
use features::{CompactMatrix, SparseExample};
use optimizers::eval::{evaluate, Metrics};

use crate::grid::penalties;
use crate::peer_fit::timed_fit;

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
    let (l1, l2) = penalties()?;
    let mut out = Vec::new();
    for (solver, penalty, name) in
        [("coordinate_descent", &l1, "l1"), ("trust_region_newton", &l2, "l2")]
    {
        let (point, seconds) = timed_fit(solver, matrix, penalty, lambda, tol, repeats)?;
        out.push(BatchFit {
            solver,
            penalty: name,
            nonzero: point.model.nonzero(),
            test: evaluate(&point.model, test),
            seconds,
            objective: point.objective,
        });
    }
    Ok(out)
}
