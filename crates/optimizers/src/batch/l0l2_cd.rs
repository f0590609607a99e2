//! L0 + L2 coordinate descent with per-coordinate hard thresholding (Hazimeh & Mazumder 2020,
//! the algorithm behind L0Learn; Dedieu, Hazimeh & Mazumder 2021 for logistic loss), along a
//! path over lambda_0 with warm starts, taking second-order (Newton) coordinate steps.
//!
//! Objective: `F = (1/n) sum_i loss + lambda_0 |w|_0 + l2_grad/2 |w|^2` (the ridge is
//! `l2_for_l0`).
//!
//! # Coordinate update
//!
//! Visiting column `j` reads, in one sweep of its nonzeros, the loss gradient and the exact
//! curvature at the current margins, `g_j = (1/n) sum_i x_ij loss'(m_i)` and
//! `h_j = (1/n) sum_i x_ij^2 loss''(m_i)`. Every row's `loss'` and `loss''` are kept up to date
//! with the margins (`design::RowLoss`): a move refreshes the rows of the moved column only,
//! with one exponential for a whole column of equal values under logistic loss. The Newton step
//! minimizes the coordinate's quadratic model plus the ridge,
//! `Q(z) = g_j (z - w_j) + h_j/2 (z - w_j)^2 + l2_grad/2 z^2`, at
//! `z = (h_j w_j - g_j) / (h_j + l2_grad)`; the L0 decision keeps `z` only if it beats 0 with
//! lambda_0 counted, `Q(z) + lambda_0 < Q(0)`, i.e. `(h_j + l2_grad)/2 z^2 > lambda_0`; the
//! target is 0 otherwise.
//!
//! A Newton step minimizes a model, not a majorizer, so the target `t` is checked before it is
//! taken: the move is accepted when the change of the objective along the coordinate,
//! `Delta loss + l2_grad/2 (t^2 - w_j^2) + lambda_0 ([t != 0] - [w_j != 0])`, is negative. The
//! loss change is first bounded in O(1): `g_j d + h_j d^2/2` (`d = t - w_j`) is exact for
//! squared loss; logistic loss has `|loss'''| <= loss''`, which gives
//! `Delta loss <= g_j d + h_j (e^{r|d|} - r|d| - 1) / r^2`, `r = max_i |x_ij|` (Bach 2010,
//! Prop. 1). Only when the bound shows no decrease is the exact change summed over the column's
//! rows (without cancellation). If that is not negative either, the coordinate takes the
//! bounded step of Hazimeh & Mazumder instead, the same update with `h_j` replaced by
//! `L_j = curvature_bound (1/n) sum_i x_ij^2`, which minimizes a majorizer and cannot increase
//! the objective. The bias takes the same safeguarded Newton step (unpenalized, `r = 1`) at the
//! end of every pass. L0Learn's logistic solver takes the bounded step throughout (`L = 1/4`
//! on normalized columns).
//!
//! # Passes, refits and convergence
//!
//! As in L0Learn, a full pass over every column is followed by passes over the current support
//! while they change it. Coordinate passes alone converge slowly here: one-hot groups sum to
//! the bias column (and a marginal bin to the cross cells inside it), so the loss is flat along
//! directions that only the small ridge curves, and cyclic coordinate steps crawl along them
//! (thousands of passes at `tol = 1e-6`, whatever the step). So whenever a pass leaves the
//! support unchanged without having converged, the support is refitted (`refit.rs`: the ridge
//! problem on the support, bias included, to `tol`): the whole support when `refit.rs` solves
//! it cheaply (fewer than `newton_max_support` columns, by dense Newton, or at most
//! `gram_max_columns`, by coordinate descent on its dense Hessian block); otherwise its
//! `newton_max_support - 1` densest columns by Newton with the others held fixed (a block
//! step: the dense columns carry the flat directions), and the support passes continue.
//! Refits only lower the objective, so every pass, step and refit does.
//!
//! Convergence is a KKT criterion on the support. After a pass that changes no membership, the
//! point has converged when the KKT violation of the ridge problem restricted to the current
//! support `S`, bias included, `max(|(1/n) sum_i loss'_i|, max_{j in S} |g_j + l2_grad w_j|)`,
//! is at most `tol` (otherwise the support is refitted as above); a whole-support refit
//! converges when it brings that violation to `tol`. A point is done when it has converged
//! with no weight entering or leaving the support since the last full pass began: the support
//! is then the one the full pass's L0 decisions kept (taken before the last refit when one
//! followed), and the reported KKT violation (on the support) is at most `tol`. `max_iter`
//! counts passes plus the Newton (or outer coordinate-descent) steps of the refits.
//!
//! # Path
//!
//! The default path starts at the smallest lambda_0 at which no coordinate enters from `w = 0`
//! (bias fitted) under the Newton rule, `max_j g_j^2 / (2 (h_j + l2_grad))` with `g_j`, `h_j`
//! at that point, and runs down `n_lambdas` log-spaced values to `lambda_min_ratio` times that.
//! The local-search swaps of L0Learn's CDPSi are not implemented.
//!
//! Sources: Hazimeh & Mazumder, "Fast best subset selection: coordinate descent and local
//! combinatorial optimization algorithms", Operations Research 68(5), 2020; Dedieu, Hazimeh &
//! Mazumder, "Learning sparse classifiers: continuous and mixed integer optimization
//! perspectives", JMLR 22, 2021; Bach, "Self-concordant analysis for logistic regression",
//! Electronic Journal of Statistics 4, 2010.

