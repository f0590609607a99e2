//! Penalties for sparse linear models, one file each behind the [`Regularizer`] trait.
//!
//! Every penalty here is *separable*: `R(w) = sum_i r(w_i)`. That is what lets the online
//! optimizers apply it one coordinate at a time, lazily, and what lets batch coordinate descent
//! solve one coordinate in closed form. Each regularizer therefore exposes per-coordinate
//! functions: its value `r(w)`, one element of its subdifferential, and its proximal operator
//! `prox(v, eta) = argmin_x r(x) + (x - v)^2 / (2 eta)`.
//!
//! Optimizers that have their own closed forms (FTRL-Proximal, RDA, the SGD-type rules) read
//! the penalty's [`PenaltyParts`] instead: the L1 strength, the coefficient `c` of the L2
//! gradient `c * w` (which is where the TensorFlow and Keras conventions differ, see
//! [`L2Convention`]) and the L0 strength. A penalty that is not such a mix (MCP) has no parts,
//! and those optimizers refuse it by name; batch coordinate descent and the proximal methods
//! apply any penalty through the trait's coordinate operations. Which penalties a solver
//! accepts is decided by the penalty's [`PenaltyClass`], never by its name.
//!
//! Adding a regularizer is one file implementing [`Regularizer`] (or [`MixedPenalty`]) and
//! [`registry::Configurable`], plus two lines below: its `mod` line and its entry in the registry
//! list (the `mod` is a plain declaration so that rustfmt and the tidy test see the file).

mod error;
pub mod registry;

pub use error::RegularizerError;
pub use registry::{Configurable, Penalty, RegularizerEntry, SettingDoc};

// One file per regularizer: its `mod` line here, its entry in the list below.
mod elastic_net;
mod l0;
mod l1;
mod l2;
mod mcp;
mod none;

registry::regularizer_list! {
    none::NoPenalty,
    l2::L2,
    l1::L1,
    elastic_net::ElasticNet,
    l0::L0,
    mcp::Mcp,
}

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

impl PenaltyParts {
    /// `r(w)` for one coordinate.
    #[inline]
    pub fn value(&self, w: f64) -> f64 {
        let l0 = if w != 0.0 { self.l0 } else { 0.0 };
        self.l1 * w.abs() + 0.5 * self.l2_grad * w * w + l0
    }

    /// One element of the subdifferential (0 at `w = 0`; the L0 term contributes nothing).
    #[inline]
    pub fn subgradient(&self, w: f64) -> f64 {
        self.l1 * sign(w) + self.l2_grad * w
    }

    /// Minimizer of `g (z - w) + h/2 (z - w)^2 + r(z)`: soft thresholding and shrinkage, then,
    /// with an L0 part, the better of that point and `z = 0`.
    #[inline]
    pub fn coordinate_minimizer(&self, g: f64, h: f64, w: f64) -> f64 {
        let z = soft_threshold(h * w - g, self.l1) / (h + self.l2_grad);
        if self.l0 == 0.0 || z == 0.0 {
            return z;
        }
        let model = |x: f64| g * (x - w) + 0.5 * h * (x - w) * (x - w) + self.value(x);
        if model(z) < model(0.0) {
            z
        } else {
            0.0
        }
    }

    /// Distance of `0` from the subdifferential of the convex part at one coordinate, given
    /// the loss gradient `g`: `|g + l2 w + l1 sign(w)|` when `w != 0`, `max(0, |g| - l1)` when
    /// `w = 0` (the L0 part is constant off zero, so it adds nothing there).
    #[inline]
    pub fn coordinate_violation(&self, g: f64, w: f64) -> f64 {
        if w != 0.0 {
            (g + self.l2_grad * w + self.l1 * sign(w)).abs()
        } else {
            (g.abs() - self.l1).max(0.0)
        }
    }
}

/// A bare mix is itself a penalty: the solvers' internal ridge and L0 objectives use it.
impl MixedPenalty for PenaltyParts {
    fn name(&self) -> &'static str {
        "parts"
    }
    fn class(&self) -> PenaltyClass {
        if self.l0 > 0.0 {
            PenaltyClass::CountOfNonzeros
        } else {
            PenaltyClass::Convex
        }
    }
    fn mix(&self) -> PenaltyParts {
        *self
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        let z = soft_threshold(v, eta * self.l1) / (1.0 + eta * self.l2_grad);
        if self.l0 == 0.0 || z == 0.0 || z.is_nan() {
            return z;
        }
        let objective = |x: f64| self.value(x) + (x - v) * (x - v) / (2.0 * eta);
        if objective(z) < objective(0.0) {
            z
        } else {
            0.0
        }
    }
}

