//! Batch solvers on the whole [`features::CompactMatrix`]: exact regularization paths for L1,
//! L2 and elastic net, and the L0 heuristics people use in practice.
//!
//! # Objective
//!
//! Every solver here minimizes, over weights `w` and an unpenalized bias `b`,
//!
//! ```text
//! F(w, b) = (1/n) sum_i loss(b + x_i.w, y_i) + R_lambda(w)
//! R_lambda(w) = lambda * (l1_ratio * |w|_1 + (1 - l1_ratio) * L2(w))
//! ```
//!
//! with the L2 part in the configured [`regularizers::L2Convention`] (TensorFlow: `|w|^2 / 2`,
//! which makes this exactly glmnet's and scikit-learn's `SGDClassifier` objective; Keras:
//! `|w|^2`). The loss is the *mean* over rows, so lambda does not grow with n. liblinear
//! minimizes `C sum_i loss + |w|_1` instead: the same solution has `C = 1 / (n lambda)`.
//! The L0 heuristics minimize the mean loss plus a small ridge of strength `l2_for_l0` (same
//! convention), under a
//! support-size constraint (IHT, prune-refit) or with a penalty `lambda_0 |w|_0` (L0L2 CD).
//!
//! # Solvers ([`BatchKind`], dispatched by [`fit_path`])
//!
//! | kind | penalties | file |
//! |---|---|---|
//! | `coordinate_descent` | l1, l2, elastic_net | `coordinate_descent.rs` |
//! | `fista` | l1, l2, elastic_net | `fista.rs` |
//! | `iht` | l0 | `iht.rs` |
//! | `l0l2_cd` | l0 | `l0l2_cd.rs` |
//! | `prune_refit` | l1, l2, elastic_net (the fit that is pruned) | `prune_refit.rs` |
//!
//! # Paths
//!
//! Lambdas run from large to small with warm starts: the given ones sorted decreasing, or
//! `n_lambdas` log-spaced values from lambda_max down to `lambda_max * lambda_min_ratio`.
//! [`lambda_max`] is the smallest lambda with `w = 0` (bias fitted):
//! `max_j |(1/n) x_j . loss'(b*)| / l1_ratio`. A pure L2 penalty has none (every lambda gives
//! nonzero weights), so its default path starts, as glmnet's does for ridge, at the lambda_max
//! of an L1 share of 0.001. IHT and prune-refit run over target support sizes instead.
//!
//! # Convergence
//!
//! Convex fits stop when the maximal KKT violation, bias included, is at most `tol`: for
//! `w_j = 0`, `max(0, |g_j| - l1)`; for `w_j != 0`, `|g_j + l2_grad w_j + l1 sign(w_j)|`, with
//! `g_j` the mean-loss gradient. Pure-L1 points also report a duality gap. The L0 heuristics
//! report the KKT violation of the problem restricted to their support.
//!
//! Dense linear algebra (nalgebra) is used only where it pays: the Hessian block of a few
//! columns (`gram.rs`), for Newton refits on a small support (`refit.rs`, Cholesky) and for
//! coordinate descent's inner passes on a small working set with sparse rows.
//!
//! # Files
//!
//! `config.rs` (settings and grids), `design.rs` (the CSC copy and column operations),
//! `optimality.rs` (objective, KKT violation, duality gap), `path.rs` ([`PathPoint`],
//! lambda_max), `gram.rs`, `proximal_step.rs` (backtracking step of FISTA and IHT),
//! `iterate.rs` (weights, bias, margins), `support.rs` (top-s selection), `refit.rs`, one file per solver, `error.rs`.

mod config;
mod coordinate_descent;
mod design;
mod error;
mod fista;
mod gram;
mod iht;
mod iterate;
mod l0l2_cd;
mod optimality;
mod path;
mod proximal_step;
mod prune_refit;
mod refit;
mod support;

pub use config::PathConfig;
pub use error::BatchError;
pub use path::PathPoint;

use features::CompactMatrix;
use regularizers::RegularizerKind;
use serde::{Deserialize, Serialize};