use regularizers::PenaltyParts;

use regularizers::{PenaltyClass, SettingDoc};

use crate::batch::coordinate_descent::CdSettings;
use crate::batch::design::{Design, RowLoss};
use crate::batch::iterate::Iterate;
use crate::batch::path::{gradient_at_zero, make_point, SolveReport};
use crate::batch::refit::{refit, RefitSettings};
use crate::batch::{BatchError, PathConfig, PathPoint};
use crate::LossKind;

/// What the updates need of each column besides its data: the curvature bound of the fallback
/// step and the largest `|x_ij|` of the logistic loss-change bound.
struct Columns {
    /// `L_j = curvature_bound * (1/n) sum_i x_ij^2`.
    bound: Vec<f64>,
    /// `max_i |x_ij|`.
    max_abs: Vec<f64>,
}

impl Columns {
    fn new(design: &Design) -> Self {
        let curvature_bound = design.loss.curvature_bound();
        Self {
            bound: (0..design.m).map(|j| curvature_bound * design.col_sq_mean(j)).collect(),
            max_abs: (0..design.m)
                .map(|j| design.column(j).1.iter().fold(0.0f64, |a, x| a.max(x.abs())))
                .collect(),
        }
    }
}

/// The penalty at one lambda_0.
#[derive(Debug, Clone, Copy)]
struct Penalty {
    lambda0: f64,
    l2_grad: f64,
}

impl Penalty {
    /// The coordinate's new value under a quadratic model of curvature `curvature`, given
    /// `numerator = curvature * w - g`: `z = numerator / (curvature + l2_grad)` if
    /// `(curvature + l2_grad)/2 z^2 > lambda_0` (z beats 0 on the model), else 0.
    fn threshold(self, numerator: f64, curvature: f64) -> f64 {
        let denominator = curvature + self.l2_grad;
        let z = numerator / denominator;
        if denominator * z * z > 2.0 * self.lambda0 {
            z
        } else {
            0.0
        }
    }

