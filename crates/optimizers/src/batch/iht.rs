//! Iterative hard thresholding (Blumensath & Davies 2009) to a target support size `s`, with a
//! refit (debias) on the support it found.
//!
//! The smooth objective is `f(w, b) = (1/n) sum_i loss + l2_grad/2 |w|^2` (the ridge is
//! `l2_for_l0`, which keeps logistic refits bounded on separable one-hot cells). Each step is
//! a gradient step with step `1/L` on `(w, b)` followed by keeping the `s` largest weights (the
//! bias is never thresholded); `L` starts at the largest diagonal Hessian bound and doubles
//! until `f` lies under its quadratic upper bound at the new point (backtracking,
//! `proximal_step.rs`).
//!
//! The steps stop once the support has not changed for [`STABLE_STEPS`] steps (or the step is
//! below `tol` in gradient units, `L * |step|`); the support is then refitted exactly. The
//! point is converged when the refitted solution is a fixed point of the IHT step, i.e. one
//! more gradient step plus hard thresholding keeps the same support, and the refit reached
//! `tol`; otherwise the steps resume from the refitted solution (as in hard thresholding
//! pursuit), within the `max_iter` budget. Sizes are visited in increasing order, each
//! warm-started from the previous solution.

use regularizers::PenaltyParts;

use regularizers::{PenaltyClass, SettingDoc};

use crate::batch::design::Design;
use crate::batch::iterate::Iterate;
use crate::batch::path::{make_point, SolveReport};
use crate::batch::proximal_step::{initial_lipschitz, proximal_gradient_step};
use crate::batch::refit::{refit, RefitSettings};
use crate::batch::support::{keep_largest, largest_magnitudes};
use crate::batch::{BatchError, PathConfig, PathPoint};

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
    /// Steps until the support is stable or the budget is spent; returns the steps taken and
    /// whether a step failed.
    fn run(&mut self, it: &mut Iterate, tol: f64, budget: usize) -> (usize, bool) {
        let design = self.design;
        let mut support = keep_largest(&mut it.w, self.s);
        it.margins = design.margins(&it.w, it.b);
        let mut stable = 0;
        for taken in 1..=budget {
            let s = self.s;
            let project = |w: &mut [f64], _eta: f64| {
                keep_largest(w, s);
            };
            let Some(step) =
                proximal_gradient_step(design, it, self.l2_grad, &mut self.lipschitz, project)
            else {
                return (taken, true);
            };
            *it = step.next;
            let kept: Vec<usize> = (0..design.m).filter(|&j| it.w[j] != 0.0).collect();
            stable = if kept == support { stable + 1 } else { 0 };
            support = kept;
            if stable >= STABLE_STEPS || (stable > 0 && step.mapping_norm <= tol) {
                return (taken, false);
            }
        }
        (budget, false)
    }

    /// Whether one more IHT step from `it` keeps the same support.
    fn is_fixed_point(&self, it: &Iterate, support: &[usize]) -> bool {
        let d = self.design.derivatives(&it.margins);
        let grad = self.design.gradient(&d);
        let eta = 1.0 / self.lipschitz;
        let v: Vec<f64> =
            it.w.iter().zip(&grad).map(|(w, g)| w - eta * (g + self.l2_grad * w)).collect();
        largest_magnitudes(&v, self.s) == support
    }
}

/// The IHT path over the configured support sizes.
pub(crate) fn fit_path(design: &Design, config: &PathConfig) -> Result<Vec<PathPoint>, BatchError> {
    let l2_grad = config.convention.grad_coefficient(config.l2_for_l0);
    let parts = PenaltyParts { l2_grad, ..PenaltyParts::default() };
    let mut lipschitz = initial_lipschitz(design, l2_grad);
    let settings = RefitSettings::from_config(config);
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
            &parts,
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

/// The registry's handle on this solver.
pub(crate) struct Iht;

/// Settings of `iht`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IhtSettings {
    /// ridge of the steps and refits (TensorFlow convention); >= 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_for_l0: Option<f64>,
}

impl crate::batch::BatchSolver for Iht {
    const NAME: &'static str = "iht";
    const SUMMARY: &'static str = "iterative hard thresholding to each target support size, then a refit (Blumensath & Davies 2009)";
    const KEYS: &'static [SettingDoc] = &[SettingDoc {
        key: "l2_for_l0",
        default: "1e-4",
        doc: "ridge of the steps and refits (TensorFlow convention); >= 0",
    }];
    const ACCEPTS: &'static str = "the count of nonzeros (l0)";
    type Settings = IhtSettings;

    fn accepts(class: PenaltyClass) -> bool {
        class == PenaltyClass::CountOfNonzeros
    }

    fn configure(config: PathConfig, settings: &IhtSettings) -> PathConfig {
        PathConfig { l2_for_l0: settings.l2_for_l0.unwrap_or(config.l2_for_l0), ..config }
    }

    fn fit_path_on(
        design: &Design,
        _penalty: &regularizers::Penalty,
        config: PathConfig,
        settings: &IhtSettings,
    ) -> Result<Vec<PathPoint>, BatchError> {
        let config = Self::configure(config, settings);
        config.validate()?;
        fit_path(design, &config)
    }
}
