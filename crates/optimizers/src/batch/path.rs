//! One point of a regularization path ([`PathPoint`]) and what every path shares: the penalty
//! at a given lambda, lambda_max and the top of the default path.

use features::FeatureId;
use regularizers::{Penalty, Regularizer};

use crate::batch::design::Design;
use crate::batch::optimality::{kkt_violation, objective};
use crate::batch::BatchError;
use crate::LinearModel;

/// The solution at one lambda (or one target support size) of a path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPoint {
    /// The path parameter: lambda (coordinate descent, FISTA), lambda_0 (L0L2 CD), the base
    /// fit's lambda (prune-refit), 0 for IHT (whose parameter is `target_support`).
    pub lambda: f64,
    /// The fitted model, in global feature ids.
    pub model: LinearModel,
    /// `F(w, b)` of the solver's objective (module doc), penalty included.
    pub objective: f64,
    /// Maximal KKT violation at the returned point (for the L0 heuristics: the stationarity of
    /// the convex problem restricted to the chosen support).
    pub kkt_violation: f64,
    /// Duality gap, when the problem is pure L1.
    pub duality_gap: Option<f64>,
    /// Iterations spent on this point (outer Newton steps, gradient steps or passes).
    pub iterations: usize,
    /// Whether the tolerance was reached within the budget.
    pub converged: bool,
    /// Global ids of the nonzero weights, ascending.
    pub support: Vec<FeatureId>,
    /// The target support size s (IHT, prune-refit), `None` otherwise.
    pub target_support: Option<usize>,
}

/// What a solver hands back for one point before it becomes a [`PathPoint`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SolveReport {
    /// Iterations used.
    pub iterations: usize,
    /// Tolerance reached.
    pub converged: bool,
}

/// Builds a path point from weights, bias and margins; the KKT violation is measured over
/// `kkt_columns` (every column for convex fits, the support for the L0 heuristics).
#[allow(clippy::too_many_arguments)]
pub(crate) fn make_point(
    design: &Design,
    lambda: f64,
    reg: &dyn Regularizer,
    w: &[f64],
    b: f64,
    margins: &[f64],
    report: SolveReport,
    kkt_columns: impl IntoIterator<Item = usize>,
    duality_gap: Option<f64>,
    target_support: Option<usize>,
) -> PathPoint {
    let d = design.derivatives(margins);
    PathPoint {
        lambda,
        model: design.model(w, b),
        objective: objective(design, reg, w, margins),
        kkt_violation: kkt_violation(design, reg, w, &d, kkt_columns),
        duality_gap,
        iterations: report.iterations,
        converged: report.converged,
        support: design.support(w),
        target_support,
    }
}

/// The L1 share of the penalty: its slope at zero per unit of lambda (1 for L1 and MCP, 0 for
/// L2, `l1_ratio` for the elastic net).
pub(crate) fn l1_share(penalty: &Penalty) -> Result<f64, BatchError> {
    Ok(penalty.at(1.0)?.zero_slope())
}

/// Loss gradient of every column at `w = 0` with the bias fitted.
pub(crate) fn gradient_at_zero(design: &Design) -> Vec<f64> {
    let b = design.intercept_only();
    design.gradient(&design.derivatives(&vec![b; design.n]))
}

/// Largest loss gradient over the columns at `w = 0` with the bias fitted.
pub(crate) fn max_gradient_at_zero(design: &Design) -> f64 {
    gradient_at_zero(design).iter().fold(0.0f64, |a, g| a.max(g.abs()))
}

/// Smallest lambda whose solution is `w = 0`: `max_j |grad_j(0, b*)| / l1_share`; infinite when
/// the penalty has no L1 part.
pub(crate) fn lambda_max_of(design: &Design, l1_share: f64) -> f64 {
    if l1_share <= 0.0 {
        return f64::INFINITY;
    }
    max_gradient_at_zero(design) / l1_share
}

/// L1 share below which the default path top is computed as for this share, as glmnet does for
/// ridge (`alpha = 0.001`): a pure L2 path has no finite lambda_max.
pub(crate) const MIN_SHARE_FOR_PATH_TOP: f64 = 1e-3;

/// First lambda of the default path: lambda_max, with the L1 share floored at
/// [`MIN_SHARE_FOR_PATH_TOP`].
pub(crate) fn path_top(design: &Design, l1_share: f64) -> f64 {
    lambda_max_of(design, l1_share.max(MIN_SHARE_FOR_PATH_TOP))
}