    /// Upper bound of the objective change when a coordinate at `from` with loss gradient `g`,
    /// curvature `h` and largest `|x_ij|` `r` moves by `delta` (the penalty change is exact).
    fn change_bound(self, loss: LossKind, g: f64, h: f64, r: f64, from: f64, delta: f64) -> f64 {
        let linear_and_ridge = delta * (g + self.l2_grad * (from + 0.5 * delta));
        linear_and_ridge
            + h * curvature_factor(loss, r * delta.abs()) * delta * delta
            + self.l0_change(from, from + delta)
    }

    /// `l2_grad/2 (to^2 - from^2) + lambda_0 ([to != 0] - [from != 0])`.
    fn change(self, from: f64, to: f64) -> f64 {
        let delta = to - from;
        self.l2_grad * delta * (from + 0.5 * delta) + self.l0_change(from, to)
    }

    fn l0_change(self, from: f64, to: f64) -> f64 {
        match (from != 0.0, to != 0.0) {
            (false, true) => self.lambda0,
            (true, false) => -self.lambda0,
            _ => 0.0,
        }
    }
}

/// `phi(s)` such that the loss change of a move `delta` along a coordinate is at most
/// `g delta + h phi(r |delta|) delta^2`: `1/2` for squared loss (exact); `(e^s - s - 1) / s^2`
/// for logistic loss (Bach 2010, Prop. 1), by its series below `s = 1e-4`, where the closed
/// form cancels.
fn curvature_factor(loss: LossKind, s: f64) -> f64 {
    match loss {
        LossKind::Squared => 0.5,
        LossKind::Logistic if s < 1e-4 => 0.5 + s / 6.0 + s * s / 24.0,
        LossKind::Logistic => (s.exp_m1() - s) / (s * s),
    }
}

/// The iterate with every row's loss derivatives at its margin, kept in step with it.
struct State {
    it: Iterate,
    rows: Vec<RowLoss>,
}

impl State {
    fn new(design: &Design, it: Iterate) -> Self {
        let mut state = Self { it, rows: vec![RowLoss::default(); design.n] };
        state.refresh(design);
        state
    }

    /// Recomputes every row's derivatives from the margins.
    fn refresh(&mut self, design: &Design) {
        design.row_losses_into(&self.it.margins, &mut self.rows);
    }

    /// Sets `w_j = new`.
    fn move_column(&mut self, design: &Design, j: usize, new: f64) {
        design.col_move(j, new - self.it.w[j], &mut self.it.margins, &mut self.rows);
        self.it.w[j] = new;
    }

    /// Moves the bias by `step`.
    fn move_bias(&mut self, design: &Design, step: f64) {
        self.it.b += step;
        design.shift(step, &mut self.it.margins, &mut self.rows);
    }

    fn support(&self) -> Vec<usize> {
        (0..self.it.w.len()).filter(|&j| self.it.w[j] != 0.0).collect()
    }

    /// KKT violation of the ridge problem restricted to `support`, bias included.
    fn support_kkt(&self, design: &Design, penalty: Penalty, support: &[usize]) -> f64 {
        let parts = PenaltyParts { l2_grad: penalty.l2_grad, ..PenaltyParts::default() };
        let bias = design.bias_gradient_curvature(&self.rows).0.abs();
        support.iter().fold(bias, |worst, &j| {
            let g = design.col_gradient_curvature(j, &self.rows).0;
            worst.max(parts.coordinate_violation(g, self.it.w[j]))
        })
    }
}

/// Updates column `j` (module doc); returns whether it entered or left the support.
fn update_column(
    design: &Design,
    state: &mut State,
    cols: &Columns,
    penalty: Penalty,
    j: usize,
) -> bool {
    let lj = cols.bound[j];
    if lj <= 0.0 {
        return false;
    }
    let (g, h) = design.col_gradient_curvature(j, &state.rows);
    let old = state.it.w[j];
    let decreases = |target: f64| {
        let delta = target - old;
        penalty.change_bound(design.loss, g, h, cols.max_abs[j], old, delta) < 0.0
            || design.col_loss_change(j, &state.it.margins, delta) + penalty.change(old, target)
                < 0.0
    };
    let newton = (h + penalty.l2_grad > 0.0).then(|| penalty.threshold(h * old - g, h));
    let new = match newton {
        Some(target) if target == old => return false,
        Some(target) if decreases(target) => target,
        _ => penalty.threshold(lj * old - g, lj),
    };
    if new == old {
        return false;
    }
    state.move_column(design, j, new);
    (old == 0.0) != (new == 0.0)
}

