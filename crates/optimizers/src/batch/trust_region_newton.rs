//! Trust-region Newton with preconditioned conjugate gradient (TRON: Lin, Weng & Keerthi 2008,
//! "Trust region Newton method for large-scale logistic regression", JMLR 9; the trust-region
//! rules of Lin & Moré 1999; the diagonal preconditioner of Hsia, Chiang & Lin 2018,
//! "Preconditioned conjugate gradient methods in truncated Newton frameworks for large-scale
//! linear classification") for smooth convex penalties: L2, or none, in either convention.
//!
//! # Objective
//!
//! `F(w, b) = (1/n) sum_i loss(b + x_i.w, y_i) + (c/2) |w|^2`, the bias unpenalized, `c` the
//! penalty's L2 gradient coefficient ([`regularizers::PenaltyParts::l2_grad`]: `lambda` in the
//! TensorFlow convention, `2 lambda` in Keras'). A penalty is accepted by its parts: convex,
//! with no L1 and no L0 part (so `F` is twice differentiable). liblinear's primal L2 logistic
//! regression minimizes `C sum_i loss + |w|^2 / 2`; that has our solution when
//! `C = 1 / (n c)` (and liblinear's bias, a penalized constant column, made nearly free).
//!
//! # Method
//!
//! Each outer iteration builds the quadratic model of `F` at `(w, b)`: the gradient
//! `((1/n) X^T d + c w, mean(d))` and the Hessian `(1/n) [X 1]^T diag(h) [X 1] + c I_w`, `d` and
//! `h` the loss's first and second derivatives in the margin. The Hessian is never formed: a
//! conjugate-gradient step needs `H v`, two passes over the sparse columns (`X v`, then
//! `X^T (h * X v)`). CG (Steihaug 1983) minimizes the model inside the trust region
//! `|s|_M <= delta` and stops when the residual is at most a tenth of the gradient's norm, when
//! it reaches the region's boundary, or on a direction of non-positive curvature (only possible
//! without a penalty). `M` is the diagonal preconditioner `c + 0.01 h_jj` (liblinear's mix of
//! the identity and the Hessian diagonal, in our scaling), which evens out the very different
//! curvatures of frequent and rare one-hot columns. The step is taken when the actual decrease
//! is more than 1e-4 of the model's (the actual decrease is summed row by row without
//! cancellation), and `delta` shrinks or grows with that ratio (Lin & Moré's rules, with the
//! interpolated step length). `delta` starts at the preconditioned gradient's norm, is cut to
//! the first step's length, and carries over from one lambda to the next.
//!
//! # Stopping rule
//!
//! As liblinear's: a point is converged when
//! `|grad F(w, b)|_2 <= tol * max(min(n_pos, n_neg), 1) / n * |grad F(0, 0)|_2`,
//! `tol` the shared batch tolerance (relative here, not the absolute KKT violation of the other
//! solvers; for squared loss the class-balance factor is 1). The reference gradient is at
//! `w = 0, b = 0` whatever the warm start, so one `tol` means the same accuracy along a path.
//! The reported `kkt_violation` is the same measure as every solver's. `max_iter` bounds the
//! outer (Newton) iterations per point; CG takes at most `m + 1` steps per iteration.
//!
//! # Paths
//!
//! The lambdas of the shared path (as coordinate descent's, so the two can be compared point by
//! point), largest first, each point warm-started from the previous one.

use regularizers::{Penalty, PenaltyClass, Regularizer, SettingDoc};

use crate::batch::design::{Design, RowLoss};
use crate::batch::iterate::Iterate;
use crate::batch::path::{l1_share, make_point, path_top, SolveReport};
use crate::batch::{BatchError, BatchSolver, PathConfig, PathPoint};
use crate::LossKind;