/// What kind of penalty this is, which decides the solvers that may apply it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PenaltyClass {
    /// Convex (none, L1, L2, elastic net): every convex solver applies it.
    Convex,
    /// Nonconvex but with an exact coordinate-wise minimizer and a finite slope at zero (MCP):
    /// coordinate descent applies it and finds a stationary point.
    Nonconvex,
    /// The count of nonzeros: only the L0 heuristics (and hard thresholding online).
    CountOfNonzeros,
}

impl PenaltyClass {
    /// Name used in error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PenaltyClass::Convex => "convex",
            PenaltyClass::Nonconvex => "nonconvex",
            PenaltyClass::CountOfNonzeros => "count of nonzeros (L0)",
        }
    }
}

/// A separable penalty on the weights of a linear model. Every optimizer applies a penalty
/// through these methods only.
pub trait Regularizer: std::fmt::Debug + Send + Sync {
    /// Short name used in reports, e.g. `l1`, `l2`, `elastic_net`, `l0`.
    fn name(&self) -> &'static str;

    /// The convention of the L2 part, if there is one (reports must say which was used).
    fn l2_convention(&self) -> Option<L2Convention> {
        None
    }

    /// Which solvers may apply it.
    fn class(&self) -> PenaltyClass;

    /// The penalty as L1, L2 and L0 parts, when it is such a mix; `None` otherwise (the
    /// closed-form online rules then refuse it).
    fn parts(&self) -> Option<PenaltyParts>;

    /// `r(w)` for one coordinate.
    fn value(&self, w: f64) -> f64;

    /// `R(w) = sum_i r(w_i)`.
    fn penalty(&self, weights: &[f64]) -> f64 {
        weights.iter().map(|&w| self.value(w)).sum()
    }

    /// One element of the (Clarke) subdifferential of `r` at `w` (0 at `w = 0`; the L0 term
    /// contributes 0 everywhere: it has no useful gradient).
    fn subgradient(&self, w: f64) -> f64;

    /// `prox_{eta r}(v) = argmin_x r(x) + (x - v)^2 / (2 eta)`.
    fn prox(&self, v: f64, eta: f64) -> f64;

    /// Half-width of the subdifferential at 0: a coordinate with loss gradient `|g|` at most
    /// this stays at zero (lambda_max of a path, strong-rule screening). 0 for a smooth penalty.
    fn zero_slope(&self) -> f64;

    /// Minimizer of the coordinate model `g (z - w) + h/2 (z - w)^2 + r(z)`, `h > 0`.
    fn coordinate_minimizer(&self, g: f64, h: f64, w: f64) -> f64;

    /// First-order optimality violation of one coordinate at `w` given the loss gradient `g`.
    fn coordinate_violation(&self, g: f64, w: f64) -> f64;
}

/// A penalty made of L1, L2 and L0 parts: everything but its prox follows from the parts.
pub trait MixedPenalty: std::fmt::Debug + Send + Sync {
    /// Short name used in reports.
    fn name(&self) -> &'static str;
    /// The convention of the L2 part, if there is one.
    fn l2_convention(&self) -> Option<L2Convention> {
        None
    }
    /// Which solvers may apply it.
    fn class(&self) -> PenaltyClass;
    /// The parts.
    fn mix(&self) -> PenaltyParts;
    /// `prox_{eta r}(v)`.
    fn prox(&self, v: f64, eta: f64) -> f64;
}

impl<T: MixedPenalty> Regularizer for T {
    fn name(&self) -> &'static str {
        MixedPenalty::name(self)
    }
    fn l2_convention(&self) -> Option<L2Convention> {
        MixedPenalty::l2_convention(self)
    }
    fn class(&self) -> PenaltyClass {
        MixedPenalty::class(self)
    }
    fn parts(&self) -> Option<PenaltyParts> {
        Some(self.mix())
    }
    fn value(&self, w: f64) -> f64 {
        self.mix().value(w)
    }
    fn subgradient(&self, w: f64) -> f64 {
        self.mix().subgradient(w)
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        MixedPenalty::prox(self, v, eta)
    }
    fn zero_slope(&self) -> f64 {
        self.mix().l1
    }
    fn coordinate_minimizer(&self, g: f64, h: f64, w: f64) -> f64 {
        self.mix().coordinate_minimizer(g, h, w)
    }
    fn coordinate_violation(&self, g: f64, w: f64) -> f64 {
        self.mix().coordinate_violation(g, w)
    }
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
