//! Minimax concave penalty (MCP) of Zhang (2010), "Nearly unbiased variable selection under
//! minimax concave penalty", Annals of Statistics 38(2).
//!
//! # The penalty
//!
//! With a strength `lambda >= 0` and a concavity parameter `gamma > 0`, per coordinate:
//!
//! ```text
//! r(w)  = lambda |w| - w^2 / (2 gamma)     if |w| <= gamma lambda
//!       = gamma lambda^2 / 2               otherwise
//! r'(w) = sign(w) (lambda - |w| / gamma)_+          (taken as 0 at w = 0)
//! ```
//!
//! Near zero it behaves like the lasso: its slope at `0+` is `lambda`, so it still sets weights
//! to exactly zero. The slope then drops linearly, reaching zero at the knot `|w| = gamma lambda`;
//! from there on the penalty is flat at height `gamma lambda^2 / 2`. A large weight is therefore
//! not shrunk at all, which removes the bias the lasso puts on strong signals. The price is
//! nonconvexity: on `(0, gamma lambda)` the curvature is `-1/gamma`. The name says why this shape:
//! a penalty whose slope must start at `lambda` and be zero from `gamma lambda` on has to lose
//! `lambda` of slope over a length `gamma lambda`, so its concavity is at least `1/gamma`
//! somewhere; the MCP loses it at that constant rate and is thus the least concave (minimax
//! concave) penalty that selects variables and is unbiased for large weights.
//!
//! # Between L1 and L0
//!
//! `gamma` moves the MCP between the convex and the combinatorial penalty:
//!
//! - `gamma -> infinity`: `r(w) -> lambda |w|` for every fixed `w` and the prox below becomes soft
//!   thresholding at `eta lambda`. This is the lasso.
//! - `gamma -> 0+`: the penalty becomes a steep ramp to the height `gamma lambda^2 / 2`, reached at
//!   `|w| = gamma lambda`. As soon as `gamma <= eta`, the prox is exactly hard thresholding at
//!   `sqrt(2 eta gamma lambda^2 / 2) = lambda sqrt(gamma eta)`, the L0 prox with strength equal to
//!   that height (see the case analysis below). If the height `mu` is held fixed
//!   (`lambda = sqrt(2 mu / gamma)`) while `gamma -> 0+`, `r` tends to `mu [w != 0]`, the L0
//!   penalty itself.
//!
//! # Proximal step
//!
//! `prox(v, eta) = argmin_x r(x) + (x - v)^2 / (2 eta)`. The objective is odd-symmetric in
//! `(x, v)` and `r` is nondecreasing in `|x|`, so for `v >= 0` the minimizer lies in `[0, v]`.
//! On `(0, gamma lambda)` the objective has curvature `1/eta - 1/gamma`, and `1/eta` beyond.
//!
//! - `gamma > eta`: the objective is strongly convex (with modulus `1/eta - 1/gamma`), and
//!   its unique minimizer is *firm thresholding* (Gao and Bruce's firm shrinkage):
//!   `0` if `|v| <= eta lambda`, `sign(v) gamma (|v| - eta lambda) / (gamma - eta)` if
//!   `eta lambda < |v| <= gamma lambda`, and `v` beyond. It is soft thresholding stretched so that
//!   it rejoins the identity at the knot.
//! - `gamma <= eta`: the objective is concave (affine when `gamma = eta`) on `[0, gamma lambda]`,
//!   so no interior point there is a strict minimizer; at best it ties with an endpoint. Beyond
//!   the knot the objective is a parabola with vertex at `v`. The candidates are therefore `0`,
//!   the knot `gamma lambda` and `v` (when `v > gamma lambda`). The knot never wins when
//!   `v < gamma lambda`: the difference between its objective and that of `0` is
//!   `gamma lambda^2 / 2 + gamma lambda (gamma lambda - 2 v) / (2 eta)`, which is larger than
//!   `gamma lambda^2 (1 - gamma / eta) / 2 >= 0`. Between `0`, with objective `v^2 / (2 eta)`,
//!   and `v`, with objective `gamma lambda^2 / 2`, `v` wins exactly when
//!   `|v| > lambda sqrt(gamma eta)`; that threshold is `>= gamma lambda`, so `v` is then indeed
//!   past the knot. Ties, including the whole segment `[0, gamma lambda]` at `v = eta lambda` when
//!   `gamma = eta`, go to `0`.
//!
//! The two cases meet at `gamma = eta`, where `eta lambda = gamma lambda = lambda sqrt(gamma eta)`.
//!
//! # Coordinate descent
//!
//! Breheny and Huang (2011), "Coordinate descent algorithms for nonconvex penalized regression"
//! (Annals of Applied Statistics 5(1)), minimize one coordinate at a time. With the loss's
//! gradient `g` and curvature `h > 0` at the current value `w` (exact for least squares), the
//! coordinate problem is `min_x g (x - w) + h/2 (x - w)^2 + r(x)`, which is
//! `prox(w - g/h, 1/h)`. It is convex exactly when `gamma h > 1`, the condition
//! `gamma > 1` of the paper, where features are standardized so that `h = 1`. The update is then
//! firm thresholding of `z = w - g/h`:
//! `S(h z, lambda) / (h - 1/gamma)` for `|z| <= gamma lambda` and `z` beyond, where
//! `S(u, t) = sign(u) max(|u| - t, 0)` is soft thresholding.
//! When `gamma h <= 1`, [`Mcp::coordinate_minimizer`] still returns the global minimizer, which is
//! a hard thresholding, but then a zero [`Mcp::coordinate_violation`] no longer proves it
//! optimal: for `gamma lambda <= |z| <= lambda / h`, both `0` and `z` are stationary, and only one
//! of them (the one chosen by the threshold `lambda sqrt(gamma / h)`) is the minimizer.
//!
//! Stationarity is read off `r'` away from zero, including at the knot, where both one-sided
//! slopes are 0. At zero the concave quadratic part has zero slope, so the subdifferential of `r`
//! is `[-lambda, lambda]`, as for the lasso: [`Mcp::zero_slope`] is `lambda`, and every weight
//! stays at zero once `lambda >= max_j |g_j(0)|`.

