//! Splicing (Zhu, Wen, Zhang, Wang & Wang, "A polynomial algorithm for best-subset selection
//! problem", PNAS 2020; the algorithm behind abess) to a target support size `s`: a local
//! search over active sets of exactly `s` columns that swaps the columns whose loss would
//! least suffer from removal for the columns whose entry promises most, keeping a swap only
//! when the refitted objective really falls.
//!
//! The objective is `f(w, b) = (1/n) sum_i loss + l2_grad/2 |w|^2` (the ridge is `l2_for_l0`,
//! as for IHT) with `w` zero outside the active set `A` and the bias unpenalized. For a given
//! `A` the weights are always the exact minimizer on `A` (`refit.rs`). At such a point the
//! second-order model of `f` along one coordinate, with `g_j` the loss gradient and
//! `c_j = (1/n) sum_i x_ij^2 h_i + l2_grad` the coordinate's curvature at the current margins
//! (`h_i` the loss's second derivative), prices each column:
//!
//! - the *backward sacrifice* of an active `j`, the increase of `f` when `w_j` is set to zero
//!   and nothing else moves: `c_j w_j^2 / 2 - (g_j + l2_grad w_j) w_j` (the second term
//!   vanishes at an exact refit);
//! - the *forward sacrifice* of an inactive `j`, the decrease of `f` by the best step along
//!   that coordinate alone: `g_j^2 / (2 c_j)`.
//!
//! One splicing round sorts the active columns by increasing backward sacrifice and the
//! inactive ones by decreasing forward sacrifice (ties to the lower column index), and for
//! each block size `c = 1..=C` exchanges the first `c` of each list, refits on the new set
//! from the current weights, and evaluates `f`. The best of these `C` exchanges is kept if it
//! lowers `f` by more than `tol`, read in objective units (a refit stopped at a KKT violation
//! `tol` is off in `f` by about `tol^2 / (2 curvature)`, far less for the default ridge, so
//! refit error does not pass for progress); otherwise the round found no improvement and the
//! size is done. Every kept round lowers `f` by more than `tol`, so the search ends.
//!
//! `C` is `min(s, m - s, 3)`: the paper exchanges blocks up to a small `C_max`, so that a few
//! columns that are only useful together can enter in one round; every round, the last
//! (unsuccessful) one included, costs `C` refits. On the k_sweep data (k = 8 and 10, three
//! seeds, s = 10 to 100) `C = 5` reached the objectives of `C = 3` (within 2e-7) with about
//! 1.6 times the refits, while `C = 2` missed a better set at `s = 30`.
//!
//! Sizes are visited in increasing order. The first active set is the `s` columns of largest
//! forward sacrifice at `w = 0` (bias fitted): a marginal screening, like the paper's start
//! from the largest marginal correlations (for columns of equal curvature, the `s` largest
//! `|g_j|`). Each later size keeps the previous size's active set and weights and adds the
//! columns of largest forward sacrifice there. The reported iterations are those of every
//! refit of the size (Newton steps or coordinate-descent outer iterations), trial exchanges
//! included, and they share the `max_iter` budget. A point is converged when its last refit
//! reached `tol` and a full round found no improving exchange; its KKT violation is that of
//! the problem restricted to `A`.

use std::cmp::Ordering;

use regularizers::PenaltyParts;

use crate::batch::design::Design;
use crate::batch::iterate::Iterate;
use crate::batch::optimality::objective;
use crate::batch::path::{make_point, SolveReport};
use crate::batch::refit::{refit, RefitSettings};
use crate::batch::{BatchError, PathConfig, PathPoint};

/// Largest block of columns exchanged in one splicing round (`C_max`).
const MAX_EXCHANGE: usize = 3;

/// The loss gradient and the coordinate curvatures (ridge included) of every column at a point.
struct LocalModel {
    grad: Vec<f64>,
    curvature: Vec<f64>,
}

