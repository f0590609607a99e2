//! One backtracking proximal-gradient step, shared by FISTA (whose projection is the
//! regularizer's `prox`) and IHT (whose projection keeps the `s` largest weights).
//!
//! The smooth part is `f(w, b) = (1/n) sum_i loss + smooth_l2/2 |w|^2`. From `y` the step
//! proposes `w = P(y.w - grad_w / L)`, `b = y.b - grad_b / L` (the bias is never projected)
//! and doubles `L` until `f(new) - f(y) <= <grad, new - y> + L/2 |new - y|^2`. The loss change
//! is summed row by row from the margin change of the weight change
//! ([`Design::margin_change`], [`Design::mean_loss_change`]), which keeps the test meaningful
//! down to machine precision; a relative slack of [`BACKTRACK_SLACK`] of the bound absorbs the
//! remaining rounding.

use crate::batch::design::Design;
use crate::batch::iterate::Iterate;

/// Relative slack of the backtracking test: rounding must not make `L` grow forever near the
/// optimum.
const BACKTRACK_SLACK: f64 = 1e-9;
/// Doublings of `L` before a step is given up.
const MAX_DOUBLINGS: usize = 60;

/// The accepted point and the size of the step in gradient units, `L * |new - y|`.
pub(crate) struct Step {
    /// The new point.
    pub next: Iterate,
    /// `L * |new - y|` (the norm of the gradient mapping).
    pub mapping_norm: f64,
}

/// One step from `y`; `project(w, eta)` maps the gradient step's weights in place. `None` when
/// no `L` up to `2^60` times the estimate satisfies the bound (non-finite data).
pub(crate) fn proximal_gradient_step(
    design: &Design,
    y: &Iterate,
    smooth_l2: f64,
    lipschitz: &mut f64,
    mut project: impl FnMut(&mut [f64], f64),
) -> Option<Step> {
    let d = design.derivatives(&y.margins);
    let grad: Vec<f64> =
        design.gradient(&d).iter().zip(&y.w).map(|(g, w)| g + smooth_l2 * w).collect();
    let grad_b = design.mean(&d);
    for _ in 0..MAX_DOUBLINGS {
        let eta = 1.0 / *lipschitz;
        let mut w: Vec<f64> = y.w.iter().zip(&grad).map(|(w, g)| w - eta * g).collect();
        project(&mut w, eta);
        let b = y.b - eta * grad_b;
        let moved = design.margin_change((&y.w, y.b), (&w, b));
        let (mut linear, mut squared) = (grad_b * (b - y.b), (b - y.b) * (b - y.b));
        let mut ridge_change = 0.0;
        for ((&new, &old), &g) in w.iter().zip(&y.w).zip(&grad) {
            linear += g * (new - old);
            squared += (new - old) * (new - old);
            ridge_change += 0.5 * smooth_l2 * (new * new - old * old);
        }
        let change = design.mean_loss_change(&y.margins, &moved, 1.0) + ridge_change;
        let bound = linear + 0.5 * *lipschitz * squared;
        if change <= bound + BACKTRACK_SLACK * bound.abs() {
            let margins = y.margins.iter().zip(&moved).map(|(m, x)| m + x).collect();
            return Some(Step {
                next: Iterate { w, b, margins },
                mapping_norm: *lipschitz * squared.sqrt(),
            });
        }
        *lipschitz *= 2.0;
    }
    None
}

/// Starting estimate of `L`: the largest diagonal entry of the Hessian bound,
/// `curvature_bound * max_j (1/n) |x_j|^2 + smooth_l2` (a lower bound of the true constant).
pub(crate) fn initial_lipschitz(design: &Design, smooth_l2: f64) -> f64 {
    let largest = (0..design.m).map(|j| design.col_sq_mean(j)).fold(0.0f64, f64::max);
    (largest * design.loss.curvature_bound() + smooth_l2).max(f64::MIN_POSITIVE)
}
