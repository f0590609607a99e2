//! Iterative hard thresholding (Blumensath & Davies 2009) to a target support size `s`, with a
//! refit (debias) on the support it found.
//!
//! The smooth objective is `f(w, b) = (1/n) sum_i loss + l2_grad/2 |w|^2` (the ridge is
//! `l2_for_l0`, which keeps logistic refits bounded on separable one-hot cells). Each step is
//! a gradient step with step `1/L` on `(w, b)` followed by keeping the `s` largest weights (the
//! bias is never thresholded); `L` starts at the largest diagonal Hessian bound and doubles
//! until `f` lies under its quadratic upper bound at the new point (backtracking).
//!
//! The steps stop once the support has not changed for [`STABLE_STEPS`] steps (or the step is
//! below `tol` in gradient units, `L * |step|`); the support is then refitted exactly. The
//! point is converged when the refitted solution is a fixed point of the IHT step, i.e. one
//! more gradient step plus hard thresholding keeps the same support, and the refit reached
//! `tol`; otherwise the steps resume from the refitted solution (as in hard thresholding
//! pursuit), within the `max_iter` budget. Sizes are visited in increasing order, each
//! warm-started from the previous solution.

use regularizers::PenaltyParts;

use crate::batch::coordinate_descent::Iterate;
use crate::batch::design::Design;
use crate::batch::path::{make_point, SolveReport};
use crate::batch::refit::{refit, RefitSettings};
use crate::batch::support::{keep_largest, largest_magnitudes};
use crate::batch::{BatchError, PathConfig, PathPoint};

/// Doublings of `L` before a step is given up.
const MAX_DOUBLINGS: usize = 60;
/// Steps with an unchanged support after which the support is refitted.
const STABLE_STEPS: usize = 20;

/// What the hard-thresholding search shares across steps at one target size.
struct Search<'d, 'a> {
    design: &'d Design<'a>,
    s: usize,
    l2_grad: f64,
    lipschitz: f64,
}

impl Search<'_, '_> {
    /// Gradient of `f` in `w` and in the bias.
    fn gradient(&self, it: &Iterate) -> (Vec<f64>, f64) {
        let d = self.design.derivatives(&it.margins);
        let grad = self.design.gradient(&d);
        let grad = grad.iter().zip(&it.w).map(|(g, w)| g + self.l2_grad * w).collect();
        (grad, self.design.mean(&d))
    }

    /// One backtracking IHT step; returns the kept support and `L * |step|`, or `None` when no
    /// `L` satisfies the upper bound (non-finite data).
    fn step(&mut self, it: &mut Iterate) -> Option<(Vec<usize>, f64)> {
        let design = self.design;
        let (grad, grad_b) = self.gradient(it);
        for _ in 0..MAX_DOUBLINGS {
            let eta = 1.0 / self.lipschitz;
            let mut w: Vec<f64> = it.w.iter().zip(&grad).map(|(w, g)| w - eta * g).collect();
            let kept = keep_largest(&mut w, self.s);
            let b = it.b - eta * grad_b;
            let moved = design.margin_change((&it.w, it.b), (&w, b));
            let (mut linear, mut squared) = (grad_b * (b - it.b), (b - it.b).powi(2));
            let mut ridge = 0.0;
            for ((&new, &old), &g) in w.iter().zip(&it.w).zip(&grad) {
                linear += g * (new - old);
                squared += (new - old) * (new - old);
                ridge += 0.5 * self.l2_grad * (new * new - old * old);
            }
            let change = design.mean_loss_change(&it.margins, &moved, 1.0) + ridge;
            if change <= linear + 0.5 * self.lipschitz * squared {
                it.w = w;
                it.b = b;
                for (m, x) in it.margins.iter_mut().zip(&moved) {
                    *m += x;
                }
                return Some((kept, squared.sqrt() * self.lipschitz));
            }
            self.lipschitz *= 2.0;
        }
        None
    }

    /// Steps until the support is stable or the budget is spent; returns the steps taken and
    /// whether a step failed.
    fn run(&mut self, it: &mut Iterate, tol: f64, budget: usize) -> (usize, bool) {
        let mut support = keep_largest(&mut it.w, self.s);
        it.margins = self.design.margins(&it.w, it.b);
        let mut stable = 0;
        for taken in 1..=budget {
            let Some((kept, step_norm)) = self.step(it) else {
                return (taken, true);
            };
            stable = if kept == support { stable + 1 } else { 0 };
            support = kept;
            if stable >= STABLE_STEPS || (stable > 0 && step_norm <= tol) {
                return (taken, false);
            }
        }
        (budget, false)
    }

    /// Whether one more IHT step from `it` keeps the same support.
    fn is_fixed_point(&self, it: &Iterate, support: &[usize]) -> bool {
        let (grad, _) = self.gradient(it);
        let eta = 1.0 / self.lipschitz;
        let v: Vec<f64> = it.w.iter().zip(&grad).map(|(w, g)| w - eta * g).collect();
        largest_magnitudes(&v, self.s) == support
    }
}

/// The IHT path over the configured support sizes.
pub(crate) fn fit_path(design: &Design, config: &PathConfig) -> Result<Vec<PathPoint>, BatchError> {
    let l2_grad = config.convention.grad_coefficient(config.l2_for_l0);
    let parts = PenaltyParts { l2_grad, ..PenaltyParts::default() };
    let mut lipschitz = (0..design.m).map(|j| design.col_sq_mean(j)).fold(0.0f64, f64::max)
        * design.loss.curvature_bound()
        + l2_grad;
    let settings = RefitSettings {
        l2_grad,
        tol: config.tol,
        max_iter: config.max_iter,
        newton_max_support: config.newton_max_support,
    };
    let mut it = Iterate::at_zero(design);
    let mut points = Vec::new();
    for s in config.support_grid(design.m) {
        let mut search = Search { design, s, l2_grad, lipschitz };
        let mut iterations = 0;
        let (support, converged) = loop {
            let (taken, failed) = search.run(&mut it, config.tol, config.max_iter - iterations);
            iterations += taken;
            let support: Vec<usize> = (0..design.m).filter(|&j| it.w[j] != 0.0).collect();
            let debias = refit(design, &support, &mut it, settings);
            iterations += debias.iterations;
            let fixed = search.is_fixed_point(&it, &support);
            if failed || fixed || iterations >= config.max_iter {
                break (support, debias.converged && fixed);
            }
        };
        lipschitz = search.lipschitz;
        let report = SolveReport { iterations, converged };
        points.push(make_point(
            design,
            0.0,
            parts,
            &it.w,
            it.b,
            &it.margins,
            report,
            support,
            None,
            Some(s),
        ));
    }
    Ok(points)
}
