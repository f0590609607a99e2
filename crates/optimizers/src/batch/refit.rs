//! Refit on a fixed support: minimizes `(1/n) sum_i loss + l2_grad/2 |w_S|^2` over the weights
//! of the support `S` and the bias, every other weight held at zero. This is the "debias" step
//! of IHT and the "refit" of prune-refit.
//!
//! A small support (`|S| + 1 <= newton_max_support`) is solved by Newton's method: the dense
//! Hessian block `(1/n) [X_S 1]^T diag(h) [X_S 1] + l2_grad I_S` (nalgebra), its Cholesky
//! factor, an Armijo line search; quadratic convergence in a handful of steps. A larger support,
//! or a Hessian that is numerically not positive definite, goes to coordinate descent
//! restricted to the support (whose cost per pass is linear in the support's nonzeros rather
//! than quadratic in its size).

use nalgebra::{DMatrix, DVector};
use regularizers::PenaltyParts;

use crate::batch::coordinate_descent::{self, Candidates, Iterate};
use crate::batch::design::Design;
use crate::batch::path::SolveReport;

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
    /// Tolerance on the maximal gradient over the support and the bias.
    pub tol: f64,
    /// Iteration budget.
    pub max_iter: usize,
    /// Largest `|S| + 1` solved by Newton.
    pub newton_max_support: usize,
}

/// Refits `it` on `support` (weights outside it must already be zero).
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
        parts,
        it,
        support.to_vec(),
        Candidates::WorkingSet,
        settings.tol,
        settings.max_iter,
    )
}

/// The support's nonzeros grouped by row: `(row, position in the support, value)`, sorted by
/// row, so the Hessian block is one pass over rows.
fn entries_by_row(design: &Design, support: &[usize]) -> Vec<(usize, usize, f64)> {
    let mut entries: Vec<(usize, usize, f64)> = support
        .iter()
        .enumerate()
        .flat_map(|(pos, &j)| {
            let (rows, vals) = design.column(j);
            rows.iter().zip(vals).map(move |(&i, &x)| (i, pos, x))
        })
        .collect();
    entries.sort_unstable_by_key(|&(i, pos, _)| (i, pos));
    entries
}

/// `(1/n) [X_S 1]^T diag(h) [X_S 1] + diag(l2_grad, ..., l2_grad, 0) + floor I`.
fn hessian(
    design: &Design,
    entries: &[(usize, usize, f64)],
    size: usize,
    h: &[f64],
    l2_grad: f64,
) -> DMatrix<f64> {
    let bias = size - 1;
    let mut hess = DMatrix::<f64>::zeros(size, size);
    for group in entries.chunk_by(|a, b| a.0 == b.0) {
        let hi = h[group[0].0];
        for &(_, a, xa) in group {
            hess[(a, bias)] += hi * xa;
            for &(_, c, xc) in group {
                hess[(a, c)] += hi * xa * xc;
            }
        }
    }
    hess[(bias, bias)] = h.iter().sum();
    for a in 0..bias {
        hess[(bias, a)] = hess[(a, bias)];
    }
    hess /= design.n as f64;
    for a in 0..size {
        hess[(a, a)] += HESSIAN_FLOOR + if a < bias { l2_grad } else { 0.0 };
    }
    hess
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
    let entries = entries_by_row(design, support);
    let mut h = vec![0.0; design.n];
    let mut iterations = 0;
    loop {
        let d = design.derivatives(&it.margins);
        let mut grad = DVector::<f64>::zeros(size);
        for (pos, &j) in support.iter().enumerate() {
            grad[pos] = design.col_dot(j, &d) * inv_n + settings.l2_grad * it.w[j];
        }
        grad[size - 1] = design.mean(&d);
        if grad.amax() <= settings.tol {
            return Some(SolveReport { iterations, converged: true });
        }
        if iterations >= settings.max_iter {
            return Some(SolveReport { iterations, converged: false });
        }
        iterations += 1;
        for (hi, &m) in h.iter_mut().zip(&it.margins) {
            *hi = design.loss.second_derivative(m);
        }
        let cholesky = hessian(design, &entries, size, &h, settings.l2_grad).cholesky()?;
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
