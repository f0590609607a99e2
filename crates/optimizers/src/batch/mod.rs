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
//! # Solvers (the registry below, a `mod` line and a list line each; dispatched by [`fit_path`])
//!
//! Each solver is one file implementing [`BatchSolver`]: its name, the penalty classes it
//! accepts ([`regularizers::PenaltyClass`]: coordinate descent takes convex and coordinate-wise
//! nonconvex penalties, FISTA and prune-refit convex ones, the L0 heuristics the count of
//! nonzeros; trust-region Newton convex ones whose [`regularizers::PenaltyParts`] have no L1 or
//! L0 part, i.e. smooth ones), its own settings type and its path. An unsupported (penalty, solver) pair is
//! [`BatchError::UnsupportedPenalty`], naming both. The penalty is applied through the
//! [`regularizers::Regularizer`] trait only (value, coordinate minimizer, KKT violation, prox,
//! slope at zero).
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
//! Trust-region Newton instead stops, as liblinear does, when the gradient's 2-norm is at most
//! `tol` times its norm at `w = 0, b = 0` times the smaller class's share of the rows (its file
//! says why); it reports the same KKT violation as the others.
//!
//! Dense linear algebra (nalgebra) is used only where it pays: the Hessian block of a few
//! columns (`gram.rs`), for Newton refits on a small support (`refit.rs`, Cholesky) and for
//! coordinate descent's inner passes on a small working set with sparse rows.
//!
//! # Files
//!
//! `config.rs` (the settings every solver shares, and grids), `registry.rs` (the solver trait
//! and registry), `design.rs` (the CSC copy and column operations),
//! `optimality.rs` (objective, KKT violation, duality gap), `path.rs` ([`PathPoint`],
//! lambda_max), `gram.rs`, `proximal_step.rs` (backtracking step of FISTA and IHT),
//! `iterate.rs` (weights, bias, margins), `extrapolation.rs` (Anderson extrapolation of coordinate-descent
//! passes), `support.rs` (top-s selection), `refit.rs`, one file
//! per solver (`trust_region_newton.rs`:
//! TRON, Hessian-vector products through the sparse columns, never a dense Hessian), `error.rs`.

mod config;
mod design;
mod error;
mod extrapolation;
mod gram;
mod iterate;
mod optimality;
mod path;
mod proximal_step;
mod refit;
pub mod registry;
mod support;

// One file per solver: its `mod` line here, its entry in the list below.
mod coordinate_descent;
mod fista;
mod iht;
mod l0l2_cd;
mod prune_refit;
mod splicing;
mod trust_region_newton;

registry::batch_solver_list! {
    coordinate_descent::CoordinateDescent,
    fista::Fista,
    iht::Iht,
    l0l2_cd::L0L2Cd,
    prune_refit::PruneRefit,
    splicing::Splicing,
    trust_region_newton::TrustRegionNewton,
}

pub use config::PathConfig;
pub use error::BatchError;
pub use path::PathPoint;
pub(crate) use registry::BatchSolver;
pub use registry::{fit_path, lookup, BatchEntry};

use features::CompactMatrix;

use crate::LossKind;
use design::Design;

/// Smallest lambda whose solution is `w = 0` with the bias fitted:
/// `max_j |(1/n) sum_i x_ij loss'(b*, y_i)| / l1_ratio`, `b*` the intercept-only optimum.
/// Infinite when `l1_ratio` is 0; NaN when the matrix cannot be fitted ([`fit_path`] says why).
pub fn lambda_max(matrix: &CompactMatrix, loss: LossKind, l1_ratio: f64) -> f64 {
    match Design::new(matrix, loss) {
        Ok(design) => path::lambda_max_of(&design, l1_ratio),
        Err(_) => f64::NAN,
    }
}
