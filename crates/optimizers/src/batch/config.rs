//! Settings every batch fit shares ([`PathConfig`]), checked once by [`PathConfig::validate`],
//! and the grids they imply (lambdas, support sizes). A solver's own spec keys are its
//! `Settings` type, in its file; they override the matching fields here.
//!
//! | field | default | purpose | range |
//! |---|---|---|---|
//! | `lambdas` | `None` | explicit path (sorted decreasing before use) | finite, >= 0, non-empty |
//! | `n_lambdas` | 20 | points of the default log-spaced path | >= 1 |
//! | `lambda_min_ratio` | 0.01 | last lambda / first lambda of the default path | (0, 1] |
//! | `tol` | 1e-6 | stop when the max KKT violation is <= tol (`trust_region_newton`: a gradient norm relative to the one at zero, liblinear's rule) | > 0 |
//! | `max_iter` | 10,000 | iterations per path point (Newton steps for CD, gradient steps for FISTA / IHT, passes for L0L2 CD) | >= 1 |
//! | `convention` | TensorFlow | meaning of the ridge strength `l2_for_l0` of the L0 heuristics and refits (the penalty's own convention is in its settings) | |
//! | `support_sizes` | `None` = 1, 2, 5, 10, 20, 50, ... up to the columns | targets s of IHT and prune-refit | >= 1 each, non-empty |
//! | `l2_for_l0` | 1e-4 | ridge (TensorFlow convention: `l2/2 w^2`) of L0L2 CD, IHT and every refit | finite, >= 0 |
//! | `screening` | true | strong-rule screening in coordinate descent | |
//! | `prune_base_lambda` | `None` = lambda_max * lambda_min_ratio | lambda of the fit that prune-refit prunes | finite, > 0 |
//! | `newton_max_support` | 200 | refits with `|S| + 1 <= newton_max_support` use dense Newton (larger: coordinate descent) | >= 1 |
//! | `gram_max_columns` | 512 | largest CD working set whose inner passes use its dense Hessian block (0: never) | any |

use regularizers::L2Convention;
use serde::{Deserialize, Serialize};

use crate::batch::BatchError;

/// Settings of a regularization path (deserializable from a spec: missing fields take their
/// defaults, unknown ones are errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathConfig {
    /// Explicit lambdas (L0L2 CD: lambda_0 values); `None` builds a log-spaced path from lambda_max.
    pub lambdas: Option<Vec<f64>>,
    /// Number of lambdas of the default path.
    pub n_lambdas: usize,
    /// Smallest lambda of the default path as a fraction of the largest.
    pub lambda_min_ratio: f64,
    /// Tolerance on the maximal KKT violation (absolute, in the units of the mean loss gradient).
    pub tol: f64,
    /// Iteration budget per path point.
    pub max_iter: usize,
    /// Meaning of the L2 strength.
    pub convention: L2Convention,
    /// Target support sizes of IHT and prune-refit.
    pub support_sizes: Option<Vec<usize>>,
    /// Ridge strength (gradient `l2_for_l0 * w`) used by the L0 heuristics and their refits.
    pub l2_for_l0: f64,
    /// Strong-rule screening in coordinate descent (off: every column is active).
    pub screening: bool,
    /// Lambda of the base fit that prune-refit prunes.
    pub prune_base_lambda: Option<f64>,
    /// Largest support refit with a dense Newton step.
    pub newton_max_support: usize,
    /// Largest coordinate-descent working set whose inner passes use the set's dense Hessian
    /// block (when rows are sparse enough for it to be cheap); 0 never does.
    pub gram_max_columns: usize,
}

impl Default for PathConfig {
    fn default() -> Self {
        Self {
            lambdas: None,
            n_lambdas: 20,
            lambda_min_ratio: 0.01,
            tol: 1e-6,
            max_iter: 10_000,
            convention: L2Convention::Tensorflow,
            support_sizes: None,
            l2_for_l0: 1e-4,
            screening: true,
            prune_base_lambda: None,
            newton_max_support: 200,
            gram_max_columns: 512,
        }
    }
}

fn invalid(field: &'static str, reason: String) -> BatchError {
    BatchError::InvalidConfig { field, reason }
}

impl PathConfig {
    /// Checks every field; the error names the first field out of range.
    pub fn validate(&self) -> Result<(), BatchError> {
        if let Some(lambdas) = &self.lambdas {
            if lambdas.is_empty() {
                return Err(invalid("lambdas", "is empty".into()));
            }
            if let Some(bad) = lambdas.iter().find(|l| !(l.is_finite() && **l >= 0.0)) {
                return Err(invalid("lambdas", format!("must be finite and >= 0, got {bad}")));
            }
        }
        if self.n_lambdas == 0 {
            return Err(invalid("n_lambdas", "must be >= 1, got 0".into()));
        }
        if !(self.lambda_min_ratio > 0.0 && self.lambda_min_ratio <= 1.0) {
            return Err(invalid(
                "lambda_min_ratio",
                format!("must be in (0, 1], got {}", self.lambda_min_ratio),
            ));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(invalid("tol", format!("must be finite and > 0, got {}", self.tol)));
        }
        if self.max_iter == 0 {
            return Err(invalid("max_iter", "must be >= 1, got 0".into()));
        }
        if let Some(sizes) = &self.support_sizes {
            if sizes.is_empty() {
                return Err(invalid("support_sizes", "is empty".into()));
            }
            if sizes.contains(&0) {
                return Err(invalid("support_sizes", "must all be >= 1, got 0".into()));
            }
        }
        if !(self.l2_for_l0.is_finite() && self.l2_for_l0 >= 0.0) {
            return Err(invalid(
                "l2_for_l0",
                format!("must be finite and >= 0, got {}", self.l2_for_l0),
            ));
        }
        if let Some(base) = self.prune_base_lambda {
            if !(base.is_finite() && base > 0.0) {
                return Err(invalid(
                    "prune_base_lambda",
                    format!("must be finite and > 0, got {base}"),
                ));
            }
        }
        if self.newton_max_support == 0 {
            return Err(invalid("newton_max_support", "must be >= 1, got 0".into()));
        }
        Ok(())
    }

    /// The lambdas of the path, largest first: the given ones sorted decreasing, or `n_lambdas`
    /// log-spaced values from `top` down to `top * lambda_min_ratio`.
    pub fn lambda_grid(&self, top: f64) -> Vec<f64> {
        if let Some(lambdas) = &self.lambdas {
            let mut sorted = lambdas.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            return sorted;
        }
        if self.n_lambdas == 1 {
            return vec![top];
        }
        let step = self.lambda_min_ratio.ln() / (self.n_lambdas - 1) as f64;
        (0..self.n_lambdas).map(|k| top * (step * k as f64).exp()).collect()
    }

    /// Target support sizes, ascending and deduplicated, each capped at `n_cols`: the given ones,
    /// or 1, 2, 5, 10, 20, 50, ... up to `n_cols`.
    pub fn support_grid(&self, n_cols: usize) -> Vec<usize> {
        let mut sizes: Vec<usize> = match &self.support_sizes {
            Some(sizes) => sizes.iter().map(|&s| s.min(n_cols)).collect(),
            None => {
                let mut sizes = Vec::new();
                let mut decade = 1usize;
                'grid: loop {
                    for mult in [1, 2, 5] {
                        let s = decade.saturating_mul(mult);
                        if s >= n_cols {
                            break 'grid;
                        }
                        sizes.push(s);
                    }
                    decade = decade.saturating_mul(10);
                }
                sizes.push(n_cols);
                sizes
            }
        };
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }
}
