//! Truncated gradient (Langford, Li & Zhang, JMLR 2009) with `theta = infinity`: an SGD step on
//! the loss (and on L2, as a gradient term), then every `K`-th step (`truncation_period`) the
//! weight moves towards zero by the gravity `K * eta * l1` and stops at zero if it would cross
//! it: the "subtract a constant, clip at zero" rule of the Crash Course. With `K = 1` and no L2
//! this coincides with FOBOS-L1, as the paper notes. Truncations missed by an unseen coordinate
//! are caught up lazily through the ledger. State: scaled weight and ledger mark (16 bytes); a
//! coordinate is dropped when its weight is exactly 0.

use regularizers::{soft_threshold, PenaltyParts};

use regularizers::SettingDoc;
use serde::{Deserialize, Serialize};

use super::coefficients::CoefficientWord;
use super::config::bad;
use super::ledger::{Clock, Ledger, PenaltyStep, Scaled};
use super::rule::{check_gradient_l2, reject_parts, CoordinateRule};
use super::{compact, OnlineConfig, OnlineError, OnlineOptimizer};

/// Truncation period `K` when the spec sets none.
const DEFAULT_PERIOD: u32 = 10;

const KEYS: &[SettingDoc] = &[SettingDoc {
    key: "truncation_period",
    default: "10",
    doc: "truncate every K steps by K eta lambda (K = 1 is FOBOS-L1; larger K, more exact zeros); >= 1",
}];

/// Settings of `truncated_gradient`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruncatedGradientSettings {
    /// Truncation period `K`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncation_period: Option<u32>,
}

/// See the module doc.
pub(crate) struct TruncatedGradient {
    parts: PenaltyParts,
    period: u64,
}

impl TruncatedGradient {
    fn build(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &TruncatedGradientSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::NAME, regularizer, parts, true, false)?;
        check_gradient_l2(Self::NAME, parts.l2_grad, config.schedule.eta(1))?;
        let period = settings.truncation_period.unwrap_or(DEFAULT_PERIOD);
        if period == 0 {
            return Err(bad("truncation_period", "must be >= 1, got 0".to_string()));
        }
        Ok(Self { parts, period: u64::from(period) })
    }

    /// The truncation of step `clock.completed`: `K * eta * l1` on every `K`-th step.
    fn gravity(&self, clock: &Clock) -> f64 {
        if clock.completed.is_multiple_of(self.period) {
            self.period as f64 * clock.eta * self.parts.l1
        } else {
            0.0
        }
    }
}

impl CoordinateRule for TruncatedGradient {
    type State = Scaled;
    const NAME: &'static str = "truncated_gradient";
    const SUMMARY: &'static str =
        "SGD, then every K steps an L1 truncation by K eta lambda (Langford, Li & Zhang 2009)";
    const KEYS: &'static [SettingDoc] = KEYS;
    type Settings = TruncatedGradientSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &TruncatedGradientSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        Self::build(parts, regularizer, settings, config)
    }

    fn rate_text(settings: &TruncatedGradientSettings, schedule: &super::Schedule) -> String {
        match settings.truncation_period {
            Some(period) => format!("{schedule},K={period}"),
            None => schedule.to_string(),
        }
    }

    fn unpenalized(&self) -> Self {
        Self { parts: PenaltyParts::default(), period: self.period }
    }

    fn penalty_step(&self, clock: &Clock) -> PenaltyStep {
        PenaltyStep::after_gradient_l2(clock.eta, self.parts.l2_grad, self.gravity(clock))
    }

    fn catch_up(&self, state: &mut Scaled, _clock: &Clock, ledger: &Ledger) -> f64 {
        state.catch_up_clipped(ledger)
    }

    fn update(&self, state: &mut Scaled, gradient: f64, clock: &Clock, ledger: &Ledger) -> f64 {
        let w = state.previous_weight(ledger);
        let stepped = w * (1.0 - clock.eta * self.parts.l2_grad) - clock.eta * gradient;
        let next = soft_threshold(stepped, self.gravity(clock));
        state.set(next, ledger);
        next
    }

    fn boxed_compact<W: CoefficientWord>(
        self,
        config: &OnlineConfig,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        compact::boxed_learner(self, config, compact::ScaledCodec::<W>::default())
    }
}
