//! Proximal gradient with Nesterov momentum (FISTA, Beck & Teboulle 2009) for L1, L2 and
//! elastic net: a second, independent solver of the coordinate-descent objectives, so each can
//! check the other.
//!
//! Each step takes the gradient of the mean loss at the extrapolated point `y`, applies the
//! regularizer's own `prox` with step `1/L` (the bias has no penalty: a plain gradient step),
//! and doubles `L` until the quadratic upper bound at `y` holds (`proximal_step.rs`; `L` starts
//! at the largest diagonal Hessian bound and never decreases along the path). The momentum
//! restarts whenever the objective goes up (O'Donoghue & Candès 2015), which keeps FISTA
//! monotone and fast on the strongly convex problems. A point is converged when the maximal
//! KKT violation (the same measure as coordinate descent's) is at most `tol`.

use regularizers::{Penalty, Regularizer};

use regularizers::{PenaltyClass, SettingDoc};

use crate::batch::design::Design;
use crate::batch::iterate::Iterate;
use crate::batch::optimality::{duality_gap, kkt_violation};
use crate::batch::path::{l1_share, make_point, path_top, SolveReport};
use crate::batch::proximal_step::{initial_lipschitz, proximal_gradient_step};
use crate::batch::{BatchError, PathConfig, PathPoint};

/// Runs FISTA from `x` at a fixed regularizer; `lipschitz` carries the step estimate across
/// path points.
fn solve(
    design: &Design,
    reg: &dyn Regularizer,
    x: &mut Iterate,
    lipschitz: &mut f64,
    tol: f64,
    max_iter: usize,
) -> SolveReport {
    let mut x_prev = x.clone();
    let mut t = 1.0f64;
    let mut iterations = 0;
    loop {
        let d = design.derivatives(&x.margins);
        if kkt_violation(design, reg, &x.w, &d, 0..design.m) <= tol {
            return SolveReport { iterations, converged: true };
        }
        if iterations >= max_iter {
            return SolveReport { iterations, converged: false };
        }
        iterations += 1;
        let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        let beta = (t - 1.0) / t_next;
        let y = extrapolate(x, &x_prev, beta);
        let prox = |w: &mut [f64], eta: f64| w.iter_mut().for_each(|wj| *wj = reg.prox(*wj, eta));
        let Some(step) = proximal_gradient_step(design, &y, 0.0, lipschitz, prox) else {
            return SolveReport { iterations, converged: false };
        };
        if beta > 0.0 && objective_change(design, reg, x, &step.next) > 0.0 {
            // Restart: drop the momentum, retry from x with a plain proximal step (which the
            // backtracking makes monotone).
            t = 1.0;
            x_prev = x.clone();
            continue;
        }
        x_prev = std::mem::replace(x, step.next);
        t = t_next;
    }
}

/// `F(to) - F(from)`, the loss part summed row by row without cancellation.
fn objective_change(design: &Design, reg: &dyn Regularizer, from: &Iterate, to: &Iterate) -> f64 {
    let moved = design.margin_change((&from.w, from.b), (&to.w, to.b));
    design.mean_loss_change(&from.margins, &moved, 1.0) + reg.penalty(&to.w) - reg.penalty(&from.w)
}

/// `x + beta (x - x_prev)`, margins included (they are linear in `(w, b)`).
fn extrapolate(x: &Iterate, x_prev: &Iterate, beta: f64) -> Iterate {
    let lerp = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter().zip(b).map(|(&ai, &bi)| ai + beta * (ai - bi)).collect()
    };
    Iterate {
        w: lerp(&x.w, &x_prev.w),
        b: x.b + beta * (x.b - x_prev.b),
        margins: lerp(&x.margins, &x_prev.margins),
    }
}

/// The FISTA path over the same lambdas as coordinate descent.
pub(crate) fn fit_path(
    design: &Design,
    penalty: &Penalty,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    let lambdas = config.lambda_grid(path_top(design, l1_share(penalty)?));
    let mut lipschitz = initial_lipschitz(design, 0.0);
    let mut x = Iterate::at_zero(design);
    let mut points = Vec::with_capacity(lambdas.len());
    for lambda in lambdas {
        // The penalty is built on the stack for each point (nothing on the fit's heap).
        let point = penalty.with(lambda, |reg| {
            let report = solve(design, reg, &mut x, &mut lipschitz, config.tol, config.max_iter);
            // Margins afresh: the extrapolated ones carry rounding from every step.
            x = Iterate::from_weights(design, std::mem::take(&mut x.w), x.b);
            let primal = design.mean_loss(&x.margins) + reg.penalty(&x.w);
            let gap = reg.parts().and_then(|parts| {
                duality_gap(design, parts, primal, &design.derivatives(&x.margins))
            });
            make_point(design, lambda, reg, &x.w, x.b, &x.margins, report, 0..design.m, gap, None)
        })?;
        points.push(point);
    }
    Ok(points)
}

/// The registry's handle on this solver.
pub(crate) struct Fista;

/// Settings of `fista` (none of its own).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FistaSettings {}

impl crate::batch::BatchSolver for Fista {
    const NAME: &'static str = "fista";
    const SUMMARY: &'static str = "proximal gradient with Nesterov momentum, restarts and backtracking (Beck & Teboulle 2009)";
    const KEYS: &'static [SettingDoc] = &[];
    const ACCEPTS: &'static str = "convex penalties (none, l1, l2, elastic_net)";
    type Settings = FistaSettings;

    fn accepts(class: PenaltyClass) -> bool {
        class == PenaltyClass::Convex
    }

    fn fit_path_on(
        design: &Design,
        penalty: &regularizers::Penalty,
        config: PathConfig,
        _settings: &FistaSettings,
    ) -> Result<Vec<PathPoint>, BatchError> {
        config.validate()?;
        fit_path(design, penalty, &config)
    }
}