/// Safeguarded Newton step of the bias.
fn update_bias(design: &Design, state: &mut State) {
    let (g, h) = design.bias_gradient_curvature(&state.rows);
    let decreases = |step: f64| {
        step * g + h * curvature_factor(design.loss, step.abs()) * step * step < 0.0
            || design.shift_loss_change(&state.it.margins, step) < 0.0
    };
    let step = match -g / h {
        newton if h > 0.0 && newton.is_finite() && decreases(newton) => newton,
        _ => -g / design.loss.curvature_bound(),
    };
    if step != 0.0 && step.is_finite() {
        state.move_bias(design, step);
    }
}

/// One cyclic pass over `columns`, then the bias; returns whether a weight entered or left the
/// support.
fn pass(
    design: &Design,
    state: &mut State,
    columns: impl IntoIterator<Item = usize>,
    cols: &Columns,
    penalty: Penalty,
) -> bool {
    let mut support_changed = false;
    for j in columns {
        support_changed |= update_column(design, state, cols, penalty, j);
    }
    update_bias(design, state);
    support_changed
}

/// Tolerance, budget and refit settings of a solve.
#[derive(Debug, Clone, Copy)]
struct Settings {
    tol: f64,
    max_iter: usize,
    refit: RefitSettings,
}

/// Refits `support` (module doc: the whole support, or its densest columns with the others
/// held fixed), with the budget left after `spent` iterations. Returns the refit's iterations
/// and whether the whole support reached `tol`.
fn refit_support(
    design: &Design,
    state: &mut State,
    support: Vec<usize>,
    settings: Settings,
    spent: usize,
) -> (usize, bool) {
    let RefitSettings { newton_max_support, cd, .. } = settings.refit;
    let whole = support.len() < newton_max_support || support.len() <= cd.gram_max_columns;
    let block = if whole {
        support
    } else {
        let mut densest = support;
        densest.sort_by_key(|&j| std::cmp::Reverse(design.column(j).0.len()));
        densest.truncate(newton_max_support - 1);
        densest.sort_unstable();
        densest
    };
    let budget = RefitSettings {
        cd: CdSettings { max_iter: settings.max_iter.saturating_sub(spent), ..cd },
        ..settings.refit
    };
    let report = refit(design, &block, &mut state.it, budget);
    state.refresh(design);
    (report.iterations, whole && report.converged)
}

/// Coordinate descent at one lambda_0 from `state` (module doc: passes, refits, convergence).
fn solve(
    design: &Design,
    state: &mut State,
    cols: &Columns,
    penalty: Penalty,
    settings: Settings,
) -> SolveReport {
    let mut iterations = 0;
    while iterations < settings.max_iter {
        iterations += 1;
        let mut last_changed = pass(design, state, 0..design.m, cols, penalty);
        // Whether a weight entered or left the support since this full pass began.
        let mut changed = last_changed;
        loop {
            if !last_changed {
                let support = state.support();
                let converged = state.support_kkt(design, penalty, &support) <= settings.tol || {
                    let (steps, converged) =
                        refit_support(design, state, support, settings, iterations);
                    iterations += steps;
                    converged
                };
                match (converged, changed) {
                    (true, false) => return SolveReport { iterations, converged: true },
                    (true, true) => break,
                    _ => {}
                }
            }
            if iterations >= settings.max_iter {
                return SolveReport { iterations, converged: false };
            }
            iterations += 1;
            let support = state.support();
            last_changed = pass(design, state, support, cols, penalty);
            changed |= last_changed;
        }
    }
    SolveReport { iterations, converged: false }
}