/// CG stops when its residual is at most this share of the gradient's norm (the 2008 paper's
/// xi).
const CG_RESIDUAL_SHARE: f64 = 0.1;
/// A step is taken when the actual decrease is more than this share of the predicted one.
const ACCEPT_RATIO: f64 = 1e-4;
/// Below this ratio the region shrinks.
const SHRINK_RATIO: f64 = 0.25;
/// Above this ratio the region may grow.
const GROW_RATIO: f64 = 0.75;
/// Smallest factor applied to the region after a poor step.
const SIGMA_SMALL: f64 = 0.25;
/// Factor of a rejected step's region when interpolation suggests more.
const SIGMA_HALF: f64 = 0.5;
/// Largest factor a region may grow by.
const SIGMA_GROW: f64 = 4.0;
/// Weight of the Hessian diagonal in the preconditioner `c + mix h_jj` (liblinear's 0.01).
const PRECONDITIONER_MIX: f64 = 0.01;
/// Decreases this small relative to `|F|` (actual and predicted) are rounding: the iteration
/// stops rather than cycle.
const ROUNDING_FLOOR: f64 = 1e-15;

/// The L2 gradient coefficient `c` of a penalty that has parts and no L1 or L0 part.
fn smooth_l2(reg: &dyn Regularizer) -> Option<f64> {
    reg.parts().filter(|parts| parts.l1 == 0.0 && parts.l0 == 0.0).map(|parts| parts.l2_grad)
}

/// Work buffers of one fit (allocated once, reused at every iteration and lambda). Vectors over
/// the coefficients have `m + 1` entries, the bias last.
struct Workspace {
    /// Loss derivative `d_i` per row.
    d: Vec<f64>,
    /// Loss curvature `h_i` per row.
    h: Vec<f64>,
    /// Gradient of `F`.
    grad: Vec<f64>,
    /// Diagonal preconditioner `M`.
    precond: Vec<f64>,
    /// CG iterate (the step).
    step: Vec<f64>,
    /// CG residual `-grad - H step`.
    residual: Vec<f64>,
    /// Preconditioned residual `M^-1 residual`.
    z: Vec<f64>,
    /// CG direction.
    direction: Vec<f64>,
    /// `H direction`.
    h_direction: Vec<f64>,
    /// `[X 1] direction`, per row.
    x_direction: Vec<f64>,
    /// `[X 1] step`, per row (accumulated from the directions, no extra product).
    x_step: Vec<f64>,
    /// `h * [X 1] direction`, per row.
    weighted: Vec<f64>,
    /// Row losses at the current margins.
    rows: Vec<RowLoss>,
}

