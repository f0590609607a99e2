//! Penalties for sparse linear models, one file each behind the [`Regularizer`] trait.
//!
//! Every penalty here is *separable*: `R(w) = sum_i r(w_i)`. That is what lets the online
//! optimizers apply it one coordinate at a time, lazily, and what lets batch coordinate descent
//! solve one coordinate in closed form. Each regularizer therefore exposes per-coordinate
//! functions: its value `r(w)`, one element of its subdifferential, and its proximal operator
//! `prox(v, eta) = argmin_x r(x) + (x - v)^2 / (2 eta)`.
//!
//! Optimizers that have their own closed forms (FTRL-Proximal, RDA, coordinate descent) read the
//! penalty's [`PenaltyParts`] instead: the L1 strength, the coefficient `c` of the L2 gradient
//! `c * w` (which is where the TensorFlow and Keras conventions differ, see [`L2Convention`]) and
//! the L0 strength.
//!
//! Adding a regularizer is one file implementing [`Regularizer`] plus one line in
//! [`registry::build`].

mod elastic_net;
mod error;
mod l0;
mod l1;
mod l2;
mod none;
pub mod registry;

pub use elastic_net::ElasticNet;
pub use error::RegularizerError;
pub use l0::L0;
pub use l1::L1;
pub use l2::{L2Convention, L2};
pub use none::NoPenalty;
pub use registry::{build, RegularizerKind, REGULARIZER_NAMES};

/// The separable pieces of a penalty, for optimizers with closed-form updates.
///
/// The penalty is `l1 * |w| + l2_grad / 2 * w^2 + l0 * [w != 0]`, so its smooth part has
/// gradient `l2_grad * w`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PenaltyParts {
    /// Strength of `|w|`.
    pub l1: f64,
    /// Coefficient `c` of the L2 gradient `c * w` (TensorFlow: `c = scale`; Keras: `c = 2 * l2`).
    pub l2_grad: f64,
    /// Strength of `[w != 0]`.
    pub l0: f64,
}

/// A separable penalty on the weights of a linear model.
pub trait Regularizer: std::fmt::Debug + Send + Sync {
    /// Short name used in reports, e.g. `l1`, `l2`, `elastic_net`, `l0`.
    fn name(&self) -> &'static str;

    /// The convention of the L2 part, if there is one (reports must say which was used).
    fn l2_convention(&self) -> Option<L2Convention> {
        None
    }

    /// The separable pieces of this penalty.
    fn parts(&self) -> PenaltyParts;

    /// `r(w)` for one coordinate.
    fn value(&self, w: f64) -> f64 {
        let p = self.parts();
        p.l1 * w.abs() + 0.5 * p.l2_grad * w * w + if w != 0.0 { p.l0 } else { 0.0 }
    }

    /// `R(w) = sum_i r(w_i)`.
    fn penalty(&self, weights: &[f64]) -> f64 {
        weights.iter().map(|&w| self.value(w)).sum()
    }

    /// One element of the subdifferential of `r` at `w` (0 is chosen at `w = 0` for L1, and the
    /// L0 term contributes 0 everywhere: it has no useful gradient).
    fn subgradient(&self, w: f64) -> f64 {
        let p = self.parts();
        p.l1 * sign(w) + p.l2_grad * w
    }

    /// `prox_{eta r}(v) = argmin_x r(x) + (x - v)^2 / (2 eta)`.
    fn prox(&self, v: f64, eta: f64) -> f64;
}

/// `sign(x)` with `sign(0) = 0`.
#[inline]
pub fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Soft thresholding: `sign(v) * max(|v| - t, 0)`, the proximal step of `t * |x|`. A NaN `v`
/// stays NaN (so that a diverged optimizer is not silently reset to an exact zero).
#[inline]
pub fn soft_threshold(v: f64, t: f64) -> f64 {
    // Branch-free apart from the NaN test (always predicted): the sign of `v` is unpredictable
    // in the online learners' hot loop.
    let shrunk = (v.abs() - t).max(0.0).copysign(v);
    if v.is_nan() {
        v
    } else {
        shrunk
    }
}

/// Hard thresholding for the L0 prox: keep `v` where `|v| > sqrt(2 * eta * lambda)`, else 0.
/// A NaN `v` stays NaN.
#[inline]
pub fn hard_threshold(v: f64, eta: f64, lambda: f64) -> f64 {
    if v.abs() > (2.0 * eta * lambda).sqrt() || v.is_nan() {
        v
    } else {
        0.0
    }
}
