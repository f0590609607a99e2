//! Refit on a fixed support: minimizes `(1/n) sum_i loss + l2_grad/2 |w_S|^2` over the weights
//! of the support `S` and the bias, every other weight held at zero. This is the "debias" step
//! of IHT and the "refit" of prune-refit.
//!
//! A small support (`|S| + 1 <= newton_max_support`) is solved by Newton's method: the dense
//! Hessian block `(1/n) [X_S 1]^T diag(h) [X_S 1] + l2_grad I_S` (`gram.rs`), its Cholesky
//! factor, an Armijo line search; quadratic convergence in a handful of steps. A larger support,
//! or a Hessian that is numerically not positive definite, goes to coordinate descent
//! restricted to the support (whose cost per pass is linear in the support's nonzeros rather
//! than quadratic in its size).

use nalgebra::DVector;
use regularizers::PenaltyParts;

use crate::batch::coordinate_descent::{self, Candidates, CdSettings};
use crate::batch::design::Design;
use crate::batch::gram::RowSubmatrix;
use crate::batch::iterate::Iterate;
use crate::batch::path::SolveReport;
use crate::batch::PathConfig;

/// Armijo constant of the Newton line search.
const ARMIJO: f64 = 1e-4;
/// Step halvings before the Newton line search gives up.
const MAX_HALVINGS: usize = 40;
/// Added to the Hessian diagonal so the bias row stays positive definite when curvature
/// vanishes.
const HESSIAN_FLOOR: f64 = 1e-12;

/// Settings of a refit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefitSettings {
    /// Ridge gradient coefficient on the support.
    pub l2_grad: f64,
    /// Largest `|S| + 1` solved by Newton.
    pub newton_max_support: usize,
    /// Tolerance and budget (shared with the coordinate-descent fallback).
    pub cd: CdSettings,
}

impl RefitSettings {
    /// The ridge `l2_for_l0` in the config's convention, and the config's budget.
    pub fn from_config(config: &PathConfig) -> Self {
        Self {
            l2_grad: config.convention.grad_coefficient(config.l2_for_l0),
            newton_max_support: config.newton_max_support,
            cd: CdSettings::from_config(config),
        }
    }
}

/// Refits `it` on `support`: every weight outside it must already be zero, except for a block
/// step (L0L2 CD refits the densest columns of a large support), where Newton's method holds
/// the nonzero weights outside `support` fixed and the coordinate-descent fallback refits them
/// too (its working set always includes the nonzero weights).
pub(crate) fn refit(
    design: &Design,
    support: &[usize],
    it: &mut Iterate,
    settings: RefitSettings,
) -> SolveReport {
    if support.len() < settings.newton_max_support {
        if let Some(report) = newton(design, support, it, settings) {
            return report;
        }
    }
    let parts = PenaltyParts { l2_grad: settings.l2_grad, ..PenaltyParts::default() };
    coordinate_descent::solve(
        design,
        &parts,
        it,
        support.to_vec(),
        Candidates::WorkingSet,
        settings.cd,
    )
}

/// Newton's method on the support; `None` when the Hessian cannot be factored.
fn newton(
    design: &Design,
    support: &[usize],
    it: &mut Iterate,
    settings: RefitSettings,
) -> Option<SolveReport> {
    let size = support.len() + 1;
    let inv_n = 1.0 / design.n as f64;
    let submatrix = RowSubmatrix::new(design, support);
    let mut h = vec![0.0; design.n];
    let mut iterations = 0;
    loop {
        let d = design.derivatives(&it.margins);
        let mut grad = DVector::<f64>::zeros(size);
        for (pos, &j) in support.iter().enumerate() {
            grad[pos] = design.col_dot(j, &d) * inv_n + settings.l2_grad * it.w[j];
        }
        grad[size - 1] = design.mean(&d);
        if grad.amax() <= settings.cd.tol {
            return Some(SolveReport { iterations, converged: true });
        }
        if iterations >= settings.cd.max_iter {
            return Some(SolveReport { iterations, converged: false });
        }
        iterations += 1;
        for (hi, &m) in h.iter_mut().zip(&it.margins) {
            *hi = design.loss.second_derivative(m);
        }
        let mut hessian = submatrix.weighted_gram(&h);
        for a in 0..size {
            hessian[(a, a)] += HESSIAN_FLOOR + if a < size - 1 { settings.l2_grad } else { 0.0 };
        }
        let cholesky = hessian.cholesky()?;
        let step = -cholesky.solve(&grad);
        let mut moved = vec![step[size - 1]; design.n];
        for (pos, &j) in support.iter().enumerate() {
            design.col_axpy(j, step[pos], &mut moved);
        }
        let slope = grad.dot(&step);
        let ridge_change = |t: f64| -> f64 {
            support
                .iter()
                .enumerate()
                .map(|(pos, &j)| {
                    let (old, new) = (it.w[j], it.w[j] + t * step[pos]);
                    0.5 * settings.l2_grad * (new * new - old * old)
                })
                .sum()
        };
        let accepted = (0..MAX_HALVINGS).map(|k| 0.5f64.powi(k as i32)).find(|&t| {
            design.mean_loss_change(&it.margins, &moved, t) + ridge_change(t) <= ARMIJO * t * slope
        });
        let Some(t) = accepted else {
            return Some(SolveReport { iterations, converged: false });
        };
        for (pos, &j) in support.iter().enumerate() {
            it.w[j] += t * step[pos];
        }
        it.b += t * step[size - 1];
        for (m, x) in it.margins.iter_mut().zip(&moved) {
            *m += t * x;
        }
    }
}