use crate::LossKind;
use design::Design;

/// A batch solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchKind {
    /// Coordinate descent with quadratic approximation (glmnet / newGLMNET).
    CoordinateDescent,
    /// Proximal gradient with Nesterov momentum and backtracking.
    Fista,
    /// Iterative hard thresholding to a target support size, then a refit.
    #[serde(rename = "iht")]
    IterativeHardThresholding,
    /// L0 + L2 coordinate descent with per-coordinate hard thresholding (Hazimeh & Mazumder).
    #[serde(rename = "l0l2_cd")]
    L0L2CoordinateDescent,
    /// Fit with L1 / L2, keep the s largest |w|, refit on them.
    PruneRefit,
}

impl BatchKind {
    /// Every batch solver.
    pub const ALL: [BatchKind; 5] = [
        BatchKind::CoordinateDescent,
        BatchKind::Fista,
        BatchKind::IterativeHardThresholding,
        BatchKind::L0L2CoordinateDescent,
        BatchKind::PruneRefit,
    ];

    /// The name used in specs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchKind::CoordinateDescent => "coordinate_descent",
            BatchKind::Fista => "fista",
            BatchKind::IterativeHardThresholding => "iht",
            BatchKind::L0L2CoordinateDescent => "l0l2_cd",
            BatchKind::PruneRefit => "prune_refit",
        }
    }

    /// Parses a name given by [`BatchKind::as_str`].
    pub fn parse(name: &str) -> Result<Self, BatchError> {
        Self::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
            BatchError::UnknownSolver {
                name: name.to_string(),
                expected: Self::ALL.map(BatchKind::as_str).join(", "),
            }
        })
    }

    /// The penalties this solver accepts, comma separated.
    pub fn supported_penalties(self) -> &'static str {
        match self {
            BatchKind::CoordinateDescent | BatchKind::Fista | BatchKind::PruneRefit => {
                "l1, l2, elastic_net"
            }
            BatchKind::IterativeHardThresholding | BatchKind::L0L2CoordinateDescent => "l0",
        }
    }

    /// Whether this solver accepts `penalty`.
    pub fn supports(self, penalty: RegularizerKind) -> bool {
        self.supported_penalties().split(", ").any(|name| name == penalty.as_str())
    }
}

/// Smallest lambda whose solution is `w = 0` with the bias fitted:
/// `max_j |(1/n) sum_i x_ij loss'(b*, y_i)| / l1_ratio`, `b*` the intercept-only optimum.
/// Infinite when `l1_ratio` is 0; NaN when the matrix cannot be fitted ([`fit_path`] says why).
pub fn lambda_max(matrix: &CompactMatrix, loss: LossKind, l1_ratio: f64) -> f64 {
    match Design::new(matrix, loss) {
        Ok(design) => path::lambda_max_of(&design, l1_ratio),
        Err(_) => f64::NAN,
    }
}

/// Fits the path of solver `kind` with `penalty` (see the module doc for the objective and
/// which penalties each solver accepts). Errors on an invalid config, an unsupported pair,
/// an empty matrix, labels the loss cannot take, non-finite entries.
pub fn fit_path(
    kind: BatchKind,
    matrix: &CompactMatrix,
    loss: LossKind,
    penalty: RegularizerKind,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    config.validate()?;
    if !kind.supports(penalty) {
        return Err(BatchError::UnsupportedPenalty {
            solver: kind.as_str(),
            penalty: penalty.as_str(),
            supported: kind.supported_penalties(),
        });
    }
    let design = Design::new(matrix, loss)?;
    match kind {
        BatchKind::CoordinateDescent => coordinate_descent::fit_path(&design, penalty, config),
        BatchKind::Fista => fista::fit_path(&design, penalty, config),
        BatchKind::IterativeHardThresholding => iht::fit_path(&design, config),
        BatchKind::L0L2CoordinateDescent => l0l2_cd::fit_path(&design, config),
        BatchKind::PruneRefit => prune_refit::fit_path(&design, penalty, config),
    }
}