use crate::error::{check_positive, check_strength};
use serde::{Deserialize, Serialize};

use crate::registry::Configurable;
use crate::{
    hard_threshold, sign, PenaltyClass, PenaltyParts, Regularizer, RegularizerError, SettingDoc,
};

/// The minimax concave penalty with strength `lambda` and concavity parameter `gamma`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mcp {
    lambda: f64,
    gamma: f64,
}

impl Mcp {
    /// An MCP with strength `lambda` (finite, `>= 0`) and concavity `gamma` (finite, `> 0`).
    pub fn new(lambda: f64, gamma: f64) -> Result<Self, RegularizerError> {
        Ok(Self {
            lambda: check_strength("mcp", "lambda", lambda)?,
            gamma: check_positive("mcp", "gamma", gamma)?,
        })
    }

    /// The strength: slope of the penalty at `0+`.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The concavity parameter: the penalty's curvature is `-1/gamma` below the knot
    /// `gamma * lambda`.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// `|w|` from which the penalty is flat.
    fn knot(&self) -> f64 {
        self.gamma * self.lambda
    }

    /// The penalty of every `|w| >= gamma * lambda`: `gamma * lambda^2 / 2`.
    fn height(&self) -> f64 {
        0.5 * self.gamma * self.lambda * self.lambda
    }

    /// `r(w)`: `lambda |w| - w^2 / (2 gamma)` up to `|w| = gamma lambda`, then
    /// `gamma lambda^2 / 2`. A NaN `w` gives NaN.
    pub fn value(&self, w: f64) -> f64 {
        let a = w.abs();
        if a > self.knot() {
            self.height()
        } else {
            self.lambda * a - a * a / (2.0 * self.gamma)
        }
    }

    /// `r'(w) = sign(w) (lambda - |w| / gamma)_+`, 0 at `w = 0`. A NaN `w` gives NaN.
    pub fn derivative(&self, w: f64) -> f64 {
        if w.is_nan() {
            return w;
        }
        sign(w) * (self.lambda - w.abs() / self.gamma).max(0.0)
    }

