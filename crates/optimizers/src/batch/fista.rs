//! Proximal gradient with Nesterov momentum (FISTA, Beck & Teboulle 2009) for L1, L2 and
//! elastic net: a second, independent solver of the coordinate-descent objectives, so each can
//! check the other.
//!
//! Each step takes the gradient of the mean loss at the extrapolated point `y`, applies the
//! regularizer's own `prox` with step `1/L` (the bias has no penalty: a plain gradient step),
//! and doubles `L` until the quadratic upper bound at `y` holds (backtracking; `L` starts at the
//! largest diagonal Hessian bound and never decreases within a point). The momentum restarts
//! whenever the objective goes up (O'Donoghue & Candès 2015), which keeps FISTA monotone and
//! fast on the strongly convex problems. A point is converged when the maximal KKT violation
//! (the same measure as coordinate descent's) is at most `tol`.

use regularizers::{PenaltyParts, Regularizer, RegularizerKind};

use crate::batch::design::Design;
use crate::batch::optimality::{duality_gap, kkt_violation, penalty};
use crate::batch::path::{l1_share, make_point, path_top, SolveReport};
use crate::batch::{BatchError, PathConfig, PathPoint};

/// Relative slack of the backtracking test (relative to the bound's own size): rounding must
/// not make `L` grow forever near the optimum.
const BACKTRACK_SLACK: f64 = 1e-9;
/// Doublings of `L` before a step is given up.
const MAX_DOUBLINGS: usize = 60;

/// A point `(w, b)` with its margins.
#[derive(Debug, Clone)]
struct Point {
    w: Vec<f64>,
    b: f64,
    margins: Vec<f64>,
}

/// Runs FISTA from `(w, b)` at a fixed regularizer; `lipschitz` carries the step estimate
/// across path points.
fn solve(
    design: &Design,
    reg: &dyn Regularizer,
    start: (Vec<f64>, f64),
    lipschitz: &mut f64,
    tol: f64,
    max_iter: usize,
) -> (Vec<f64>, f64, SolveReport) {
    let parts = reg.parts();
    let margins = design.margins(&start.0, start.1);
    let mut x = Point { w: start.0, b: start.1, margins };
    let mut x_prev = x.clone();
    let mut t = 1.0f64;
    let mut iterations = 0;
    let mut converged = false;
    loop {
        let d = design.derivatives(&x.margins);
        if kkt_violation(design, parts, &x.w, &d, 0..design.m) <= tol {
            converged = true;
            break;
        }
        if iterations >= max_iter {
            break;
        }
        iterations += 1;
        let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        let beta = (t - 1.0) / t_next;
        let y = extrapolate(&x, &x_prev, beta);
        let Some(next) = proximal_step(design, reg, &y, lipschitz) else {
            break;
        };
        if beta > 0.0 && objective_change(design, parts, &x, &next) > 0.0 {
            // Restart: drop the momentum, retry from x with a plain proximal step (which the
            // backtracking makes monotone).
            t = 1.0;
            x_prev = x.clone();
            continue;
        }
        x_prev = std::mem::replace(&mut x, next);
        t = t_next;
    }
    (x.w, x.b, SolveReport { iterations, converged })
}

/// `F(to) - F(from)`, the loss part summed row by row without cancellation.
fn objective_change(design: &Design, parts: PenaltyParts, from: &Point, to: &Point) -> f64 {
    let moved = design.margin_change((&from.w, from.b), (&to.w, to.b));
    design.mean_loss_change(&from.margins, &moved, 1.0) + penalty(parts, &to.w)
        - penalty(parts, &from.w)
}

/// `x + beta (x - x_prev)`, margins included (they are linear in `(w, b)`).
fn extrapolate(x: &Point, x_prev: &Point, beta: f64) -> Point {
    let lerp = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter().zip(b).map(|(&ai, &bi)| ai + beta * (ai - bi)).collect()
    };
    Point {
        w: lerp(&x.w, &x_prev.w),
        b: x.b + beta * (x.b - x_prev.b),
        margins: lerp(&x.margins, &x_prev.margins),
    }
}

/// One backtracking proximal-gradient step from `y`; `None` if no `L` up to `2^60` times the
/// estimate satisfies the upper bound (non-finite data).
fn proximal_step(
    design: &Design,
    reg: &dyn Regularizer,
    y: &Point,
    lipschitz: &mut f64,
) -> Option<Point> {
    let d = design.derivatives(&y.margins);
    let grad = design.gradient(&d);
    let grad_b = design.mean(&d);
    for _ in 0..MAX_DOUBLINGS {
        let eta = 1.0 / *lipschitz;
        let w: Vec<f64> =
            y.w.iter().zip(&grad).map(|(&wj, &gj)| reg.prox(wj - eta * gj, eta)).collect();
        let b = y.b - eta * grad_b;
        let moved = design.margin_change((&y.w, y.b), (&w, b));
        let loss_change = design.mean_loss_change(&y.margins, &moved, 1.0);
        let (mut linear, mut squared) = (grad_b * (b - y.b), (b - y.b) * (b - y.b));
        for ((&wj, &yj), &gj) in w.iter().zip(&y.w).zip(&grad) {
            linear += gj * (wj - yj);
            squared += (wj - yj) * (wj - yj);
        }
        let bound = linear + 0.5 * *lipschitz * squared;
        if loss_change <= bound + BACKTRACK_SLACK * bound.abs() {
            let margins = y.margins.iter().zip(&moved).map(|(m, d)| m + d).collect();
            return Some(Point { w, b, margins });
        }
        *lipschitz *= 2.0;
    }
    None
}

/// The FISTA path over the same lambdas as coordinate descent.
pub(crate) fn fit_path(
    design: &Design,
    penalty_kind: RegularizerKind,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    let lambdas = config.lambda_grid(path_top(design, l1_share(penalty_kind, config)));
    let mut lipschitz = (0..design.m).map(|j| design.col_sq_mean(j)).fold(1.0f64, f64::max)
        * design.loss.curvature_bound();
    let mut w = vec![0.0; design.m];
    let mut b = design.intercept_only();
    let mut points = Vec::with_capacity(lambdas.len());
    for lambda in lambdas {
        let reg = regularizers::build(penalty_kind, lambda, config.l1_ratio, config.convention)?;
        let (w_new, b_new, report) =
            solve(design, reg.as_ref(), (w, b), &mut lipschitz, config.tol, config.max_iter);
        (w, b) = (w_new, b_new);
        let margins = design.margins(&w, b);
        let parts = reg.parts();
        let primal = design.mean_loss(&margins) + penalty(parts, &w);
        let gap = duality_gap(design, parts, primal, &design.derivatives(&margins));
        points.push(make_point(
            design,
            lambda,
            parts,
            &w,
            b,
            &margins,
            report,
            0..design.m,
            gap,
            None,
        ));
    }
    Ok(points)
}