impl LocalModel {
    /// At the point `it`, ridge `l2_grad`.
    fn at(design: &Design, it: &Iterate, l2_grad: f64) -> Self {
        let d = design.derivatives(&it.margins);
        let h: Vec<f64> = it.margins.iter().map(|&m| design.loss.second_derivative(m)).collect();
        let inv_n = 1.0 / design.n as f64;
        Self {
            grad: design.gradient(&d),
            curvature: (0..design.m)
                .map(|j| design.col_weighted_sq(j, &h) * inv_n + l2_grad)
                .collect(),
        }
    }

    /// Decrease of `f` by the best step along inactive column `j`.
    fn forward(&self, j: usize) -> f64 {
        let (g, c) = (self.grad[j], self.curvature[j]);
        if c > 0.0 {
            g * g / (2.0 * c)
        } else {
            0.0
        }
    }

    /// Increase of `f` when active column `j` (weight `w`) is set to zero.
    fn backward(&self, j: usize, w: f64, l2_grad: f64) -> f64 {
        0.5 * self.curvature[j] * w * w - (self.grad[j] + l2_grad * w) * w
    }
}

/// The `count` candidates of largest `score`, best first; ties go to the lower index.
fn best_first(
    mut candidates: Vec<usize>,
    score: impl Fn(usize) -> f64,
    count: usize,
) -> Vec<usize> {
    let order =
        |&a: &usize, &b: &usize| -> Ordering { score(b).total_cmp(&score(a)).then(a.cmp(&b)) };
    if count == 0 {
        return Vec::new();
    }
    if candidates.len() > count {
        candidates.select_nth_unstable_by(count - 1, order);
        candidates.truncate(count);
    }
    candidates.sort_unstable_by(order);
    candidates
}

/// A refitted active set and its objective.
struct Fitted {
    it: Iterate,
    active: Vec<usize>,
    objective: f64,
    converged: bool,
}

/// What the search shares across rounds at one target size.
struct Search<'d, 'a> {
    design: &'d Design<'a>,
    parts: PenaltyParts,
    settings: RefitSettings,
    tol: f64,
    /// Refit iterations spent so far at this size.
    iterations: usize,
}

impl Search<'_, '_> {
    /// Refits `it` on `active` (weights outside it zero) and evaluates `f`.
    fn fit(&mut self, mut it: Iterate, active: Vec<usize>) -> Fitted {
        let report = refit(self.design, &active, &mut it, self.settings);
        self.iterations += report.iterations;
        let objective = objective(self.design, &self.parts, &it.w, &it.margins);
        Fitted { it, active, objective, converged: report.converged }
    }

    /// Whether each column is in `active`.
    fn membership(&self, active: &[usize]) -> Vec<bool> {
        let mut member = vec![false; self.design.m];
        active.iter().for_each(|&j| member[j] = true);
        member
    }

    /// Extends `active` to `s` columns with the inactive columns of largest forward sacrifice
    /// at `it`, then refits.
    fn grow(&mut self, it: Iterate, mut active: Vec<usize>, s: usize) -> Fitted {
        let model = LocalModel::at(self.design, &it, self.parts.l2_grad);
        let member = self.membership(&active);
        let inactive: Vec<usize> = (0..self.design.m).filter(|&j| !member[j]).collect();
        let wanted = s.saturating_sub(active.len());
        active.extend(best_first(inactive, |j| model.forward(j), wanted));
        active.sort_unstable();
        self.fit(it, active)
    }