    /// Half-width of the subdifferential at zero, `lambda`: a weight at zero with loss gradient
    /// `g` is stationary iff `|g| <= lambda` (what `lambda_max` of a path and the strong rule
    /// use).
    pub fn zero_slope(&self) -> f64 {
        self.lambda
    }

    /// `argmin_x r(x) + (x - v)^2 / (2 eta)` for any `eta > 0`, the global minimizer even when
    /// the problem is nonconvex: firm thresholding if `gamma > eta`, otherwise hard thresholding
    /// at `lambda sqrt(gamma eta)` (ties go to 0). A NaN `v` stays NaN.
    pub fn prox(&self, v: f64, eta: f64) -> f64 {
        let (lambda, gamma) = (self.lambda, self.gamma);
        if gamma > eta {
            let a = v.abs();
            if a <= eta * lambda {
                0.0
            } else if a <= gamma * lambda {
                // Never past `a` in exact arithmetic; the clamp keeps rounding (large when
                // `gamma - eta` is tiny, where the objective is nearly flat) inside [0, a].
                (gamma * (a - eta * lambda) / (gamma - eta)).min(a).copysign(v)
            } else {
                // Also reached by a NaN `v`.
                v
            }
        } else {
            hard_threshold(v, eta, self.height())
        }
    }

    /// `argmin_x g (x - w) + h/2 (x - w)^2 + r(x)` for the loss gradient `g` and curvature
    /// `h > 0` at `w`, i.e. `prox(w - g/h, 1/h)`. Convex, with the firm-thresholding update, iff
    /// `gamma * h > 1`; otherwise still the global minimizer (a hard thresholding).
    pub fn coordinate_minimizer(&self, w: f64, g: f64, h: f64) -> f64 {
        self.prox(w - g / h, 1.0 / h)
    }

    /// How far the coordinate `w` is from first-order optimality, given the loss gradient `g`
    /// there: `max(0, |g| - lambda)` at `w = 0`, else `|g + r'(w)|`. Zero at every stationary
    /// point (which, when `gamma * h <= 1`, need not be the coordinate's minimizer). NaN in, NaN
    /// out, so a diverged coordinate never looks converged.
    pub fn coordinate_violation(&self, g: f64, w: f64) -> f64 {
        if w == 0.0 {
            let excess = g.abs() - self.lambda;
            if excess > 0.0 || excess.is_nan() {
                excess
            } else {
                0.0
            }
        } else {
            (g + self.derivative(w)).abs()
        }
    }
}

/// `gamma` when a spec sets none (Breheny & Huang's default for MCP).
const DEFAULT_GAMMA: f64 = 3.0;

/// Settings of `mcp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpSettings {
    /// Concavity `gamma` (> 0): large is close to L1, small close to L0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
}

impl Configurable for Mcp {
    const NAME: &'static str = "mcp";
    const SUMMARY: &'static str =
        "minimax concave penalty (Zhang 2010): L1 near zero, flat beyond gamma lambda; nonconvex";
    const KEYS: &'static [SettingDoc] = &[SettingDoc {
        key: "gamma",
        default: "3.0",
        doc: "concavity, > 0: large is close to L1, small close to L0 (hard thresholding)",
    }];
    type Settings = McpSettings;
    fn configure(lambda: f64, settings: &McpSettings) -> Result<Self, RegularizerError> {
        Self::new(lambda, settings.gamma.unwrap_or(DEFAULT_GAMMA))
    }
}

impl Regularizer for Mcp {
    fn name(&self) -> &'static str {
        Self::NAME
    }
    fn class(&self) -> PenaltyClass {
        PenaltyClass::Nonconvex
    }
    fn parts(&self) -> Option<PenaltyParts> {
        None
    }
    fn value(&self, w: f64) -> f64 {
        Mcp::value(self, w)
    }
    fn subgradient(&self, w: f64) -> f64 {
        self.derivative(w)
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        Mcp::prox(self, v, eta)
    }
    fn zero_slope(&self) -> f64 {
        Mcp::zero_slope(self)
    }
    fn coordinate_minimizer(&self, g: f64, h: f64, w: f64) -> f64 {
        Mcp::coordinate_minimizer(self, w, g, h)
    }
    fn coordinate_violation(&self, g: f64, w: f64) -> f64 {
        Mcp::coordinate_violation(self, g, w)
    }
}