/// Smallest lambda_0 at which no coordinate enters from `w = 0` (bias fitted) under the Newton
/// rule: `max_j g_j^2 / (2 (h_j + l2_grad))`, `h_j = loss''(b*) (1/n) sum_i x_ij^2` there.
fn lambda0_max(design: &Design, l2_grad: f64) -> f64 {
    let curvature = design.loss.second_derivative(design.intercept_only());
    gradient_at_zero(design)
        .iter()
        .enumerate()
        .map(|(j, g)| g * g / (2.0 * (curvature * design.col_sq_mean(j) + l2_grad)))
        .fold(0.0, f64::max)
}

/// The L0L2 path over lambda_0 (decreasing, warm starts).
pub(crate) fn fit_path(design: &Design, config: &PathConfig) -> Result<Vec<PathPoint>, BatchError> {
    let l2_grad = config.convention.grad_coefficient(config.l2_for_l0);
    let cols = Columns::new(design);
    let settings = Settings {
        tol: config.tol,
        max_iter: config.max_iter,
        refit: RefitSettings::from_config(config),
    };
    let lambdas = config.lambda_grid(lambda0_max(design, l2_grad));
    let mut state = State::new(design, Iterate::at_zero(design));
    let mut points = Vec::with_capacity(lambdas.len());
    for lambda0 in lambdas {
        let penalty = Penalty { lambda0, l2_grad };
        let report = solve(design, &mut state, &cols, penalty, settings);
        let parts = PenaltyParts { l2_grad, l0: lambda0, l1: 0.0 };
        let it = &state.it;
        points.push(make_point(
            design,
            lambda0,
            &parts,
            &it.w,
            it.b,
            &it.margins,
            report,
            state.support(),
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
    const KEYS: &'static [SettingDoc] = &[SettingDoc {
        key: "l2_for_l0",
        default: "1e-4",
        doc: "ridge added to the L0 penalty (TensorFlow convention); >= 0",
    }];
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

#[cfg(test)]
mod tests {
    use features::{CompactMatrix, SparseExample};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::batch::optimality::objective;

    /// Rows with a one-hot group of 3 bins (ids 0..3) and two real-valued features with values
    /// up to `scale` (ids 10, 11), labels from a logistic (or, for squared loss, linear) model.
    fn matrix(n: usize, loss: LossKind, scale: f64, seed: u64) -> CompactMatrix {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let examples: Vec<SparseExample> = (0..n)
            .map(|_| {
                let mut e = SparseExample::default();
                let bin = rng.gen_range(0..3u64);
                e.push(bin, 1.0);
                let (u, v) = (rng.gen_range(-scale..scale), rng.gen_range(-scale..scale));
                e.push(10, u);
                e.push(11, v);
                let margin = 0.5 * bin as f64 - 0.4 + 1.2 * u - 0.7 * v;
                e.label = match loss {
                    LossKind::Logistic => {
                        f64::from(rng.gen::<f64>() < 1.0 / (1.0 + (-margin).exp()))
                    }
                    LossKind::Squared => margin + rng.gen_range(-0.5..0.5),
                };
                e
            })
            .collect();
        CompactMatrix::from_examples(&examples)
    }

    fn objective_of(design: &Design, state: &State, penalty: Penalty) -> f64 {
        let parts = PenaltyParts { l2_grad: penalty.l2_grad, l0: penalty.lambda0, l1: 0.0 };
        objective(design, &parts, &state.it.w, &state.it.margins)
    }

    #[test]
    fn loss_change_bound_holds_and_is_exact_for_squared_loss() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for loss in [LossKind::Logistic, LossKind::Squared] {
            let m = matrix(200, loss, 3.0, 2);
            let design = Design::new(&m, loss).expect("valid");
            let cols = Columns::new(&design);
            let penalty = Penalty { lambda0: 0.0, l2_grad: 0.0 };
            for _ in 0..50 {
                let w: Vec<f64> = (0..design.m).map(|_| rng.gen_range(-3.0..3.0)).collect();
                let state = State::new(&design, Iterate::from_weights(&design, w, 0.3));
                for j in 0..design.m {
                    let (g, h) = design.col_gradient_curvature(j, &state.rows);
                    for delta in [-4.0, -0.7, -1e-3, -1e-7, 2e-6, 0.05, 1.3, 5.0] {
                        let exact = design.col_loss_change(j, &state.it.margins, delta);
                        let bound = penalty.change_bound(loss, g, h, cols.max_abs[j], 0.0, delta);
                        let slack = 1e-12 * (1.0 + exact.abs());
                        assert!(exact <= bound + slack, "{loss:?} col {j} delta {delta}");
                        if loss == LossKind::Squared {
                            assert!((exact - bound).abs() <= slack, "squared col {j}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_update_lowers_the_objective_and_the_safeguard_catches_overshoots() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let m = matrix(300, LossKind::Logistic, 4.0, 4);
        let design = Design::new(&m, LossKind::Logistic).expect("valid");
        let cols = Columns::new(&design);
        let penalty = Penalty { lambda0: 1e-3, l2_grad: 1e-4 };
        let mut overshoots = 0;
        for _ in 0..20 {
            // Far from the optimum, with saturated rows: raw Newton steps overshoot there.
            let w: Vec<f64> = (0..design.m).map(|_| rng.gen_range(-6.0..6.0)).collect();
            let b = rng.gen_range(-4.0..4.0);
            let mut state = State::new(&design, Iterate::from_weights(&design, w, b));
            for _ in 0..5 {
                for j in 0..design.m {
                    let before = objective_of(&design, &state, penalty);
                    let (g, h) = design.col_gradient_curvature(j, &state.rows);
                    let old = state.it.w[j];
                    let newton = penalty.threshold(h * old - g, h);
                    let raw = design.col_loss_change(j, &state.it.margins, newton - old)
                        + penalty.change(old, newton);
                    update_column(&design, &mut state, &cols, penalty, j);
                    let after = objective_of(&design, &state, penalty);
                    assert!(after <= before + 1e-12, "column {j}: {before} -> {after}");
                    if raw > 0.0 {
                        overshoots += 1;
                        assert_ne!(state.it.w[j], newton, "an increasing Newton step was taken");
                    }
                }
                let before = objective_of(&design, &state, penalty);
                update_bias(&design, &mut state);
                assert!(objective_of(&design, &state, penalty) <= before + 1e-12, "bias");
            }
        }
        assert!(overshoots > 0, "no Newton step overshot: the safeguard was not exercised");
    }

    #[test]
    fn kept_row_derivatives_match_a_recomputation() {
        for loss in [LossKind::Logistic, LossKind::Squared] {
            let m = matrix(300, loss, 2.0, 5);
            let design = Design::new(&m, loss).expect("valid");
            let cols = Columns::new(&design);
            let penalty = Penalty { lambda0: 1e-4, l2_grad: 1e-4 };
            let mut state = State::new(&design, Iterate::at_zero(&design));
            for _ in 0..30 {
                pass(&design, &mut state, 0..design.m, &cols, penalty);
            }
            let margins = design.margins(&state.it.w, state.it.b);
            for (i, &m) in margins.iter().enumerate() {
                assert!((m - state.it.margins[i]).abs() <= 1e-12);
                let kept = design.row_derivatives(i, state.rows[i]);
                let fresh = design.row_derivatives(i, design.row_loss(i, m));
                assert!((kept.0 - fresh.0).abs() <= 1e-12, "{loss:?} row {i} derivative");
                assert!((kept.1 - fresh.1).abs() <= 1e-12, "{loss:?} row {i} curvature");
            }
        }
    }
}