    /// One splicing round from `current`: the best of the `c = 1..=C` exchanges, if it lowers
    /// the objective by more than `tol`.
    fn round(&mut self, current: &Fitted) -> Option<Fitted> {
        let design = self.design;
        let (it, active) = (&current.it, &current.active);
        let exchange = MAX_EXCHANGE.min(active.len()).min(design.m - active.len());
        if exchange == 0 {
            return None;
        }
        let model = LocalModel::at(design, it, self.parts.l2_grad);
        let l2_grad = self.parts.l2_grad;
        let member = self.membership(active);
        let inactive: Vec<usize> = (0..design.m).filter(|&j| !member[j]).collect();
        let entering = best_first(inactive, |j| model.forward(j), exchange);
        let leaving =
            best_first(active.clone(), |j| -model.backward(j, it.w[j], l2_grad), exchange);
        let mut best: Option<Fitted> = None;
        for c in 1..=exchange.min(entering.len()) {
            let mut trial = it.clone();
            for &j in &leaving[..c] {
                if trial.w[j] != 0.0 {
                    design.col_axpy(j, -trial.w[j], &mut trial.margins);
                    trial.w[j] = 0.0;
                }
            }
            let mut set: Vec<usize> = active
                .iter()
                .copied()
                .filter(|j| !leaving[..c].contains(j))
                .chain(entering[..c].iter().copied())
                .collect();
            set.sort_unstable();
            let fitted = self.fit(trial, set);
            if best.as_ref().is_none_or(|b| fitted.objective < b.objective) {
                best = Some(fitted);
            }
        }
        best.filter(|b| b.objective < current.objective - self.tol)
    }
}

/// The splicing path over the configured support sizes.
pub(crate) fn fit_path(design: &Design, config: &PathConfig) -> Result<Vec<PathPoint>, BatchError> {
    let l2_grad = config.convention.grad_coefficient(config.l2_for_l0);
    let parts = PenaltyParts { l2_grad, ..PenaltyParts::default() };
    let settings = RefitSettings::from_config(config);
    let mut it = Iterate::at_zero(design);
    let mut active: Vec<usize> = Vec::new();
    let mut points = Vec::new();
    for s in config.support_grid(design.m) {
        let mut search = Search { design, parts, settings, tol: config.tol, iterations: 0 };
        let mut current = search.grow(it, active, s);
        let converged = loop {
            if search.iterations >= config.max_iter {
                break false;
            }
            match search.round(&current) {
                Some(better) => current = better,
                None => break current.converged,
            }
        };
        let report = SolveReport { iterations: search.iterations, converged };
        points.push(make_point(
            design,
            0.0,
            &parts,
            &current.it.w,
            current.it.b,
            &current.it.margins,
            report,
            current.active.iter().copied(),
            None,
            Some(s),
        ));
        it = current.it;
        active = current.active;
    }
    Ok(points)
}

/// The registry's handle on this solver.
pub(crate) struct Splicing;

/// Settings of `splicing`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplicingSettings {
    /// Ridge of the refits (TensorFlow convention); >= 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_for_l0: Option<f64>,
}

impl crate::batch::BatchSolver for Splicing {
    const NAME: &'static str = "splicing";
    const SUMMARY: &'static str =
        "splicing to each target support size: swap the least useful active columns for the most promising inactive ones while the refitted loss falls (Zhu et al. 2020, abess)";
    const KEYS: &'static [regularizers::SettingDoc] = &[regularizers::SettingDoc {
        key: "l2_for_l0",
        default: "1e-4",
        doc: "ridge of the refits (TensorFlow convention); >= 0",
    }];
    const ACCEPTS: &'static str = "the count of nonzeros (l0)";
    type Settings = SplicingSettings;

    fn accepts(class: regularizers::PenaltyClass) -> bool {
        class == regularizers::PenaltyClass::CountOfNonzeros
    }

    fn configure(config: PathConfig, settings: &SplicingSettings) -> PathConfig {
        PathConfig { l2_for_l0: settings.l2_for_l0.unwrap_or(config.l2_for_l0), ..config }
    }

    fn fit_path_on(
        design: &Design,
        _penalty: &regularizers::Penalty,
        config: PathConfig,
        settings: &SplicingSettings,
    ) -> Result<Vec<PathPoint>, BatchError> {
        let config = Self::configure(config, settings);
        config.validate()?;
        fit_path(design, &config)
    }
}
