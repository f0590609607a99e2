//! L0 + L2 coordinate descent with per-coordinate hard thresholding (Hazimeh & Mazumder 2020,
//! the algorithm behind L0Learn; Dedieu, Hazimeh & Mazumder 2021 for logistic loss), along a
//! path over lambda_0 with warm starts.
//!
//! Objective: `(1/n) sum_i loss + lambda_0 |w|_0 + l2_grad/2 |w|^2` (the ridge is
//! `l2_for_l0`). Coordinate `j` is updated by minimizing the quadratic upper bound of the loss
//! along that coordinate, `g_j (z - w_j) + L_j/2 (z - w_j)^2` with
//! `L_j = curvature_bound * (1/n) sum_i x_ij^2` (exact for squared loss), plus the penalty:
//! `z = L_j v / (L_j + l2_grad)` with `v = w_j - g_j / L_j`, kept only if
//! `|z| > sqrt(2 lambda_0 / (L_j + l2_grad))`, else 0. Every update decreases the objective.
//! The bias takes the same bounded step, unpenalized.
//!
//! Passes alternate as in L0Learn: a full pass over every column, then passes over the current
//! support until no weight moves by more than `tol` in gradient units (`L_j |step|`), then a
//! full pass again; a point is done when a full pass changes neither the support nor any weight
//! by more than `tol`. The default path starts at the smallest lambda_0 at which no coordinate
//! enters from `w = 0`, `max_j g_j^2 / (2 (L_j + l2_grad))`, and runs down `n_lambdas`
//! log-spaced values to `lambda_min_ratio` times that. The local-search swaps of L0Learn's
//! CDPSi are not implemented.

use regularizers::PenaltyParts;

use regularizers::{PenaltyClass, SettingDoc};

use crate::batch::design::Design;
use crate::batch::iterate::Iterate;
use crate::batch::path::{gradient_at_zero, make_point, SolveReport};
use crate::batch::{BatchError, PathConfig, PathPoint};

/// Per-column coordinate Lipschitz constants and the bias's.
struct Curvatures {
    columns: Vec<f64>,
    bias: f64,
}

impl Curvatures {
    fn new(design: &Design) -> Self {
        let bound = design.loss.curvature_bound();
        Self {
            columns: (0..design.m).map(|j| bound * design.col_sq_mean(j)).collect(),
            bias: bound,
        }
    }
}

/// What one pass did.
struct PassOutcome {
    /// Largest `L_j |step|`.
    largest_move: f64,
    /// Whether some weight entered or left the support.
    support_changed: bool,
}

/// One cyclic pass over `columns`, then the bias.
fn pass(
    design: &Design,
    it: &mut Iterate,
    columns: impl Iterator<Item = usize>,
    curv: &Curvatures,
    lambda0: f64,
    l2_grad: f64,
) -> PassOutcome {
    let inv_n = 1.0 / design.n as f64;
    let mut outcome = PassOutcome { largest_move: 0.0, support_changed: false };
    for j in columns {
        let lj = curv.columns[j];
        if lj <= 0.0 {
            continue;
        }
        let (rows, vals) = design.column(j);
        let g: f64 = rows
            .iter()
            .zip(vals)
            .map(|(&i, &x)| x * design.loss.derivative(it.margins[i], design.y[i]))
            .sum::<f64>()
            * inv_n;
        let old = it.w[j];
        let candidate = (lj * old - g) / (lj + l2_grad);
        let new =
            if candidate * candidate > 2.0 * lambda0 / (lj + l2_grad) { candidate } else { 0.0 };
        if new != old {
            design.col_axpy(j, new - old, &mut it.margins);
            it.w[j] = new;
            outcome.largest_move = outcome.largest_move.max(lj * (new - old).abs());
            outcome.support_changed |= (old == 0.0) != (new == 0.0);
        }
    }
    let d = design.derivatives(&it.margins);
    let step = -design.mean(&d) / curv.bias;
    if step != 0.0 {
        it.b += step;
        it.margins.iter_mut().for_each(|m| *m += step);
        outcome.largest_move = outcome.largest_move.max(curv.bias * step.abs());
    }
    outcome
}

