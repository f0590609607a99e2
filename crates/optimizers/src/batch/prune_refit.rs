//! Magnitude pruning and refit: fit the L1, L2 or elastic-net problem by coordinate descent at
//! one base lambda, keep the `s` weights largest in magnitude, refit the mean loss plus the
//! small ridge `l2_for_l0` on those alone (see `refit.rs`), for each target size `s`.
//!
//! The base lambda is `prune_base_lambda`, or by default the L1 problem's lambda_max times
//! `lambda_min_ratio` (the same scale for every base penalty, so L1 and L2 bases are pruned
//! from comparably regularized fits). An L1 base may have fewer than `s` nonzeros: then all are
//! kept and the support is smaller than `s`.

use regularizers::{Penalty, PenaltyParts};

use crate::batch::coordinate_descent::{self, strong_set, Candidates, CdSettings};
use regularizers::{PenaltyClass, SettingDoc};

use crate::batch::design::Design;
use crate::batch::iterate::Iterate;
use crate::batch::path::{make_point, max_gradient_at_zero, SolveReport};
use crate::batch::refit::{refit, RefitSettings};
use crate::batch::support::keep_largest;
use crate::batch::{BatchError, PathConfig, PathPoint};

/// The prune-refit path over the configured support sizes.
pub(crate) fn fit_path(
    design: &Design,
    penalty: &Penalty,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    let base_lambda = config
        .prune_base_lambda
        .unwrap_or_else(|| max_gradient_at_zero(design) * config.lambda_min_ratio);
    let mut base = Iterate::at_zero(design);
    let max_gradient = max_gradient_at_zero(design);
    // The penalty is built on the stack (nothing on the fit's heap).
    let base_report = penalty.with(base_lambda, |base_reg| {
        let working =
            strong_set(design, &base, base_reg.zero_slope(), max_gradient, config.screening);
        coordinate_descent::solve(
            design,
            base_reg,
            &mut base,
            working,
            Candidates::All,
            CdSettings::from_config(config),
        )
    })?;
    let l2_grad = config.convention.grad_coefficient(config.l2_for_l0);
    let settings = RefitSettings::from_config(config);
    let parts = PenaltyParts { l2_grad, ..PenaltyParts::default() };
    let mut points = Vec::new();
    for s in config.support_grid(design.m) {
        let mut w = base.w.clone();
        let kept = keep_largest(&mut w, s);
        let mut it = Iterate::from_weights(design, w, base.b);
        let refitted = refit(design, &kept, &mut it, settings);
        let report = SolveReport {
            iterations: base_report.iterations + refitted.iterations,
            converged: base_report.converged && refitted.converged,
        };
        points.push(make_point(
            design,
            base_lambda,
            &parts,
            &it.w,
            it.b,
            &it.margins,
            report,
            kept,
            None,
            Some(s),
        ));
    }
    Ok(points)
}

/// The registry's handle on this solver.
pub(crate) struct PruneRefit;

/// Settings of `prune_refit`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PruneRefitSettings {
    /// ridge of the refits (TensorFlow convention); >= 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_for_l0: Option<f64>,
    /// lambda of the fit that is pruned; > 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prune_base_lambda: Option<f64>,
}

impl crate::batch::BatchSolver for PruneRefit {
    const NAME: &'static str = "prune_refit";
    const SUMMARY: &'static str =
        "fit with a convex penalty, keep the s largest |w|, refit on them";
    const KEYS: &'static [SettingDoc] = &[
        SettingDoc {
            key: "l2_for_l0",
            default: "1e-4",
            doc: "ridge of the refits (TensorFlow convention); >= 0",
        },
        SettingDoc {
            key: "prune_base_lambda",
            default: "lambda_max * lambda_min_ratio",
            doc: "lambda of the fit that is pruned; > 0",
        },
    ];
    const ACCEPTS: &'static str = "convex penalties (the fit that is pruned)";
    type Settings = PruneRefitSettings;

    fn accepts(class: PenaltyClass) -> bool {
        class == PenaltyClass::Convex
    }

    fn configure(config: PathConfig, settings: &PruneRefitSettings) -> PathConfig {
        PathConfig {
            l2_for_l0: settings.l2_for_l0.unwrap_or(config.l2_for_l0),
            prune_base_lambda: settings.prune_base_lambda.or(config.prune_base_lambda),
            ..config
        }
    }

    fn fit_path_on(
        design: &Design,
        penalty: &regularizers::Penalty,
        config: PathConfig,
        settings: &PruneRefitSettings,
    ) -> Result<Vec<PathPoint>, BatchError> {
        let config = Self::configure(config, settings);
        config.validate()?;
        fit_path(design, penalty, &config)
    }
}
