//! Optimizers for regularized sparse linear models, online and batch, and what they share.
//!
//! - [`loss`]: logistic and squared loss (value, first and second derivative in the margin).
//! - [`model`]: [`LinearModel`], the exported result of every optimizer: a bias and the nonzero
//!   weights by global feature id.
//! - [`eval`]: accuracy, log loss, AUC, MSE of a model on examples; [`calibration`]: how
//!   predicted probabilities match observed rates (equal-count bins).
//! - [`online`]: one-example-or-mini-batch learners whose cost per example is O(active
//!   features), over weight stores (dense for small dimensions, sparse and lazily created for any
//!   dimension) that report the bytes they really hold.
//! - [`batch`]: solvers on the whole [`features::CompactMatrix`] (coordinate descent paths, FISTA,
//!   L0 heuristics).
//!
//! This crate does no IO.

pub mod batch;
pub mod calibration;
pub mod eval;
pub mod loss;
pub mod model;
pub mod online;

pub use loss::LossKind;
pub use model::LinearModel;