impl Workspace {
    fn new(n: usize, m: usize) -> Self {
        let rows_buf = || vec![0.0; n];
        let coef_buf = || vec![0.0; m + 1];
        Self {
            d: rows_buf(),
            h: rows_buf(),
            grad: coef_buf(),
            precond: coef_buf(),
            step: coef_buf(),
            residual: coef_buf(),
            z: coef_buf(),
            direction: coef_buf(),
            h_direction: coef_buf(),
            x_direction: rows_buf(),
            x_step: rows_buf(),
            weighted: rows_buf(),
            rows: vec![RowLoss::default(); n],
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `sum_j M_j a_j b_j`.
fn m_dot(m: &[f64], a: &[f64], b: &[f64]) -> f64 {
    m.iter().zip(a).zip(b).map(|((mj, x), y)| mj * x * y).sum()
}

/// Loss derivatives, curvatures, gradient and preconditioner at `x` into the workspace.
fn build_model(design: &Design, c: f64, x: &Iterate, ws: &mut Workspace) {
    design.row_losses_into(&x.margins, &mut ws.rows);
    for (i, &r) in ws.rows.iter().enumerate() {
        let (d, h) = design.row_derivatives(i, r);
        ws.d[i] = d;
        ws.h[i] = h;
    }
    let inv_n = 1.0 / design.n as f64;
    let m = design.m;
    for j in 0..m {
        ws.grad[j] = design.col_dot(j, &ws.d) * inv_n + c * x.w[j];
        let diag = c + PRECONDITIONER_MIX * design.col_weighted_sq(j, &ws.h) * inv_n;
        // An empty column with no penalty has no curvature and no gradient: any M will do.
        ws.precond[j] = if diag > 0.0 { diag } else { 1.0 };
    }
    ws.grad[m] = design.mean(&ws.d);
    let bias_diag = PRECONDITIONER_MIX * design.mean(&ws.h);
    ws.precond[m] = if bias_diag > 0.0 { bias_diag } else { 1.0 };
}

/// `ws.h_direction = H ws.direction`, leaving `[X 1] direction` in `ws.x_direction`.
fn hessian_times_direction(design: &Design, c: f64, ws: &mut Workspace) {
    let m = design.m;
    ws.x_direction.fill(ws.direction[m]);
    for j in 0..m {
        let v = ws.direction[j];
        if v != 0.0 {
            design.col_axpy(j, v, &mut ws.x_direction);
        }
    }
    for ((out, &xv), &h) in ws.weighted.iter_mut().zip(&ws.x_direction).zip(&ws.h) {
        *out = h * xv;
    }
    let inv_n = 1.0 / design.n as f64;
    for j in 0..m {
        ws.h_direction[j] = design.col_dot(j, &ws.weighted) * inv_n + c * ws.direction[j];
    }
    ws.h_direction[m] = design.mean(&ws.weighted);
}

/// The outcome of one trust-region subproblem.
struct Subproblem {
    /// `|step|_M`.
    norm: f64,
    /// Decrease of the quadratic model, `-(g.s + s.H s / 2)`.
    predicted: f64,
}

/// Steihaug's preconditioned CG on the model at the workspace's gradient, inside
/// `|s|_M <= delta`: the step into `ws.step`, `[X 1] step` into `ws.x_step`.
fn truncated_cg(design: &Design, c: f64, delta: f64, ws: &mut Workspace) -> Subproblem {
    let m = design.m;
    ws.step.fill(0.0);
    ws.x_step.fill(0.0);
    for j in 0..=m {
        ws.residual[j] = -ws.grad[j];
        ws.z[j] = ws.residual[j] / ws.precond[j];
    }
    ws.direction.copy_from_slice(&ws.z);
    let stop = CG_RESIDUAL_SHARE * dot(&ws.grad, &ws.grad).sqrt();
    let mut rz = dot(&ws.residual, &ws.z);
    // Kept up to date: |s|_M^2.
    let mut step_m2 = 0.0;
    for _ in 0..=m {
        if dot(&ws.residual, &ws.residual).sqrt() <= stop {
            break;
        }
        hessian_times_direction(design, c, ws);
        let curvature = dot(&ws.direction, &ws.h_direction);
        let (sd, dd) = (
            m_dot(&ws.precond, &ws.step, &ws.direction),
            m_dot(&ws.precond, &ws.direction, &ws.direction),
        );
        let alpha = rz / curvature;
        let inside =
            curvature > 0.0 && step_m2 + 2.0 * alpha * sd + alpha * alpha * dd < delta * delta;
        if !inside {
            // To the boundary along the direction: the positive root of
            // |s + t p|_M^2 = delta^2, written without cancellation.
            let gap = (delta * delta - step_m2).max(0.0);
            let root = (sd * sd + dd * gap).sqrt();
            let t = if sd >= 0.0 { gap / (sd + root) } else { (root - sd) / dd };
            advance(ws, t);
            step_m2 = delta * delta;
            break;
        }
        advance(ws, alpha);
        step_m2 += 2.0 * alpha * sd + alpha * alpha * dd;
        for j in 0..=m {
            ws.z[j] = ws.residual[j] / ws.precond[j];
        }
        let rz_next = dot(&ws.residual, &ws.z);
        let beta = rz_next / rz;
        rz = rz_next;
        for (p, &z) in ws.direction.iter_mut().zip(&ws.z) {
            *p = z + beta * *p;
        }
    }
    // With r = -g - H s: g.s + s.H s / 2 = (g.s - r.s) / 2.
    let predicted = -0.5 * (dot(&ws.grad, &ws.step) - dot(&ws.residual, &ws.step));
    Subproblem { norm: step_m2.max(0.0).sqrt(), predicted }
}

/// `s += t p`, `r -= t H p`, `[X 1] s += t [X 1] p`.
fn advance(ws: &mut Workspace, t: f64) {
    for ((s, r), (&p, &hp)) in
        ws.step.iter_mut().zip(ws.residual.iter_mut()).zip(ws.direction.iter().zip(&ws.h_direction))
    {
        *s += t * p;
        *r -= t * hp;
    }
    for (xs, &xp) in ws.x_step.iter_mut().zip(&ws.x_direction) {
        *xs += t * xp;
    }
}

/// `F(x + step) - F(x)` from `[X 1] step`, without cancellation.
fn objective_change(design: &Design, c: f64, x: &Iterate, ws: &Workspace) -> f64 {
    let m = design.m;
    let (s, w) = (&ws.step[..m], &x.w);
    let penalty = c * (dot(w, s) + 0.5 * dot(s, s));
    design.mean_loss_change(&x.margins, &ws.x_step, 1.0) + penalty
}

/// The trust region after a step of M-norm `norm` with actual change `change` (negative is a
/// decrease), predicted decrease `predicted` and `g.s = gs` (Lin & Moré 1999; the interpolated
/// length is the minimizer of the quadratic through `F(x)`, its slope `gs` and `F(x + s)`).
fn next_radius(delta: f64, norm: f64, change: f64, predicted: f64, gs: f64) -> f64 {
    let ratio = -change / predicted;
    let curve = change - gs;
    let alpha = if curve <= 0.0 { SIGMA_GROW } else { (-0.5 * gs / curve).max(SIGMA_SMALL) };
    if ratio < ACCEPT_RATIO {
        (alpha.max(SIGMA_SMALL) * norm).min(SIGMA_HALF * delta)
    } else if ratio < SHRINK_RATIO {
        (SIGMA_SMALL * delta).max((alpha * norm).min(SIGMA_HALF * delta))
    } else if ratio < GROW_RATIO {
        (SIGMA_SMALL * delta).max((alpha * norm).min(SIGMA_GROW * delta))
    } else {
        delta.max((alpha * norm).min(SIGMA_GROW * delta))
    }
}

/// TRON from `x` at L2 coefficient `c` until `|grad F| <= target`; `delta` (the trust region,
/// `None` before the first point) carries over to the next point.
fn solve(
    design: &Design,
    c: f64,
    x: &mut Iterate,
    delta: &mut Option<f64>,
    target: f64,
    max_iter: usize,
    ws: &mut Workspace,
) -> SolveReport {
    let m = design.m;
    let mut iterations = 0;
    build_model(design, c, x, ws);
    loop {
        if dot(&ws.grad, &ws.grad).sqrt() <= target {
            return SolveReport { iterations, converged: true };
        }
        if iterations >= max_iter {
            return SolveReport { iterations, converged: false };
        }
        iterations += 1;
        let radius = delta.unwrap_or_else(|| {
            ws.grad.iter().zip(&ws.precond).map(|(g, p)| g * g / p).sum::<f64>().sqrt()
        });
        let sub = truncated_cg(design, c, radius, ws);
        // liblinear's first-step rule: a region much larger than the Newton step says nothing.
        let radius = if iterations == 1 { radius.min(sub.norm) } else { radius };
        let change = objective_change(design, c, x, ws);
        let gs = dot(&ws.grad, &ws.step);
        if sub.predicted.is_nan() || sub.predicted <= 0.0 || !change.is_finite() {
            return SolveReport { iterations, converged: false };
        }
        *delta = Some(next_radius(radius, sub.norm, change, sub.predicted, gs));
        if -change > ACCEPT_RATIO * sub.predicted {
            for j in 0..m {
                x.w[j] += ws.step[j];
            }
            x.b += ws.step[m];
            for (margin, &moved) in x.margins.iter_mut().zip(&ws.x_step) {
                *margin += moved;
            }
            build_model(design, c, x, ws);
        } else if is_rounding(design, x, change, sub.predicted) {
            // Both decreases are rounding: no step can be verified any more.
            let converged = dot(&ws.grad, &ws.grad).sqrt() <= target;
            return SolveReport { iterations, converged };
        }
    }
}

/// Whether a rejected step's actual and predicted changes are both rounding next to `|F|`
/// (only a rejected step pays for the objective's value).
fn is_rounding(design: &Design, x: &Iterate, change: f64, predicted: f64) -> bool {
    let scale = design.mean_loss(&x.margins).abs().max(f64::MIN_POSITIVE);
    change.abs() <= ROUNDING_FLOOR * scale && predicted <= ROUNDING_FLOOR * scale
}

/// `max(min(n_pos, n_neg), 1) / n` for logistic loss (liblinear's class-balance factor of the
/// stopping rule), 1 for squared loss.
fn balance_factor(design: &Design) -> f64 {
    match design.loss {
        LossKind::Logistic => {
            let positives = design.y.iter().filter(|&&y| y == 1.0).count();
            let smaller = positives.min(design.n - positives).max(1);
            smaller as f64 / design.n as f64
        }
        LossKind::Squared => 1.0,
    }
}

/// `|grad F(0, 0)|_2`, the reference of the stopping rule (the penalty's gradient is 0 there).
fn reference_gradient_norm(design: &Design) -> f64 {
    let d = design.derivatives(&vec![0.0; design.n]);
    let inv_n = 1.0 / design.n as f64;
    let columns: f64 = (0..design.m).map(|j| (design.col_dot(j, &d) * inv_n).powi(2)).sum();
    (columns + design.mean(&d).powi(2)).sqrt()
}

/// The TRON path over the shared lambdas (see the module doc).
pub(crate) fn fit_path(
    design: &Design,
    penalty: &Penalty,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    let lambdas = config.lambda_grid(path_top(design, l1_share(penalty)?));
    let target = config.tol * balance_factor(design) * reference_gradient_norm(design);
    let mut ws = Workspace::new(design.n, design.m);
    let mut x = Iterate::at_zero(design);
    let mut delta = None;
    let mut points = Vec::with_capacity(lambdas.len());
    for lambda in lambdas {
        // The penalty is built on the stack for each point (nothing on the fit's heap).
        let point = penalty.with(lambda, |reg| {
            let Some(c) = smooth_l2(reg) else {
                return Err(unsupported(penalty));
            };
            let report = solve(design, c, &mut x, &mut delta, target, config.max_iter, &mut ws);
            // Margins afresh: the accumulated ones carry every step's rounding.
            x = Iterate::from_weights(design, std::mem::take(&mut x.w), x.b);
            Ok(make_point(
                design,
                lambda,
                reg,
                &x.w,
                x.b,
                &x.margins,
                report,
                0..design.m,
                None,
                None,
            ))
        })??;
        points.push(point);
    }
    Ok(points)
}

fn unsupported(penalty: &Penalty) -> BatchError {
    BatchError::UnsupportedPenalty {
        solver: TrustRegionNewton::NAME,
        penalty: penalty.name(),
        supported: TrustRegionNewton::ACCEPTS,
    }
}

/// The registry's handle on this solver.
pub(crate) struct TrustRegionNewton;

/// Settings of `trust_region_newton` (none of its own).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustRegionNewtonSettings {}

impl BatchSolver for TrustRegionNewton {
    const NAME: &'static str = "trust_region_newton";
    const SUMMARY: &'static str = "trust-region Newton with preconditioned conjugate gradient, Hessian-vector products on the sparse columns (TRON, Lin, Weng & Keerthi 2008); `tol` is relative to the gradient at zero, as liblinear's";
    const KEYS: &'static [SettingDoc] = &[];
    const ACCEPTS: &'static str = "smooth convex penalties: convex with no L1 or L0 part (none, l2, elastic_net with l1_ratio = 0)";
    type Settings = TrustRegionNewtonSettings;

    fn accepts(class: PenaltyClass) -> bool {
        class == PenaltyClass::Convex
    }

    fn accepts_penalty(penalty: &Penalty) -> bool {
        // The strength does not change which parts are present; lambda = 1 shows them.
        Self::accepts(penalty.class())
            && penalty.with(1.0, |reg| smooth_l2(reg).is_some()).unwrap_or(false)
    }

    fn fit_path_on(
        design: &Design,
        penalty: &Penalty,
        config: PathConfig,
        _settings: &TrustRegionNewtonSettings,
    ) -> Result<Vec<PathPoint>, BatchError> {
        config.validate()?;
        fit_path(design, penalty, &config)
    }
}
