//! Regularized dual averaging (Xiao 2010) with the strongly convex term `gamma sqrt(t) w^2 / 2`.
//! State: the sum of the coordinate's gradients; with `gbar = sum / t` (steps without a gradient
//! add zero, so no catch-up is needed) the weight is
//! `0 if |gbar| <= l1, else -(gbar - l1 sign(gbar)) / (c + gamma / sqrt(t))`,
//! which is Xiao's `-(sqrt(t) / gamma) (gbar - l1 sign(gbar))` when there is no L2 (`c = 0`).
//! Ignores the step-size schedule. State: 8 bytes; the gradient sum is state, so a coordinate is
//! dropped only if it is exactly 0.

use regularizers::{sign, PenaltyParts};

use regularizers::SettingDoc;
use serde::{Deserialize, Serialize};

use super::config::positive;
use super::ledger::{Clock, Ledger};
use super::rule::{reject_parts, CoordinateRule};
use super::{OnlineConfig, OnlineError};

const DEFAULT_GAMMA: f64 = 1.0;

const KEYS: &[SettingDoc] = &[SettingDoc {
    key: "rda_gamma",
    default: "1.0",
    doc: "strong-convexity weight: beta_t = gamma sqrt(t); > 0",
}];

/// Settings of `rda`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdaSettings {
    /// `gamma`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rda_gamma: Option<f64>,
}

/// See the module doc.
pub(crate) struct Rda {
    parts: PenaltyParts,
    gamma: f64,
}

impl Rda {
    fn build(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &RdaSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::NAME, regularizer, parts, true, false)?;
        let _ = config;
        let gamma = settings.rda_gamma.unwrap_or(DEFAULT_GAMMA);
        positive("rda_gamma", gamma)?;
        Ok(Self { parts, gamma })
    }

    fn weight(&self, gradient_sum: f64, steps: u64) -> f64 {
        if steps == 0 {
            return 0.0;
        }
        let t = steps as f64;
        let average = gradient_sum / t;
        if average.abs() <= self.parts.l1 {
            0.0
        } else {
            -(average - self.parts.l1 * sign(average))
                / (self.parts.l2_grad + self.gamma / t.sqrt())
        }
    }
}

impl CoordinateRule for Rda {
    type State = f64;
    const NAME: &'static str = "rda";
    const SUMMARY: &'static str = "regularized dual averaging (Xiao 2010)";
    const KEYS: &'static [SettingDoc] = KEYS;
    type Settings = RdaSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &RdaSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        Self::build(parts, regularizer, settings, config)
    }

    fn rate_text(settings: &RdaSettings, _schedule: &super::Schedule) -> String {
        // RDA's rate is gamma sqrt(t); the schedule is not used.
        format!("rda(gamma={})", settings.rda_gamma.unwrap_or(DEFAULT_GAMMA))
    }

    fn unpenalized(&self) -> Self {
        Self { parts: PenaltyParts::default(), gamma: self.gamma }
    }

    fn catch_up(&self, gradient_sum: &mut f64, clock: &Clock, _ledger: &Ledger) -> f64 {
        self.weight(*gradient_sum, clock.completed)
    }

    fn update(&self, gradient_sum: &mut f64, gradient: f64, clock: &Clock, _: &Ledger) -> f64 {
        *gradient_sum += gradient;
        self.weight(*gradient_sum, clock.completed)
    }
}