/// Coordinate descent at one lambda_0 from `it`.
fn solve(
    design: &Design,
    it: &mut Iterate,
    curv: &Curvatures,
    lambda0: f64,
    l2_grad: f64,
    tol: f64,
    max_iter: usize,
) -> SolveReport {
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let full = pass(design, it, 0..design.m, curv, lambda0, l2_grad);
        if !full.support_changed && full.largest_move <= tol {
            return SolveReport { iterations, converged: true };
        }
        while iterations < max_iter {
            iterations += 1;
            let support: Vec<usize> = (0..design.m).filter(|&j| it.w[j] != 0.0).collect();
            if pass(design, it, support.into_iter(), curv, lambda0, l2_grad).largest_move <= tol {
                break;
            }
        }
    }
    SolveReport { iterations, converged: false }
}

/// Smallest lambda_0 at which no coordinate enters from `w = 0` (bias fitted).
fn lambda0_max(design: &Design, curv: &Curvatures, l2_grad: f64) -> f64 {
    gradient_at_zero(design)
        .iter()
        .zip(&curv.columns)
        .map(|(g, lj)| g * g / (2.0 * (lj + l2_grad)))
        .fold(0.0, f64::max)
}

/// The L0L2 path over lambda_0 (decreasing, warm starts).
pub(crate) fn fit_path(design: &Design, config: &PathConfig) -> Result<Vec<PathPoint>, BatchError> {
    let l2_grad = config.convention.grad_coefficient(config.l2_for_l0);
    let curv = Curvatures::new(design);
    let lambdas = config.lambda_grid(lambda0_max(design, &curv, l2_grad));
    let mut it = Iterate::at_zero(design);
    let mut points = Vec::with_capacity(lambdas.len());
    for lambda0 in lambdas {
        let report = solve(design, &mut it, &curv, lambda0, l2_grad, config.tol, config.max_iter);
        let parts = PenaltyParts { l2_grad, l0: lambda0, l1: 0.0 };
        let support: Vec<usize> = (0..design.m).filter(|&j| it.w[j] != 0.0).collect();
        points.push(make_point(
            design,
            lambda0,
            &parts,
            &it.w,
            it.b,
            &it.margins,
            report,
            support,
            None,
            None,
        ));
    }
    Ok(points)
}

/// The registry's handle on this solver.
pub(crate) struct L0L2Cd;

/// Settings of `l0l2_cd`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L0L2CdSettings {
    /// ridge added to the L0 penalty (TensorFlow convention); >= 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_for_l0: Option<f64>,
}

impl crate::batch::BatchSolver for L0L2Cd {
    const NAME: &'static str = "l0l2_cd";
    const SUMMARY: &'static str = "L0 + L2 coordinate descent with per-coordinate hard thresholding (Hazimeh & Mazumder 2020)";
    const KEYS: &'static [SettingDoc] = &[
        SettingDoc { key: "l2_for_l0", default: "1e-4", doc: "ridge added to the L0 penalty (TensorFlow convention); >= 0" },
    ];
    const ACCEPTS: &'static str = "the count of nonzeros (l0)";
    type Settings = L0L2CdSettings;

    fn accepts(class: PenaltyClass) -> bool {
        class == PenaltyClass::CountOfNonzeros
    }

    fn configure(config: PathConfig, settings: &L0L2CdSettings) -> PathConfig {
        PathConfig { l2_for_l0: settings.l2_for_l0.unwrap_or(config.l2_for_l0), ..config }
    }

    fn fit_path_on(
        design: &Design,
        _penalty: &regularizers::Penalty,
        config: PathConfig,
        settings: &L0L2CdSettings,
    ) -> Result<Vec<PathPoint>, BatchError> {
        let config = Self::configure(config, settings);
        config.validate()?;
        fit_path(design, &config)
    }
}
